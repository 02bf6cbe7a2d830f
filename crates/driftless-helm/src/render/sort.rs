//! Splitting rendered files into documents and ordering them as Helm's
//! `releaseutil.SortManifests` does (install order by kind, hooks apart).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::error::HelmError;

/// Helm's `InstallOrder`: kinds earlier in this list are installed first;
/// unknown kinds go last, sorted by kind name.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Hook events Helm knows (`helm.sh/hook` values); a document naming any
/// other event is dropped, as Helm does.
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// One document of a rendered template.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Template path (`chart/templates/x.yaml`), the `# Source:` line.
    pub source: String,
    /// The document text, trimmed.
    pub content: String,
    /// Zero-based index of the document in its file.
    pub index: usize,
    /// One-based line in the rendered file where the document starts.
    pub line: usize,
    /// `kind` of the document ("" when absent).
    pub kind: String,
    /// The `helm.sh/hook` annotation, when the document is a hook.
    pub hook: Option<String>,
    /// Mapping keys given twice (dotted paths); the later value is kept, as
    /// Helm and the Kubernetes API do. See [`super::Rendered::warnings`].
    pub duplicate_keys: Vec<String>,
}

impl Document {
    /// Whether this is a test hook (`helm.sh/hook: test` / `test-success`).
    pub fn is_test_hook(&self) -> bool {
        self.hook.as_deref().is_some_and(|h| {
            h.split(',').any(|e| {
                matches!(
                    e.trim().to_ascii_lowercase().as_str(),
                    "test" | "test-success"
                )
            })
        })
    }
}

static SEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s*\n)---\s*").expect("valid regex"));

/// Splits a rendered file into trimmed documents with their starting line
/// (Helm v3 / v4.1 `SplitManifests`).
///
/// ```
/// use driftless_helm::render::split_manifests;
/// let docs = split_manifests("a: 1\n---\nb: 2\n---\n\n");
/// assert_eq!(docs, vec![("a: 1".to_string(), 1), ("b: 2".to_string(), 3)]);
/// ```
pub fn split_manifests(text: &str) -> Vec<(String, usize)> {
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    let mut out = Vec::new();
    let mut last = 0;
    let mut pieces: Vec<(usize, &str)> = Vec::new();
    for m in SEP.find_iter(trimmed) {
        pieces.push((last, &trimmed[last..m.start()]));
        last = m.end();
    }
    pieces.push((last, &trimmed[last..]));
    for (start, piece) in pieces {
        if piece.is_empty() {
            continue;
        }
        let inner_lead = piece.len() - piece.trim_start().len();
        let offset = lead + start + inner_lead;
        let line = text[..offset].matches('\n').count() + 1;
        out.push((piece.trim().to_string(), line));
    }
    out
}

fn scalar_text(v: &serde_yaml_ng::Value) -> String {
    match v {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Reads kind and hook annotation of a document (Helm's `SimpleHead`); a
/// YAML error is reported as Helm does (`YAML parse error on FILE: ...`).
pub(crate) fn document_head(source: &str, doc: &str) -> Result<DocHead, HelmError> {
    let fail = |message: String| HelmError::Yaml {
        file: source.to_string(),
        message,
        rendered: String::new(),
    };
    let v: serde_yaml_ng::Value = match serde_yaml_ng::from_str(doc) {
        Ok(v) => v,
        // libyaml refuses duplicate keys; go-yaml v2 keeps the later value.
        Err(e) if e.to_string().contains("duplicate entry") => {
            if let Ok(j) = crate::yaml::from_yaml(doc) {
                let text = |v: Option<&serde_json::Value>| match v {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Null) | None => None,
                    Some(other) => Some(other.to_string()),
                };
                return Ok(DocHead {
                    kind: text(j.get("kind")).unwrap_or_default(),
                    hook: text(j.pointer("/metadata/annotations/helm.sh~1hook")),
                    duplicate_keys: crate::yaml::duplicate_keys(doc),
                });
            }
            return Err(fail(format!(
                "error converting YAML to JSON: {}",
                crate::values::yaml_error_text(&e)
            )));
        }
        Err(e) => {
            return Err(fail(format!(
                "error converting YAML to JSON: {}",
                crate::values::yaml_error_text(&e)
            )));
        }
    };
    let m = match v {
        serde_yaml_ng::Value::Null => return Ok(DocHead::default()),
        serde_yaml_ng::Value::Mapping(m) => m,
        other => {
            let kind = crate::values::json_kind(&crate::values::yaml_to_json(other));
            return Err(fail(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type releaseutil.SimpleHead"
            )));
        }
    };
    let kind = m.get("kind").map(scalar_text).unwrap_or_default();
    let hook = m
        .get("metadata")
        .and_then(|md| md.get("annotations"))
        .and_then(|a| a.get("helm.sh/hook"))
        .map(scalar_text);
    Ok(DocHead {
        kind,
        hook,
        duplicate_keys: Vec::new(),
    })
}

/// What sorting needs of a document.
#[derive(Debug, Default)]
pub(crate) struct DocHead {
    pub kind: String,
    pub hook: Option<String>,
    pub duplicate_keys: Vec<String>,
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

fn less_by_kind(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (kind_rank(a), kind_rank(b)) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Greater,
        (Some(_), None) => Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

/// Sorts rendered files (template path → text) into regular manifests and
/// hooks, each in install order. Partials (`_*`) and blank files are
/// skipped; documents with unknown hook events are dropped.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Document>, Vec<Document>), HelmError> {
    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for (index, (doc, line)) in split_manifests(content).into_iter().enumerate() {
            let head = document_head(path, &doc)?;
            let hook = head.hook.clone();
            let d = Document {
                source: path.clone(),
                content: doc,
                index,
                line,
                kind: head.kind,
                hook: head.hook,
                duplicate_keys: head.duplicate_keys,
            };
            match hook {
                None => generic.push(d),
                Some(h) => {
                    let known = h
                        .split(',')
                        .all(|e| HOOK_EVENTS.contains(&e.trim().to_ascii_lowercase().as_str()));
                    if known {
                        hooks.push(d);
                    }
                }
            }
        }
    }
    generic.sort_by(|a, b| less_by_kind(&a.kind, &b.kind));
    hooks.sort_by(|a, b| less_by_kind(&a.kind, &b.kind));
    Ok((generic, hooks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_helm() {
        // As Go's non-overlapping regexp split: the second separator stays in the document.
        assert_eq!(
            split_manifests("---\na: 1\n---\n---\nb: 2"),
            vec![("a: 1".into(), 2), ("---\nb: 2".into(), 4)]
        );
        assert_eq!(split_manifests("a: |\n  x\n  ---\nb: 1").len(), 1);
        assert_eq!(split_manifests("---apiVersion: v1").len(), 1);
        assert!(split_manifests("  \n").is_empty());
    }

    #[test]
    fn kind_order() {
        let mut files = BTreeMap::new();
        files.insert(
            "c/templates/a.yaml".to_string(),
            "kind: Deployment\n---\nkind: Zed\n---\nkind: Alpha\n---\nkind: Namespace".to_string(),
        );
        files.insert("c/templates/b.yaml".to_string(), "kind: Service\nmetadata:\n  annotations:\n    helm.sh/hook: test\n---\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: bogus".to_string());
        let (g, h) = sort_manifests(&files).unwrap();
        let kinds: Vec<&str> = g.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(kinds, ["Namespace", "Deployment", "Alpha", "Zed"]);
        assert_eq!(h.len(), 1);
        assert!(h[0].is_test_hook());
    }
}
