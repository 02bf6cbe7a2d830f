//! Flags that name what to sync (`-f application.yaml` or `--repo/--path/...`) and how to reach the
//! cluster, shared by `plan`, `diff` and `sync`.

use anyhow::Context;
use driftless_runtime::{Application, RenderSettings, Target};
use std::path::PathBuf;

/// Source, destination and render flags.
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// An Argo CD Application manifest; source and destination are read from it.
    #[arg(short = 'f', long = "file", value_name = "APPLICATION_YAML")]
    pub application: Option<PathBuf>,
    /// Repository URL or local path (instead of -f).
    #[arg(long, required_unless_present = "application")]
    pub repo: Option<String>,
    /// Revision: branch, tag, commit or HEAD (overrides the Application's targetRevision).
    #[arg(long)]
    pub revision: Option<String>,
    /// Directory inside the repository.
    #[arg(long)]
    pub path: Option<String>,
    /// Namespace for namespaced objects that name none (also Helm's release namespace).
    #[arg(long, visible_alias = "namespace")]
    pub dest_namespace: Option<String>,
    /// Application name used for tracking (default: the path's last component).
    #[arg(long)]
    pub app_name: Option<String>,
    /// Recurse into subdirectories (directory sources).
    #[arg(long)]
    pub recurse: bool,
    /// Only files matching this glob (repeatable).
    #[arg(long)]
    pub include: Vec<String>,
    /// Skip files matching this glob (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Duplicate objects are errors, not warnings.
    #[arg(long)]
    pub strict: bool,
    /// Helm value file, relative to the chart directory (repeatable).
    #[arg(long = "helm-values", value_name = "FILE")]
    pub helm_values: Vec<String>,
    /// Helm --set expression (repeatable).
    #[arg(long = "helm-set", value_name = "K=V")]
    pub helm_set: Vec<String>,
    /// Helm --set-string expression (repeatable).
    #[arg(long = "helm-set-string", value_name = "K=V")]
    pub helm_set_string: Vec<String>,
    /// Helm --set-file parameter: the value is the text of PATH, relative to the chart
    /// directory (repeatable).
    #[arg(long = "helm-set-file", value_name = "K=PATH", value_parser = key_and_path)]
    pub helm_set_file: Vec<(String, String)>,
    /// Helm release name (default: the application name).
    #[arg(long)]
    pub release_name: Option<String>,
    /// Kubernetes version for Helm's .Capabilities: the destination cluster's (an
    /// Application's helm.kubeVersion wins, as in Argo CD).
    #[arg(long)]
    pub kube_version: Option<String>,
    /// Extra API versions for Helm's .Capabilities.APIVersions: the destination cluster's
    /// (an Application's helm.apiVersions win, as in Argo CD) (repeatable).
    #[arg(long = "api-versions")]
    pub api_versions: Vec<String>,
    /// How objects are marked as the application's: annotation (Argo CD's default),
    /// label (`app.kubernetes.io/instance`) or annotation+label.
    #[arg(long, value_enum, default_value_t = Tracking::Annotation)]
    pub tracking_method: Tracking,
    /// Git cache directory.
    #[arg(long, env = "DRIFTLESS_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Config-management plugin definitions: a ConfigManagementPlugin YAML file, or a
    /// directory of them (repeatable).
    #[arg(long = "plugins", value_name = "PATH")]
    pub plugins: Vec<PathBuf>,
}

/// A relative local `repoURL` of the Application in `file` is relative to its directory.
fn relative_to(file: &std::path::Path, repo: &mut String) {
    if repo.contains("://") || repo.contains('@') {
        return;
    }
    let base = file.parent().filter(|p| !p.as_os_str().is_empty());
    let joined = base
        .map(|b| b.join(&*repo))
        .unwrap_or_else(|| PathBuf::from(&*repo));
    if joined.exists() {
        *repo = joined.to_string_lossy().into_owned();
    }
}

/// `key=path` of `--helm-set-file`.
fn key_and_path(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, p)) if !k.is_empty() && !p.is_empty() => Ok((k.to_string(), p.to_string())),
        _ => Err(format!("{s:?}: expected KEY=PATH")),
    }
}

