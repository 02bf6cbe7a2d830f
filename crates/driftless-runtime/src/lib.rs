//! The Driftless runtime: Argo CD-compatible `Application` types and the composition of the stages
//! (source → render → plan → diff → apply) into one sync.
//!
//! ```
//! let app = driftless_runtime::Application::from_yaml(
//!     "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec: {source: {repoURL: ., path: web}}\n",
//! ).unwrap();
//! assert_eq!(app.sources()[0].path.as_deref(), Some("web"));
//! ```

mod application;
mod target;

pub use application::{
    AppMetadata, Application, ApplicationError, ApplicationSource, ApplicationSpec, Automated,
    Destination, DirectorySource, HelmParameter, HelmSource, SyncPolicy,
};
pub use target::{RenderSettings, Target, TargetError};
