//! The Driftless runtime: Argo CD-compatible `Application` types and the composition of the stages
//! (source → render → plan → diff → apply) into one sync.
//!
//! ```
//! let app = driftless_runtime::Application::from_yaml(
//!     "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec: {source: {repoURL: ., path: web}}\n",
//! ).unwrap();
//! assert_eq!(app.sources()[0].path.as_deref(), Some("web"));
//! ```

// Errors carry the stage error whole (with the object or file it names); they are rare.
#![allow(clippy::result_large_err)]

mod application;
mod error;
pub mod pipeline;
mod render;
mod target;

pub use application::{
    AppMetadata, Application, ApplicationError, ApplicationSource, ApplicationSpec, Automated,
    Destination, DirectorySource, HelmParameter, HelmSource, SyncPolicy,
};
pub use error::RuntimeError;
pub use pipeline::{Comparison, Rendered};
pub use render::options as render_options;
pub use target::{RenderSettings, Target, TargetError};
