//! `driftless render`: the objects `sync` would apply for the same target, without a cluster.

use super::target_args::TargetArgs;
use driftless_runtime::{HelmOutputFrom, Rendered, Target};
use driftless_source::Credentials;
use std::path::{Path, PathBuf};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// YAML documents separated by `---`.
    Yaml,
    /// A JSON `v1` `List`.
    Json,
    /// A Helm chart's output exactly as `helm template` prints it (`# Source:` lines, Helm's
    /// order, hooks last); Helm sources only.
    #[value(alias = "raw")]
    Helm,
}

/// Arguments of `driftless render`: the target flags of `plan`, `diff` and `sync`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    target: TargetArgs,
    /// Output format.
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "output-format",
        value_enum,
        default_value = "yaml"
    )]
    pub output: Output,
    /// With `-o helm`: print the charts' `crds/` files first, as `helm template --include-crds`.
    #[arg(long)]
    pub include_crds: bool,
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
    let json = match args.output {
        Output::Helm => return helm_output(&engine, &t, args.include_crds).await,
        Output::Json => true,
        Output::Yaml => false,
    };
    if args.include_crds {
        anyhow::bail!("--include-crds applies to --output-format helm only");
    }
    let rendered = if !t.is_multi_source() && is_plain_directory(&t)? {
        std::sync::Arc::new(engine.render_directory(&t).await?)
    } else {
        engine.render_at(&t, &t.revision).await?
    };
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    print!("{}", format(&rendered, json)?);
    Ok(0)
}

/// `-o helm`: the chart's output as `helm template` prints it.
async fn helm_output(
    engine: &driftless_runtime::Engine,
    t: &Target,
    include_crds: bool,
) -> anyhow::Result<u8> {
    let from = if is_plain_directory(t)? {
        HelmOutputFrom::Directory
    } else {
        HelmOutputFrom::Revision(&t.revision)
    };
    print!(
        "{}",
        engine.render_helm_output(t, from, include_crds).await?
    );
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

/// The objects as YAML documents, or as a JSON `v1` `List`.
fn format(rendered: &Rendered, json: bool) -> anyhow::Result<String> {
    Ok(match json {
        // YAML 1.1-safe: kubectl reads back exactly these objects.
        false => {
            driftless_core::yaml::to_string_multi(rendered.manifests.iter().map(|m| &m.object))
        }
        true => {
            let items: Vec<&serde_json::Value> =
                rendered.manifests.iter().map(|m| &m.object).collect();
            let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
            let mut s = serde_json::to_string_pretty(&list)?;
            s.push('\n');
            s
        }
    })
}
