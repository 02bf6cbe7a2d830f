//! OpenAPI documents (v2 and v3) rebuilt from a [`Schema`], for `/openapi/v2` and `/openapi/v3`
//! of a simulated API server (`kubectl explain`, client-side apply and validation read them).

use super::{Gvk, Node, Schema};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

impl Schema {
    /// The whole Swagger 2.0 document (`GET /openapi/v2`), with all definitions and no paths.
    ///
    /// ```
    /// use driftless_patch::schema::Schema;
    /// let doc = Schema::builtin().openapi_v2();
    /// let d = &doc["definitions"]["io.k8s.api.apps.v1.Deployment"];
    /// assert_eq!(d["x-kubernetes-group-version-kind"][0]["kind"], "Deployment");
    /// assert_eq!(d["properties"]["spec"]["$ref"], "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
    /// ```
    pub fn openapi_v2(&self) -> Value {
        let mut defs = BTreeMap::new();
        self.collect_all(&mut defs);
        let definitions: Map<String, Value> = defs
            .into_iter()
            .map(|(name, node)| (name.to_string(), to_json(node, "#/definitions/", false)))
            .collect();
        json!({
            "swagger": "2.0",
            "info": {"title": "Kubernetes", "version": self.kubernetes_version},
            "paths": {},
            "definitions": definitions,
        })
    }

    /// The group-versions that have an OpenAPI v3 document, as the keys of `GET /openapi/v3`
    /// (`api/v1`, `apis/apps/v1`, ...), sorted.
    pub fn openapi_v3_paths(&self) -> Vec<String> {
        let mut set = BTreeSet::new();
        self.collect_gvks(&mut set);
        set.into_iter()
            .map(|(g, v)| {
                if g.is_empty() {
                    format!("api/{v}")
                } else {
                    format!("apis/{g}/{v}")
                }
            })
            .collect()
    }

    /// The OpenAPI 3.0 document of one group-version (`GET /openapi/v3/apis/<group>/<version>`;
    /// the core group is `""`): every kind of the group-version and all definitions they refer to,
    /// under `components.schemas`. `None` if no kind has that group-version.
    ///
    /// ```
    /// use driftless_patch::schema::Schema;
    /// let doc = Schema::builtin().openapi_v3("apps", "v1").unwrap();
    /// let spec = &doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]["properties"]["spec"];
    /// assert_eq!(spec["allOf"][0]["$ref"], "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
    /// ```
    pub fn openapi_v3(&self, group: &str, version: &str) -> Option<Value> {
        let mut roots: Vec<String> = Vec::new();
        self.collect_roots(group, version, &mut roots);
        if roots.is_empty() {
            return None;
        }
        let mut seen: BTreeMap<String, &Node> = BTreeMap::new();
        let mut stack = roots;
        while let Some(name) = stack.pop() {
            if seen.contains_key(&name) {
                continue;
            }
            let Some((_, node)) = self.node(&name) else {
                continue;
            };
            seen.insert(name, node);
            refs(node, &mut stack);
        }
        let schemas: Map<String, Value> = seen
            .into_iter()
            .map(|(name, node)| (name, to_json(node, "#/components/schemas/", true)))
            .collect();
        Some(json!({
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": self.kubernetes_version},
            "paths": {},
            "components": {"schemas": schemas},
        }))
    }

    fn collect_all<'a>(&'a self, out: &mut BTreeMap<&'a str, &'a Node>) {
        if let Some(f) = self.fallback {
            f.collect_all(out);
        }
        for (k, v) in &self.defs {
            out.insert(k, v);
        }
    }

    fn collect_gvks(&self, out: &mut BTreeSet<(String, String)>) {
        if let Some(f) = self.fallback {
            f.collect_gvks(out);
        }
        for g in self.by_gvk.keys() {
            out.insert((g.group.clone(), g.version.clone()));
        }
    }

    fn collect_roots(&self, group: &str, version: &str, out: &mut Vec<String>) {
        if let Some(f) = self.fallback {
            f.collect_roots(group, version, out);
        }
        let mut mine: Vec<(&Gvk, &String)> = self
            .by_gvk
            .iter()
            .filter(|(g, _)| g.group == group && g.version == version)
            .collect();
        mine.sort();
        out.extend(mine.into_iter().map(|(_, n)| n.clone()));
    }
}

