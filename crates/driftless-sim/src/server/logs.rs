//! Pod logs (`/log`): synthetic lines per container, with `container`, `tailLines`,
//! `timestamps` and `follow`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::Value;

use super::request::Ctx;
use crate::registry::{ResourceRef, ResourceType};
use crate::status::ApiError;

/// The synthetic log of one container of a pod.
pub fn container_log(pod: &Value, container: &Value) -> Vec<(String, String)> {
    let start = pod
        .pointer("/status/startTime")
        .or(pod.pointer("/metadata/creationTimestamp"))
        .and_then(Value::as_str)
        .unwrap_or("1970-01-01T00:00:00Z")
        .to_string();
    let name = container.get("name").and_then(Value::as_str).unwrap_or("");
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let pod_name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut lines = vec![format!(
        "starting container {name} (image {image}) in pod {pod_name}"
    )];
    for p in container
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(port) = p.get("containerPort").and_then(Value::as_i64) {
            lines.push(format!("listening on port {port}"));
        }
    }
    let phase = pod
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending");
    lines.push(format!("pod phase {phase}"));
    lines.push("ready".to_string());
    lines.into_iter().map(|l| (start.clone(), l)).collect()
}

pub(crate) async fn logs(
    ctx: Ctx,
    rt: Arc<ResourceType>,
    ns: String,
    name: String,
) -> Result<Response, ApiError> {
    let store = ctx.app.store.clone();
    let r: ResourceRef = rt.resource_ref();
    let pod = store.get(&r, Some(&ns), &name)?;
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .collect();
    let container = match ctx.q("container") {
        Some(c) => containers
            .iter()
            .find(|x| x.get("name").and_then(Value::as_str) == Some(c))
            .cloned()
            .ok_or_else(|| {
                ApiError::bad_request(format!("container {c} is not valid for pod {name}"))
            })?,
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                names.join(" ")
            )));
        }
    };
    let timestamps = ctx.flag("timestamps");
    let fmt = move |ts: &str, l: &str| {
        if timestamps {
            let t = ts.trim_end_matches('Z');
            format!("{t}.000000000Z {l}\n")
        } else {
            format!("{l}\n")
        }
    };
    let mut lines = container_log(&pod, &container);
    if let Some(n) = ctx.q("tailLines").and_then(|s| s.parse::<usize>().ok()) {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let text: String = lines.iter().map(|(ts, l)| fmt(ts, l)).collect();
    let follow = ctx.flag("follow");
    let body = if follow {
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
        let _ = tx.try_send(Bytes::from(text));
        tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    _ = tx.closed() => return,
                }
                if store.get(&r, Some(&ns), &name).is_err() {
                    return;
                }
                n += 1;
                let now = crate::store::now_rfc3339();
                if tx
                    .send(Bytes::from(fmt(&now, &format!("heartbeat {n}"))))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
        Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
        }))
    } else {
        Body::from(text)
    };
    let mut resp = Response::new(body);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(resp)
}
