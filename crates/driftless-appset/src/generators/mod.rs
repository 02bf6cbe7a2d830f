//! Generators: each turns its spec into parameter sets. [`transform`] is Argo
//! CD's `Transform`: interpolate (for a matrix's second child), generate,
//! filter by `selector`, and complete the generator's `template` from the set's.

pub(crate) mod clusters;
mod combine;
mod duck;
mod git;
mod list;
mod plugin;
mod pull_request;
pub(crate) mod requeue;
mod scm;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cluster::{ClusterReader, NoCluster};
use crate::error::AppSetError;
use crate::http::{HttpClient, NoHttp};
use crate::params::{fill_empty, label_set};
use crate::selector::LabelSelector;
use crate::source::GitSource;
use crate::template::{Params, Renderer};

/// What the generators read from outside the set.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// Git repositories, for the git generator.
    pub git: &'a dyn GitSource,
    /// Secrets of the Argo CD namespace (as JSON objects), for the clusters
    /// generator; those without `argocd.argoproj.io/secret-type: cluster` are
    /// ignored.
    pub cluster_secrets: &'a [Value],
    /// HTTP, for the plugin, `pullRequest` and `scmProvider` generators.
    pub http: &'a dyn HttpClient,
    /// The cluster's ConfigMaps, Secrets and duck-typed resources, for the
    /// plugin, `clusterDecisionResource`, `pullRequest` and `scmProvider`
    /// generators.
    pub cluster: &'a dyn ClusterReader,
}

impl<'a> Inputs<'a> {
    /// Inputs without network or cluster access ([`NoHttp`], [`NoCluster`]):
    /// the generators that need them fail with a clear error.
    pub fn offline(git: &'a dyn GitSource, cluster_secrets: &'a [Value]) -> Inputs<'a> {
        Inputs {
            git,
            cluster_secrets,
            http: &NoHttp,
            cluster: &NoCluster,
        }
    }
}

impl std::fmt::Debug for Inputs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("cluster_secrets", &self.cluster_secrets.len())
            .finish_non_exhaustive()
    }
}

/// Generator kinds in Argo CD's field order.
pub(crate) const KINDS: &[&str] = &[
    "list",
    "clusters",
    "git",
    "scmProvider",
    "clusterDecisionResource",
    "pullRequest",
    "plugin",
    "matrix",
    "merge",
];

/// Where a generator sits: top level (matrix and merge may hold matrix or
/// merge), inside a top-level matrix/merge (they may hold only plain
/// generators), or inside a nested one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Level {
    Top,
    Child,
    Grandchild,
}

pub(crate) struct Ctx<'a> {
    pub inputs: Inputs<'a>,
    pub renderer: &'a Renderer,
    pub set_name: &'a str,
    /// Namespace of the set: where `tokenRef` Secrets are read.
    pub set_namespace: &'a str,
    pub apply_nested_selectors: bool,
}

/// The parameter sets of one generator and the template they render.
pub(crate) struct Transformed {
    pub at: String,
    pub params: Vec<Params>,
    pub template: Value,
}

/// A generator filter's regular expression (`field` names it in the error, as Argo CD does).
pub(crate) fn compile_regex(
    field: &str,
    re: Option<&String>,
) -> Result<Option<regex::Regex>, String> {
    re.map(|r| {
        regex::Regex::new(r).map_err(|e| format!("error compiling {field} regexp {r:?}: {e}"))
    })
    .transpose()
}

pub(crate) fn parse<T: DeserializeOwned>(v: &Value, at: &str) -> Result<T, AppSetError> {
    serde_json::from_value(v.clone())
        .map_err(|e| AppSetError::generator(at, format!("invalid spec: {e}")))
}