fn refs(node: &Node, out: &mut Vec<String>) {
    if let Some(r) = &node.reference {
        out.push(r.clone());
    }
    for p in node.properties.iter().flat_map(|p| p.values()) {
        refs(p, out);
    }
    for child in [&node.additional, &node.items].into_iter().flatten() {
        refs(child, out);
    }
}

/// Renders a node as OpenAPI JSON schema. In v3 a `$ref` with siblings is wrapped in `allOf`.
fn to_json(node: &Node, ref_prefix: &str, v3: bool) -> Value {
    let mut m = Map::new();
    if let Some(d) = &node.description {
        m.insert("description".into(), json!(d));
    }
    if let Some(r) = &node.reference {
        let target = json!({"$ref": format!("{ref_prefix}{r}")});
        if v3 {
            m.insert("allOf".into(), json!([target]));
        } else {
            m.insert("$ref".into(), target["$ref"].clone());
        }
    }
    // v3 describes IntOrString and Quantity as one-of types (kube-openapi's
    // `OpenAPIV3OneOfTypes`), so `kubectl explain` names them instead of printing `string`.
    let one_of = match (v3, node.format.as_deref()) {
        (true, Some("int-or-string")) => Some(json!([{"type": "integer"}, {"type": "string"}])),
        (true, Some("quantity")) => Some(json!([{"type": "string"}, {"type": "number"}])),
        _ => None,
    };
    match one_of {
        Some(o) => {
            m.insert("oneOf".into(), o);
        }
        None => {
            if let Some(t) = &node.ty {
                m.insert("type".into(), json!(t));
            }
        }
    }
    match node.format.as_deref() {
        Some("quantity") | None => {}
        Some(f) => {
            m.insert("format".into(), json!(f));
        }
    }
    if let Some(e) = &node.enumeration {
        m.insert("enum".into(), json!(e));
    }
    if let Some(props) = &node.properties {
        let p: Map<String, Value> = props
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v, ref_prefix, v3)))
            .collect();
        m.insert("properties".into(), Value::Object(p));
    }
    if let Some(a) = &node.additional {
        m.insert("additionalProperties".into(), to_json(a, ref_prefix, v3));
    }
    if let Some(i) = &node.items {
        m.insert("items".into(), to_json(i, ref_prefix, v3));
    }
    if let Some(r) = &node.required {
        m.insert("required".into(), json!(r));
    }
    if let Some(d) = &node.default {
        m.insert("default".into(), d.clone());
    }
    let ext: [(&str, Option<Value>); 8] = [
        (
            "x-kubernetes-group-version-kind",
            node.gvk.as_ref().map(|g| json!(g)),
        ),
        (
            "x-kubernetes-list-map-keys",
            node.list_map_keys.as_ref().map(|k| json!(k)),
        ),
        (
            "x-kubernetes-list-type",
            node.list_type.as_ref().map(|k| json!(k)),
        ),
        (
            "x-kubernetes-map-type",
            node.map_type.as_ref().map(|k| json!(k)),
        ),
        (
            "x-kubernetes-patch-merge-key",
            node.patch_merge_key.as_ref().map(|k| json!(k)),
        ),
        (
            "x-kubernetes-patch-strategy",
            node.patch_strategy.as_ref().map(|k| json!(k)),
        ),
        ("x-kubernetes-unions", node.unions.clone()),
        (
            "x-kubernetes-preserve-unknown-fields",
            node.preserve_unknown.then_some(json!(true)),
        ),
    ];
    for (k, v) in ext {
        if let Some(v) = v {
            m.insert(k.into(), v);
        }
    }
    if node.embedded_resource {
        m.insert("x-kubernetes-embedded-resource".into(), json!(true));
    }
    Value::Object(m)
}
