//! Argo CD-compatible resource types for Driftless: [`Application`], [`AppProject`] and
//! [`ApplicationSet`] (`argoproj.io/v1alpha1`) with spec **and** status, their CRDs, and the
//! manifests that install the Driftless controller.
//!
//! The types read what Argo CD (or a user) wrote and write it back unchanged: each object keeps
//! the fields it does not know in an `extra` map, and known fields are left out or written exactly
//! as Argo CD's Go structs do (see [`fields`]). Timestamps are Kubernetes'
//! [`Time`] (RFC 3339, UTC, `Z`). Every kind implements `kube_core::Resource`, so
//! `kube::Api<Application>` and `kube::runtime::Controller` take them directly.
//!
//! ```
//! let app = driftless_api::Application::from_yaml(
//!     "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec: {source: {repoURL: ., path: web}}\n",
//! ).unwrap();
//! assert_eq!(app.sources()[0].path.as_deref(), Some("web"));
//! ```

mod application;
mod appset;
mod backoff;
mod codes;
mod duration;
pub mod fields;
pub(crate) mod glob;
mod install;
mod operation;
mod project;
mod resource;
mod secrets;
mod source;
mod status;
mod sync_policy;

pub use application::{
    AppMetadata, Application, ApplicationError, ApplicationSpec, DEFAULT_REVISION_HISTORY_LIMIT,
    Info,
};
pub use appset::{
    ApplicationSet, ApplicationSetCondition, ApplicationSetSpec, ApplicationSetStatus,
    ApplicationSetSyncPolicy, ApplicationSetTemplate, ApplicationSetTemplateMeta,
};
pub use backoff::{
    BackoffError, DEFAULT_RETRY_DURATION, DEFAULT_RETRY_FACTOR, DEFAULT_RETRY_MAX_DURATION,
    SelfHealBackoff,
};
pub use codes::{
    ApplicationConditionType, ApplicationSourceType, HealthStatusCode, HookType, OperationPhase,
    ResultCode, SyncPhase, SyncStatusCode,
};
pub use duration::{
    DurationError, parse_backoff_duration_nanos, parse_go_duration, parse_go_duration_nanos,
};
pub use fields::Extra;
pub use install::{
    APPLICATION_CRD, APPLICATIONSET_CRD, APPPROJECT_CRD, DEFAULT_IMAGE, InstallError,
    InstallOptions, crds, install_manifests, install_manifests_with,
};
pub use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
pub use operation::{
    Operation, OperationInitiator, OperationState, ResourceResult, SyncOperation,
    SyncOperationResource, SyncOperationResult, SyncStrategy, SyncStrategyApply, retried_message,
    retrying_message,
};
pub use project::{AppProject, AppProjectSpec, GroupKind, ProjectDestination};
pub use secrets::{
    ClusterSecret, ClusterSecretConfig, DestinationError, IN_CLUSTER_NAME, IN_CLUSTER_SERVER,
    NamespacedMode, RepoCredentials, RepoSecret, RepoSecretKind, ResolvedCluster,
    SECRET_TYPE_LABEL, SecretError, TlsClientConfig, chart_repo_credentials, chart_repository,
    normalize_git_url, repo_credentials, resolve_destination, secret_type,
};
pub use source::{
    ApplicationSource, Destination, DirectorySource, EnvEntry, HelmFileParameter, HelmParameter,
    HelmSource, JsonnetSource, JsonnetVar, KustomizeReplica, KustomizeSource, PluginParameter,
    PluginSource,
};
pub use status::{
    ApplicationCondition, ApplicationStatus, ApplicationSummary, ComparedTo, HealthStatus,
    ResourceStatus, RevisionHistory, SyncStatus, truncate_history,
};
pub use sync_policy::{Automated, Backoff, ManagedNamespaceMetadata, RetryStrategy, SyncPolicy};

/// The API group of the Argo CD kinds.
pub const GROUP: &str = "argoproj.io";
/// Their version.
pub const VERSION: &str = "v1alpha1";
/// `argoproj.io/v1alpha1`.
pub const API_VERSION: &str = "argoproj.io/v1alpha1";
/// The finalizer that makes deleting an Application delete its resources (foreground).
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";
/// The same finalizer asking for background deletion.
pub const RESOURCES_FINALIZER_BACKGROUND: &str =
    "resources-finalizer.argocd.argoproj.io/background";
/// The annotation that asks for a refresh (`normal` or `hard`).
pub const REFRESH_ANNOTATION: &str = "argocd.argoproj.io/refresh";
