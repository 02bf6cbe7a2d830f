//! Resource actions (what Argo CD's UI offers in a resource's menu):
//! `discovery.lua` lists the actions available on an object, `action.lua`
//! performs one and returns the objects to patch or create.
//!
//! Both run like health scripts ([`LuaScript::run`]); an action also sees
//! its parameters as the global `actionParams` (name → string value).

use crate::script::{Budget, LuaScript, ScriptError, ScriptErrorKind};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A parameter an action takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ActionParam {
    /// The parameter's name.
    pub name: String,
    /// Its value, when set.
    pub value: String,
    /// Its type (e.g. `number`), when given.
    #[serde(rename = "type")]
    pub type_: String,
    /// Its default, when given.
    pub default: String,
}

/// One action a discovery script offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceAction {
    /// The action's name (its folder under `actions/`).
    pub name: String,
    /// Whether it is shown but cannot be run now.
    pub disabled: bool,
    /// The label the UI shows, when different from the name.
    pub display_name: String,
    /// The UI's icon class.
    pub icon_class: String,
    /// Its parameters.
    pub params: Vec<ActionParam>,
}

/// What an action does to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Patch the object (the only operation of old-style actions).
    Patch,
    /// Create the object.
    Create,
}

/// An object an action changes, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactedResource {
    /// The object as the action left it (or the new object).
    pub object: Value,
    /// Patch or create.
    pub operation: Operation,
}

/// Runs a `discovery.lua`: the actions available on `obj`, sorted by name.
pub fn discover(
    script: &LuaScript,
    obj: &Value,
    budget: Budget,
) -> Result<Vec<ResourceAction>, ScriptError> {
    let out = script.run(obj, &[], budget)?;
    let map = match out {
        Value::Object(m) => m,
        // An empty table: no actions.
        _ => return Ok(Vec::new()),
    };
    let mut actions = Vec::with_capacity(map.len());
    for (name, value) in map {
        let mut action = match value {
            Value::Object(_) => serde_json::from_value::<ResourceAction>(value).map_err(|e| {
                script.error(ScriptErrorKind::Output, format!("action {name}: {e}"))
            })?,
            _ => ResourceAction::default(),
        };
        action.name = name;
        actions.push(action);
    }
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(actions)
}

