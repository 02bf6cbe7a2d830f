//! The git generator: `directories` (with `exclude`) and `files` (JSON or
//! YAML, an object or a list of objects per file).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Ctx, append_values, parse};
use crate::error::AppSetError;
use crate::source::{path_match, visible_directories};
use crate::template::{Params, sanitize_name};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GitSpec {
    #[serde(rename = "repoURL")]
    repo_url: String,
    #[serde(default)]
    revision: String,
    #[serde(default)]
    directories: Vec<PathItem>,
    #[serde(default)]
    files: Vec<PathItem>,
    #[serde(default)]
    values: Map<String, Value>,
    #[serde(default)]
    path_param_prefix: String,
}

#[derive(Deserialize)]
struct PathItem {
    path: String,
    #[serde(default)]
    exclude: bool,
}

pub(super) fn params(ctx: &Ctx<'_>, spec: &Value, at: &str) -> Result<Vec<Params>, AppSetError> {
    let spec: GitSpec = parse(spec, at)?;
    let git_err = |message: String| AppSetError::Git {
        at: at.to_string(),
        repo: spec.repo_url.clone(),
        revision: spec.revision.clone(),
        message,
    };
    if spec.directories.is_empty() && spec.files.is_empty() {
        return Err(AppSetError::generator(
            at,
            "either directories or files must be given",
        ));
    }
    let sha = ctx
        .inputs
        .git
        .resolve(&spec.repo_url, &spec.revision)
        .map_err(|e| git_err(e.0))?;
    let mut out = Vec::new();
    if !spec.directories.is_empty() {
        let all = visible_directories(
            ctx.inputs
                .git
                .directories(&spec.repo_url, &sha)
                .map_err(|e| git_err(e.0))?,
        );
        let mut matchers = Vec::new();
        for item in &spec.directories {
            matchers.push((
                path_match(&item.path).map_err(|e| AppSetError::generator(at, e.0))?,
                item.exclude,
            ));
        }
        for dir in all {
            let included = matchers.iter().any(|(m, ex)| !ex && m.is_match(&dir));
            let excluded = matchers.iter().any(|(m, ex)| *ex && m.is_match(&dir));
            if included && !excluded {
                let mut p = path_params(ctx, &dir, None, &sha, &spec.path_param_prefix);
                append_values(ctx, &spec.values, &mut p, at)?;
                out.push(p);
            }
        }
        return Ok(out);
    }
    let mut paths = std::collections::BTreeSet::new();
    let mut excluded = std::collections::BTreeSet::new();
    for item in &spec.files {
        let found = ctx
            .inputs
            .git
            .files_matching(&spec.repo_url, &sha, &item.path)
            .map_err(|e| git_err(e.0))?;
        if item.exclude {
            excluded.extend(found);
        } else {
            paths.extend(found);
        }
    }
    for path in paths.difference(&excluded) {
        let bytes = ctx
            .inputs
            .git
            .read(&spec.repo_url, &sha, path)
            .map_err(|e| git_err(e.0))?;
        let objects = parse_file(&bytes).map_err(|e| {
            AppSetError::generator(at, format!("unable to process file '{path}': {e}"))
        })?;
        for obj in objects {
            let mut p = path_params(
                ctx,
                path.rsplit_once('/').map_or(".", |(d, _)| d),
                Some((path, &obj)),
                &sha,
                &spec.path_param_prefix,
            );
            append_values(ctx, &spec.values, &mut p, at)?;
            out.push(p);
        }
    }
    Ok(out)
}

/// A file holds a list of objects or one object (YAML, JSON being YAML).
fn parse_file(bytes: &[u8]) -> Result<Vec<Map<String, Value>>, String> {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(list) = serde_yaml_ng::from_str::<Vec<Map<String, Value>>>(&text) {
        return Ok(list);
    }
    match serde_yaml_ng::from_str::<Option<Map<String, Value>>>(&text) {
        Ok(obj) => Ok(vec![obj.unwrap_or_default()]),
        Err(e) => Err(format!("unable to parse file: {e}")),
    }
}

/// The `path` parameters of a directory (or of the directory of a file).
fn path_params(
    ctx: &Ctx<'_>,
    dir: &str,
    file: Option<(&str, &Map<String, Value>)>,
    sha: &str,
    prefix: &str,
) -> Params {
    let base = dir.rsplit('/').next().unwrap_or(dir).to_string();
    let filename = file.map(|(f, _)| f.rsplit('/').next().unwrap_or(f).to_string());
    let mut p = Params::new();
    if ctx.renderer.is_go() {
        if let Some((_, obj)) = file {
            p.extend(obj.clone());
        }
        let mut path = Map::new();
        path.insert("path".into(), dir.into());
        path.insert("basename".into(), base.clone().into());
        if let Some(f) = &filename {
            path.insert("filename".into(), f.clone().into());
        }
        path.insert("basenameNormalized".into(), sanitize_name(&base).into());
        if let Some(f) = &filename {
            path.insert("filenameNormalized".into(), sanitize_name(f).into());
        }
        path.insert(
            "segments".into(),
            Value::Array(dir.split('/').map(|s| Value::String(s.into())).collect()),
        );
        if prefix.is_empty() {
            p.insert("path".into(), Value::Object(path));
            p.insert("commitSHA".into(), sha.into());
        } else {
            let mut m = Map::new();
            m.insert("path".into(), Value::Object(path));
            m.insert("commitSHA".into(), sha.into());
            p.insert(prefix.to_string(), Value::Object(m));
        }
        return p;
    }
    if let Some((_, obj)) = file {
        for (k, v) in crate::params::flatten(obj) {
            let s = match v {
                Value::String(s) => s,
                other => crate::params::go_sprint(&other),
            };
            p.insert(k, Value::String(s));
        }
    }
    let (pn, cn) = if prefix.is_empty() {
        ("path".to_string(), "commitSHA".to_string())
    } else {
        (format!("{prefix}.path"), format!("{prefix}.commitSHA"))
    };
    p.insert(cn, sha.into());
    p.insert(pn.clone(), dir.into());
    p.insert(format!("{pn}.basename"), base.clone().into());
    if let Some(f) = &filename {
        p.insert(format!("{pn}.filename"), f.clone().into());
        p.insert(format!("{pn}.filenameNormalized"), sanitize_name(f).into());
    }
    p.insert(
        format!("{pn}.basenameNormalized"),
        sanitize_name(&base).into(),
    );
    for (i, seg) in dir.split('/').enumerate() {
        if !seg.is_empty() {
            p.insert(format!("{pn}[{i}]"), seg.into());
        }
    }
    p
}
