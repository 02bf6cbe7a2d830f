//! Decoding of the embedded compact schema.

use super::{Node, Schema};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

/// gzip-compressed compact JSON written by `tools/gen_schema.py`.
const BUILTIN_DATA: &[u8] = include_bytes!("../../data/k8s-v1.32.json.gz");

#[derive(Deserialize)]
struct Compact {
    kubernetes: String,
    definitions: HashMap<String, Node>,
}

pub(super) fn builtin() -> &'static Schema {
    static BUILTIN: OnceLock<Schema> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        // The data is part of the crate and covered by tests; failing here is a build defect.
        decode(BUILTIN_DATA).expect("embedded Kubernetes schema data is valid")
    })
}

fn decode(gz: &[u8]) -> Result<Schema, String> {
    let mut json = Vec::with_capacity(gz.len() * 6);
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut json)
        .map_err(|e| format!("inflating schema data: {e}"))?;
    let compact: Compact =
        serde_json::from_slice(&json).map_err(|e| format!("parsing schema data: {e}"))?;
    Ok(Schema::from_definitions(
        compact.definitions,
        None,
        compact.kubernetes,
    ))
}

impl Schema {
    pub(crate) fn from_definitions(
        defs: HashMap<String, Node>,
        fallback: Option<&'static Schema>,
        kubernetes_version: String,
    ) -> Schema {
        let mut by_gvk = HashMap::new();
        for (name, node) in &defs {
            for gvk in node.gvk.iter().flatten() {
                // A few list/option types carry several GVKs; the first definition wins.
                by_gvk.entry(gvk.clone()).or_insert_with(|| name.clone());
            }
        }
        Schema {
            defs,
            by_gvk,
            fallback,
            kubernetes_version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schema_decodes_with_core_kinds() {
        let s = builtin();
        assert!(s.defs.len() > 600);
        assert!(s.for_kind("", "v1", "ConfigMap").is_some());
        assert!(s.for_kind("apps", "v1", "Deployment").is_some());
        assert!(
            s.for_kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition")
                .is_some()
        );
        assert_eq!(s.kubernetes_version(), "v1.32.0");
    }
}
