//! Chart archives (`.tgz`), as `helm package` writes them.

use std::io::Read;
use std::sync::Arc;

use super::{Chart, ChartFile, load_files};
use crate::error::HelmError;

/// Loads a chart from a gzipped tar archive whose entries sit under one top
/// directory (`mychart/Chart.yaml` ...).
pub fn load_archive(data: &[u8]) -> Result<Chart, HelmError> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut ar = tar::Archive::new(gz);
    let mut files = Vec::new();
    let entries = ar
        .entries()
        .map_err(|e| HelmError::InvalidChart(format!("error reading chart archive: {e}")))?;
    for entry in entries {
        let mut entry = entry
            .map_err(|e| HelmError::InvalidChart(format!("error reading chart archive: {e}")))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file()
            || kind == tar::EntryType::Continuous
            || kind == tar::EntryType::GNUSparse)
        {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| HelmError::InvalidChart(format!("error reading chart archive: {e}")))?
            .to_string_lossy()
            .replace('\\', "/");
        let parts: Vec<&str> = path
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        if parts.first() == Some(&"pax_global_header") {
            continue;
        }
        if parts.len() == 1 && parts[0] == "Chart.yaml" {
            return Err(HelmError::InvalidChart(
                "chart yaml not in base directory".into(),
            ));
        }
        if parts.len() < 2 {
            continue;
        }
        if parts.contains(&"..") {
            return Err(HelmError::InvalidChart(
                "chart illegally references parent directory".into(),
            ));
        }
        let name = parts[1..].join("/");
        let mut buf = Vec::new();
        entry
            .read_to_end(&mut buf)
            .map_err(|e| HelmError::InvalidChart(format!("error reading chart archive: {e}")))?;
        let data = buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&buf);
        files.push(ChartFile {
            name,
            data: Arc::from(data),
        });
    }
    if files.is_empty() {
        return Err(HelmError::InvalidChart("no files in chart archive".into()));
    }
    load_files(files)
}
