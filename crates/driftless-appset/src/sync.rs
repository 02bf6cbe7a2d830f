//! What to write to the cluster for a set: creates, updates and deletes of
//! Applications under the `applicationsSync` policy, as Argo CD's
//! ApplicationSet controller decides them (`createOrUpdateInCluster`,
//! `createInCluster`, `deleteInCluster`).

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value, json};

use crate::error::AppSetError;
use crate::ignore::{ignore_rules, keep_ignored};
use crate::render::{API_VERSION, RESOURCES_FINALIZER, SetView};
use crate::validate::ValidationError;

/// `spec.syncPolicy.applicationsSync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApplicationsSync {
    /// Create missing Applications only.
    CreateOnly,
    /// Create and update, never delete.
    CreateUpdate,
    /// Create and delete, never update.
    CreateDelete,
    /// Create, update and delete (the default).
    #[default]
    Sync,
}

impl ApplicationsSync {
    /// Parses a policy name (`create-only`, `create-update`, `create-delete`,
    /// `sync`; empty means `sync`).
    pub fn parse(s: &str) -> Option<ApplicationsSync> {
        Some(match s {
            "create-only" => ApplicationsSync::CreateOnly,
            "create-update" => ApplicationsSync::CreateUpdate,
            "create-delete" => ApplicationsSync::CreateDelete,
            "sync" | "" => ApplicationsSync::Sync,
            _ => return None,
        })
    }
    /// Whether existing Applications are updated.
    pub fn allow_update(self) -> bool {
        matches!(
            self,
            ApplicationsSync::CreateUpdate | ApplicationsSync::Sync
        )
    }
    /// Whether Applications no longer generated are deleted.
    pub fn allow_delete(self) -> bool {
        matches!(
            self,
            ApplicationsSync::CreateDelete | ApplicationsSync::Sync
        )
    }
}

/// The controller's settings that shape a plan.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The controller's policy (Argo CD's `--policy`, default `sync`).
    pub policy: ApplicationsSync,
    /// Whether a set's own `applicationsSync` replaces the controller's
    /// (Argo CD's `--enable-policy-override`). Driftless defaults to `true`.
    pub allow_policy_override: bool,
    /// Annotations kept from the live Application for every set (Argo CD's
    /// `--global-preserved-annotations`).
    pub preserved_annotations: Vec<String>,
    /// Labels kept likewise (`--global-preserved-labels`).
    pub preserved_labels: Vec<String>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            policy: ApplicationsSync::Sync,
            allow_policy_override: true,
            preserved_annotations: Vec::new(),
            preserved_labels: Vec::new(),
        }
    }
}

/// Annotations Argo CD always keeps from the live Application.
const DEFAULT_PRESERVED_ANNOTATIONS: &[&str] = &[
    "notified.notifications.argoproj.io",
    "argocd.argoproj.io/refresh",
    "argocd.argoproj.io/hydrate",
];
const POST_DELETE_FINALIZER: &str = "post-delete-finalizer.argocd.argoproj.io";

/// One Application to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delete {
    /// Its name (in the set's namespace).
    pub name: String,
    /// Remove `resources-finalizer.argocd.argoproj.io` first, so its
    /// resources stay: set when the set has `preserveResourcesOnDeletion`
    /// and the live Application still carries the finalizer (created before
    /// the option was set).
    pub remove_resources_finalizer: bool,
}

/// An Application that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Its name.
    pub name: String,
    /// Why, e.g. owned by another ApplicationSet.
    pub message: String,
}

/// The writes that bring the cluster to the generated Applications.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncPlan {
    /// Applications to create, as generated.
    pub create: Vec<Value>,
    /// Live Applications to replace with these objects (live metadata such
    /// as `resourceVersion` kept, generated fields written).
    pub update: Vec<Value>,
    /// Owned Applications no longer generated.
    pub delete: Vec<Delete>,
    /// Generated Applications that cannot be written.
    pub conflicts: Vec<Conflict>,
}

impl SyncPlan {
    /// Whether nothing is to be written.
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.update.is_empty() && self.delete.is_empty()
    }
}

/// The policy in force for `appset`.
pub fn policy(appset: &Value, opts: &SyncOptions) -> Result<ApplicationsSync, AppSetError> {
    let set = SetView::of(appset)?;
    match set.spec.get("syncPolicy").and_then(|p| p.get("applicationsSync")) {
        Some(Value::String(s)) if opts.allow_policy_override => {
            ApplicationsSync::parse(s).ok_or_else(|| AppSetError::InvalidSpec {
                set: set.name.to_string(),
                field: "spec.syncPolicy.applicationsSync".into(),
                message: format!(
                    "unknown policy {s:?} (expected create-only, create-update, create-delete or sync)"
                ),
            })
        }
        _ => Ok(opts.policy),
    }
}

