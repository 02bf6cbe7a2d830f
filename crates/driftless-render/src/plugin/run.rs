//! Running a plugin's commands in a temporary copy of the repository, with
//! Argo CD's environment, a time limit and (by default) no network.

use super::{ConfigManagementPlugin, PluginCommand};
use crate::docs::{self, Document};
use crate::exec::{ExecError, Ran};
use crate::{RenderError, RenderOptions, RenderWarning, SourceFs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A temporary copy of the repository, made on first use.
#[derive(Default)]
pub(crate) struct RepoCopy {
    tmp: Option<tempfile::TempDir>,
    /// Files left out of the copy (over the size limit).
    pub warnings: Vec<RenderWarning>,
}

impl RepoCopy {
    fn root(&mut self, fs: &dyn SourceFs, opts: &RenderOptions) -> Result<PathBuf, RenderError> {
        if self.tmp.is_none() {
            let tmp = crate::kustomize::temp_dir("driftless-plugin-")?;
            let home = tmp.path().join("home");
            std::fs::create_dir(&home).map_err(|source| RenderError::Io {
                context: format!("creating {}", home.display()),
                source,
            })?;
            let repo = tmp.path().join("repo");
            crate::kustomize::materialize(fs, "", &repo, opts, &mut self.warnings)?;
            self.tmp = Some(tmp);
        }
        Ok(self.tmp.as_ref().expect("made above").path().to_path_buf())
    }

    /// The copy of repository directory `dir`.
    pub fn source_dir(
        &mut self,
        fs: &dyn SourceFs,
        dir: &str,
        opts: &RenderOptions,
    ) -> Result<PathBuf, RenderError> {
        let repo = self.root(fs, opts)?.join("repo");
        Ok(if dir.is_empty() { repo } else { repo.join(dir) })
    }

    fn base(&self) -> Option<&Path> {
        self.tmp.as_ref().map(|t| t.path())
    }
}

/// `PARAM_<NAME>` as Argo CD spells it: upper case, other characters `_`.
fn param_name(name: &str) -> String {
    name.to_uppercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The environment of a plugin command: nothing of the renderer's but `PATH`,
/// a private `HOME`, the build variables, `ARGOCD_ENV_*` and the parameters.
pub(crate) fn command_env(cmd: &mut Command, copy: &RepoCopy, logical: &str, opts: &RenderOptions) {
    let path = opts
        .plugin
        .path
        .clone()
        .or_else(|| std::env::var("PATH").ok())
        .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    cmd.env_clear().env("PATH", path);
    if let Some(base) = copy.base() {
        cmd.env("HOME", base.join("home"));
    }
    let vars = opts.env.vars(logical);
    if let Some(source) = &opts.plugin.source {
        for (name, value) in &source.env {
            cmd.env(format!("ARGOCD_ENV_{name}"), crate::envsubst(value, &vars));
        }
        let json = serde_json::to_string(&source.parameters).expect("parameters serialise");
        cmd.env("ARGOCD_APP_PARAMETERS", json);
        for p in &source.parameters {
            let base = format!("PARAM_{}", param_name(&p.name));
            if let Some(s) = &p.string {
                cmd.env(&base, s);
            }
            for (k, v) in p.map.iter().flatten() {
                cmd.env(format!("{base}_{}", param_name(k)), v);
            }
            for (i, v) in p.array.iter().flatten().enumerate() {
                cmd.env(format!("{base}_{i}"), v);
            }
        }
    }
    cmd.envs(vars);
}

/// A command for `argv` + `args`, inside an empty network namespace unless
/// the network is allowed.
pub(crate) fn command(argv: &[String], args: &[String], opts: &RenderOptions) -> Command {
    let mut cmd = if opts.plugin.allow_network {
        Command::new(&argv[0])
    } else {
        let mut c = Command::new("unshare");
        c.args(["--net", "--map-root-user", "--"]).arg(&argv[0]);
        c
    };
    cmd.args(&argv[1..]).args(args);
    cmd
}

struct Step<'a> {
    plugin: &'a ConfigManagementPlugin,
    logical: &'a str,
    what: &'static str,
}

impl Step<'_> {
    fn fail(&self, copy: &RepoCopy, message: String) -> RenderError {
        let message = match copy.base() {
            Some(base) => {
                let repo = base.join("repo").display().to_string();
                message.replace(&format!("{repo}/"), "").replace(&repo, ".")
            }
            None => message,
        };
        RenderError::Plugin {
            path: if self.logical.is_empty() {
                ".".into()
            } else {
                self.logical.to_string()
            },
            plugin: self.plugin.full_name(),
            message: format!("{}: {message}", self.what),
        }
    }

    fn run(
        &self,
        c: &PluginCommand,
        cwd: &Path,
        copy: &RepoCopy,
        deadline: Instant,
        opts: &RenderOptions,
    ) -> Result<Ran, RenderError> {
        if c.command.is_empty() {
            return Err(self.fail(copy, "the plugin gives no command".into()));
        }
        let mut cmd = command(&c.command, &c.args, opts);
        cmd.current_dir(cwd);
        command_env(&mut cmd, copy, self.logical, opts);
        match crate::exec::run(&mut cmd, deadline, opts.plugin.max_output) {
            Ok(ran) if ran.status.success() => Ok(ran),
            Ok(ran) => {
                let stderr = String::from_utf8_lossy(&ran.stderr);
                let stderr = stderr.trim();
                if !opts.plugin.allow_network && stderr.starts_with("unshare:") {
                    return Err(self.fail(
                        copy,
                        format!(
                            "cannot run without network access ({stderr}); \
                             allow the network to run this plugin here"
                        ),
                    ));
                }
                Err(self.fail(copy, format!("{stderr} ({})", ran.status)))
            }
            Err(ExecError::Spawn(e)) => {
                Err(self.fail(copy, format!("cannot run {}: {e}", c.command[0])))
            }
            Err(ExecError::Timeout) => Err(self.fail(
                copy,
                format!("timed out after {} s", opts.plugin.timeout.as_secs_f64()),
            )),
            Err(ExecError::TooMuchOutput) => Err(self.fail(
                copy,
                format!("output is over {} bytes", opts.plugin.max_output),
            )),
            Err(ExecError::Wait(e)) => Err(self.fail(copy, e.to_string())),
        }
    }
}

/// Runs `plugin` on the source in repository directory `dir` (shown as `logical`).
pub(crate) fn render_plugin(
    fs: &dyn SourceFs,
    dir: &str,
    logical: &str,
    plugin: &ConfigManagementPlugin,
    opts: &RenderOptions,
    copy: &mut RepoCopy,
) -> Result<Vec<Document>, RenderError> {
    let cwd = copy.source_dir(fs, dir, opts)?;
    let deadline = Instant::now() + opts.plugin.timeout;
    let mut step = Step {
        plugin,
        logical,
        what: "init",
    };
    if let Some(init) = plugin.spec.init.as_ref().filter(|c| !c.command.is_empty()) {
        step.run(init, &cwd, copy, deadline, opts)?;
    }
    step.what = "generate";
    let ran = step.run(&plugin.spec.generate, &cwd, copy, deadline, opts)?;
    let text =
        String::from_utf8(ran.stdout).map_err(|_| step.fail(copy, "output is not UTF-8".into()))?;
    let file = format!("{} (plugin {})", step_path(logical), plugin.full_name());
    docs::parse_yaml_bounded(&file, &text, opts.limits.max_depth, opts.limits.max_nodes)
}

fn step_path(logical: &str) -> &str {
    if logical.is_empty() { "." } else { logical }
}