/// Argo CD's `Transform` for one generator entry.
pub(crate) fn transform(
    ctx: &Ctx<'_>,
    entry: &Value,
    at: &str,
    base_template: &Value,
    interpolate: Option<&Params>,
    level: Level,
) -> Result<Vec<Transformed>, AppSetError> {
    let Some(obj) = entry.as_object() else {
        return Err(AppSetError::generator(at, "a generator must be an object"));
    };
    let selector: Option<LabelSelector> = match obj.get("selector") {
        None | Some(Value::Null) => None,
        Some(s) => Some(parse(s, &format!("{at}.selector"))?),
    };
    if let Some(s) = &selector {
        s.validate().map_err(|e| {
            AppSetError::generator(at, format!("error parsing label selector: {e}"))
        })?;
    }
    let entry = match interpolate {
        Some(p) if !p.is_empty() => ctx.renderer.render_value(entry, p).map_err(|e| {
            AppSetError::generator(
                at,
                format!("failed to replace parameters in generator: {e}"),
            )
        })?,
        _ => entry.clone(),
    };
    let mut out = Vec::new();
    let mut found = false;
    for kind in KINDS {
        let Some(spec) = entry.get(*kind).filter(|v| !v.is_null()) else {
            continue;
        };
        found = true;
        let gat = format!("{at}.{kind}");
        let mut template = spec
            .get("template")
            .filter(|t| !t.is_null())
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default()));
        fill_empty(&mut template, base_template);
        let params = match *kind {
            "list" => list::params(ctx, spec, &gat)?,
            "clusters" => clusters::params(ctx, spec, &gat)?,
            "git" => git::params(ctx, spec, &gat)?,
            "plugin" => plugin::params(ctx, spec, &gat)?,
            "clusterDecisionResource" => duck::params(ctx, spec, &gat)?,
            "pullRequest" => pull_request::params(ctx, spec, &gat)?,
            "scmProvider" => scm::params(ctx, spec, &gat)?,
            "matrix" | "merge" => {
                if level == Level::Grandchild {
                    return Err(AppSetError::generator(
                        &gat,
                        "matrix and merge generators can only be nested two levels deep",
                    ));
                }
                let child = if level == Level::Top {
                    Level::Child
                } else {
                    Level::Grandchild
                };
                if *kind == "matrix" {
                    combine::matrix(ctx, spec, &gat, child)?
                } else {
                    combine::merge(ctx, spec, &gat, child)?
                }
            }
            _ => unreachable!("every kind is dispatched"),
        };
        let params = match &selector {
            Some(s) => params
                .into_iter()
                .filter(|p| s.matches(&label_set(p)))
                .collect(),
            None => params,
        };
        out.push(Transformed {
            at: gat,
            params,
            template,
        });
    }
    if !found {
        return Err(AppSetError::generator(
            at,
            format!(
                "ApplicationSet {} contains unrecognized generators (known: {})",
                ctx.set_name,
                KINDS.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Appends the generator's `values` (each rendered with the parameters so far)
/// as `values.<key>` (fasttemplate) or a `values` map (Go templates).
pub(crate) fn append_values(
    ctx: &Ctx<'_>,
    values: &serde_json::Map<String, Value>,
    params: &mut Params,
    at: &str,
) -> Result<(), AppSetError> {
    if values.is_empty() {
        return Ok(());
    }
    let mut rendered = serde_json::Map::new();
    for (k, v) in values {
        let text = match v {
            Value::String(s) => s.clone(),
            other => {
                return Err(AppSetError::generator(
                    at,
                    format!("values.{k}: must be a string, got {other}"),
                ));
            }
        };
        let r = ctx.renderer.replace(&text, params).map_err(|e| {
            AppSetError::generator(
                at,
                format!("failed to append templated values: values.{k}: {e}"),
            )
        })?;
        rendered.insert(k.clone(), Value::String(r));
    }
    if ctx.renderer.is_go() {
        params.insert("values".into(), Value::Object(rendered));
    } else {
        for (k, v) in rendered {
            params.insert(format!("values.{k}"), v);
        }
    }
    Ok(())
}
