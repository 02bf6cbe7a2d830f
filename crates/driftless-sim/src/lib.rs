//! `driftless-sim`: a simulated Kubernetes API server that the real `kubectl` and
//! `kube`-based clients work against — for tests, benchmarks, CI and demos.
//!
//! Layers:
//! - [`registry`]: served kinds (built-ins and CRDs) with scope, short names, subresources.
//! - [`store`]: the object store with real write semantics (defaulting, validation,
//!   uid / resourceVersion / generation, managedFields, finalizers, deletion) and watch.
//! - [`system`]: garbage collector and namespace lifecycle.
//! - [`controllers`]: workload simulation (Deployments → ReplicaSets → Pods, …).
//! - the HTTP(S) server speaking the Kubernetes REST API on top of the store.
//!
//! Controllers and tests can use the [`Store`] directly:
//!
//! ```
//! use driftless_sim::{ResourceRef, Store, WriteOptions, ListOptions};
//! use serde_json::json;
//! let store = Store::new();
//! store.bootstrap().unwrap();
//! let pods = ResourceRef::core("pods");
//! store.create(&pods, json!({"metadata": {"name": "p", "namespace": "default", "labels": {"app": "x"}},
//!     "spec": {"containers": [{"name": "c", "image": "nginx"}]}}), &WriteOptions::manager("me")).unwrap();
//! let list = store.list(&pods, Some("default"), &ListOptions::labels("app=x").unwrap()).unwrap();
//! assert_eq!(list.items.len(), 1);
//! ```

mod cluster;
// sim-workloads -> sim-api: start with `controllers::start(store.clone(), WorkloadConfig)`
// (`.into_handle()` gives the JoinHandle); API faults: `controllers::faults::FaultInjector::fault_for`.
pub mod controllers;
mod crd_cel;
pub mod crd_schema;
pub mod defaults;
mod formats;
mod named_types;
pub mod patching;
pub mod quantity;
pub mod registry;
pub mod server;
pub mod status;
pub mod store;
pub mod system;
pub mod typed;
pub mod validate;

pub use cluster::{Cluster, ClusterConfig, ClusterError, ClusterHandle};
pub use registry::{GroupResource, Registry, ResourceRef, ResourceType};
pub use status::{ApiError, Cause};
pub use store::{
    DeleteOptions, DeleteOutcome, EventType, FieldSelector, LabelSelector, ListOptions, ObjectList,
    Propagation, SharedList, Store, WatchEvent, WatchStream, WriteOptions,
};
