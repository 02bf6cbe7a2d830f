//! `driftless render`: one revision of a repository into the objects that would be applied.

use anyhow::Context;
use driftless_render::{DirFs, HelmOptions, RenderOptions, Rendered, SourceFs};
use driftless_source::{Credentials, RepoCache, RepoUrl, open_local};
use std::path::PathBuf;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// YAML documents separated by `---`.
    Yaml,
    /// A JSON `v1` `List`.
    Json,
}

/// Arguments of `driftless render`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Repository: an https://, http://, ssh://, git:// or file:// URL, `user@host:path`, or a local path.
    #[arg(long)]
    pub repo: String,
    /// Branch, tag, commit id (full or short) or HEAD.
    #[arg(long, default_value = "HEAD")]
    pub revision: String,
    /// Directory of the source inside the repository.
    #[arg(long, default_value = ".")]
    pub path: String,
    /// Directory sources: include subdirectories.
    #[arg(long)]
    pub recurse: bool,
    /// Directory sources: only files matching this glob (relative to --path; repeatable).
    #[arg(long = "include", value_name = "GLOB")]
    pub include: Vec<String>,
    /// Directory sources: skip files matching this glob (relative to --path; repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Fail on duplicate objects instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "yaml")]
    pub output: Output,
    /// Helm: values file relative to the chart directory (repeatable, in order).
    #[arg(long = "helm-values", value_name = "FILE")]
    pub helm_values: Vec<String>,
    /// Helm: `--set` style override key=value (repeatable).
    #[arg(long = "helm-set", value_name = "KEY=VALUE")]
    pub helm_set: Vec<String>,
    /// Helm: release name.
    #[arg(long)]
    pub release_name: Option<String>,
    /// Helm: release namespace.
    #[arg(long)]
    pub namespace: Option<String>,
    /// Helm: Kubernetes version for .Capabilities.KubeVersion.
    #[arg(long)]
    pub kube_version: Option<String>,
    /// Helm: extra API versions for .Capabilities.APIVersions (repeatable).
    #[arg(long = "api-versions", value_name = "VERSION")]
    pub api_versions: Vec<String>,
    /// Repository cache directory [default: $XDG_CACHE_HOME/driftless or ~/.cache/driftless].
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// HTTP user name.
    #[arg(long, env = "DRIFTLESS_GIT_USERNAME")]
    pub username: Option<String>,
    /// HTTP password (prefer the environment variable).
    #[arg(long, env = "DRIFTLESS_GIT_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// HTTP access token (prefer the environment variable).
    #[arg(long, env = "DRIFTLESS_GIT_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// SSH private key file (used with the system `ssh`).
    #[arg(long, value_name = "FILE")]
    pub ssh_key: Option<PathBuf>,
}

/// Runs `driftless render`.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    let rendered = tokio::task::spawn_blocking(move || render(&args).map(|r| (r, args.output)))
        .await
        .context("render task failed")??;
    let (rendered, output) = rendered;
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    let text = format(&rendered, output)?;
    print!("{text}");
    Ok(0)
}

fn options(args: &Args) -> RenderOptions {
    RenderOptions {
        recurse: args.recurse,
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        strict: args.strict,
        helm: HelmOptions {
            value_files: args.helm_values.clone(),
            set: args.helm_set.clone(),
            release_name: args.release_name.clone(),
            namespace: args.namespace.clone(),
            kube_version: args.kube_version.clone(),
            api_versions: args.api_versions.clone(),
        },
        ..Default::default()
    }
}

fn credentials(args: &Args, from_url: Credentials) -> Credentials {
    if let Some(key) = &args.ssh_key {
        return Credentials::SshKey {
            key_file: key.clone(),
            known_hosts: None,
        };
    }
    if let Some(t) = &args.token {
        return Credentials::Token(t.clone());
    }
    if let Some(p) = &args.password {
        return Credentials::Basic {
            username: args.username.clone().unwrap_or_default(),
            password: p.clone(),
        };
    }
    from_url
}

fn render(args: &Args) -> anyhow::Result<Rendered> {
    let opts = options(args);
    let local = PathBuf::from(&args.repo);
    let is_url = args.repo.contains("://") || (!local.exists() && args.repo.contains(':'));
    if !is_url && !local.exists() {
        anyhow::bail!("{}: no such repository directory", args.repo);
    }
    let fs: Box<dyn SourceFs> = if !is_url {
        match open_local(&local, &args.revision) {
            Ok((_, tree)) => Box::new(tree),
            // Not a Git repository: a plain directory, only at its current state.
            Err(_) if !is_git_repo(&local) && args.revision == "HEAD" => {
                Box::new(DirFs::new(local.clone()))
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        let (url, from_url) = RepoUrl::parse_with_credentials(&args.repo)?;
        let creds = credentials(args, from_url);
        let dir = args
            .cache_dir
            .clone()
            .unwrap_or_else(RepoCache::default_dir);
        let cache = RepoCache::new(dir)?;
        let (_, tree) = cache.checkout(&url, &creds, &args.revision)?;
        Box::new(tree)
    };
    Ok(driftless_render::render(fs.as_ref(), &args.path, &opts)?)
}

fn is_git_repo(path: &std::path::Path) -> bool {
    path.join(".git").exists() || (path.join("HEAD").is_file() && path.join("objects").is_dir())
}

fn format(rendered: &Rendered, output: Output) -> anyhow::Result<String> {
    Ok(match output {
        // YAML 1.1-safe: kubectl reads back exactly these objects.
        Output::Yaml => {
            driftless_core::yaml::to_string_multi(rendered.manifests.iter().map(|m| &m.object))
        }
        Output::Json => {
            let items: Vec<&serde_json::Value> =
                rendered.manifests.iter().map(|m| &m.object).collect();
            let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
            let mut s = serde_json::to_string_pretty(&list)?;
            s.push('\n');
            s
        }
    })
}
