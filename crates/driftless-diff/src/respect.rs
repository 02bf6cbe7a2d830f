//! `RespectIgnoreDifferences=true`: what a sync applies keeps the live value of every ignored
//! field, as Argo CD's `normalizeTargetResources` does. Argo CD normalises live and target with
//! the ignore rules, takes the merge patch from the normalised live object to the live object
//! (exactly the ignored fields, with their live values) and applies it to the normalised target:
//! an ignored field takes its live value, and one that live lacks is left out of the target.
//! Lists are merged by `name` when every item has one (what the strategic merge patch of the
//! built-in kinds does for containers, env, ports, …) and replaced as a whole otherwise (JSON
//! merge patch).

use crate::Comparer;
use driftless_core::ObjectKey;
use serde_json::{Map, Value};

impl Comparer {
    /// `desired` as a sync with `RespectIgnoreDifferences=true` applies it over `live`: the
    /// fields this comparer ignores carry their live values (or are absent when live has none).
    ///
    /// ```
    /// use driftless_diff::{Comparer, IgnoreDifferences};
    /// let desired = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
    ///     "metadata": {"name": "web"}, "spec": {"replicas": 2, "paused": false}});
    /// let mut live = desired.clone();
    /// live["spec"]["replicas"] = 5.into();
    /// let rule = IgnoreDifferences { group: "apps".into(), kind: "Deployment".into(),
    ///     json_pointers: vec!["/spec/replicas".into()], ..Default::default() };
    /// let cmp = Comparer::new(&[rule]).unwrap();
    /// assert_eq!(cmp.keep_ignored_live(&desired, &live)["spec"]["replicas"], 5);
    /// ```
    pub fn keep_ignored_live(&self, desired: &Value, live: &Value) -> Value {
        let Some(key) = ObjectKey::from_object(desired).or_else(|| ObjectKey::from_object(live))
        else {
            return desired.clone();
        };
        let mut target = desired.clone();
        self.ignore(&key, &mut target, Some(live));
        let mut normalized_live = live.clone();
        self.ignore(&key, &mut normalized_live, Some(live));
        restore(&mut target, &normalized_live, live);
        target
    }
}

/// Applies the patch that turns `normalized` into `live` to `target`.
fn restore(target: &mut Value, normalized: &Value, live: &Value) {
    match (normalized, live) {
        (Value::Object(n), Value::Object(l)) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("object");
            for (k, lv) in l {
                match n.get(k) {
                    None => {
                        t.insert(k.clone(), lv.clone());
                    }
                    Some(nv) if nv != lv => {
                        restore(t.entry(k.clone()).or_insert(Value::Null), nv, lv);
                    }
                    Some(_) => {}
                }
            }
        }
        (Value::Array(n), Value::Array(l)) if named(l) && named(n) && named_or_empty(target) => {
            if !target.is_array() {
                *target = Value::Array(Vec::new());
            }
            let t = target.as_array_mut().expect("array");
            for lv in l {
                let name = &lv["name"];
                let nv = n.iter().find(|x| &x["name"] == name);
                if nv == Some(lv) {
                    continue;
                }
                match (t.iter_mut().find(|x| &x["name"] == name), nv) {
                    (Some(tv), Some(nv)) => restore(tv, nv, lv),
                    (Some(tv), None) => *tv = lv.clone(),
                    (None, Some(_)) => {}
                    (None, None) => t.push(lv.clone()),
                }
            }
        }
        _ => *target = live.clone(),
    }
}

/// Every item is an object with a string `name`.
fn named(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|i| i["name"].is_string())
}

fn named_or_empty(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty() || named(a),
        Value::Null => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::{Comparer, IgnoreDifferences};
    use serde_json::json;

    fn deployment(replicas: i64, image: &str, sidecar: &str) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "main", "image": image}, {"name": "proxy", "image": sidecar}]}}}})
    }

    /// A comparer ignoring, in apps/`kind` objects, these JSON pointers, jq paths and managers.
    fn ignoring(kind: &str, pointers: &[&str], jq: &[&str], managers: &[&str]) -> Comparer {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Comparer::new(&[IgnoreDifferences {
            group: "apps".into(),
            kind: kind.into(),
            json_pointers: own(pointers),
            jq_path_expressions: own(jq),
            managed_fields_managers: own(managers),
            ..Default::default()
        }])
        .unwrap()
    }

    #[test]
    fn json_pointer_fields_keep_their_live_value_and_the_rest_follows_git() {
        let cmp = ignoring("Deployment", &["/spec/replicas"], &[], &[]);
        let out = cmp.keep_ignored_live(
            &deployment(2, "app:2", "p:1"),
            &deployment(5, "app:1", "p:1"),
        );
        assert_eq!(out, deployment(5, "app:2", "p:1"));
    }

    #[test]
    fn a_field_live_lacks_is_left_out() {
        let cmp = ignoring("Deployment", &["/spec/replicas"], &[], &[]);
        let mut live = deployment(1, "app:1", "p:1");
        live["spec"].as_object_mut().unwrap().remove("replicas");
        let out = cmp.keep_ignored_live(&deployment(2, "app:2", "p:1"), &live);
        assert!(out["spec"].get("replicas").is_none(), "{out}");
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"][0]["image"],
            "app:2"
        );
    }

    #[test]
    fn jq_selected_list_items_are_merged_by_name() {
        let jq = ".spec.template.spec.containers[] | select(.name == \"proxy\") | .image";
        let cmp = ignoring("Deployment", &[], &[jq], &[]);
        let out = cmp.keep_ignored_live(
            &deployment(2, "app:2", "p:2"),
            &deployment(2, "app:1", "p:1"),
        );
        assert_eq!(out, deployment(2, "app:2", "p:1"));
    }

    #[test]
    fn fields_of_an_ignored_manager_keep_their_live_value() {
        let cmp = ignoring("Deployment", &[], &[], &["hpa-controller"]);
        let mut live = deployment(7, "app:1", "p:1");
        live["metadata"]["managedFields"] = json!([{"manager": "hpa-controller",
            "operation": "Update", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:replicas": {}}}}]);
        let out = cmp.keep_ignored_live(&deployment(2, "app:2", "p:1"), &live);
        assert_eq!(out["spec"]["replicas"], 7, "{out}");
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"][0]["image"],
            "app:2"
        );
    }

    #[test]
    fn objects_no_rule_matches_are_unchanged() {
        let cmp = ignoring("StatefulSet", &["/spec/replicas"], &[], &[]);
        let desired = deployment(2, "app:2", "p:1");
        assert_eq!(
            cmp.keep_ignored_live(&desired, &deployment(5, "app:1", "p:1")),
            desired
        );
    }
}
