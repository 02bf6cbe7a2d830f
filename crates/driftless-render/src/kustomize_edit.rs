//! Argo CD's `spec.source.kustomize` options, applied to the copy of the
//! kustomization before the build, with the effect of the `kustomize edit`
//! commands Argo CD runs (`set nameprefix`, `set image`, `add label`, …).

use crate::paths::resolve_inside;
use crate::{EntryKind, KustomizeSpec, RenderError, RenderOptions, SourceFs};
use serde_json::{Map, Value, json};

fn fail(file: &str, message: impl Into<String>) -> RenderError {
    RenderError::KustomizeEdit {
        file: file.to_string(),
        message: message.into(),
    }
}

/// One `kustomize edit set image` argument as a kustomization `images` entry.
fn parse_image(arg: &str) -> Option<Map<String, Value>> {
    let (name, spec, overwrite) = match arg.split_once('=') {
        Some((name, spec)) => (Some(name), spec, true),
        None => (None, arg, false),
    };
    let (image, tag, digest) = if let Some((i, d)) = spec.split_once('@') {
        (i, None, Some(d))
    } else {
        match spec.rsplit_once(':') {
            Some((i, t))
                if t == "*"
                    || t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) =>
            {
                (i, Some(t), None)
            }
            _ if overwrite && !spec.is_empty() => (spec, None, None),
            _ => return None,
        }
    };
    let mut out = Map::new();
    match name {
        Some(n) => {
            out.insert("name".into(), n.into());
            out.insert("newName".into(), image.into());
        }
        None => {
            out.insert("name".into(), image.into());
        }
    }
    if let Some(t) = tag {
        out.insert("newTag".into(), t.into());
    }
    if let Some(d) = digest {
        out.insert("digest".into(), d.into());
    }
    Some(out)
}

/// `kustomize edit set image`: replaces the entry of the same name (a `*`
/// keeps the old field) or appends one.
fn set_image(k: &mut Map<String, Value>, new: Map<String, Value>) {
    let images = list(k, "images");
    let name = new.get("name").cloned();
    if let Some(old) = images.iter_mut().find(|i| i.get("name") == name.as_ref()) {
        let mut merged = Map::new();
        merged.insert("name".into(), name.unwrap_or_default());
        for field in ["newName", "newTag", "digest"] {
            match new.get(field) {
                Some(Value::String(s)) if s == "*" => {
                    if let Some(v) = old.get(field) {
                        merged.insert(field.into(), v.clone());
                    }
                }
                Some(v) => {
                    merged.insert(field.into(), v.clone());
                }
                None => {}
            }
        }
        *old = Value::Object(merged);
    } else {
        images.push(Value::Object(new));
    }
}

/// The list at `field`, created when absent (a non-list is replaced).
fn list<'a>(k: &'a mut Map<String, Value>, field: &str) -> &'a mut Vec<Value> {
    let v = k.entry(field).or_insert_with(|| json!([]));
    if !v.is_array() {
        *v = json!([]);
    }
    v.as_array_mut().expect("a list")
}

fn map<'a>(k: &'a mut Map<String, Value>, field: &str) -> &'a mut Map<String, Value> {
    let v = k.entry(field).or_insert_with(|| json!({}));
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("a map")
}

/// `kustomize edit add label|annotation`: refuses to change a key already set
/// unless forced.
fn add_pairs(
    file: &str,
    what: &str,
    target: &mut Map<String, Value>,
    pairs: &[(String, String)],
    force: bool,
) -> Result<(), RenderError> {
    for (key, value) in pairs {
        if !force && target.contains_key(key) {
            return Err(fail(
                file,
                format!(
                    "{what} {key} already in kustomization file; set force{what}s to replace it"
                ),
            ));
        }
        target.insert(key.clone(), value.clone().into());
    }
    Ok(())
}

fn add_labels(
    file: &str,
    k: &mut Map<String, Value>,
    spec: &KustomizeSpec,
    pairs: &[(String, String)],
) -> Result<(), RenderError> {
    let force = spec.force_common_labels;
    if !spec.label_without_selector {
        return add_pairs(file, "Label", map(k, "commonLabels"), pairs, force);
    }
    let include_templates = spec.label_include_templates;
    let labels = list(k, "labels");
    let same = |l: &Value| {
        l.get("includeSelectors").and_then(Value::as_bool) != Some(true)
            && l.get("includeTemplates")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                == include_templates
    };
    let entry = match labels.iter_mut().position(|l| same(l)) {
        Some(i) => &mut labels[i],
        None => {
            let mut l = json!({"pairs": {}, "includeSelectors": false});
            if include_templates {
                l["includeTemplates"] = true.into();
            }
            labels.push(l);
            labels.last_mut().expect("just pushed")
        }
    };
    let entry = entry
        .as_object_mut()
        .ok_or_else(|| fail(file, "labels entry is not a map"))?;
    add_pairs(file, "Label", map(entry, "pairs"), pairs, force)
}

