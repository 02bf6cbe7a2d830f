//! Optional persistence: a JSON snapshot of the store in a state directory.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use super::Store;
use crate::registry::GroupResource;

/// Errors of loading or saving a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// Reading or writing the file failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid snapshot.
    #[error("state file {path} is not a valid snapshot: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

const FILE: &str = "state.json";

impl Store {
    /// Writes a snapshot of every object to `dir/state.json` (atomically, via a temp file).
    pub fn save_to(&self, dir: &Path) -> Result<(), PersistError> {
        let snapshot = {
            let state = self.read();
            let mut objects = Vec::new();
            let mut keys: Vec<&GroupResource> = state.objects.keys().collect();
            keys.sort();
            for gr in keys {
                for o in state.objects[gr].values() {
                    objects
                        .push(json!({"group": gr.group, "resource": gr.resource, "object": **o}));
                }
            }
            json!({"resourceVersion": state.rv, "objects": objects})
        };
        let io = |source| PersistError::Io {
            path: dir.join(FILE).display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!("{FILE}.tmp"));
        let bytes = serde_json::to_vec(&snapshot).expect("snapshot serialises");
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, dir.join(FILE)).map_err(io)?;
        Ok(())
    }

    /// Loads `dir/state.json` if it exists (returns false when there is none).
    /// CRDs in the snapshot register their kinds.
    pub fn load_from(&self, dir: &Path) -> Result<bool, PersistError> {
        let path = dir.join(FILE);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(source) => {
                return Err(PersistError::Io {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let fmt = |message: String| PersistError::Format {
            path: path.display().to_string(),
            message,
        };
        let v: Value = serde_json::from_slice(&text).map_err(|e| fmt(e.to_string()))?;
        let rv = v
            .get("resourceVersion")
            .and_then(Value::as_u64)
            .ok_or_else(|| fmt("missing resourceVersion".into()))?;
        let objects = v
            .get("objects")
            .and_then(Value::as_array)
            .ok_or_else(|| fmt("missing objects".into()))?;
        let mut state = self.write_state();
        state.objects.clear();
        state.history.clear();
        state.rv = rv;
        state.oldest_rv = rv;
        for entry in objects {
            let gr = GroupResource {
                group: entry["group"].as_str().unwrap_or("").to_string(),
                resource: entry["resource"].as_str().unwrap_or("").to_string(),
            };
            let obj = entry["object"].clone();
            if gr.group == "apiextensions.k8s.io" && gr.resource == "customresourcedefinitions" {
                crate::patching::register_crd(&obj);
                if let Some((g, p, types)) = crate::registry::types_from_crd(&obj) {
                    self.inner.registry.set_custom(&g, &p, types);
                }
            }
            if gr.group.is_empty() && gr.resource == "services" {
                self.inner
                    .services
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .observe(&obj);
            }
            let ns = obj
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            state
                .objects
                .entry(gr)
                .or_default()
                .insert((ns, name), Arc::new(obj));
        }
        Ok(true)
    }

    /// Waits until the store changes (for a persistence loop).
    pub async fn changed(&self) {
        self.inner.changed.notified().await
    }
}
