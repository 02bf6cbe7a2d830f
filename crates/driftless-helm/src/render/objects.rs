//! The top-level objects templates see: `.Chart`, `.Release`, `.Values`,
//! `.Files`, `.Capabilities`, `.Subcharts`, `.Template`.

use std::collections::BTreeMap;

use driftless_gotmpl::Value;

use crate::chart::Metadata;

fn strs(v: &[String]) -> Value {
    Value::list(v.iter().map(|s| Value::from(s.as_str())).collect())
}

/// `.Chart`: the chart's metadata with Go's field names, plus `IsRoot`
/// (helm v4 exposes it as a map).
pub fn chart_value(md: &Metadata, is_root: bool) -> Value {
    let mut m: BTreeMap<String, Value> = BTreeMap::new();
    let s = |x: &str| Value::from(x);
    m.insert("APIVersion".into(), s(&md.api_version));
    m.insert(
        "Annotations".into(),
        Value::map(
            md.annotations
                .iter()
                .map(|(k, v)| (k.clone(), s(v)))
                .collect(),
        ),
    );
    m.insert("AppVersion".into(), s(&md.app_version));
    m.insert("Condition".into(), s(&md.condition));
    let deps = md
        .dependencies
        .iter()
        .map(|d| {
            let mut dm: BTreeMap<String, Value> = BTreeMap::new();
            dm.insert("Name".into(), s(&d.name));
            dm.insert("Version".into(), s(&d.version));
            dm.insert("Repository".into(), s(&d.repository));
            dm.insert("Condition".into(), s(&d.condition));
            dm.insert("Tags".into(), strs(&d.tags));
            dm.insert("Enabled".into(), Value::Bool(d.enabled));
            dm.insert(
                "ImportValues".into(),
                Value::list(d.import_values.iter().map(Value::from_json).collect()),
            );
            dm.insert("Alias".into(), s(&d.alias));
            Value::map(dm)
        })
        .collect();
    m.insert("Dependencies".into(), Value::list(deps));
    m.insert("Deprecated".into(), Value::Bool(md.deprecated));
    m.insert("Description".into(), s(&md.description));
    m.insert("Home".into(), s(&md.home));
    m.insert("Icon".into(), s(&md.icon));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    m.insert("Keywords".into(), strs(&md.keywords));
    m.insert("KubeVersion".into(), s(&md.kube_version));
    let maint = md
        .maintainers
        .iter()
        .map(|x| {
            let mut mm: BTreeMap<String, Value> = BTreeMap::new();
            mm.insert("Name".into(), s(&x.name));
            mm.insert("Email".into(), s(&x.email));
            mm.insert("URL".into(), s(&x.url));
            Value::map(mm)
        })
        .collect();
    m.insert("Maintainers".into(), Value::list(maint));
    m.insert("Name".into(), s(&md.name));
    m.insert("Sources".into(), strs(&md.sources));
    m.insert("Tags".into(), s(&md.tags));
    m.insert("Type".into(), s(&md.chart_type));
    m.insert("Version".into(), s(&md.version));
    Value::map(m)
}

/// `.Release` for `helm template` (an install of revision 1).
pub fn release_value(name: &str, namespace: &str) -> Value {
    let mut m: BTreeMap<String, Value> = BTreeMap::new();
    m.insert("Name".into(), Value::from(name));
    m.insert("Namespace".into(), Value::from(namespace));
    m.insert("IsUpgrade".into(), Value::Bool(false));
    m.insert("IsInstall".into(), Value::Bool(true));
    m.insert("Revision".into(), Value::Int(1));
    m.insert("Service".into(), Value::from("Helm"));
    Value::map(m)
}

/// `.Template`.
pub fn template_value(name: &str, base_path: &str) -> Value {
    let mut m: BTreeMap<String, Value> = BTreeMap::new();
    m.insert("Name".into(), Value::from(name));
    m.insert("BasePath".into(), Value::from(base_path));
    Value::map(m)
}
