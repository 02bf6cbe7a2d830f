//! Both controller loops — Applications and ApplicationSets — on one context, as
//! `driftless controller` runs them.

use crate::Env;
use driftless_controller::{Context, ControllerConfig};
use driftless_runtime::{Engine, EngineConfig};
use std::sync::Arc;

/// The two loops; both stopped (gracefully) when dropped.
pub struct RunningLoops {
    stop: tokio::sync::watch::Sender<bool>,
    /// The shared context.
    pub ctx: Arc<Context>,
}

impl Drop for RunningLoops {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl Env {
    /// Starts the Application loop and the ApplicationSet loop against this simulator.
    pub fn start_loops(&self, config: ControllerConfig) -> RunningLoops {
        let engine = Engine::new(EngineConfig {
            cache_dir: self.scratch().join("controller-cache"),
            ..EngineConfig::default()
        })
        .expect("engine")
        .with_client(self.cluster.client().clone());
        let ctx = Context::new(Arc::new(engine), self.cluster.client().clone(), config);
        let (stop, rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        tokio::spawn(driftless_controller::run(ctx.clone(), stopped(rx.clone())));
        tokio::spawn(driftless_controller::appset::run_appsets(
            ctx.clone(),
            stopped(rx),
        ));
        RunningLoops { stop, ctx }
    }
}