/// Tracking methods (Argo CD's `application.resourceTrackingMethod`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracking {
    /// `argocd.argoproj.io/tracking-id` annotation.
    Annotation,
    /// `app.kubernetes.io/instance` label.
    Label,
    /// Both.
    #[value(name = "annotation+label")]
    AnnotationAndLabel,
}

impl TargetArgs {
    /// The target these flags describe.
    pub fn target(&self) -> anyhow::Result<Target> {
        let mut t = match &self.application {
            Some(file) => {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let app = Application::from_yaml(&text)
                    .with_context(|| format!("in {}", file.display()))?;
                let mut t = Target::from_application(&app)?;
                // A relative local repoURL is relative to the manifest's directory.
                relative_to(file, &mut t.repo);
                for s in &mut t.sources {
                    relative_to(file, &mut s.repo);
                }
                if t.is_multi_source()
                    && (self.repo.is_some() || self.revision.is_some() || self.path.is_some())
                {
                    anyhow::bail!(
                        "{}: --repo, --revision and --path apply to one source; this Application has spec.sources",
                        file.display()
                    );
                }
                t
            }
            None => {
                let path = self.path.clone().unwrap_or_else(|| ".".into());
                Target {
                    app: Target::default_app_name(&path),
                    repo: self.repo.clone().unwrap_or_default(),
                    revision: "HEAD".into(),
                    path,
                    namespace: "default".into(),
                    ..Target::default()
                }
            }
        };
        if let Some(r) = &self.repo {
            t.repo = r.clone();
        }
        if let Some(r) = &self.revision {
            t.revision = r.clone();
        }
        if let Some(p) = &self.path {
            t.path = p.clone();
        }
        if let Some(ns) = &self.dest_namespace {
            t.namespace = ns.clone();
        }
        if t.namespace.is_empty() {
            t.namespace = "default".into();
        }
        if let Some(n) = &self.app_name {
            t.app = n.clone();
        }
        self.render_flags(&mut t.render);
        for s in &mut t.sources {
            self.render_flags(&mut s.render);
        }
        t.credentials = credentials_from_env();
        t.tracking = match self.tracking_method {
            Tracking::Annotation => driftless_apply::TrackingMethod::Annotation,
            Tracking::Label => driftless_apply::TrackingMethod::Label,
            Tracking::AnnotationAndLabel => driftless_apply::TrackingMethod::AnnotationAndLabel,
        };
        Ok(t)
    }

    /// The render flags, on top of what the Application says (every source of it).
    fn render_flags(&self, r: &mut RenderSettings) {
        r.recurse |= self.recurse;
        r.include.extend(self.include.iter().cloned());
        r.exclude.extend(self.exclude.iter().cloned());
        r.strict |= self.strict;
        r.helm_values.extend(self.helm_values.iter().cloned());
        r.helm_set.extend(self.helm_set.iter().cloned());
        r.helm_set_string
            .extend(self.helm_set_string.iter().cloned());
        r.helm_set_file.extend(self.helm_set_file.iter().cloned());
        if self.release_name.is_some() {
            r.release_name = self.release_name.clone();
        }
        if self.kube_version.is_some() {
            r.kube_version = self.kube_version.clone();
        }
        r.api_versions.extend(self.api_versions.iter().cloned());
    }

    /// An engine with no cluster, using these flags' Git cache.
    pub fn engine(&self) -> anyhow::Result<driftless_runtime::Engine> {
        Ok(driftless_runtime::Engine::new(
            driftless_runtime::EngineConfig {
                cache_dir: self.cache_dir(),
                plugins: self.plugins.clone(),
                ..Default::default()
            },
        )?)
    }

    /// The Git cache directory.
    pub fn cache_dir(&self) -> PathBuf {
        self.cache_dir
            .clone()
            .unwrap_or_else(driftless_source::RepoCache::default_dir)
    }
}

