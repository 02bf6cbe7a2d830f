//! Apply conflicts and their `409 Conflict` Status, worded as kube-apiserver words them.

use super::fieldset::Path;
use serde_json::{Value, json};
use std::fmt;

/// One field that another manager owns with a different value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The other manager as the server prints it: `"a"` or `"kubectl-client-side-apply" using apps/v1`.
    pub manager: String,
    /// The conflicting field, e.g. `.spec.replicas`.
    pub path: Path,
}

/// A server-side apply rejected because of conflicts (HTTP 409, reason `Conflict`).
///
/// ```
/// use driftless_patch::ssa::{ApplyConflict, Conflict, Path};
/// let c = ApplyConflict { conflicts: vec![Conflict {
///     manager: "\"a\"".into(), path: Path::fields(&["spec", "replicas"]) }] };
/// assert_eq!(c.to_string(), "Apply failed with 1 conflict: conflict with \"a\": .spec.replicas");
/// assert_eq!(c.to_status()["details"]["causes"][0]["reason"], "FieldManagerConflict");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyConflict {
    /// Conflicts sorted by manager, then path.
    pub conflicts: Vec<Conflict>,
}

impl fmt::Display for ApplyConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [c] = self.conflicts.as_slice() {
            return write!(
                f,
                "Apply failed with 1 conflict: conflict with {}: {}",
                c.manager, c.path
            );
        }
        let mut managers: Vec<&str> = self.conflicts.iter().map(|c| c.manager.as_str()).collect();
        managers.sort_unstable();
        managers.dedup();
        let mut lines = Vec::new();
        for m in managers {
            lines.push(format!("conflicts with {m}:"));
            for c in self.conflicts.iter().filter(|c| c.manager == m) {
                lines.push(format!("- {}", c.path));
            }
        }
        write!(
            f,
            "Apply failed with {} conflicts: {}",
            self.conflicts.len(),
            lines.join("\n")
        )
    }
}

impl std::error::Error for ApplyConflict {}

impl ApplyConflict {
    /// The `Status` body of the 409 answer.
    pub fn to_status(&self) -> Value {
        let causes: Vec<Value> = self
            .conflicts
            .iter()
            .map(|c| {
                json!({
                    "reason": "FieldManagerConflict",
                    "message": format!("conflict with {}", c.manager),
                    "field": c.path.to_string(),
                })
            })
            .collect();
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": "Conflict",
            "details": {"causes": causes},
            "code": 409,
        })
    }
}
