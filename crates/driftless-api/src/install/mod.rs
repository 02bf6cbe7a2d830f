//! The CRDs and the manifests that install the Driftless controller (`driftless install`).
//!
//! The files under `deploy/` are the source of truth for the CRDs; `deploy/install.yaml` is
//! what [`install_manifests`] prints for the namespace `argocd` (a test keeps the two equal).

/// The `applications.argoproj.io` CRD (`deploy/crds/application-crd.yaml`).
pub const APPLICATION_CRD: &str = include_str!("../../../../deploy/crds/application-crd.yaml");
/// The `appprojects.argoproj.io` CRD (`deploy/crds/appproject-crd.yaml`).
pub const APPPROJECT_CRD: &str = include_str!("../../../../deploy/crds/appproject-crd.yaml");
/// The `applicationsets.argoproj.io` CRD (`deploy/crds/applicationset-crd.yaml`).
pub const APPLICATIONSET_CRD: &str =
    include_str!("../../../../deploy/crds/applicationset-crd.yaml");

const CONTROLLER: &str = include_str!("controller.yaml");

/// The default container image of the controller.
pub const DEFAULT_IMAGE: &str = concat!("ghcr.io/driftless/driftless:v", env!("CARGO_PKG_VERSION"));

/// The three CRDs, in install order.
pub fn crds() -> [&'static str; 3] {
    [APPLICATION_CRD, APPPROJECT_CRD, APPLICATIONSET_CRD]
}

/// What to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOptions {
    /// Namespace of the controller (and of the Applications it watches by default).
    pub namespace: String,
    /// Also create the namespace.
    pub create_namespace: bool,
    /// Container image of the controller.
    pub image: String,
    /// Controller replicas: 1 installs a Deployment; more a StatefulSet whose pods shard the
    /// Applications by their ordinal (`driftless controller --replicas N`).
    pub replicas: u32,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            namespace: "argocd".to_string(),
            create_namespace: true,
            image: DEFAULT_IMAGE.to_string(),
            replicas: 1,
        }
    }
}

/// Why install manifests cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallError {
    /// Not an RFC 1123 label (lower-case letters, digits and `-`, at most 63 characters).
    #[error(
        "invalid namespace {0:?}: must be lower-case letters, digits and '-', start and end with a letter or digit, at most 63 characters"
    )]
    Namespace(String),
    /// Not a plausible image reference.
    #[error("invalid image {0:?}: expected a reference like registry/name:tag")]
    Image(String),
}

/// All install manifests for `namespace`, as one multi-document YAML stream: the namespace,
/// the three CRDs, the controller's ServiceAccount, ClusterRole and binding, leader-election
/// Role and binding, Deployment and Service.
///
/// ```
/// let yaml = driftless_api::install_manifests("gitops").unwrap();
/// assert!(yaml.contains("kind: CustomResourceDefinition"));
/// assert!(yaml.contains("  - --namespace\n        - gitops\n"));
/// assert!(driftless_api::install_manifests("Bad_NS").is_err());
/// ```
pub fn install_manifests(namespace: &str) -> Result<String, InstallError> {
    install_manifests_with(&InstallOptions {
        namespace: namespace.to_string(),
        ..Default::default()
    })
}

/// [`install_manifests`] with every option.
pub fn install_manifests_with(options: &InstallOptions) -> Result<String, InstallError> {
    let ns = &options.namespace;
    if !is_dns_label(ns) {
        return Err(InstallError::Namespace(ns.clone()));
    }
    if !is_image(&options.image) {
        return Err(InstallError::Image(options.image.clone()));
    }
    let mut docs: Vec<String> = Vec::new();
    docs.push(format!(
        "# Driftless: CRDs and controller for namespace {ns} (driftless install --namespace {ns}).\n"
    ));
    if options.create_namespace {
        docs.push(format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    app.kubernetes.io/part-of: driftless\n"
        ));
    }
    docs.extend(crds().iter().map(|c| c.to_string()));
    let controller = CONTROLLER
        .replace("${NAMESPACE}", ns)
        .replace("${IMAGE}", &options.image);
    docs.push(if options.replicas > 1 {
        stateful_set(&controller, options.replicas)
    } else {
        controller
    });
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        // The header comment shares the first document.
        if i > 1 {
            out.push_str("---\n");
        }
        out.push_str(doc);
        if !doc.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

/// The controller documents with the Deployment made a StatefulSet of `replicas` pods: stable
/// names ending in their ordinal (each pod's shard), started in parallel, told the replica count.
fn stateful_set(controller: &str, replicas: u32) -> String {
    controller
        .split("---\n")
        .map(|doc| {
            if !doc.contains("\nkind: Deployment\n") {
                return doc.to_string();
            }
            doc.replace("\nkind: Deployment\n", "\nkind: StatefulSet\n")
                .replace(
                    "  replicas: 1\n  # One controller syncs at a time; a rollout stops the old one before starting the new one.\n  strategy:\n    type: Recreate\n",
                    &format!(
                        "  replicas: {replicas}\n  # Pod N serves shard N (its host name ends in -N); a pod that stops has its shard\n  # served by the others until it is back (heartbeat Leases).\n  serviceName: driftless-controller\n  podManagementPolicy: Parallel\n"
                    ),
                )
                .replace(
                    "        - --metrics-listen\n",
                    &format!("        - --replicas\n        - \"{replicas}\"\n        - --metrics-listen\n"),
                )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn is_image(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 512
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"./:@_-".contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_images_are_checked() {
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a.b",
            "a b",
            &"a".repeat(64),
            "a\nkind: Secret",
        ] {
            assert!(install_manifests(bad).is_err(), "{bad:?} accepted");
        }
        assert!(install_manifests(&"a".repeat(63)).is_ok());
        let err = install_manifests_with(&InstallOptions {
            image: "x:1\n  command: [sh]".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("invalid image"), "{err}");
    }

    #[test]
    fn replicas_make_a_stateful_set() {
        let yaml = install_manifests_with(&InstallOptions {
            replicas: 3,
            ..Default::default()
        })
        .unwrap();
        assert!(!yaml.contains("kind: Deployment"));
        assert!(yaml.contains("kind: StatefulSet\n"));
        assert!(yaml.contains("  replicas: 3\n"));
        assert!(yaml.contains("  serviceName: driftless-controller\n"));
        assert!(yaml.contains("        - --replicas\n        - \"3\"\n"));
        assert!(!yaml.contains("Recreate"));
        // The Lease rules the heartbeats and the leader election need.
        assert!(yaml.contains("resources: [leases]"));
        let one = install_manifests("argocd").unwrap();
        assert!(one.contains("kind: Deployment") && !one.contains("StatefulSet"));
    }

    #[test]
    fn namespace_document_is_optional_and_every_placeholder_is_filled() {
        let without = install_manifests_with(&InstallOptions {
            namespace: "cd".into(),
            create_namespace: false,
            image: "registry.example/driftless:dev".into(),
            replicas: 1,
        })
        .unwrap();
        assert!(!without.contains("kind: Namespace"));
        assert!(!without.contains("${"));
        assert!(without.contains("image: registry.example/driftless:dev"));
        assert!(without.contains("  namespace: cd\n"));
        assert!(!without.contains("argocd\n"));
    }
}
