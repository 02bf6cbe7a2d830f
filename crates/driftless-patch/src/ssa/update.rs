//! Managed fields of non-apply writes (create, update, JSON/merge/strategic patch):
//! structured-merge-diff's `Updater.Update` with the API server's layers (manager identity,
//! `current-operation` merging, timestamps, reset, `capManagers`).

use super::apply::{strip_managed_fields, strip_meta};
use super::managed_fields::{
    ManagedFieldsEntry, ManagedFieldsError, Operation, now_rfc3339, read_managed_fields,
    write_managed_fields,
};
use super::typed;
use crate::schema::TypeRef;
use serde_json::{Value, json};

/// Parameters of a non-apply write.
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions<'a> {
    /// Field manager: the `fieldManager` query parameter, or what the API server derives from
    /// the user agent (`kubectl-client-side-apply`, `kubectl-edit`, `kube-controller-manager`...).
    pub manager: &'a str,
    /// Time to record, RFC 3339 (the current time when `None`).
    pub time: Option<&'a str>,
    /// Subresource being written (`status`, `scale`), if any.
    pub subresource: Option<&'a str>,
}

/// Most `Update` entries kept; older ones are merged into `ancient-changes` (as the API server).
const MAX_UPDATE_MANAGERS: usize = 10;
/// Bucket of the oldest Update entries once there are too many.
const ANCIENT_CHANGES: &str = "ancient-changes";

/// Records a non-apply write of `new` (replacing `old`; `None` for a create) by a manager and
/// returns `new` with updated `metadata.managedFields`:
///
/// * the manager gains every field the write added or changed;
/// * other managers lose the fields it changed or removed (entries left empty disappear);
/// * managedFields sent in `new` replace the live ones when they differ (a client editing them);
///   `[{}]` clears them;
/// * an existing object without managedFields is not tracked (as the API server).
///
/// ```
/// use driftless_patch::{schema::Schema, ssa};
/// use serde_json::json;
/// let ty = Schema::builtin().for_kind("", "v1", "ConfigMap").unwrap();
/// let old = json!({"apiVersion": "v1", "kind": "ConfigMap",
///                  "metadata": {"name": "c", "labels": {"app": "x"}}});
/// let opts = ssa::UpdateOptions { manager: "kubectl-create", ..Default::default() };
/// let created = ssa::update(None, &old, &opts, ty).unwrap();
/// let new = json!({"apiVersion": "v1", "kind": "ConfigMap",
///                  "metadata": created["metadata"].clone(), "data": {"k": "v"}});
/// let opts = ssa::UpdateOptions { manager: "kubectl-edit", ..Default::default() };
/// let out = ssa::update(Some(&created), &new, &opts, ty).unwrap();
/// let mf = ssa::read_managed_fields(&out).unwrap();
/// assert_eq!(mf[0].manager, "kubectl-create");
/// assert_eq!(mf[1].manager, "kubectl-edit");
/// assert_eq!(mf[1].fields.to_fields_v1(), json!({"f:data": {".": {}, "f:k": {}}}));
/// ```
pub fn update(
    old: Option<&Value>,
    new: &Value,
    opts: &UpdateOptions<'_>,
    ty: TypeRef<'_>,
) -> Result<Value, ManagedFieldsError> {
    let time = opts.time.map(String::from).unwrap_or_else(now_rfc3339);
    let api_version = new
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let live_managers = match old {
        Some(o) => read_managed_fields(o)?,
        None => Vec::new(),
    };
    let sent = new.pointer("/metadata/managedFields");
    let reset = match sent {
        Some(Value::Array(a)) => a.len() == 1 && a[0].as_object().is_some_and(|o| o.is_empty()),
        _ => false,
    };
    let mut managers = if reset {
        Vec::new()
    } else {
        match read_managed_fields(new) {
            Ok(m) if !m.is_empty() && opts.subresource.is_none() => m,
            _ => live_managers,
        }
    };
    let old_obj = old.map(strip_managed_fields).unwrap_or_else(|| json!({}));
    let mut new_obj = strip_managed_fields(new);
    // Existing objects without managedFields are not tracked; creates always are.
    if managers.is_empty() && old.is_some() {
        return Ok(new_obj);
    }
    let cmp = typed::compare(&old_obj, &new_obj, ty);
    let changed = strip_meta(&cmp.modified.union(&cmp.added));
    for m in managers.iter_mut() {
        m.fields = m.fields.difference(&changed).difference(&cmp.removed);
    }
    if !changed.is_empty() {
        let me = ManagedFieldsEntry {
            manager: opts.manager.to_string(),
            operation: Operation::Update,
            api_version,
            time: Some(time),
            fields: changed,
            subresource: opts.subresource.map(String::from),
        };
        match managers.iter_mut().find(|m| m.same_identity(&me)) {
            Some(prev) => {
                prev.fields = prev.fields.union(&me.fields);
                prev.time = me.time;
            }
            None => managers.push(me),
        }
    }
    managers.retain(|m| !m.fields.is_empty());
    cap_update_managers(&mut managers);
    write_managed_fields(&mut new_obj, &managers);
    Ok(new_obj)
}

/// Keeps at most [`MAX_UPDATE_MANAGERS`] Update entries like the API server's `capManagers`:
/// oldest first, the second and later entries of an API version are merged into that version's
/// `ancient-changes` bucket (created from the first one), which takes the merged entry's time.
fn cap_update_managers(managers: &mut Vec<ManagedFieldsEntry>) {
    let mut updaters: Vec<usize> = (0..managers.len())
        .filter(|&i| managers[i].operation == Operation::Update)
        .collect();
    if updaters.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    let secs = |e: &ManagedFieldsEntry| {
        e.time
            .as_deref()
            .map(|t| t.get(..19).unwrap_or(t).to_string())
    };
    updaters.sort_by(|&a, &b| {
        secs(&managers[a])
            .cmp(&secs(&managers[b]))
            .then_with(|| managers[a].manager.cmp(&managers[b].manager))
    });
    let mut length = updaters.len();
    let mut first_of_version: Vec<(String, usize)> = Vec::new();
    let mut removed: Vec<usize> = Vec::new();
    for &i in &updaters {
        if length <= MAX_UPDATE_MANAGERS {
            break;
        }
        let version = managers[i].api_version.clone();
        let Some(&(_, first)) = first_of_version.iter().find(|(v, _)| *v == version) else {
            first_of_version.push((version, i));
            continue;
        };
        let is_bucket = |e: &ManagedFieldsEntry| {
            e.manager == ANCIENT_CHANGES
                && e.operation == Operation::Update
                && e.api_version == version
                && e.subresource.is_none()
        };
        let bucket =
            match (0..managers.len()).find(|&j| !removed.contains(&j) && is_bucket(&managers[j])) {
                Some(b) => b,
                None => {
                    managers[first].manager = ANCIENT_CHANGES.into();
                    managers[first].subresource = None;
                    first
                }
            };
        if bucket == i {
            continue;
        }
        let fields = managers[i].fields.clone();
        managers[bucket].fields.union_in_place(&fields);
        managers[bucket].time = managers[i].time.clone();
        removed.push(i);
        length -= 1;
    }
    let mut index = 0;
    managers.retain(|_| {
        index += 1;
        !removed.contains(&(index - 1))
    });
}
