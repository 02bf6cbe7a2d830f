//! Resource customizations from an `argocd-cm`-style ConfigMap, in Argo CD's
//! key format.
//!
//! Two forms are read, as Argo CD reads them (the split keys win over the
//! block when both name the same kind and field):
//! - split keys `resource.customizations.<type>.<group>_<kind>` (or `.<kind>`
//!   for the core group, `.all` for every kind), `<type>` being `health`,
//!   `useOpenLibs`, `actions`, `ignoreDifferences`, `ignoreResourceUpdates`
//!   or `knownTypeFields`;
//! - the older block `resource.customizations`: YAML mapping `group/kind` to
//!   `health.lua`, `health.lua.useOpenLibs`, `actions`, `ignoreDifferences`,
//!   `ignoreResourceUpdates`, `knownTypeFields`.
//!
//! Keys may hold wildcards (`*.crossplane.io/*`); an exact key is preferred.

use crate::glob::Glob;
use crate::script::LuaScript;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The ConfigMap key prefix of every resource customization.
pub const KEY_PREFIX: &str = "resource.customizations";

/// Argo CD's override key of a kind: `group/kind`, or `kind` for the core group.
pub fn override_key(group: &str, kind: &str) -> String {
    if group.is_empty() {
        kind.to_string()
    } else {
        format!("{group}/{kind}")
    }
}

/// Fields a diff should ignore (`ignoreDifferences`, `ignoreResourceUpdates`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IgnoreDifferences {
    /// RFC 6901 JSON pointers.
    pub json_pointers: Vec<String>,
    /// jq path expressions.
    pub jq_path_expressions: Vec<String>,
    /// Field managers whose fields are ignored.
    pub managed_fields_managers: Vec<String>,
}

impl IgnoreDifferences {
    /// Whether nothing is ignored.
    pub fn is_empty(&self) -> bool {
        self.json_pointers.is_empty()
            && self.jq_path_expressions.is_empty()
            && self.managed_fields_managers.is_empty()
    }
}

/// One action a user defines for a kind.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ActionDefinition {
    /// The action's name (what the UI's menu shows).
    pub name: String,
    /// The Lua that performs it.
    #[serde(rename = "action.lua", default)]
    pub action_lua: String,
}

/// User-defined actions of a kind (`resource.customizations.actions.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ResourceActions {
    /// The Lua that lists the actions available on an object.
    #[serde(rename = "discovery.lua")]
    pub discovery_lua: String,
    /// The actions.
    pub definitions: Vec<ActionDefinition>,
    /// Whether the built-in actions of the kind stay available beside these.
    #[serde(rename = "mergeBuiltinActions")]
    pub merge_builtin_actions: bool,
}

/// A field whose type Argo CD's diff should know (`knownTypeFields`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KnownTypeField {
    /// The field path, e.g. `spec.jobTemplate.spec`.
    pub field: String,
    /// The type, e.g. `batch/v1/JobSpec`.
    #[serde(rename = "type")]
    pub type_: String,
}

/// Everything customized for one kind (or wildcard of kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceOverride {
    /// The health script, when set.
    pub health_lua: Option<String>,
    /// Whether the health script may use the open libraries.
    pub use_open_libs: bool,
    /// User-defined actions, when set.
    pub actions: Option<ResourceActions>,
    /// Differences the diff ignores.
    pub ignore_differences: IgnoreDifferences,
    /// Changes that do not trigger a refresh.
    pub ignore_resource_updates: IgnoreDifferences,
    /// Known types of fields.
    pub known_type_fields: Vec<KnownTypeField>,
}

/// A key or value of the ConfigMap that could not be read; names the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomizationError {
    /// The ConfigMap key.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for CustomizationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConfigMap key {}: {}", self.key, self.message)
    }
}

impl std::error::Error for CustomizationError {}

/// Resource customizations keyed by `group/kind` (wildcards allowed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceOverrides {
    by_key: BTreeMap<String, ResourceOverride>,
}

