//! `driftless plan`, `diff` and `sync`.

/// Arguments of `driftless plan`.
#[derive(clap::Args)]
pub struct PlanArgs {}
/// Arguments of `driftless diff`.
#[derive(clap::Args)]
pub struct DiffArgs {}
/// Arguments of `driftless sync`.
#[derive(clap::Args)]
pub struct SyncArgs {}

/// Runs `driftless plan`.
pub async fn plan(_args: PlanArgs) -> anyhow::Result<u8> {
    anyhow::bail!("plan is not implemented yet")
}
/// Runs `driftless diff`.
pub async fn diff(_args: DiffArgs) -> anyhow::Result<u8> {
    anyhow::bail!("diff is not implemented yet")
}
/// Runs `driftless sync`.
pub async fn sync(_args: SyncArgs) -> anyhow::Result<u8> {
    anyhow::bail!("sync is not implemented yet")
}
