//! `driftless.dev/depends-on` references.

use crate::PlanError;
use driftless_core::ObjectKey;

/// One parsed dependency reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DepRef {
    pub entry: String,
    pub kind: String,
    pub group: Option<String>,
    pub namespace: Option<String>,
    pub name: String,
}

impl DepRef {
    /// True when `key` is what this reference names, for a dependent in `from_ns`.
    ///
    /// Without an explicit namespace the reference means the dependent's own
    /// namespace, or a cluster-scoped object.
    pub fn matches(&self, key: &ObjectKey, from_ns: Option<&str>) -> bool {
        key.kind == self.kind
            && key.name == self.name
            && self.group.as_ref().is_none_or(|g| &key.group == g)
            && match &self.namespace {
                Some(ns) => key.namespace.as_deref() == Some(ns.as_str()),
                None => key.namespace.is_none() || key.namespace.as_deref() == from_ns,
            }
    }
}

/// Parses `Kind[.group]/name` and `Kind[.group]/namespace/name`, comma separated.
pub(crate) fn parse(object: &ObjectKey, value: &str) -> Result<Vec<DepRef>, PlanError> {
    crate::annotations::csv(Some(value))
        .map(|entry| {
            let bad = |reason| PlanError::InvalidDependency {
                object: object.clone(),
                entry: entry.to_string(),
                reason,
            };
            let parts: Vec<&str> = entry.split('/').map(str::trim).collect();
            let (kind_tok, namespace, name) = match parts.as_slice() {
                [k, n] => (*k, None, *n),
                [k, ns, n] => (*k, Some(*ns), *n),
                _ => return Err(bad("expected Kind/name or Kind/namespace/name")),
            };
            let (kind, group) = match kind_tok.split_once('.') {
                Some((k, g)) => (k, Some(g)),
                None => (kind_tok, None),
            };
            if kind.is_empty() || name.is_empty() || namespace == Some("") || group == Some("") {
                return Err(bad("empty kind, group, namespace or name"));
            }
            Ok(DepRef {
                entry: entry.to_string(),
                kind: kind.to_string(),
                group: group.map(str::to_string),
                namespace: namespace.map(str::to_string),
                name: name.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        let me = ObjectKey::new("apps/v1", "Deployment", Some("shop"), "web");
        let refs = parse(&me, "ConfigMap/cfg, Certificate.cert-manager.io/infra/tls").unwrap();
        assert_eq!(refs[0].kind, "ConfigMap");
        assert_eq!(refs[1].group.as_deref(), Some("cert-manager.io"));
        assert_eq!(refs[1].namespace.as_deref(), Some("infra"));
        let cm = ObjectKey::new("v1", "ConfigMap", Some("shop"), "cfg");
        assert!(refs[0].matches(&cm, Some("shop")));
        assert!(!refs[0].matches(&cm, Some("other")));
        let err = parse(&me, "web").unwrap_err().to_string();
        assert!(err.contains("apps/Deployment:shop/web"), "{err}");
        assert!(err.contains("expected Kind/name"), "{err}");
    }
}
