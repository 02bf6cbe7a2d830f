//! `driftless render`: the objects `sync` would apply for the same target, without a cluster.

use super::target_args::TargetArgs;
use driftless_runtime::{Rendered, Target};
use driftless_source::Credentials;
use std::path::{Path, PathBuf};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// YAML documents separated by `---`.
    Yaml,
    /// A JSON `v1` `List`.
    Json,
}

/// Arguments of `driftless render`: the target flags of `plan`, `diff` and `sync`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    target: TargetArgs,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "yaml")]
    pub output: Output,
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
    let mut t = args.target.target()?;
    if let Some(c) = credentials(&args) {
        t.credentials = c;
    }
    let engine = args.target.engine()?;
    let rendered = if is_plain_directory(&t)? {
        std::sync::Arc::new(engine.render_directory(&t).await?)
    } else {
        engine.render_at(&t, &t.revision).await?
    };
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    print!("{}", format(&rendered, args.output)?);
    Ok(0)
}

/// A local path that is not a Git repository is read as it is (only at `HEAD`: it has no
/// other revision).
fn is_plain_directory(t: &Target) -> anyhow::Result<bool> {
    let local = Path::new(&t.repo);
    let is_url = t.repo.contains("://") || (!local.exists() && t.repo.contains(':'));
    if t.chart.is_some() {
        // A chart repository or OCI registry (`spec.source.chart`), never a directory.
        return Ok(false);
    }
    if is_url {
        return Ok(false);
    }
    if !local.exists() {
        anyhow::bail!("{}: no such repository directory", t.repo);
    }
    let git = local.join(".git").exists()
        || (local.join("HEAD").is_file() && local.join("objects").is_dir());
    Ok(!git && t.revision == "HEAD")
}

/// Credentials given as flags (they win over `DRIFTLESS_GIT_*` and the URL's).
fn credentials(args: &Args) -> Option<Credentials> {
    if let Some(key) = &args.ssh_key {
        return Some(Credentials::SshKey {
            key_file: key.clone(),
            known_hosts: None,
        });
    }
    if let Some(t) = &args.token {
        return Some(Credentials::Token(t.clone()));
    }
    args.password.as_ref().map(|p| Credentials::Basic {
        username: args.username.clone().unwrap_or_default(),
        password: p.clone(),
    })
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
