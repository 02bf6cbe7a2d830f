//! Config-management plugins, Argo CD's model without sidecars: a
//! `ConfigManagementPlugin` (`plugin.yaml`, `argoproj.io/v1alpha1`) names an
//! `init` and a `generate` command, how it recognises a source (`discover`),
//! and the parameters it announces. The renderer runs the commands in a
//! temporary copy of the repository, in the source directory, and reads the
//! manifests from `generate`'s standard output.

mod discover;
mod run;

pub(crate) use discover::select;
pub(crate) use run::{RepoCopy, render_plugin};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// A command: the program and its first arguments, then `args`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PluginCommand {
    /// The program and its first arguments (e.g. `[sh, -c]`).
    pub command: Vec<String>,
    /// More arguments.
    pub args: Vec<String>,
}

/// `discover.find`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PluginFind {
    /// A command run in the source directory: it matches when it succeeds and prints something.
    pub command: Vec<String>,
    /// More arguments of the command.
    pub args: Vec<String>,
    /// A glob (with `**`) matched against the files under the source directory.
    pub glob: String,
}

/// How a plugin recognises a source it handles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PluginDiscover {
    /// A glob relative to the source directory (`*` stays within one directory).
    pub file_name: String,
    /// A glob or a command.
    pub find: Option<PluginFind>,
}

/// The `spec` of a `ConfigManagementPlugin`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PluginSpec {
    /// Optional version; the plugin is then also known as `<name>-<version>`.
    pub version: String,
    /// Run before `generate` (e.g. `helm dependency build`).
    pub init: Option<PluginCommand>,
    /// Prints the manifests (a YAML or JSON stream) on standard output.
    pub generate: PluginCommand,
    /// How the plugin recognises sources without being named.
    pub discover: Option<PluginDiscover>,
    /// The parameters it announces (for user interfaces; not used to render).
    pub parameters: Option<serde_json::Value>,
    /// Accepted and ignored: the copy's files are never executable (run scripts
    /// with `sh script.sh`), as Argo CD without `preserveFileMode`.
    pub preserve_file_mode: bool,
    /// Accepted and ignored: plugins get no Git credentials.
    pub provide_git_creds: bool,
}

/// A config-management plugin, as Argo CD's `plugin.yaml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigManagementPlugin {
    /// `metadata.name`.
    pub name: String,
    /// `spec`.
    pub spec: PluginSpec,
}

/// Why a plugin definition could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct PluginDefinitionError {
    /// The file or ConfigMap.
    pub source_name: String,
    /// Why.
    pub message: String,
}

impl ConfigManagementPlugin {
    /// Reads a `plugin.yaml` (`kind: ConfigManagementPlugin`); `source_name`
    /// names it in errors.
    ///
    /// ```
    /// let p = driftless_render::ConfigManagementPlugin::from_yaml("plugin.yaml",
    ///     "apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\nmetadata: {name: cat}\n\
    ///      spec:\n  version: v1\n  generate: {command: [sh, -c], args: [cat *.yaml]}\n").unwrap();
    /// assert_eq!(p.full_name(), "cat-v1");
    /// ```
    pub fn from_yaml(source_name: &str, text: &str) -> Result<Self, PluginDefinitionError> {
        let fail = |message: String| PluginDefinitionError {
            source_name: source_name.to_string(),
            message,
        };
        let doc = crate::docs::parse_yaml(source_name, text, 100)
            .map_err(|e| fail(e.to_string()))?
            .into_iter()
            .next()
            .ok_or_else(|| fail("empty plugin definition".into()))?
            .value;
        if doc.get("kind").and_then(|k| k.as_str()) != Some("ConfigManagementPlugin") {
            return Err(fail("kind must be ConfigManagementPlugin".into()));
        }
        let name = doc
            .pointer("/metadata/name")
            .and_then(|n| n.as_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| fail("metadata.name is missing".into()))?
            .to_string();
        let spec: PluginSpec = serde_json::from_value(doc.get("spec").cloned().unwrap_or_default())
            .map_err(|e| fail(format!("spec: {e}")))?;
        if spec.generate.command.is_empty() {
            return Err(fail("spec.generate.command is missing".into()));
        }
        Ok(ConfigManagementPlugin { name, spec })
    }

    /// Reads a `plugin.yaml` file from disk.
    pub fn from_file(path: &std::path::Path) -> Result<Self, PluginDefinitionError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PluginDefinitionError {
            source_name: name.clone(),
            message: e.to_string(),
        })?;
        Self::from_yaml(&name, &text)
    }

    /// Reads the `plugin.yaml` key of a ConfigMap (as JSON or YAML), as Argo CD's
    /// sidecar examples ship plugins.
    pub fn from_config_map(
        source_name: &str,
        config_map: &serde_json::Value,
    ) -> Result<Self, PluginDefinitionError> {
        let text = config_map
            .pointer("/data/plugin.yaml")
            .and_then(|t| t.as_str())
            .ok_or_else(|| PluginDefinitionError {
                source_name: source_name.to_string(),
                message: "the ConfigMap has no data.plugin.yaml".into(),
            })?;
        Self::from_yaml(source_name, text)
    }

    /// The name an Application uses: `<name>-<version>`, or `<name>` without a version.
    pub fn full_name(&self) -> String {
        if self.spec.version.is_empty() {
            self.name.clone()
        } else {
            format!("{}-{}", self.name, self.spec.version)
        }
    }
}

/// One of the Application's `spec.source.plugin.parameters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PluginParameter {
    /// `name`.
    pub name: String,
    /// `string`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
    /// `array`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub array: Option<Vec<String>>,
    /// `map`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<BTreeMap<String, String>>,
}

/// The Application's `spec.source.plugin`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginSource {
    /// `name` (`<name>` or `<name>-<version>`); empty: chosen by discovery.
    pub name: String,
    /// `env`: given to the commands as `ARGOCD_ENV_<name>`, build variables substituted.
    pub env: Vec<(String, String)>,
    /// `parameters`: given as `PARAM_*` and `ARGOCD_APP_PARAMETERS`.
    pub parameters: Vec<PluginParameter>,
}

/// Plugins known to the renderer and the Application's choice.
#[derive(Debug, Clone)]
pub struct PluginOptions {
    /// The configured plugins, in discovery order.
    pub plugins: Vec<ConfigManagementPlugin>,
    /// The Application's `spec.source.plugin`; `None` when absent (a plugin
    /// whose discovery matches still takes the source, as in Argo CD).
    pub source: Option<PluginSource>,
    /// Time for `init` and `generate` together (default 90 s, Argo CD's).
    pub timeout: Duration,
    /// Let the commands reach the network (default: no, they run in an empty
    /// network namespace through `unshare`).
    pub allow_network: bool,
    /// `PATH` for the commands (default: the renderer's).
    pub path: Option<String>,
    /// Most bytes read from `generate`'s output (default 64 MiB).
    pub max_output: u64,
}

impl Default for PluginOptions {
    fn default() -> Self {
        PluginOptions {
            plugins: Vec::new(),
            source: None,
            timeout: Duration::from_secs(90),
            allow_network: false,
            path: None,
            max_output: 64 << 20,
        }
    }
}
