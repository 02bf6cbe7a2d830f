//! [`HealthRegistry`]: which check judges which kind, in Argo CD's order.

use crate::glob::Glob;
use crate::{Budget, LuaScript, ScriptError, checks, customizations, fields, library};
use driftless_core::{Health, HealthStatus};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A per-kind health check: `None` means "no health for this object".
pub type HealthCheck = Arc<dyn Fn(&Value) -> Option<Health> + Send + Sync>;

/// Per-kind health checks, keyed by API group and kind.
///
/// ```
/// use driftless_health::{Health, HealthRegistry, HealthStatus};
/// let mut reg = HealthRegistry::new();
/// reg.register("example.com", "Widget", |obj| {
///     let ok = obj.pointer("/status/ok").and_then(|v| v.as_bool())?;
///     Some(if ok { Health::healthy() } else { Health::new(HealthStatus::Degraded, "not ok") })
/// });
/// let w = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
///     "metadata": {"name": "w"}, "status": {"ok": false}});
/// assert_eq!(reg.assess(&w).unwrap().status, HealthStatus::Degraded);
/// ```
#[derive(Clone)]
pub struct HealthRegistry {
    /// Rust checks; `true` marks the built-in rules, which Argo CD's library
    /// scripts take precedence over (as its Lua takes precedence over Go).
    checks: HashMap<(String, String), (HealthCheck, bool)>,
    scripts: Arc<UserScripts>,
    library: bool,
    budget: Budget,
    generic: bool,
}

/// Health scripts from configuration: exact `group/kind` keys and wildcards.
#[derive(Default, Clone)]
struct UserScripts {
    exact: HashMap<String, LuaScript>,
    wildcard: Vec<(Glob, LuaScript)>,
}

impl UserScripts {
    fn get(&self, key: &str) -> Option<&LuaScript> {
        self.exact.get(key).or_else(|| {
            self.wildcard
                .iter()
                .find(|(g, _)| g.matches(key))
                .map(|(_, s)| s)
        })
    }
}

impl std::fmt::Debug for HealthRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.checks.keys().collect();
        kinds.sort();
        f.debug_struct("HealthRegistry")
            .field("kinds", &kinds)
            .field(
                "scripts",
                &(self.scripts.exact.len() + self.scripts.wildcard.len()),
            )
            .field("library", &self.library)
            .field("generic", &self.generic)
            .finish()
    }
}

impl Default for HealthRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl HealthRegistry {
    /// A registry with every built-in check: the Rust rules of the core kinds
    /// (and Argo Workflow), Argo CD's library of Lua health scripts for
    /// custom resources, and the generic conditions check.
    pub fn new() -> Self {
        let mut r = Self::empty();
        type Check = fn(&Value) -> Option<Health>;
        let builtins: &[(&[&str], &str, Check)] = &[
            (&["apps", "extensions"], "Deployment", checks::deployment),
            (&["apps"], "StatefulSet", checks::stateful_set),
            (&["apps", "extensions"], "DaemonSet", checks::daemon_set),
            (&["apps", "extensions"], "ReplicaSet", checks::replica_set),
            (&[""], "Pod", checks::pod),
            (&[""], "Service", checks::service),
            (&[""], "PersistentVolumeClaim", checks::pvc),
            (&["batch"], "Job", checks::job),
            (&["batch"], "CronJob", checks::cron_job),
            (
                &["networking.k8s.io", "extensions"],
                "Ingress",
                checks::ingress,
            ),
            (&["autoscaling"], "HorizontalPodAutoscaler", checks::hpa),
            (
                &["apiregistration.k8s.io"],
                "APIService",
                checks::api_service,
            ),
            (
                &["apiextensions.k8s.io"],
                "CustomResourceDefinition",
                checks::crd,
            ),
            (&["argoproj.io"], "Application", checks::application),
            (&["argoproj.io"], "Workflow", checks::argo_workflow),
        ];
        for (groups, kind, check) in builtins {
            for group in *groups {
                r.register(group, kind, *check);
                if let Some(entry) = r.checks.get_mut(&(group.to_string(), kind.to_string())) {
                    entry.1 = true;
                }
            }
        }
        r.generic = true;
        r.library = true;
        r
    }

    /// A registry with no checks at all (not even the generic one or the Lua library).
    pub fn empty() -> Self {
        HealthRegistry {
            checks: HashMap::new(),
            scripts: Arc::default(),
            library: false,
            budget: Budget::default(),
            generic: false,
        }
    }

