//! `driftless sim`.

/// Arguments of `driftless sim`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `driftless sim`.
pub async fn run(_args: Args) -> anyhow::Result<u8> {
    anyhow::bail!("sim is not implemented yet")
}
