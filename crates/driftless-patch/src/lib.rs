//! Kubernetes patch and apply semantics, as kube-apiserver implements them.
//!
//! * [`json_patch`] — RFC 6902 (`application/json-patch+json`).
//! * [`merge_patch`] — RFC 7386 (`application/merge-patch+json`), and [`create_merge_patch`].
//! * [`strategic_merge_patch`] — `application/strategic-merge-patch+json` with patch merge keys,
//!   strategies and `$patch`/`$retainKeys`/`$deleteFromPrimitiveList`/`$setElementOrder` directives.
//! * [`ssa`] — server-side apply (`application/apply-patch+yaml`) and `managedFields`.
//! * [`schema`] — the embedded Kubernetes 1.32 API schema, CRD schemas, OpenAPI documents.
//!
//! Pure: no I/O at run time (the schema is embedded in the binary).
//!
//! ```
//! use driftless_patch::{schema::Schema, ssa};
//! use serde_json::json;
//! let ty = Schema::builtin().for_kind("", "v1", "ConfigMap").unwrap();
//! let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
//!                 "metadata": {"name": "c"}, "data": {"k": "v"}});
//! let out = ssa::apply(None, &cm, "driftless", false, ty).unwrap();
//! assert_eq!(out.object["metadata"]["managedFields"][0]["fieldsV1"],
//!            json!({"f:data": {"f:k": {}}}));
//! ```

mod error;
mod json_patch;
mod merge_patch;
pub mod schema;
pub mod ssa;
mod strategic;

pub use error::PatchError;
pub use json_patch::json_patch;
pub use merge_patch::{create_merge_patch, merge_patch};
pub use strategic::strategic_merge_patch;
