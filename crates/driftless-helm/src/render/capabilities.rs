//! `.Capabilities`: the Kubernetes version, API versions and Helm version a
//! chart is rendered for. Defaults are those of helm v4.1.4 (the reference
//! binary): Kubernetes v1.35.0 and client-go's API group versions.

use std::fmt;
use std::sync::Arc;

use driftless_gotmpl::{ArgType, Function, Object, Signature, Value};

/// The default Kubernetes version of `helm template` v4.1.4.
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// The API versions helm v4.1.4 assumes when offline (client-go's scheme
/// plus apiextensions), in its order.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// A parsed `--kube-version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// As given, with a `v` prefix (`v1.33.4-gke.1`).
    pub version: String,
    /// Major number as text.
    pub major: String,
    /// Minor number as text.
    pub minor: String,
    /// `vMAJOR.MINOR.PATCH` (what `String()` prints).
    pub normalized: String,
}

impl KubeVersion {
    /// Parses a version such as `1.29`, `v1.20.0` or `1.33.4-gke.1245000`
    /// as `helm template --kube-version` does (Kubernetes' generic version
    /// syntax: at least major and minor; `.Version` keeps the text as
    /// given, `String()` only the numbers).
    ///
    /// ```
    /// use driftless_helm::render::KubeVersion;
    /// let k = KubeVersion::parse("1.29").unwrap();
    /// assert_eq!((k.version.as_str(), k.major.as_str(), k.minor.as_str()), ("v1.29", "1", "29"));
    /// let g = KubeVersion::parse("v1.33.4-gke.1245000").unwrap();
    /// assert_eq!((g.version.as_str(), g.normalized.as_str()), ("v1.33.4-gke.1245000", "v1.33.4"));
    /// assert_eq!(KubeVersion::parse("1").unwrap_err(), "invalid kube version '1': illegal version string \"1\"");
    /// ```
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let text = s.trim();
        let bare = text.strip_prefix('v').unwrap_or(text);
        let numeric_len = bare
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(bare.len());
        let numeric = &bare[..numeric_len];
        let parts: Vec<&str> = numeric.split('.').collect();
        if numeric.is_empty() || parts.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "invalid kube version '{s}': could not parse {text:?} as version"
            ));
        }
        if parts.len() < 2 {
            return Err(format!(
                "invalid kube version '{s}': illegal version string {text:?}"
            ));
        }
        let num = |p: &str| {
            p.parse::<u64>()
                .map(|n| n.to_string())
                .map_err(|_| format!("invalid kube version '{s}': illegal version string {text:?}"))
        };
        Ok(KubeVersion {
            version: format!("v{bare}"),
            major: num(parts[0])?,
            minor: num(parts[1])?,
            normalized: format!("v{numeric}"),
        })
    }
}

#[derive(Debug)]
struct KubeVersionObj(KubeVersion);

impl Object for KubeVersionObj {
    fn type_name(&self) -> String {
        "*common.KubeVersion".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Version" => Value::from(self.0.version.as_str()),
            "Major" => Value::from(self.0.major.as_str()),
            "Minor" => Value::from(self.0.minor.as_str()),
            _ => return None,
        })
    }
    fn method(&self, name: &str) -> Option<Function> {
        let text = match name {
            "String" => self.0.normalized.clone(),
            "GitVersion" => self.0.version.clone(),
            _ => return None,
        };
        Some(Function::new(Signature::default(), move |_, _| {
            Ok(Value::from(text.as_str()))
        }))
    }
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.normalized)
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::from(serde_json::json!({
            "version": self.0.version, "major": self.0.major, "minor": self.0.minor
        })))
    }
}

#[derive(Debug)]
struct VersionSet(Arc<Vec<String>>);

impl Object for VersionSet {
    fn type_name(&self) -> String {
        "common.VersionSet".into()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method(&self, name: &str) -> Option<Function> {
        if name != "Has" {
            return None;
        }
        let set = self.0.clone();
        Some(Function::new(
            Signature {
                params: vec![ArgType::String],
                variadic: None,
            },
            move |_, args| {
                let want = args[0].as_str().unwrap_or_default();
                Ok(Value::Bool(set.iter().any(|v| v == want)))
            },
        ))
    }
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.0.join(" "))
    }
    fn go_len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::list(
            self.0.iter().map(|s| Value::from(s.as_str())).collect(),
        ))
    }
}

#[derive(Debug)]
struct HelmVersion;

const HELM_VERSION: [(&str, &str); 5] = [
    ("Version", "v4.1.4"),
    ("GitCommit", "05fa37973dc9e42b76e1d2883494c87174b6074f"),
    ("GitTreeState", "clean"),
    ("GoVersion", "go1.25.9"),
    ("KubeClientVersion", "v1.35"),
];

impl Object for HelmVersion {
    fn type_name(&self) -> String {
        "version.BuildInfo".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        HELM_VERSION
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| Value::from(*v))
    }
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let vals: Vec<&str> = HELM_VERSION.iter().map(|(_, v)| *v).collect();
        write!(f, "{{{}}}", vals.join(" "))
    }
}

#[derive(Debug)]
struct Capabilities {
    kube: Value,
    apis: Value,
}

impl Object for Capabilities {
    fn type_name(&self) -> String {
        "*common.Capabilities".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(self.kube.clone()),
            "APIVersions" => Some(self.apis.clone()),
            "HelmVersion" => Some(Value::Object(Arc::new(HelmVersion))),
            _ => None,
        }
    }
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "&{{{} {} {}}}",
            self.kube,
            self.apis,
            Value::Object(Arc::new(HelmVersion))
        )
    }
}

/// Builds the `.Capabilities` object. `api_versions` are added to the
/// defaults.
pub fn capabilities(kube: &KubeVersion, api_versions: &[String]) -> Value {
    let mut apis: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    apis.extend(api_versions.iter().cloned());
    Value::Object(Arc::new(Capabilities {
        kube: Value::Object(Arc::new(KubeVersionObj(kube.clone()))),
        apis: Value::Object(Arc::new(VersionSet(Arc::new(apis)))),
    }))
}