    /// Adds the health scripts of `overrides` (from `argocd-cm`'s
    /// `resource.customizations.health.*` keys or block); they take
    /// precedence over every built-in check. Each is compiled first, so a
    /// syntax error is reported here, naming the key.
    ///
    /// ```
    /// use driftless_health::{HealthRegistry, HealthStatus};
    /// use driftless_health::customizations::ResourceOverrides;
    /// let cm = [("resource.customizations.health.example.com_Widget",
    ///     "hs = {status = 'Suspended', message = obj.spec.reason}\nreturn hs")];
    /// let mut reg = HealthRegistry::new();
    /// reg.add_customizations(&ResourceOverrides::from_config_map(cm).unwrap()).unwrap();
    /// let w = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
    ///     "metadata": {"name": "w"}, "spec": {"reason": "on hold"}});
    /// let h = reg.assess(&w).unwrap();
    /// assert_eq!((h.status, h.message.as_str()), (HealthStatus::Suspended, "on hold"));
    /// ```
    pub fn add_customizations(
        &mut self,
        overrides: &customizations::ResourceOverrides,
    ) -> Result<&mut Self, ScriptError> {
        for (key, script) in overrides.health_scripts() {
            script.check()?;
            self.register_script(&key, script);
        }
        Ok(self)
    }

    /// Adds or replaces the health script of `key` (`group/kind`, `kind` for
    /// the core group, or a wildcard such as `*.crossplane.io/*`); it takes
    /// precedence over every built-in check.
    pub fn register_script(&mut self, key: &str, script: LuaScript) -> &mut Self {
        let scripts = Arc::make_mut(&mut self.scripts);
        if Glob::is_wildcard(key) {
            scripts.wildcard.retain(|(g, _)| g.pattern() != key);
            scripts.wildcard.push((Glob::new(key), script));
            scripts
                .wildcard
                .sort_by(|a, b| a.0.pattern().cmp(b.0.pattern()));
        } else {
            scripts.exact.insert(key.to_string(), script);
        }
        self
    }

    /// Turns Argo CD's built-in library of Lua health scripts on or off.
    pub fn set_library(&mut self, on: bool) -> &mut Self {
        self.library = on;
        self
    }

    /// Sets the time and memory budget of every script run.
    pub fn set_budget(&mut self, budget: Budget) -> &mut Self {
        self.budget = budget;
        self
    }

    /// Adds or replaces the check for `group` (empty for core) and `kind`;
    /// it takes precedence over the built-in rules and library scripts.
    pub fn register<F>(&mut self, group: &str, kind: &str, check: F) -> &mut Self
    where
        F: Fn(&Value) -> Option<Health> + Send + Sync + 'static,
    {
        self.checks.insert(
            (group.to_string(), kind.to_string()),
            (Arc::new(check), false),
        );
        self
    }

    /// Turns the generic `status.conditions` check for unknown kinds on or off.
    pub fn set_generic(&mut self, on: bool) -> &mut Self {
        self.generic = on;
        self
    }

    /// The health of one live object, `None` when its kind has no health.
    ///
    /// An object being deleted (`metadata.deletionTimestamp` set, hooks
    /// excepted) is Progressing with "Pending deletion", as in Argo CD.
    /// Otherwise the first of these that knows the kind decides: a script
    /// from configuration (exact key, then wildcard), a check added with
    /// [`HealthRegistry::register`], Argo CD's library script, the built-in
    /// Rust rule, the generic conditions check (Argo CD's order: its Lua
    /// overrides, then its Lua library, then its Go rules). A script that fails gives Unknown with the error
    /// (naming the script and line) as message, as in Argo CD.
    pub fn assess(&self, obj: &Value) -> Option<Health> {
        if fields::at(obj, "/metadata/deletionTimestamp").is_some() && !is_hook(obj) {
            return Some(Health::new(HealthStatus::Progressing, "Pending deletion"));
        }
        let (group, kind) = fields::group_kind(obj);
        let run = |script: &LuaScript| {
            Some(
                script
                    .health(obj, self.budget)
                    .unwrap_or_else(|e| Health::new(HealthStatus::Unknown, e.to_string())),
            )
        };
        let has_scripts = !self.scripts.exact.is_empty() || !self.scripts.wildcard.is_empty();
        if has_scripts
            && let Some(script) = self.scripts.get(&customizations::override_key(group, kind))
        {
            return run(script);
        }
        let check = self.checks.get(&(group.to_string(), kind.to_string()));
        if let Some((check, false)) = check {
            return check(obj);
        }
        if self.library
            && let Some(script) = library::Library::builtin().health(group, kind)
        {
            return run(script);
        }
        if let Some((check, true)) = check {
            return check(obj);
        }
        if self.generic {
            checks::generic(obj)
        } else {
            None
        }
    }

    /// Like [`HealthRegistry::assess`], with `None` (not found) as Missing.
    pub fn assess_live(&self, obj: Option<&Value>) -> Option<Health> {
        match obj {
            Some(o) => self.assess(o),
            None => Some(Health::new(HealthStatus::Missing, "")),
        }
    }
}

use driftless_core::is_hook;
