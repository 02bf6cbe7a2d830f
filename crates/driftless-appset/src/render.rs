//! From an ApplicationSet and its inputs to the Applications it generates.

use std::sync::OnceLock;

use driftless_patch::schema::Schema;
use serde_json::{Map, Value, json};

use crate::error::AppSetError;
use crate::generators::{Ctx, Inputs, Level, transform};
use crate::template::{Params, Renderer};

/// The finalizer that makes deleting an Application delete its resources.
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";
/// `apiVersion` of Applications and ApplicationSets.
pub const API_VERSION: &str = "argoproj.io/v1alpha1";

/// The parts of an ApplicationSet the generation reads.
pub(crate) struct SetView<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub uid: &'a str,
    pub spec: &'a Map<String, Value>,
}

impl<'a> SetView<'a> {
    pub(crate) fn of(set: &'a Value) -> Result<SetView<'a>, AppSetError> {
        let s = |p: &str| set.pointer(p).and_then(Value::as_str).unwrap_or_default();
        let name = s("/metadata/name");
        let invalid = |field: &str, message: &str| AppSetError::InvalidSpec {
            set: name.to_string(),
            field: field.into(),
            message: message.into(),
        };
        if set.get("kind").and_then(Value::as_str) != Some("ApplicationSet") {
            return Err(invalid("kind", "must be ApplicationSet"));
        }
        let spec = set
            .get("spec")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("spec", "must be an object"))?;
        Ok(SetView {
            name,
            namespace: s("/metadata/namespace"),
            uid: s("/metadata/uid"),
            spec,
        })
    }

    pub(crate) fn preserve_resources(&self) -> bool {
        self.spec
            .get("syncPolicy")
            .and_then(|p| p.get("preserveResourcesOnDeletion"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn flag(&self, key: &str) -> bool {
        self.spec.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    fn renderer(&self) -> Result<Renderer, AppSetError> {
        let options: Vec<String> = self
            .spec
            .get("goTemplateOptions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|o| o.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Renderer::new(self.flag("goTemplate"), &options).map_err(|m| AppSetError::InvalidSpec {
            set: self.name.to_string(),
            field: "spec.goTemplateOptions".into(),
            message: m,
        })
    }
}

/// Generates the Applications of `appset` (an `argoproj.io/v1alpha1`
/// ApplicationSet as JSON), in order: generators as listed, each one's
/// parameter sets in its order.
///
/// Each Application has `apiVersion`, `kind`, `metadata` (name, the set's
/// namespace, the template's labels, annotations and finalizers — Argo CD's
/// `resources-finalizer.argocd.argoproj.io` when the template has none and
/// `syncPolicy.preserveResourcesOnDeletion` is not set — and a controller
/// ownerReference to the set when it has a `uid`) and `spec`.
///
/// The first failure stops generation (Argo CD then creates nothing either).
/// Duplicate names are not an error here; [`crate::validate`] reports them.
pub fn generate(appset: &Value, inputs: &Inputs<'_>) -> Result<Vec<Value>, AppSetError> {
    let set = SetView::of(appset)?;
    let renderer = set.renderer()?;
    let ctx = Ctx {
        inputs: *inputs,
        renderer: &renderer,
        set_name: set.name,
        set_namespace: set.namespace,
        apply_nested_selectors: set.flag("applyNestedSelectors"),
    };
    let generators = match set.spec.get("generators") {
        Some(Value::Array(a)) => a.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => {
            return Err(AppSetError::InvalidSpec {
                set: set.name.to_string(),
                field: "spec.generators".into(),
                message: "must be a list".into(),
            });
        }
    };
    let base_template = set
        .spec
        .get("template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let patch = match set.spec.get("templatePatch") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(AppSetError::InvalidSpec {
                set: set.name.to_string(),
                field: "spec.templatePatch".into(),
                message: "must be a string".into(),
            });
        }
    };
    let mut apps = Vec::new();
    for (i, g) in generators.iter().enumerate() {
        let at = format!("spec.generators[{i}]");
        for t in transform(&ctx, g, &at, &base_template, None, Level::Top)? {
            for (index, params) in t.params.iter().enumerate() {
                let err = |message: String| AppSetError::Render {
                    at: t.at.clone(),
                    index,
                    message,
                };
                let mut app =
                    render_template(&renderer, &t.template, params, set.preserve_resources())
                        .map_err(err)?;
                if let Some(patch) = patch {
                    let text = renderer.replace(patch, params).map_err(|e| {
                        err(format!("error replacing values in templatePatch: {e}"))
                    })?;
                    app = apply_template_patch(&app, &text).map_err(err)?;
                }
                apps.push(finish(app, &set));
            }
        }
    }
    Ok(apps)
}

