//! Changes of tracked objects, seen by the engine's watches, requeue the Application that
//! tracks them: drift is noticed in seconds, not at the next poll.

use driftless_runtime::live::LiveChange;
use futures::Stream;
use kube::api::DynamicObject;
use kube::core::ApiResource;
use kube::runtime::reflector::ObjectRef;
use tokio::sync::broadcast;

/// The Applications whose tracked objects changed.
pub(crate) fn app_refs(
    mut changes: broadcast::Receiver<LiveChange>,
    namespace: String,
    resource: ApiResource,
) -> impl Stream<Item = ObjectRef<DynamicObject>> + Send + 'static {
    async_stream(move |tx| async move {
        loop {
            match changes.recv().await {
                Ok(change) => {
                    let method = driftless_apply::TrackingMethod::AnnotationAndLabel;
                    if let Some(app) = driftless_apply::owner_of(&change.meta, method) {
                        let r = ObjectRef::new_with(&app, resource.clone()).within(&namespace);
                        if tx.send(r).await.is_err() {
                            return;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(
                        missed = n,
                        "missed object changes; the next poll catches up"
                    );
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    })
}

/// A stream fed by a task through a channel.
fn async_stream<T, F, Fut>(f: F) -> impl Stream<Item = T> + Send + 'static
where
    T: Send + 'static,
    F: FnOnce(tokio::sync::mpsc::Sender<T>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(f(tx));
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) })
}