/// The old block form's value for one kind.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawOverride {
    #[serde(rename = "health.lua")]
    health_lua: Option<String>,
    #[serde(rename = "health.lua.useOpenLibs")]
    use_open_libs: bool,
    actions: Option<String>,
    #[serde(rename = "ignoreDifferences")]
    ignore_differences: Option<String>,
    #[serde(rename = "ignoreResourceUpdates")]
    ignore_resource_updates: Option<String>,
    #[serde(rename = "knownTypeFields")]
    known_type_fields: Vec<KnownTypeField>,
}

fn yaml<T: for<'de> Deserialize<'de> + Default>(
    key: &str,
    what: &str,
    text: &str,
) -> Result<T, CustomizationError> {
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    serde_yaml_ng::from_str(text).map_err(|e| CustomizationError {
        key: key.to_string(),
        message: format!("invalid {what}: {e}"),
    })
}

impl ResourceOverrides {
    /// Reads the customizations out of a ConfigMap's `data`; other keys are ignored.
    ///
    /// ```
    /// use driftless_health::customizations::ResourceOverrides;
    /// let data = [
    ///     ("resource.customizations.health.cert-manager.io_Certificate",
    ///      "return {status = 'Healthy'}"),
    ///     ("resource.customizations.ignoreDifferences.all", "jsonPointers:\n- /status"),
    ///     ("url", "https://argocd.example.com"),
    /// ];
    /// let o = ResourceOverrides::from_config_map(data).unwrap();
    /// assert!(o.get("cert-manager.io", "Certificate").unwrap().health_lua.is_some());
    /// assert_eq!(o.get("apps", "Deployment").unwrap().ignore_differences.json_pointers, ["/status"]);
    /// ```
    pub fn from_config_map<'a>(
        data: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, CustomizationError> {
        let mut data: Vec<(&str, &str)> = data.into_iter().collect();
        data.sort();
        let mut out = ResourceOverrides::default();
        if let Some((key, block)) = data.iter().find(|(k, _)| *k == KEY_PREFIX) {
            let raw: BTreeMap<String, RawOverride> = yaml(key, "YAML block", block)?;
            for (kind_key, raw) in raw {
                let at = format!("{key} ({kind_key})");
                let o = out.by_key.entry(kind_key).or_default();
                o.health_lua = raw.health_lua.filter(|s| !s.trim().is_empty());
                o.use_open_libs = raw.use_open_libs;
                if let Some(a) = raw.actions.filter(|s| !s.trim().is_empty()) {
                    o.actions = Some(yaml(&at, "actions", &a)?);
                }
                let ignore = raw.ignore_differences.unwrap_or_default();
                o.ignore_differences = yaml(&at, "ignoreDifferences", &ignore)?;
                let updates = raw.ignore_resource_updates.unwrap_or_default();
                o.ignore_resource_updates = yaml(&at, "ignoreResourceUpdates", &updates)?;
                o.known_type_fields = raw.known_type_fields;
            }
        }
        for (key, value) in data {
            let Some(rest) = key
                .strip_prefix(KEY_PREFIX)
                .and_then(|r| r.strip_prefix('.'))
            else {
                continue;
            };
            let Some((kind_of, group_kind)) = rest.split_once('.') else {
                continue;
            };
            let err = |message: String| CustomizationError {
                key: key.to_string(),
                message,
            };
            let mut kind_key = split_key(group_kind).map_err(err)?;
            if kind_key == "all" {
                kind_key = "*/*".to_string();
            }
            let o = out.by_key.entry(kind_key).or_default();
            match kind_of {
                "health" => o.health_lua = Some(value.to_string()).filter(|s| !s.trim().is_empty()),
                "useOpenLibs" => {
                    o.use_open_libs = value.trim().parse().map_err(|_| {
                        err(format!("useOpenLibs must be true or false, not {value:?}"))
                    })?
                }
                "actions" => o.actions = Some(yaml(key, "actions", value)?),
                "ignoreDifferences" => {
                    o.ignore_differences = yaml(key, "ignoreDifferences", value)?
                }
                "ignoreResourceUpdates" => {
                    o.ignore_resource_updates = yaml(key, "ignoreResourceUpdates", value)?
                }
                "knownTypeFields" => {
                    o.known_type_fields =
                        yaml::<Vec<KnownTypeField>>(key, "knownTypeFields", value)?
                }
                other => {
                    return Err(err(format!(
                        "resource customization type {other} not supported"
                    )));
                }
            }
        }
        Ok(out)
    }

