//! Coalescing user values with chart defaults (Helm's
//! `pkg/chartutil/coalesce.go`, as in helm v3.21 / v4.1).
//!
//! * user values win over chart defaults; maps merge deeply;
//! * in *coalesce* mode a user `null` deletes the key (also from subchart
//!   defaults); in *merge* mode (import-values) nulls are kept;
//! * a parent's `global` values are copied into every subchart's `global`.

use serde_json::Value as Json;

use super::Values;
use crate::chart::Chart;

/// Coalesces `vals` (user-supplied) with the chart's defaults and its
/// subcharts' defaults (`CoalesceValues`).
///
/// ```
/// use driftless_helm::{MemFs, load_chart};
/// use driftless_helm::values::coalesce::coalesce_values;
/// let mut fs = MemFs::default();
/// fs.insert("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
/// fs.insert("values.yaml", "a: {b: 1, c: 2}\nd: 3\n");
/// let chart = load_chart(&fs, "").unwrap();
/// let user = serde_json::json!({"a": {"b": "x", "c": null}}).as_object().unwrap().clone();
/// let v = coalesce_values(&chart, &user);
/// assert_eq!(serde_json::Value::Object(v), serde_json::json!({"a": {"b": "x"}, "d": 3.0}));
/// ```
pub fn coalesce_values(chart: &Chart, vals: &Values) -> Values {
    let mut v = vals.clone();
    coalesce(chart, &mut v, false);
    v
}

/// Like [`coalesce_values`] but keeps nulls (`MergeValues`).
pub fn merge_values(chart: &Chart, vals: &Values) -> Values {
    let mut v = vals.clone();
    coalesce(chart, &mut v, true);
    v
}

/// Coalesces `src` into `dst` (dst wins), deleting keys whose dst value
/// is null (`CoalesceTables`).
pub fn coalesce_tables(dst: &mut Values, src: &Values) {
    tables(dst, src.clone(), false);
}

/// Merges `src` into `dst` (dst wins), keeping nulls (`MergeTables`).
pub fn merge_tables(dst: &mut Values, src: &Values) {
    tables(dst, src.clone(), true);
}

fn coalesce(chart: &Chart, dest: &mut Values, merge: bool) {
    coalesce_chart_values(chart, dest, merge);
    coalesce_deps(chart, dest, merge);
}

fn coalesce_deps(chart: &Chart, dest: &mut Values, merge: bool) {
    for sub in &chart.dependencies {
        let name = sub.name().to_string();
        match dest.get(&name) {
            None => {
                dest.insert(name.clone(), Json::Object(Values::new()));
            }
            Some(Json::Object(_)) => {}
            // Helm fails with "type mismatch"; keep the user's value.
            Some(_) => continue,
        }
        let globals = dest.get("global").cloned();
        if let Some(Json::Object(dv)) = dest.get_mut(&name) {
            coalesce_globals(dv, globals.as_ref());
            coalesce(sub, dv, merge);
        }
    }
}

/// Copies the parent's `global` map into `dest["global"]` (parent wins).
fn coalesce_globals(dest: &mut Values, src_global: Option<&Json>) {
    let mut dg = match dest.get("global") {
        None => Values::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => return,
    };
    let sg = match src_global {
        None => Values::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => return,
    };
    for (key, val) in sg {
        match val {
            Json::Object(vv) => {
                let mut vv = vv;
                match dg.get(&key) {
                    None => {
                        dg.insert(key, Json::Object(vv));
                    }
                    Some(Json::Object(destv)) => {
                        tables(&mut vv, destv.clone(), true);
                        dg.insert(key, Json::Object(vv));
                    }
                    Some(_) => {}
                }
            }
            other => {
                if matches!(dg.get(&key), Some(Json::Object(_))) {
                    continue;
                }
                dg.insert(key, other);
            }
        }
    }
    dest.insert("global".into(), Json::Object(dg));
}

fn coalesce_chart_values(chart: &Chart, v: &mut Values, merge: bool) {
    for (key, val) in &chart.values {
        match v.get_mut(key) {
            Some(value) => {
                if value.is_null() && !merge {
                    v.remove(key);
                } else if let Json::Object(dest) = value
                    && let Json::Object(src) = val
                {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    tables(dest, src.clone(), merge);
                }
            }
            None => {
                v.insert(key.clone(), val.clone());
            }
        }
    }
}

/// `coalesceTablesFullKey`: merges `src` into `dst`, `dst` being
/// authoritative.
fn tables(dst: &mut Values, mut src: Values, merge: bool) {
    for (key, val) in dst.iter() {
        if val.is_null() {
            src.insert(key.clone(), Json::Null);
        }
    }
    for (key, val) in src {
        match dst.get_mut(&key) {
            Some(dv) if dv.is_null() && !merge => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => {
                if let Json::Object(sv) = val
                    && let Json::Object(dm) = dv
                {
                    tables(dm, sv, merge);
                }
                // A table over a non-table, or a scalar: dst wins.
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Json) -> Values {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn tables_semantics() {
        let mut dst = obj(json!({"a": {"x": 1}, "n": null, "s": "keep"}));
        coalesce_tables(
            &mut dst,
            &obj(json!({"a": {"y": 2}, "n": "gone", "s": {"t": 1}, "new": 3})),
        );
        assert_eq!(
            Json::Object(dst),
            json!({"a": {"x": 1, "y": 2}, "s": "keep", "new": 3})
        );
        let mut dst = obj(json!({"n": null}));
        merge_tables(&mut dst, &obj(json!({"n": "v"})));
        assert_eq!(Json::Object(dst), json!({"n": null}));
    }
}