/// Runs an `action.lua` on `obj` with `params` as `actionParams`.
///
/// A script may return the changed object (old style: a patch) or a list of
/// `{operation = "patch" | "create", resource = {...}}`. Empty maps of the
/// input that Lua turned into empty lists are restored, as Argo CD does.
pub fn run_action(
    script: &LuaScript,
    obj: &Value,
    params: &[(&str, &str)],
    budget: Budget,
) -> Result<Vec<ImpactedResource>, ScriptError> {
    let params = Value::Object(
        params
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect::<Map<_, _>>(),
    );
    let out = script.run(obj, &[("actionParams", &params)], budget)?;
    let bad = |m: String| script.error(ScriptErrorKind::Output, m);
    let mut impacted = match out {
        Value::Array(items) if !items.is_empty() => items
            .into_iter()
            .map(|item| {
                let operation = match item.get("operation").and_then(Value::as_str) {
                    Some("patch") => Operation::Patch,
                    Some("create") => Operation::Create,
                    other => return Err(bad(format!("unknown operation {other:?}"))),
                };
                let object = item.get("resource").cloned().unwrap_or(Value::Null);
                Ok(ImpactedResource { object, operation })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Value::Object(_) => vec![ImpactedResource {
            object: out,
            operation: Operation::Patch,
        }],
        _ => return Err(bad("Lua output was not a valid json object or array".into())),
    };
    for r in &mut impacted {
        if r.operation == Operation::Patch {
            restore_empty_maps(&mut r.object, obj);
        }
    }
    Ok(impacted)
}

/// Lua cannot tell an empty map from an empty list: where the input had a
/// map and the output has an empty list, put the map back.
fn restore_empty_maps(new: &mut Value, old: &Value) {
    match (new, old) {
        (Value::Object(n), Value::Object(o)) => {
            for (k, nv) in n.iter_mut() {
                if let Some(ov) = o.get(k) {
                    if ov.is_object() && nv.as_array().is_some_and(Vec::is_empty) {
                        *nv = ov.clone();
                    } else {
                        restore_empty_maps(nv, ov);
                    }
                }
            }
        }
        (Value::Array(n), Value::Array(o)) => {
            for (nv, ov) in n.iter_mut().zip(o) {
                restore_empty_maps(nv, ov);
            }
        }
        _ => {}
    }
}

/// User-defined actions of one kind, compiled.
#[derive(Debug, Clone)]
struct UserActions {
    discovery: Option<LuaScript>,
    actions: std::collections::HashMap<String, LuaScript>,
    merge_builtin: bool,
}

/// The actions of every kind: user-defined ones from `argocd-cm`
/// (`resource.customizations.actions.<group>_<kind>`, exact keys, as Argo CD
/// looks them up) over Argo CD's library.
///
/// Discovery uses the user's `discovery.lua` when the kind has one, merged
/// with the library's when `mergeBuiltinActions` is set (the user's entry
/// wins on a name both offer); running an action looks for the user's
/// definition first, then the library's script.
#[derive(Debug, Clone, Default)]
pub struct ActionRegistry {
    user: std::collections::HashMap<String, UserActions>,
    budget: Budget,
}

impl ActionRegistry {
    /// The library's actions only.
    pub fn new() -> Self {
        Self::default()
    }

    /// The library's actions and the user's from `overrides`; every user
    /// script is compiled first, so a syntax error is reported here, naming it.
    pub fn with_overrides(
        overrides: &crate::customizations::ResourceOverrides,
    ) -> Result<Self, ScriptError> {
        let mut reg = Self::new();
        for (key, o) in overrides.iter() {
            let Some(actions) = &o.actions else { continue };
            let prefix = format!(
                "{}.actions.{}",
                crate::customizations::KEY_PREFIX,
                key.replacen('/', "_", 1)
            );
            let discovery = (!actions.discovery_lua.trim().is_empty()).then(|| {
                LuaScript::new(
                    format!("{prefix}/discovery.lua"),
                    &*actions.discovery_lua,
                    true,
                )
            });
            let mut scripts = std::collections::HashMap::new();
            for d in &actions.definitions {
                let name = format!("{prefix}/{}/action.lua", d.name);
                scripts.insert(d.name.clone(), LuaScript::new(name, &*d.action_lua, false));
            }
            for s in discovery.iter().chain(scripts.values()) {
                s.check()?;
            }
            let user = UserActions {
                discovery,
                actions: scripts,
                merge_builtin: actions.merge_builtin_actions,
            };
            reg.user.insert(key.to_string(), user);
        }
        Ok(reg)
    }

    /// Sets the time and memory budget of every script run.
    pub fn set_budget(&mut self, budget: Budget) -> &mut Self {
        self.budget = budget;
        self
    }

    /// The actions available on `obj`, sorted by name (none when its kind has no discovery script).
    pub fn discover(&self, obj: &Value) -> Result<Vec<ResourceAction>, ScriptError> {
        let (user, builtin) = self.scripts(obj);
        let builtin_discovery = builtin.and_then(|b| b.discovery.as_ref());
        let mut found = match user.and_then(|u| u.discovery.as_ref().map(|d| (u, d))) {
            Some((u, d)) => {
                let mut mine = discover(d, obj, self.budget)?;
                if u.merge_builtin
                    && let Some(b) = builtin_discovery
                {
                    for a in discover(b, obj, self.budget)? {
                        if !mine.iter().any(|m| m.name == a.name) {
                            mine.push(a);
                        }
                    }
                }
                mine
            }
            None => match builtin_discovery {
                Some(b) => discover(b, obj, self.budget)?,
                None => Vec::new(),
            },
        };
        found.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(found)
    }

    /// Runs the action `name` on `obj` with `params`; `None` when the kind has no such action.
    pub fn run(
        &self,
        obj: &Value,
        name: &str,
        params: &[(&str, &str)],
    ) -> Option<Result<Vec<ImpactedResource>, ScriptError>> {
        let (user, builtin) = self.scripts(obj);
        let script = user
            .and_then(|u| u.actions.get(name))
            .or_else(|| builtin.and_then(|b| b.actions.get(name)))?;
        Some(run_action(script, obj, params, self.budget))
    }

    fn scripts(&self, obj: &Value) -> (Option<&UserActions>, Option<&crate::library::KindScripts>) {
        let (group, kind) = crate::fields::group_kind(obj);
        let key = crate::customizations::override_key(group, kind);
        (
            self.user.get(&key),
            crate::library::Library::builtin().get(group, kind),
        )
    }
}