    /// Every key with its customization, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ResourceOverride)> {
        self.by_key.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether there are no customizations.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Adds or replaces the customization of `key` (`group/kind`, wildcards allowed).
    pub fn insert(&mut self, key: impl Into<String>, value: ResourceOverride) {
        self.by_key.insert(key.into(), value);
    }

    /// The customization of `group`/`kind`: its exact key, else the first
    /// wildcard key that matches (keys in sorted order).
    pub fn get(&self, group: &str, kind: &str) -> Option<&ResourceOverride> {
        self.find(group, kind, |_| true).map(|(_, o)| o)
    }

    /// The customization whose health script applies to `group`/`kind`, with
    /// its key: Argo CD looks for the exact key, then a wildcard key, with a script.
    pub fn health_script(&self, group: &str, kind: &str) -> Option<(&str, &ResourceOverride)> {
        self.find(group, kind, |o| o.health_lua.is_some())
    }

    /// Every ignore rule that applies to `group`/`kind`: the exact key's and
    /// every matching wildcard's (`*/*` from `.all` included), as Argo CD's
    /// diff normalizer merges them (group and kind matched separately, so
    /// `*/*` covers core kinds too).
    pub fn ignore_differences(&self, group: &str, kind: &str) -> Vec<&IgnoreDifferences> {
        let applies = |key: &str| {
            let (g, k) = key.split_once('/').unwrap_or(("", key));
            Glob::new(g).matches(group) && Glob::new(k).matches(kind)
        };
        self.by_key
            .iter()
            .filter(|(k, _)| applies(k))
            .map(|(_, o)| &o.ignore_differences)
            .filter(|i| !i.is_empty())
            .collect()
    }

    /// The user health scripts as [`LuaScript`]s named after their ConfigMap key.
    pub(crate) fn health_scripts(&self) -> Vec<(String, LuaScript)> {
        self.by_key
            .iter()
            .filter_map(|(k, o)| {
                let src = o.health_lua.as_ref()?;
                let name = format!("{KEY_PREFIX}.health.{}", k.replacen('/', "_", 1));
                Some((
                    k.clone(),
                    LuaScript::new(name, src.clone(), o.use_open_libs),
                ))
            })
            .collect()
    }

    fn find(
        &self,
        group: &str,
        kind: &str,
        want: impl Fn(&ResourceOverride) -> bool,
    ) -> Option<(&str, &ResourceOverride)> {
        let key = override_key(group, kind);
        if let Some((k, o)) = self.by_key.get_key_value(&key)
            && want(o)
        {
            return Some((k, o));
        }
        self.by_key
            .iter()
            .find(|(k, o)| Glob::is_wildcard(k) && want(o) && Glob::new(k).matches(&key))
            .map(|(k, o)| (k.as_str(), o))
    }
}

/// `group_kind` → `group/kind`; `kind` alone stays as is (core group).
fn split_key(group_kind: &str) -> Result<String, String> {
    let parts: Vec<&str> = group_kind.split('_').collect();
    match parts.as_slice() {
        [group, kind] => Ok(format!("{group}/{kind}")),
        [kind] if !kind.is_empty() => Ok((*kind).to_string()),
        _ => Err(format!(
            "group kind should be in format resource.customizations.<type>.<group>_<kind> \
             or resource.customizations.<type>.<kind>, got {group_kind:?}"
        )),
    }
}
