//! `driftless render`.

/// Arguments of `driftless render`.
#[derive(clap::Args)]
pub struct Args {
    /// Repository URL or local path.
    #[arg(long)]
    pub repo: String,
}

/// Runs `driftless render`.
pub async fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("render is not implemented yet")
}
