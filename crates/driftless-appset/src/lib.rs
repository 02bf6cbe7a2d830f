//! Argo CD `ApplicationSet`s (`argoproj.io/v1alpha1`) as pure functions: a
//! set and its inputs in, the `Application`s it generates out.
//!
//! - [`generate`]: generators (`list`, `git` directories and files,
//!   `clusters`, `plugin`, `clusterDecisionResource`, `pullRequest` and
//!   `scmProvider` (GitHub, GitLab, Gitea), `matrix`, `merge`, with `selector`
//!   and per-generator `template`), templates (fasttemplate or `goTemplate` with Sprig), and
//!   `templatePatch`, to Applications as JSON.
//! - [`Inputs`]: what the generators read — a [`GitSource`] (in memory:
//!   [`MemRepo`]; none: [`NoGit`]), the cluster Secrets, an [`HttpClient`]
//!   (none: [`NoHttp`]) for plugins and SCM APIs, and a [`ClusterReader`] (in
//!   memory: [`MemCluster`]; none: [`NoCluster`]) for ConfigMaps, token Secrets
//!   and duck-typed resources.
//! - [`requeue_after`]: how soon the set's generators ask to be run again.
//! - [`validate`]: Argo CD's duplicate-name check.
//! - [`plan_sync`]: creates, updates and deletes under the
//!   `applicationsSync` policy; [`plan_set_deletion`] (and [`needs_set_finalizer`]) for a
//!   deleted set.
//! - [`conditions()`]: `status.conditions` from an [`Outcome`] (reason names in [`mod@conditions`]).
//!
//! Nothing here talks to a cluster or a network: those come in through the traits.
//!
//! ```
//! use driftless_appset::{Inputs, NoGit, generate};
//! let set: serde_json::Value = serde_yaml_ng::from_str(r#"
//! apiVersion: argoproj.io/v1alpha1
//! kind: ApplicationSet
//! metadata: {name: guestbook, namespace: argocd}
//! spec:
//!   goTemplate: true
//!   goTemplateOptions: ["missingkey=error"]
//!   generators:
//!   - list:
//!       elements:
//!       - {cluster: engineering-dev, url: https://1.2.3.4}
//!       - {cluster: engineering-prod, url: https://2.4.6.8}
//!   template:
//!     metadata: {name: '{{.cluster}}-guestbook'}
//!     spec:
//!       project: default
//!       source: {repoURL: https://github.com/argoproj/argo-cd.git, targetRevision: HEAD,
//!                path: 'applicationset/examples/list-generator/guestbook/{{.cluster}}'}
//!       destination: {server: '{{.url}}', namespace: guestbook}
//! "#).unwrap();
//! let apps = generate(&set, &Inputs::offline(&NoGit, &[])).unwrap();
//! assert_eq!(apps.len(), 2);
//! assert_eq!(apps[1]["metadata"]["name"], "engineering-prod-guestbook");
//! assert_eq!(apps[1]["metadata"]["namespace"], "argocd");
//! assert_eq!(apps[1]["metadata"]["finalizers"][0], "resources-finalizer.argocd.argoproj.io");
//! assert_eq!(apps[1]["spec"]["destination"]["server"], "https://2.4.6.8");
//! ```

mod cluster;
pub mod conditions;
mod error;
mod generators;
mod http;
mod ignore;
mod params;
mod render;
mod scm_api;
mod selector;
mod source;
mod sync;
mod template;
mod validate;

pub use cluster::{ARGOCD_SECRET, ClusterReader, MemCluster, NoCluster, ResourceQuery};
pub use conditions::{Outcome, conditions, resources_status};
pub use error::{AppSetError, SourceError};
pub use generators::Inputs;
pub use generators::requeue::requeue_after;
pub use http::{HttpClient, HttpRequest, HttpResponse, NoHttp};
pub use render::{API_VERSION, RESOURCES_FINALIZER, generate};
pub use selector::{LabelSelector, Requirement};
pub use source::{GitSource, MemRepo, NoGit};
pub use sync::{
    ApplicationsSync, Conflict, Delete, SET_FINALIZER, SyncOptions, SyncPlan, needs_set_finalizer,
    owned_by, plan_set_deletion, plan_sync, policy,
};
pub use template::{Params, Renderer, sanitize_name};
pub use validate::{ValidationError, validate, validation_message};
