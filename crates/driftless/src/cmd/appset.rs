//! `driftless appset generate -f appset.yaml`: the Applications an ApplicationSet would produce,
//! without a cluster (git generators read their repositories through the engine's Git cache;
//! plugin, `pullRequest` and `scmProvider` generators call their services over HTTP; the
//! ConfigMaps, Secrets and duck-typed resources they read come from `--objects`, and without it
//! those generators fail with an error saying a cluster is needed).

use anyhow::Context as _;
use driftless_appset::{ClusterReader, MemCluster, NoCluster};
use driftless_controller::appset::{EngineGit, ReqwestHttp};
use driftless_runtime::{Engine, EngineConfig};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `driftless appset`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AppSetCommand,
}

#[derive(clap::Subcommand)]
enum AppSetCommand {
    /// Print the Applications the ApplicationSet(s) in a file would generate, as YAML.
    Generate(GenerateArgs),
}

/// Arguments of `driftless appset generate`.
#[derive(clap::Args)]
struct GenerateArgs {
    /// A YAML file holding one or more ApplicationSets (other documents are skipped).
    #[arg(short = 'f', long = "filename")]
    file: PathBuf,
    /// Cluster Secrets for the clusters generator (YAML, Argo CD's format; several documents
    /// or a `List`). Without it, only the local cluster `in-cluster` is known.
    #[arg(long)]
    cluster_secrets: Option<PathBuf>,
    /// Objects standing in for the cluster (YAML; several documents or a `List`): the plugin
    /// and `clusterDecisionResource` ConfigMaps, token Secrets, duck-typed resources
    /// (`PlacementDecision`s). Without it, generators that read the cluster fail.
    #[arg(long)]
    objects: Option<PathBuf>,
    /// The namespace of Argo CD's configuration in `--objects` (and of objects without one).
    #[arg(long, default_value = "argocd")]
    namespace: String,
    /// Git cache directory.
    #[arg(long, env = "DRIFTLESS_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

/// Runs `driftless appset …`.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        AppSetCommand::Generate(a) => generate(a).await,
    }
}

async fn generate(args: GenerateArgs) -> anyhow::Result<u8> {
    let sets: Vec<serde_json::Value> = read_documents(&args.file)?
        .into_iter()
        .filter(|d| d["kind"] == "ApplicationSet")
        .collect();
    if sets.is_empty() {
        anyhow::bail!("{}: no ApplicationSet in the file", args.file.display());
    }
    let secrets = read_objects(args.cluster_secrets.as_deref())?;
    let cluster: Option<MemCluster> = match &args.objects {
        Some(p) => Some(MemCluster::new(&args.namespace, read_objects(Some(p))?)),
        None => None,
    };
    let engine = Arc::new(Engine::new(EngineConfig {
        cache_dir: args
            .cache_dir
            .clone()
            .unwrap_or_else(driftless_source::RepoCache::default_dir),
        ..EngineConfig::default()
    })?);
    let handle = tokio::runtime::Handle::current();
    let file = args.file.display().to_string();
    let apps = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<serde_json::Value>> {
        let git = EngineGit::new(&engine, handle, false);
        let http = ReqwestHttp::default();
        let cluster: &dyn ClusterReader = match &cluster {
            Some(c) => c,
            None => &NoCluster,
        };
        let mut out = Vec::new();
        for set in &sets {
            let name = set["metadata"]["name"].as_str().unwrap_or_default();
            let apps = driftless_appset::generate(
                set,
                &driftless_appset::Inputs {
                    git: &git,
                    cluster_secrets: &secrets,
                    http: &http,
                    cluster,
                },
            )
            .with_context(|| format!("{file}: ApplicationSet {name}"))?;
            let invalid = driftless_appset::validate(name, &apps);
            if let Some(msg) = driftless_appset::validation_message(&invalid) {
                anyhow::bail!("{file}: {msg}");
            }
            out.extend(apps);
        }
        Ok(out)
    })
    .await??;
    print!("{}", driftless_core::yaml::to_string_multi(apps.iter()));
    Ok(0)
}

/// The objects of a YAML file (documents, `List`s flattened); none without a file.
fn read_objects(path: Option<&std::path::Path>) -> anyhow::Result<Vec<serde_json::Value>> {
    let Some(p) = path else {
        return Ok(Vec::new());
    };
    Ok(read_documents(p)?
        .into_iter()
        .flat_map(|d| match d["kind"].as_str() {
            Some("List") => d["items"].as_array().cloned().unwrap_or_default(),
            _ => vec![d],
        })
        .collect())
}

fn read_documents(path: &std::path::Path) -> anyhow::Result<Vec<serde_json::Value>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, doc) in serde_yaml_ng::Deserializer::from_str(&text).enumerate() {
        let v = serde_json::Value::deserialize(doc)
            .with_context(|| format!("{}: document {}", path.display(), i + 1))?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(out)
}