/// Whether repository path `dir/rel` exists; errors when it leaves the repository.
fn exists(
    fs: &dyn SourceFs,
    dir: &str,
    rel: &str,
    file: &str,
    opts: &RenderOptions,
) -> Result<bool, RenderError> {
    let escapes = || RenderError::KustomizeEscapes {
        file: file.to_string(),
        reference: rel.to_string(),
    };
    let found = resolve_inside(fs, dir, rel, opts.limits.max_symlink_hops)?;
    let (_, kind) = found.ok_or_else(escapes)?;
    Ok(matches!(kind, Some(EntryKind::File | EntryKind::Dir)))
}

/// Applies `opts.kustomize.app` to the kustomization `k` of repository
/// directory `dir` (file `file`), in the order Argo CD runs its edits.
pub(crate) fn apply(
    fs: &dyn SourceFs,
    dir: &str,
    file: &str,
    k: &mut Map<String, Value>,
    opts: &RenderOptions,
) -> Result<(), RenderError> {
    let spec = &opts.kustomize.app;
    let env = opts.env.vars(dir);
    let subst = |s: &str| crate::envsubst(s, &env);
    if !spec.name_prefix.is_empty() {
        k.insert("namePrefix".into(), spec.name_prefix.clone().into());
    }
    if !spec.name_suffix.is_empty() {
        k.insert("nameSuffix".into(), spec.name_suffix.clone().into());
    }
    for image in &spec.images {
        let image = subst(image);
        let entry = parse_image(&image).ok_or_else(|| {
            fail(file, format!("image `{image}`: expected <image>:<tag>, <image>@<digest> or <image>=<new image>"))
        })?;
        set_image(k, entry);
    }
    for (name, count) in &spec.replicas {
        let replicas = list(k, "replicas");
        let entry = json!({"name": name, "count": count});
        match replicas
            .iter_mut()
            .find(|r| r.get("name").and_then(Value::as_str) == Some(name))
        {
            Some(r) => *r = entry,
            None => replicas.push(entry),
        }
    }
    if !spec.common_labels.is_empty() {
        let pairs: Vec<_> = spec
            .common_labels
            .iter()
            .map(|(key, v)| (key.clone(), subst(v)))
            .collect();
        add_labels(file, k, spec, &pairs)?;
    }
    if !spec.common_annotations.is_empty() {
        let pairs: Vec<_> = spec
            .common_annotations
            .iter()
            .map(|(key, v)| {
                let v = if spec.common_annotations_envsubst {
                    subst(v)
                } else {
                    v.clone()
                };
                (key.clone(), v)
            })
            .collect();
        let force = spec.force_common_annotations;
        add_pairs(
            file,
            "Annotation",
            map(k, "commonAnnotations"),
            &pairs,
            force,
        )?;
    }
    if !spec.namespace.is_empty() {
        k.insert("namespace".into(), spec.namespace.clone().into());
    }
    for p in &spec.patches {
        if let Some(path) = p.get("path").and_then(Value::as_str) {
            exists(fs, dir, path, file, opts)?;
        }
        list(k, "patches").push(p.clone());
    }
    for c in &spec.components {
        if !exists(fs, dir, c, file, opts)? {
            if spec.ignore_missing_components {
                continue;
            }
            return Err(fail(file, format!("component {c} has no match")));
        }
        let components = list(k, "components");
        if !components.iter().any(|x| x.as_str() == Some(c)) {
            components.push(c.clone().into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_arguments() {
        let p = |a: &str| parse_image(a).map(Value::Object);
        assert_eq!(
            p("nginx:1.27"),
            Some(json!({"name": "nginx", "newTag": "1.27"}))
        );
        assert_eq!(
            p("nginx=reg.io:5000/web:2"),
            Some(json!({"name": "nginx", "newName": "reg.io:5000/web", "newTag": "2"}))
        );
        assert_eq!(
            p("nginx@sha256:abc"),
            Some(json!({"name": "nginx", "digest": "sha256:abc"}))
        );
        assert_eq!(
            p("nginx=other"),
            Some(json!({"name": "nginx", "newName": "other"}))
        );
        assert_eq!(p("nginx"), None);
    }

    #[test]
    fn set_image_replaces_and_star_keeps() {
        let mut k = Map::new();
        set_image(&mut k, parse_image("a=b:1").unwrap());
        set_image(&mut k, parse_image("a:*").unwrap());
        set_image(&mut k, parse_image("c:2").unwrap());
        assert_eq!(
            Value::Object(k)["images"],
            json!([{"name": "a", "newTag": "1"}, {"name": "c", "newTag": "2"}])
        );
    }
}
