//! `spec.source` / `spec.sources[]`: where an Application's manifests come from and how they are
//! rendered (Helm, Kustomize, directory and Jsonnet, plugin options).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::{Deserialize, Serialize};

use crate::fields::{Extra, is_false};

/// `spec.source` (Argo CD's `ApplicationSource`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    /// Repository URL (Git or Helm) or local path.
    #[serde(rename = "repoURL", default)]
    pub repo_url: String,
    /// Branch, tag, commit or `HEAD` (default); for a Helm repository, the chart version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_revision: Option<String>,
    /// Directory inside the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Chart name, for Helm repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Directory options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectorySource>,
    /// Helm options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmSource>,
    /// Kustomize options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<KustomizeSource>,
    /// Config management plugin options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginSource>,
    /// Name other sources use to refer to this one (`$name/values.yaml`); multi-source only.
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub ref_name: Option<String>,
    /// Display name of the source (multi-source Applications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ApplicationSource {
    /// True when the source is a chart from a Helm repository (`chart` set).
    pub fn is_helm_repository(&self) -> bool {
        self.chart.as_deref().is_some_and(|c| !c.is_empty())
    }

    /// True when the source only provides files to other sources (`ref` set, nothing rendered).
    pub fn is_ref_only(&self) -> bool {
        self.ref_name.as_deref().is_some_and(|r| !r.is_empty())
            && self.path.as_deref().unwrap_or("").is_empty()
            && !self.is_helm_repository()
    }

    /// The revision to resolve: `targetRevision`, or `HEAD` when empty.
    pub fn revision_or_head(&self) -> &str {
        self.target_revision
            .as_deref()
            .filter(|r| !r.is_empty())
            .unwrap_or("HEAD")
    }
}

/// `spec.source.directory`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectorySource {
    /// Recurse into subdirectories.
    #[serde(default, skip_serializing_if = "is_false")]
    pub recurse: bool,
    /// Glob of files to include (Argo CD allows `{a,b}` alternatives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// Glob of files to exclude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<String>,
    /// Jsonnet options (older Argo CD versions write `jsonnet: {}` always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jsonnet: Option<JsonnetSource>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.source.directory.jsonnet`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonnetSource {
    /// External variables (`--ext-str` / `--ext-code`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ext_vars: Vec<JsonnetVar>,
    /// Top-level arguments (`--tla-str` / `--tla-code`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tlas: Vec<JsonnetVar>,
    /// Extra library search directories (`-J`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub libs: Vec<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One Jsonnet variable or top-level argument.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonnetVar {
    /// Variable name.
    #[serde(default)]
    pub name: String,
    /// Value (a string, or Jsonnet code when `code` is true).
    #[serde(default)]
    pub value: String,
    /// The value is Jsonnet code.
    #[serde(default, skip_serializing_if = "is_false")]
    pub code: bool,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.source.helm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmSource {
    /// Value files, relative to the chart directory (or `$ref/…` into another source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_files: Vec<String>,
    /// `--set` style parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<HelmParameter>,
    /// `--set-file` style parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_parameters: Vec<HelmFileParameter>,
    /// Inline values as a YAML string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// Inline values as an object (takes precedence over `values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_object: Option<serde_json::Value>,
    /// Release name (default: the application name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Helm major version to template with (`"3"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Pass repository credentials to all domains (`--pass-credentials`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub pass_credentials: bool,
    /// Skip value files that do not exist instead of failing.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignore_missing_value_files: bool,
    /// Do not render the chart's `crds/` (`--skip-crds`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip_crds: bool,
    /// Do not render test hooks (`--skip-tests`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip_tests: bool,
    /// Skip `values.schema.json` validation (`--skip-schema-validation`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip_schema_validation: bool,
    /// Namespace to template with (default: the destination namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Kubernetes version for `.Capabilities.KubeVersion` (default: the cluster's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// API versions for `.Capabilities.APIVersions` (default: the cluster's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_versions: Vec<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One Helm parameter.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmParameter {
    /// Key path (`a.b[0]`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Value.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Pass as `--set-string`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_string: bool,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One Helm file parameter (`--set-file name=path`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmFileParameter {
    /// Key path.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// File whose content becomes the value.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.source.kustomize`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeSource {
    /// Prefix added to every name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// Suffix added to every name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
    /// Image overrides (`[old=]name[:tag|@digest]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Labels added to every object.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub common_labels: BTreeMap<String, String>,
    /// Annotations added to every object.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub common_annotations: BTreeMap<String, String>,
    /// Substitute `${VAR}` in common annotation values with the build environment.
    #[serde(default, skip_serializing_if = "is_false")]
    pub common_annotations_envsubst: bool,
    /// Override labels that are already set.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_common_labels: bool,
    /// Override annotations that are already set.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_common_annotations: bool,
    /// Do not add common labels to selectors.
    #[serde(default, skip_serializing_if = "is_false")]
    pub label_without_selector: bool,
    /// Kustomize version to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Namespace set on every object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Replica count overrides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<KustomizeReplica>,
    /// Patches (Kustomize's `patches` entries, kept as given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<serde_json::Value>,
    /// Components added to the kustomization.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// Skip components that do not exist instead of failing.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignore_missing_components: bool,
    /// Kubernetes version for Helm charts inflated by Kustomize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// API versions for Helm charts inflated by Kustomize.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_versions: Vec<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One Kustomize replica override.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KustomizeReplica {
    /// Name of the Deployment or StatefulSet.
    pub name: String,
    /// Replica count (a number, or a string holding one).
    pub count: IntOrString,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.source.plugin`: a config management plugin.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginSource {
    /// Plugin name (discovery picks one when empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Environment given to the plugin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvEntry>,
    /// Parameters given to the plugin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<PluginParameter>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One environment variable of a plugin.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EnvEntry {
    /// Variable name.
    #[serde(default)]
    pub name: String,
    /// Value.
    #[serde(default)]
    pub value: String,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One plugin parameter: a string, a map or an array.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PluginParameter {
    /// Parameter name.
    #[serde(default)]
    pub name: String,
    /// String value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
    /// Map value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<BTreeMap<String, String>>,
    /// Array value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<Vec<String>>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.destination`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// API server URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Cluster name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Default namespace of namespaced objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}