fn name_of(app: &Value) -> &str {
    app.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The controller reference of an object, if any.
fn controller_ref(app: &Value) -> Option<&Value> {
    app.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// Whether `app` is controlled by the set `name`.
pub fn owned_by(app: &Value, set_name: &str) -> bool {
    controller_ref(app).is_some_and(|r| {
        r.get("kind").and_then(Value::as_str) == Some("ApplicationSet")
            && r.get("apiVersion").and_then(Value::as_str) == Some(API_VERSION)
            && r.get("name").and_then(Value::as_str) == Some(set_name)
    })
}

/// Plans the writes for `appset`: `generated` are its Applications (from
/// [`crate::generate`]), `invalid` the validation errors among them (not
/// written, but not deleted either), `existing` the Applications of the
/// set's namespace.
///
/// ```
/// use driftless_appset::{SyncOptions, plan_sync};
/// use serde_json::json;
/// let set = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
///     "metadata": {"name": "s", "namespace": "argocd", "uid": "u1"},
///     "spec": {"syncPolicy": {"applicationsSync": "create-only"}}});
/// let app = |n: &str| json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
///     "metadata": {"name": n, "namespace": "argocd", "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1",
///     "kind": "ApplicationSet", "name": "s", "uid": "u1", "controller": true}]}, "spec": {}});
/// let plan = plan_sync(&set, &[app("a"), app("b")], &[], &[app("b"), app("old")], &SyncOptions::default()).unwrap();
/// assert_eq!(plan.create.len(), 1); // "a"; "b" exists; "old" stays (create-only)
/// assert!(plan.delete.is_empty() && plan.update.is_empty());
/// ```
pub fn plan_sync(
    appset: &Value,
    generated: &[Value],
    invalid: &[ValidationError],
    existing: &[Value],
    opts: &SyncOptions,
) -> Result<SyncPlan, AppSetError> {
    let set = SetView::of(appset)?;
    let policy = policy(appset, opts)?;
    let ignores = ignore_rules(&set)?;
    let skip: HashSet<usize> = invalid.iter().map(|e| e.index).collect();
    let live: BTreeMap<&str, &Value> = existing.iter().map(|a| (name_of(a), a)).collect();
    let owned: HashSet<&str> = existing
        .iter()
        .filter(|a| owned_by(a, set.name))
        .map(name_of)
        .collect();
    let mut plan = SyncPlan::default();
    for (i, app) in generated.iter().enumerate() {
        let name = name_of(app);
        if skip.contains(&i) || (!policy.allow_update() && owned.contains(name)) {
            continue;
        }
        let app = &normalized(app);
        match live.get(name) {
            None => plan.create.push(app.clone()),
            Some(found) => match mutate(found, app, &set, opts).map(|mut u| {
                keep_ignored(found, &mut u, name, &ignores);
                u
            }) {
                Ok(updated) if updated != **found => plan.update.push(updated),
                Ok(_) => {}
                Err(message) => plan.conflicts.push(Conflict {
                    name: name.to_string(),
                    message,
                }),
            },
        }
    }
    if policy.allow_delete() {
        let wanted: HashSet<&str> = generated.iter().map(name_of).collect();
        let preserve = set.preserve_resources();
        for app in existing.iter().filter(|a| owned_by(a, set.name)) {
            let name = name_of(app);
            if wanted.contains(name) {
                continue;
            }
            let has_finalizer = app
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|f| f.iter().any(|x| x == RESOURCES_FINALIZER));
            plan.delete.push(Delete {
                name: name.to_string(),
                remove_resources_finalizer: preserve && has_finalizer,
            });
        }
    }
    Ok(plan)
}

/// Argo CD's `NormalizeApplicationSpec`, so the set does not fight the
/// Application controller: an empty project is `default`; an empty
/// `syncPolicy` and empty `helm` / `kustomize` / `directory` / `plugin` of a
/// source are dropped.
fn normalized(app: &Value) -> Value {
    let mut app = app.clone();
    let Some(spec) = app.get_mut("spec").and_then(Value::as_object_mut) else {
        return app;
    };
    if spec
        .get("project")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .is_empty()
    {
        spec.insert("project".into(), "default".into());
    }
    let empty = |v: &Value| v.as_object().is_some_and(|m| m.values().all(is_zero));
    if spec
        .get("syncPolicy")
        .is_some_and(|p| p.is_null() || empty(p))
    {
        spec.remove("syncPolicy");
    }
    let strip = |src: &mut Value| {
        if let Some(m) = src.as_object_mut() {
            m.retain(|k, v| {
                !(matches!(k.as_str(), "helm" | "kustomize" | "directory" | "plugin")
                    && (v.is_null() || empty(v)))
            });
        }
    };
    if spec.get("sources").is_some_and(Value::is_array) {
        if let Some(Value::Array(list)) = spec.get_mut("sources") {
            list.iter_mut().for_each(strip);
        }
    } else if let Some(src) = spec.get_mut("source") {
        strip(src);
    }
    app
}

/// Go's zero value of a JSON-decoded struct field (a struct is zero when all
/// its fields are).
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.values().all(is_zero),
        other => crate::params::is_empty(other),
    }
}

