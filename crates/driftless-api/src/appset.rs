//! The Argo CD `ApplicationSet`: generators and a template that stamp out Applications.
//!
//! Generators are kept as raw JSON (`driftless-appset` interprets them); the template is typed.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde::{Deserialize, Serialize};

use crate::application::ApplicationSpec;
use crate::fields::{Extra, is_false, is_zero};
use crate::status::ResourceStatus;

/// An Argo CD `ApplicationSet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSet {
    /// `argoproj.io/v1alpha1`.
    #[serde(default)]
    pub api_version: String,
    /// `ApplicationSet`.
    #[serde(default)]
    pub kind: String,
    /// Name and namespace.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Generators and template.
    #[serde(default)]
    pub spec: ApplicationSetSpec,
    /// What the ApplicationSet controller observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApplicationSetStatus>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec` of an ApplicationSet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSpec {
    /// Render the template with Go templates (`{{ .path.basename }}`) instead of `{{path}}`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub go_template: bool,
    /// Go template options (`missingkey=error`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub go_template_options: Vec<String>,
    /// Generators, as written (list, clusters, git, matrix, merge, …).
    #[serde(default)]
    pub generators: Vec<serde_json::Value>,
    /// The Application template.
    #[serde(default)]
    pub template: ApplicationSetTemplate,
    /// A Go template producing a patch applied to each generated Application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_patch: Option<String>,
    /// What the controller may do to generated Applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<ApplicationSetSyncPolicy>,
    /// Progressive sync strategy (kept as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<serde_json::Value>,
    /// Fields of generated Applications the controller leaves alone (kept as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserved_fields: Option<serde_json::Value>,
    /// Apply selectors of nested generators.
    #[serde(default, skip_serializing_if = "is_false")]
    pub apply_nested_selectors: bool,
    /// Differences of generated Applications to ignore (kept as given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_application_differences: Vec<serde_json::Value>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.template` (and a generator's `template` override).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApplicationSetTemplate {
    /// Metadata of the generated Applications.
    #[serde(default)]
    pub metadata: ApplicationSetTemplateMeta,
    /// Spec of the generated Applications.
    #[serde(default)]
    pub spec: ApplicationSpec,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.template.metadata`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApplicationSetTemplateMeta {
    /// Name (usually templated).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Namespace (default: the ApplicationSet's).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Finalizers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.syncPolicy` of an ApplicationSet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSyncPolicy {
    /// `create-only`, `create-update`, `create-delete` or `sync` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications_sync: Option<String>,
    /// Deleting the ApplicationSet leaves the generated Applications' resources.
    #[serde(default, skip_serializing_if = "is_false")]
    pub preserve_resources_on_deletion: bool,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ApplicationSetSyncPolicy {
    /// Generated Applications may be updated (`sync` or `create-update`; unset means `sync`).
    pub fn allows_update(&self) -> bool {
        matches!(
            self.applications_sync.as_deref(),
            None | Some("sync") | Some("create-update")
        )
    }

    /// Generated Applications may be deleted (`sync` or `create-delete`; unset means `sync`).
    pub fn allows_delete(&self) -> bool {
        matches!(
            self.applications_sync.as_deref(),
            None | Some("sync") | Some("create-delete")
        )
    }
}

/// `status` of an ApplicationSet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetStatus {
    /// Conditions (ErrorOccurred, ParametersGenerated, ResourcesUpToDate, RolloutProgressing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ApplicationSetCondition>,
    /// Progressive sync state per Application (kept as written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_status: Vec<serde_json::Value>,
    /// The generated Applications.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceStatus>,
    /// How many Applications were generated.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resources_count: i64,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `status.conditions[]` of an ApplicationSet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetCondition {
    /// Condition type.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// What happened, for people.
    #[serde(default)]
    pub message: String,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// `True`, `False` or `Unknown`.
    #[serde(default)]
    pub status: String,
    /// One CamelCase word saying why.
    #[serde(default)]
    pub reason: String,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::resource::impl_resource!(ApplicationSet, "ApplicationSet", "applicationsets");
