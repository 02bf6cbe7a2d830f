//! The plugin generator: parameters from an HTTP service. The ConfigMap
//! `configMapRef.name` (Argo CD's namespace) gives `baseUrl`, `token` (`$secret:key`
//! or `$key` of `argocd-secret`) and optionally `requestTimeout` (seconds); the
//! generator POSTs `{"applicationSetName", "input": {"parameters"}}` to
//! `<baseUrl>/api/v1/getparams.execute` with `Authorization: Bearer <token>` and
//! takes one parameter set per element of the answer's `output.parameters`,
//! plus `generator.input.parameters` and `values`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Ctx, append_values, parse};
use crate::cluster::{config_map_data, plugin_token};
use crate::error::AppSetError;
use crate::http::{HttpRequest, send_json};
use crate::params::{flatten, go_sprint};
use crate::template::Params;

/// The path Argo CD calls under the plugin's `baseUrl`.
pub const PLUGIN_PATH: &str = "api/v1/getparams.execute";
/// Argo CD's plugin HTTP client timeout when `requestTimeout` is not set.
const DEFAULT_TIMEOUT_SECS: u64 = 30;

#[derive(Deserialize)]
struct PluginSpec {
    #[serde(rename = "configMapRef")]
    config_map_ref: ConfigMapRef,
    #[serde(default)]
    input: PluginInput,
    #[serde(default)]
    values: Map<String, Value>,
}

#[derive(Deserialize)]
struct ConfigMapRef {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
struct PluginInput {
    #[serde(default)]
    parameters: Map<String, Value>,
}

/// Where and how to call one plugin, from its ConfigMap.
struct Endpoint {
    url: String,
    token: String,
    timeout: Duration,
}

fn endpoint(ctx: &Ctx<'_>, name: &str) -> Result<Endpoint, String> {
    let cluster = ctx.inputs.cluster;
    let ns = cluster.argocd_namespace();
    let cm = cluster
        .config_map(&ns, name)
        .map_err(|e| format!("error fetching ConfigMap: {e}"))?
        .ok_or_else(|| format!("error fetching ConfigMap: configmaps {name:?} not found"))?;
    let data = config_map_data(&cm);
    let field = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or_default();
    if field("baseUrl").is_empty() {
        return Err("error fetching ConfigMap: baseUrl not found in ConfigMap".into());
    }
    if field("token").is_empty() {
        return Err("error fetching ConfigMap: token not found in ConfigMap".into());
    }
    let token = plugin_token(cluster, field("token"))
        .map_err(|e| format!("error fetching Secret token: {e}"))?;
    let timeout = match data.get("requestTimeout").and_then(Value::as_str) {
        None => DEFAULT_TIMEOUT_SECS,
        Some(t) => match t.trim().parse::<u64>() {
            Ok(0) => DEFAULT_TIMEOUT_SECS,
            Ok(n) => n,
            Err(_) => return Err(format!("error set requestTimeout: {t:?} is not an integer")),
        },
    };
    let base = field("baseUrl");
    let url = format!("{}/{PLUGIN_PATH}", base.trim_end_matches('/'));
    Ok(Endpoint {
        url,
        token,
        timeout: Duration::from_secs(timeout),
    })
}

/// Calls the plugin; its `output.parameters`.
fn call(ctx: &Ctx<'_>, ep: &Endpoint, input: &Map<String, Value>) -> Result<Vec<Value>, String> {
    let body = json!({
        "applicationSetName": ctx.set_name,
        "input": {"parameters": input},
    });
    let mut req = HttpRequest::post(&ep.url, body)
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {}", ep.token));
    req.timeout = Some(ep.timeout);
    let (answer, _) = send_json(ctx.inputs.http, &req, &[&ep.token]).map_err(|e| {
        format!(
            "error listing params: error get api '{}': {e}",
            ctx.set_name
        )
    })?;
    match answer.pointer("/output/parameters") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(other) => Err(format!(
            "error listing params: output.parameters must be a list of objects, got {other}"
        )),
    }
}

pub(super) fn params(ctx: &Ctx<'_>, spec: &Value, at: &str) -> Result<Vec<Params>, AppSetError> {
    let spec: PluginSpec = parse(spec, at)?;
    let err = |m: String| AppSetError::generator(at, m);
    let ep = endpoint(ctx, &spec.config_map_ref.name)
        .map_err(|e| err(format!("error getting plugin from generator: {e}")))?;
    let found = call(ctx, &ep, &spec.input.parameters).map_err(err)?;
    let generator = json!({"input": {"parameters": spec.input.parameters}});
    let mut out = Vec::with_capacity(found.len());
    for (i, object) in found.into_iter().enumerate() {
        let Value::Object(object) = object else {
            return Err(err(format!(
                "error generating params: output.parameters[{i}] is not an object"
            )));
        };
        let mut p = if ctx.renderer.is_go() {
            object
        } else {
            // fasttemplate: flattened with dots, every value printed with Go's %v.
            flatten(&object)
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        other => go_sprint(&other),
                    };
                    (k, Value::String(s))
                })
                .collect()
        };
        p.insert("generator".into(), generator.clone());
        append_values(ctx, &spec.values, &mut p, at)?;
        out.push(p);
    }
    Ok(out)
}