/// Argo CD's `RenderTemplateParams`: the template's metadata (name,
/// namespace, labels, annotations, finalizers) and spec, every string
/// rendered; the resources finalizer added unless preserved.
fn render_template(
    r: &Renderer,
    template: &Value,
    params: &Params,
    preserve: bool,
) -> Result<Value, String> {
    let mut meta = Map::new();
    if let Some(m) = template.get("metadata").and_then(Value::as_object) {
        for k in ["name", "namespace", "labels", "annotations", "finalizers"] {
            if let Some(v) = m.get(k).filter(|v| !v.is_null()) {
                meta.insert(k.into(), v.clone());
            }
        }
    }
    let mut app = json!({"apiVersion": API_VERSION, "kind": "Application", "metadata": meta});
    if let Some(spec) = template.get("spec") {
        app["spec"] = spec.clone();
    }
    // Argo CD returns the template untouched for an empty parameter set.
    if params.is_empty() {
        return Ok(app);
    }
    let mut app = r.render_value(&app, params)?;
    let no_finalizers = app
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if !preserve && no_finalizers {
        app["metadata"]["finalizers"] = json!([RESOURCES_FINALIZER]);
    }
    Ok(app)
}

/// The schema a `templatePatch` is merged with: an Application's `metadata`
/// is `ObjectMeta` (finalizers merge as a set, ownerReferences by uid), its
/// other fields have no patch strategy (maps merge, lists are replaced), as
/// Argo CD's Go types declare.
fn application_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "applications.argoproj.io"},
            "spec": {"group": "argoproj.io", "scope": "Namespaced",
                "names": {"kind": "Application", "plural": "applications"},
                "versions": [{"name": "v1alpha1", "served": true, "storage": true}]}
        });
        Schema::from_crd(&crd).expect("the built-in Application CRD is valid")
    })
}

/// Argo CD's `applyTemplatePatch`: the rendered patch (YAML or JSON) merged
/// into the Application as a strategic merge patch.
pub(crate) fn apply_template_patch(app: &Value, patch_text: &str) -> Result<Value, String> {
    let patch: Value = serde_yaml_ng::from_str(patch_text)
        .map_err(|e| format!("error while converting template to json {patch_text:?}: {e}"))?;
    if !patch.is_object() {
        return Err(format!(
            "invalid templatePatch {patch_text:?}: must be an object"
        ));
    }
    let ty = application_schema()
        .for_kind("argoproj.io", "v1alpha1", "Application")
        .ok_or("no Application schema")?;
    driftless_patch::strategic_merge_patch(app, &patch, ty).map_err(|e| {
        format!("error while applying templatePatch template to json {patch_text:?}: {e}")
    })
}

/// The set's namespace and owner reference on a rendered Application, with
/// `apiVersion` and `kind` first.
fn finish(mut app: Value, set: &SetView<'_>) -> Value {
    let meta = app
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let mut m = Map::new();
    for k in ["name", "namespace"] {
        if let Some(v) = meta.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    if !set.namespace.is_empty() {
        m.insert("namespace".into(), set.namespace.into());
    }
    for (k, v) in meta {
        if !m.contains_key(&k) {
            m.insert(k, v);
        }
    }
    if !set.uid.is_empty() {
        m.insert(
            "ownerReferences".into(),
            json!([{
                "apiVersion": API_VERSION, "kind": "ApplicationSet", "name": set.name,
                "uid": set.uid, "controller": true, "blockOwnerDeletion": true
            }]),
        );
    }
    let mut out = Map::new();
    out.insert("apiVersion".into(), API_VERSION.into());
    out.insert("kind".into(), "Application".into());
    out.insert("metadata".into(), Value::Object(m));
    if let Some(obj) = app.as_object_mut() {
        for (k, v) in std::mem::take(obj) {
            if !matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                out.insert(k, v);
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_patch_merges_finalizers_and_replaces_lists() {
        let app = json!({"apiVersion": API_VERSION, "kind": "Application",
            "metadata": {"name": "a", "finalizers": ["x"]},
            "spec": {"source": {"helm": {"valueFiles": ["a.yaml"]}}, "project": "p"}});
        let out = apply_template_patch(&app, "metadata:\n  finalizers: [y]\nspec:\n  source:\n    helm:\n      valueFiles: [b.yaml]\n  syncPolicy:\n    automated: {prune: true}\n").unwrap();
        assert_eq!(out["metadata"]["finalizers"], json!(["y", "x"]));
        assert_eq!(
            out["spec"]["source"]["helm"]["valueFiles"],
            json!(["b.yaml"])
        );
        assert_eq!(out["spec"]["syncPolicy"]["automated"]["prune"], json!(true));
        assert_eq!(out["spec"]["project"], json!("p"));
        assert!(apply_template_patch(&app, "- a").is_err());
    }
}
