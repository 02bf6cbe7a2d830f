//! Namespaced mode: a cluster Secret with `namespaces` lets Argo CD manage objects only in those
//! namespaces, and cluster-scoped objects only with `clusterResources: "true"` (gitops-engine's
//! cluster cache refuses the others with the messages below, and Argo CD reports them as a
//! `ComparisonError`).

/// The limits a cluster Secret's `namespaces` and `clusterResources` put on what is managed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NamespacedMode {
    /// The namespaces managed (exact names).
    pub namespaces: Vec<String>,
    /// Whether cluster-scoped objects are managed too.
    pub cluster_resources: bool,
}

impl NamespacedMode {
    /// Whether an object may be managed: `namespace` is `None` for a cluster-scoped kind. The
    /// error is Argo CD's message.
    pub fn check(&self, kind: &str, name: &str, namespace: Option<&str>) -> Result<(), String> {
        match namespace {
            None if !self.cluster_resources => Err(format!(
                "cluster level {kind} {name:?} can not be managed when in namespaced mode"
            )),
            Some(ns) if !self.namespaces.iter().any(|n| n == ns) => Err(format!(
                "namespace {ns:?} for {kind} {name:?} is not managed"
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_namespaces_and_cluster_resources_when_allowed() {
        let mode = NamespacedMode {
            namespaces: vec!["web".into(), "db".into()],
            cluster_resources: false,
        };
        assert_eq!(mode.check("ConfigMap", "a", Some("web")), Ok(()));
        assert_eq!(
            mode.check("ConfigMap", "a", Some("other")),
            Err(r#"namespace "other" for ConfigMap "a" is not managed"#.into())
        );
        assert_eq!(
            mode.check("ClusterRole", "r", None),
            Err(
                r#"cluster level ClusterRole "r" can not be managed when in namespaced mode"#
                    .into()
            )
        );
        let with_cluster = NamespacedMode {
            cluster_resources: true,
            ..mode
        };
        assert_eq!(with_cluster.check("ClusterRole", "r", None), Ok(()));
    }
}
