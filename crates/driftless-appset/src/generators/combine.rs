//! The combining generators: `matrix` (cartesian product of two children, the
//! second interpolated with each parameter set of the first) and `merge`
//! (the first child's sets, overridden by later children's sets with equal
//! `mergeKeys`).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::{Ctx, Level, transform};
use crate::error::AppSetError;
use crate::params::{combine_override, combine_strict, merge_override};
use crate::template::Params;

fn children<'v>(spec: &'v Value, at: &str, too_few: &str) -> Result<&'v Vec<Value>, AppSetError> {
    let gens = spec
        .get("generators")
        .and_then(Value::as_array)
        .ok_or_else(|| AppSetError::generator(at, "generators must be a list"))?;
    if gens.len() < 2 {
        return Err(AppSetError::generator(at, too_few));
    }
    Ok(gens)
}

/// Parameters of one child of a matrix or merge (Argo CD's `getParams`).
fn child_params(
    ctx: &Ctx<'_>,
    child: &Value,
    at: &str,
    interpolate: Option<&Params>,
    level: Level,
) -> Result<Vec<Params>, AppSetError> {
    let mut child = child.clone();
    // Selectors of a nested matrix/merge's children apply only with
    // `spec.applyNestedSelectors` (Argo CD issue #11982).
    if !ctx.apply_nested_selectors {
        for kind in ["matrix", "merge"] {
            if let Some(gens) = child
                .get_mut(kind)
                .and_then(|g| g.get_mut("generators"))
                .and_then(Value::as_array_mut)
            {
                for g in gens {
                    if let Some(o) = g.as_object_mut() {
                        o.remove("selector");
                    }
                }
            }
        }
    }
    let empty = Value::Object(Default::default());
    let mut t = transform(ctx, &child, at, &empty, interpolate, level)
        .map_err(|e| e.prefixed("child generator returned an error on parameter generation"))?;
    match t.len() {
        0 => Err(AppSetError::generator(
            at,
            "child generator generated no parameters",
        )),
        1 => Ok(t.remove(0).params),
        _ => Err(AppSetError::generator(
            at,
            "found more than one generator in matrix.Generators",
        )),
    }
}

pub(super) fn matrix(
    ctx: &Ctx<'_>,
    spec: &Value,
    at: &str,
    level: Level,
) -> Result<Vec<Params>, AppSetError> {
    let gens = children(
        spec,
        at,
        "found less than two generators, Matrix support only two",
    )?;
    if gens.len() > 2 {
        return Err(AppSetError::generator(
            at,
            "found more than two generators, Matrix support only two",
        ));
    }
    let first = child_params(ctx, &gens[0], &format!("{at}.generators[0]"), None, level)?;
    let mut out = Vec::new();
    for a in &first {
        let second = child_params(
            ctx,
            &gens[1],
            &format!("{at}.generators[1]"),
            Some(a),
            level,
        )?;
        for b in second {
            if ctx.renderer.is_go() {
                let mut tmp = Params::new();
                merge_override(&mut tmp, &b);
                merge_override(&mut tmp, a);
                out.push(tmp);
            } else {
                out.push(combine_strict(a, &b).map_err(|e| {
                    AppSetError::generator(
                        at,
                        format!("failed to combine string maps with merging params for the matrix generator: {e}"),
                    )
                })?);
            }
        }
    }
    Ok(out)
}

/// The key of a parameter set: JSON of `{mergeKey: value}` with sorted keys.
fn merge_key(keys: &[String], p: &Params) -> String {
    let m: BTreeMap<&str, &Value> = keys
        .iter()
        .map(|k| (k.as_str(), p.get(k).unwrap_or(&Value::Null)))
        .collect();
    serde_json::to_string(&m).unwrap_or_default()
}

fn by_key(
    keys: &[String],
    sets: Vec<Params>,
    at: &str,
) -> Result<Vec<(String, Params)>, AppSetError> {
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(sets.len());
    for p in sets {
        let k = merge_key(keys, &p);
        if seen.insert(k.clone(), ()).is_some() {
            return Err(AppSetError::generator(
                at,
                format!(
                    "the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was {k}"
                ),
            ));
        }
        out.push((k, p));
    }
    Ok(out)
}

pub(super) fn merge(
    ctx: &Ctx<'_>,
    spec: &Value,
    at: &str,
    level: Level,
) -> Result<Vec<Params>, AppSetError> {
    let gens = children(
        spec,
        at,
        "found less than two generators, Merge requires two or more",
    )?;
    let mut keys: Vec<String> = match spec.get("mergeKeys") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|k| k.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    if keys.is_empty() {
        return Err(AppSetError::generator(
            at,
            "no merge keys were specified, Merge requires at least one",
        ));
    }
    keys.sort();
    keys.dedup();
    let mut all = Vec::new();
    for (i, g) in gens.iter().enumerate() {
        let gat = format!("{at}.generators[{i}]");
        let sets = child_params(ctx, g, &gat, None, level).map_err(|e| {
            e.prefixed(&format!(
                "error getting params from generator {} of {}",
                i + 1,
                gens.len()
            ))
        })?;
        all.push(by_key(&keys, sets, &gat)?);
    }
    let mut base = all.remove(0);
    for overrides in all {
        let index: HashMap<&str, &Params> =
            overrides.iter().map(|(k, p)| (k.as_str(), p)).collect();
        for (k, p) in base.iter_mut() {
            if let Some(o) = index.get(k.as_str()) {
                if ctx.renderer.is_go() {
                    merge_override(p, o);
                } else {
                    *p = combine_override(p, o);
                }
            }
        }
    }
    Ok(base.into_iter().map(|(_, p)| p).collect())
}