/// Repository credentials from `DRIFTLESS_GIT_TOKEN`, or `DRIFTLESS_GIT_USERNAME` +
/// `DRIFTLESS_GIT_PASSWORD`, or `DRIFTLESS_GIT_SSH_KEY`.
fn credentials_from_env() -> driftless_source::Credentials {
    use driftless_source::Credentials;
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    if let Some(token) = var("DRIFTLESS_GIT_TOKEN") {
        return Credentials::Token(token);
    }
    if let (Some(username), Some(password)) =
        (var("DRIFTLESS_GIT_USERNAME"), var("DRIFTLESS_GIT_PASSWORD"))
    {
        return Credentials::Basic { username, password };
    }
    if let Some(key) = var("DRIFTLESS_GIT_SSH_KEY") {
        return Credentials::SshKey {
            key_file: key.into(),
            known_hosts: var("DRIFTLESS_GIT_KNOWN_HOSTS").map(Into::into),
        };
    }
    Credentials::None
}

/// How to reach the cluster.
#[derive(clap::Args, Debug, Clone)]
pub struct ClusterArgs {
    /// Kubeconfig file (default: $KUBECONFIG or ~/.kube/config).
    #[arg(long, env = "KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context.
    #[arg(long)]
    pub context: Option<String>,
    /// Use an embedded simulated cluster started for this command.
    #[cfg(feature = "sim")]
    #[arg(long, conflicts_with_all = ["kubeconfig", "context"])]
    pub sim: bool,
}

/// The embedded simulator's handle (the `sim` feature); without the feature
/// there is none, and `Connected::sim` is always `None`.
#[cfg(feature = "sim")]
pub type SimHandle = driftless_sim::ClusterHandle;
/// The embedded simulator's handle (the `sim` feature); without the feature
/// there is none, and `Connected::sim` is always `None`.
#[cfg(not(feature = "sim"))]
pub type SimHandle = std::convert::Infallible;

/// A connected engine; holds the embedded simulator alive when `--sim` is used.
pub struct Connected {
    /// The engine, connected to the cluster.
    pub engine: driftless_runtime::Engine,
    /// The embedded simulator, if any.
    pub sim: Option<SimHandle>,
}

impl ClusterArgs {
    /// Connects an engine (starting the simulator with `--sim`).
    pub async fn connect(&self, target: &TargetArgs) -> anyhow::Result<Connected> {
        let (config, sim) = if let Some(handle) = self.simulator().await? {
            (sim_kubeconfig(&handle), Some(handle))
        } else {
            (cluster_config(&self.kubeconfig, &self.context), None)
        };
        let engine = target.engine()?.connect(&config).await?;
        Ok(Connected { engine, sim })
    }

    /// Starts the embedded simulator when `--sim` is given.
    #[cfg(feature = "sim")]
    async fn simulator(&self) -> anyhow::Result<Option<SimHandle>> {
        if !self.sim {
            return Ok(None);
        }
        let handle = driftless_sim::Cluster::start(driftless_sim::ClusterConfig::default())
            .await
            .context("cannot start the simulated cluster")?;
        Ok(Some(handle))
    }

    /// Built without the `sim` feature: there is no `--sim`.
    #[cfg(not(feature = "sim"))]
    async fn simulator(&self) -> anyhow::Result<Option<SimHandle>> {
        Ok(None)
    }
}

#[cfg(feature = "sim")]
fn sim_kubeconfig(handle: &SimHandle) -> driftless_runtime::ClusterConfig {
    driftless_runtime::ClusterConfig::Yaml(handle.kubeconfig().to_string())
}

#[cfg(not(feature = "sim"))]
fn sim_kubeconfig(handle: &SimHandle) -> driftless_runtime::ClusterConfig {
    match *handle {}
}

/// The cluster a `--kubeconfig` / `--context` pair names (the environment's when neither).
pub fn cluster_config(
    kubeconfig: &Option<PathBuf>,
    context: &Option<String>,
) -> driftless_runtime::ClusterConfig {
    use driftless_runtime::ClusterConfig;
    match (kubeconfig, context) {
        (Some(path), context) => ClusterConfig::File {
            path: path.clone(),
            context: context.clone(),
        },
        (None, Some(ctx)) => ClusterConfig::Context(ctx.clone()),
        (None, None) => ClusterConfig::Infer,
    }
}