/// The live Application `found` rewritten to the generated one: spec,
/// operation, labels, annotations and finalizers from `generated` (keeping the
/// preserved annotations and labels and post-delete finalizers of `found`),
/// and the set as controller.
fn mutate(
    found: &Value,
    generated: &Value,
    set: &SetView<'_>,
    opts: &SyncOptions,
) -> Result<Value, String> {
    let mut out = found.clone();
    out["spec"] = generated.get("spec").cloned().unwrap_or_else(|| json!({}));
    if let Some(op) = generated.get("operation").filter(|o| !o.is_null()) {
        out["operation"] = op.clone();
    }
    let list = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let preserved = set.spec.get("preservedFields");
    let mut keep_annotations = list(preserved.and_then(|p| p.get("annotations")));
    keep_annotations.extend(opts.preserved_annotations.iter().cloned());
    keep_annotations.extend(DEFAULT_PRESERVED_ANNOTATIONS.iter().map(|s| s.to_string()));
    let mut keep_labels = list(preserved.and_then(|p| p.get("labels")));
    keep_labels.extend(opts.preserved_labels.iter().cloned());

    let meta = out["metadata"]
        .as_object_mut()
        .ok_or("live Application has no metadata")?;
    let carry = |field: &str, keep: &[String]| -> Option<Value> {
        let mut m: Map<String, Value> = generated
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Some(live) = found
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_object)
        {
            for k in keep {
                if let Some(v) = live.get(k) {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
        (!m.is_empty()).then_some(Value::Object(m))
    };
    for (field, keep) in [("annotations", &keep_annotations), ("labels", &keep_labels)] {
        match carry(field, keep) {
            Some(v) => {
                meta.insert(field.into(), v);
            }
            None => {
                meta.remove(field);
            }
        }
    }
    let mut finalizers = list(generated.pointer("/metadata/finalizers"));
    finalizers.extend(
        list(found.pointer("/metadata/finalizers"))
            .into_iter()
            .filter(|f| f.starts_with(POST_DELETE_FINALIZER)),
    );
    if finalizers.is_empty() {
        meta.remove("finalizers");
    } else {
        meta.insert("finalizers".into(), json!(finalizers));
    }
    if !set.uid.is_empty() {
        let mut refs: Vec<Value> = meta
            .get("ownerReferences")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(other) = refs.iter().find(|r| {
            r.get("controller").and_then(Value::as_bool) == Some(true)
                && r.get("uid").and_then(Value::as_str) != Some(set.uid)
        }) {
            return Err(format!(
                "Object {}/{} is already owned by another {} controller {}",
                set.namespace,
                name_of(found),
                other
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                other
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ));
        }
        let ours = json!({"apiVersion": API_VERSION, "kind": "ApplicationSet", "name": set.name,
            "uid": set.uid, "controller": true, "blockOwnerDeletion": true});
        match refs
            .iter_mut()
            .find(|r| r.get("uid").and_then(Value::as_str) == Some(set.uid))
        {
            Some(r) => *r = ours,
            None => refs.push(ours),
        }
        meta.insert("ownerReferences".into(), Value::Array(refs));
    }
    Ok(out)
}

/// When the set is deleted: the owned Applications to update before it goes (empty when
/// none need it). Their ownerReferences are removed (so garbage collection keeps them) when the
/// policy does not allow deletes; with `preserveResourcesOnDeletion` the resources finalizer
/// is removed, so the Applications go without their resources. The controller holds the set
/// with [`SET_FINALIZER`] (see [`needs_set_finalizer`]) until these writes are made.
pub fn plan_set_deletion(
    appset: &Value,
    existing: &[Value],
    opts: &SyncOptions,
) -> Result<Vec<Value>, AppSetError> {
    let set = SetView::of(appset)?;
    let orphan = !policy(appset, opts)?.allow_delete();
    let preserve = set.preserve_resources();
    Ok(existing
        .iter()
        .filter(|a| owned_by(a, set.name))
        .filter_map(|a| {
            let mut updated = a.clone();
            let m = updated.get_mut("metadata").and_then(Value::as_object_mut)?;
            if orphan {
                m.remove("ownerReferences");
            }
            if preserve && let Some(Value::Array(f)) = m.get_mut("finalizers") {
                f.retain(|x| {
                    x.as_str()
                        .is_none_or(|x| !x.starts_with(RESOURCES_FINALIZER))
                });
            }
            (updated != *a).then_some(updated)
        })
        .collect())
}

/// The finalizer the controller puts on an ApplicationSet whose deletion needs work first
/// (Argo CD's `resources-finalizer.argocd.argoproj.io`).
pub const SET_FINALIZER: &str = RESOURCES_FINALIZER;

/// True when deleting the set must wait for [`plan_set_deletion`]'s writes: its policy does
/// not allow deletes, or it preserves resources on deletion.
pub fn needs_set_finalizer(appset: &Value, opts: &SyncOptions) -> Result<bool, AppSetError> {
    let set = SetView::of(appset)?;
    Ok(!policy(appset, opts)?.allow_delete() || set.preserve_resources())
}
