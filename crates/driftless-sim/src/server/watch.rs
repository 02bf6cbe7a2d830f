//! Watch over HTTP: a chunked stream of `{"type": ..., "object": ...}` lines, with
//! bookmarks, resourceVersion resume, `410 Gone` as an ERROR event, timeouts and
//! the initial-events-end bookmark of `sendInitialEvents`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::handlers::{include_object, selectors};
use super::request::{Ctx, Target};
use super::table::table;
use crate::registry::ResourceType;
use crate::status::ApiError;
use crate::store::for_version;

fn line(v: &Value) -> Bytes {
    let mut b = serde_json::to_vec(v).unwrap_or_default();
    b.push(b'\n');
    Bytes::from(b)
}

pub(crate) async fn watch(
    ctx: Ctx,
    rt: Arc<ResourceType>,
    t: Target,
) -> Result<Response, ApiError> {
    let (labels, fields) = selectors(&ctx, &rt)?;
    let mut fields = fields;
    if let Some(name) = &t.name {
        fields = crate::store::FieldSelector::parse(&format!("metadata.name={name}"), &[])?;
    }
    let rv = ctx.q("resourceVersion").unwrap_or("");
    let initial = ctx.flag("sendInitialEvents");
    let from = match rv {
        "" | "0" => None,
        n => Some(
            n.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {n}")))?,
        ),
    };
    let from = if initial { None } else { from };
    let bookmarks = ctx.flag("allowWatchBookmarks");
    let timeout = ctx
        .q("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let timeout = match ctx.drop_watch_after {
        Some(d) => timeout.min(d),
        None => timeout,
    };
    let as_table = ctx.wants_table();
    let include = include_object(&ctx);
    let store = ctx.app.store.clone();
    let interval = ctx.app.bookmark_interval;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    let stream = store.watch(&rt.resource_ref(), t.namespace.as_deref(), from);
    let wrap = {
        let rt = rt.clone();
        move |ty: &str, o: &Value| -> Value {
            let o = for_version(o, &rt);
            if as_table {
                let rv = o
                    .pointer("/metadata/resourceVersion")
                    .cloned()
                    .unwrap_or(json!(""));
                json!({"type": ty, "object": table(&rt, &[o], include, json!({"resourceVersion": rv}))})
            } else {
                json!({"type": ty, "object": o})
            }
        }
    };
    let bookmark = {
        let rt = rt.clone();
        move |rv: u64, end: bool| -> Value {
            let mut meta = json!({"resourceVersion": rv.to_string()});
            if end {
                meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            json!({"type": "BOOKMARK", "object": {"kind": rt.kind, "apiVersion": rt.api_version(), "metadata": meta}})
        }
    };
    match stream {
        Err(e) => {
            let _ = tx.try_send(line(&json!({"type": "ERROR", "object": e.to_status()})));
        }
        Ok(s) => {
            let mut s = s.with_selectors(labels, fields);
            let start_rv = store.resource_version();
            tokio::spawn(async move {
                let deadline = tokio::time::sleep(timeout);
                tokio::pin!(deadline);
                let mut ticker = tokio::time::interval(interval);
                ticker.tick().await;
                let mut initial_pending = initial && bookmarks;
                loop {
                    if initial_pending && !s.has_backlog() {
                        initial_pending = false;
                        if tx.send(line(&bookmark(start_rv, true))).await.is_err() {
                            return;
                        }
                    }
                    tokio::select! {
                        ev = s.next() => match ev {
                            Some((ty, o)) => {
                                if tx.send(line(&wrap(ty.as_str(), &o))).await.is_err() {
                                    return;
                                }
                            }
                            None => return,
                        },
                        _ = ticker.tick(), if bookmarks => {
                            if tx.send(line(&bookmark(store.resource_version(), false))).await.is_err() {
                                return;
                            }
                        }
                        _ = tx.closed() => return,
                        _ = &mut deadline => return,
                    }
                }
            });
        }
    }
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    }));
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::OK;
    let ct = if as_table {
        "application/json;as=Table;v=v1;g=meta.k8s.io"
    } else {
        "application/json"
    };
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    Ok(r)
}
