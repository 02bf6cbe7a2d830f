//! The render pipeline and its result: Helm's `helm template` text and the
//! objects with provenance.

use std::sync::LazyLock;

use driftless_core::{Manifest, Provenance};
use driftless_gotmpl::{FuncMap, Value};
use regex::Regex;

use super::capabilities::{KubeVersion, capabilities};
use super::engine::{Globals, render_templates};
use super::objects::release_value;
use super::sort::{Document, sort_manifests, split_manifests};
use super::{Engine, RenderOptions};
use crate::chart::{Chart, go_path_match, semver};
use crate::error::HelmError;
use crate::values::coalesce::coalesce_values;
use crate::values::deps::{check_dependencies, process_dependencies};
use crate::values::user_values;

/// The result of a render.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Exactly what `helm template` prints on stdout.
    pub text: String,
    /// The documents in output order (CRDs, manifests, hooks).
    pub documents: Vec<Document>,
    /// The root chart's rendered `NOTES.txt` (not part of the output).
    pub notes: String,
}

impl Rendered {
    /// Warnings about the output that Helm accepts silently: a mapping key
    /// given twice in one object (the later value wins, as in Helm and the
    /// Kubernetes API). Each names the file, the object and the key.
    ///
    /// ```
    /// use driftless_helm::{MemFs, RenderOptions, render};
    /// let mut fs = MemFs::default();
    /// fs.insert("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
    /// fs.insert("templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels:\n    app: a\n    app: b\n");
    /// let r = render(&fs, "", &RenderOptions::default()).unwrap();
    /// assert_eq!(r.manifests().unwrap()[0].object["metadata"]["labels"]["app"], "b");
    /// assert_eq!(
    ///     r.warnings(),
    ///     ["c/templates/cm.yaml: ConfigMap cm: duplicate key metadata.labels.app (the later value is used, as by Helm)"]
    /// );
    /// ```
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for d in &self.documents {
            if d.duplicate_keys.is_empty() {
                continue;
            }
            let name = crate::yaml::from_yaml(&d.content)
                .ok()
                .and_then(|j| {
                    j.pointer("/metadata/name")
                        .and_then(|n| n.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_default();
            let object = match (d.kind.as_str(), name.as_str()) {
                ("", "") => format!("document {}", d.index + 1),
                (k, "") => k.to_string(),
                ("", n) => n.to_string(),
                (k, n) => format!("{k} {n}"),
            };
            for k in &d.duplicate_keys {
                out.push(format!(
                    "{}: {object}: duplicate key {k} (the later value is used, as by Helm)",
                    d.source
                ));
            }
        }
        out
    }

    /// The documents as Kubernetes objects with provenance; documents that
    /// are empty (only comments) are skipped. Integers stay integers.
    ///
    /// ```
    /// use driftless_helm::{MemFs, RenderOptions, render};
    /// let mut fs = MemFs::default();
    /// fs.insert("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
    /// fs.insert("templates/d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 3\n---\n# nothing\n");
    /// let m = render(&fs, "", &RenderOptions::default()).unwrap().manifests().unwrap();
    /// assert_eq!(m.len(), 1);
    /// assert!(m[0].object["spec"]["replicas"].is_i64());
    /// assert_eq!(m[0].provenance.line, 1);
    /// ```
    pub fn manifests(&self) -> Result<Vec<Manifest>, HelmError> {
        let mut out = Vec::new();
        for d in &self.documents {
            // Syntax was checked while sorting; read with YAML 1.1 scalars as
            // Kubernetes clients (sigs.k8s.io/yaml) do.
            let json = match crate::yaml::from_yaml(&d.content) {
                Ok(j) => j,
                // libyaml (which checked the syntax while sorting) is the
                // reference; fall back to it if the YAML 1.1 reader refuses.
                Err(e) => {
                    serde_yaml_ng::from_str::<serde_json::Value>(&d.content).map_err(|_| {
                        HelmError::Yaml {
                            file: d.source.clone(),
                            message: e.to_string(),
                            rendered: String::new(),
                        }
                    })?
                }
            };
            if json.is_null() {
                continue;
            }
            out.push(Manifest::new(
                json,
                Provenance::file(d.source.clone(), d.index, d.line),
            )?);
        }
        Ok(out)
    }
}

/// The Sprig and Helm functions (the engine adds its own on top).
fn sprig_funcs(opts: &RenderOptions) -> FuncMap {
    let mut funcs = FuncMap::new();
    let mut fo = crate::funcs::FuncOptions::default();
    if let Some(l) = &opts.lookup {
        fo.lookup = l.clone();
    }
    crate::funcs::register(&mut funcs, &fo);
    funcs
}

/// Renders a loaded chart (see [`super::render`]).
pub fn render_chart(mut chart: Chart, opts: &RenderOptions) -> Result<Rendered, HelmError> {
    if let Engine::Binary(_) = opts.engine {
        return Err(HelmError::Binary(
            "the helm binary engine renders chart files, not a loaded chart: use render or render_dir".into(),
        ));
    }
    let files: Vec<(String, Vec<u8>)> = opts
        .value_files
        .iter()
        .map(|f| (f.name.clone(), f.data.clone()))
        .collect();
    let vals = user_values(
        &files,
        &opts.set_json,
        &opts.set,
        &opts.set_string,
        &opts.set_file,
        &|path: &str| {
            let data = match &opts.file_reader {
                Some(read) => read(path),
                None => std::fs::read(path),
            };
            data.map(|d| String::from_utf8_lossy(&d).into_owned())
                .map_err(|e| format!("open {path}: {}", go_io_error(&e)))
        },
        &opts.set_literal,
    )?;
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        return Err(HelmError::InvalidChart(format!(
            "{} charts are not installable",
            chart.metadata.chart_type
        )));
    }
    check_dependencies(&chart)?;
    validate_release_name(&opts.release_name)?;
    process_dependencies(&mut chart, &vals);

    let kube = match &opts.kube_version {
        Some(k) => KubeVersion::parse(k).map_err(HelmError::InvalidChart)?,
        None => KubeVersion::parse(super::DEFAULT_KUBE_VERSION).map_err(HelmError::InvalidChart)?,
    };
    if !chart.metadata.kube_version.is_empty()
        && !semver::satisfies(&chart.metadata.kube_version, &kube.normalized)
    {
        return Err(HelmError::IncompatibleKube {
            constraint: chart.metadata.kube_version.clone(),
            kube: kube.normalized.clone(),
        });
    }
    let api_versions: Vec<String> = opts
        .api_versions
        .iter()
        .flat_map(|a| a.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let final_vals = coalesce_values(&chart, &vals);
    if !opts.skip_schema_validation {
        crate::values::schema::validate(&chart, &final_vals)?;
    }
    let g = Globals {
        release: release_value(&opts.release_name, &opts.namespace),
        capabilities: capabilities(&kube, &api_versions),
    };
    let values = Value::from_json(&serde_json::Value::Object(final_vals));
    let mut rendered = render_templates(&chart, values, &g, sprig_funcs(opts))?;

    let notes_key = format!("{}/templates/NOTES.txt", chart.name());
    let notes = rendered.get(&notes_key).cloned().unwrap_or_default();
    rendered.retain(|k, _| !k.ends_with("NOTES.txt"));
    let (generic, hooks) = sort_manifests(&rendered).map_err(|e| match e {
        HelmError::Yaml { file, message, .. } => HelmError::Yaml {
            file,
            message,
            rendered: format!(
                "{}\n",
                rendered
                    .iter()
                    .filter(|(_, c)| !c.trim().is_empty())
                    .map(|(n, c)| format!("---\n# Source: {n}\n{c}\n"))
                    .collect::<String>()
                    .trim()
            ),
        },
        other => other,
    })?;
    assemble(&chart, generic, hooks, notes, opts)
}

/// An I/O error as Go's `os` package words it (`no such file or directory`).
fn go_io_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `chartutil.ValidateReleaseName`.
fn validate_release_name(name: &str) -> Result<(), HelmError> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
            .expect("valid regex")
    });
    if name.is_empty() || name.len() > 53 || !RE.is_match(name) {
        return Err(HelmError::Values(format!(
            "release name check failed: release name {name:?}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
        )));
    }
    Ok(())
}

fn crd_documents(chart: &Chart, full_path: &str, out: &mut Vec<(Document, String)>) {
    for f in chart.crd_files() {
        let source = format!("{full_path}/{}", f.name);
        let text = String::from_utf8_lossy(&f.data).into_owned();
        for (index, (doc, line)) in split_manifests(&text).into_iter().enumerate() {
            out.push((
                Document {
                    source: source.clone(),
                    content: doc,
                    index,
                    line,
                    kind: "CustomResourceDefinition".into(),
                    hook: None,
                    duplicate_keys: Vec::new(),
                },
                text.clone(),
            ));
        }
    }
    for d in &chart.dependencies {
        crd_documents(d, &format!("{full_path}/charts/{}", d.name()), out);
    }
}

fn assemble(
    chart: &Chart,
    generic: Vec<Document>,
    hooks: Vec<Document>,
    notes: String,
    opts: &RenderOptions,
) -> Result<Rendered, HelmError> {
    let mut manifest_text = String::new();
    let mut documents = Vec::new();
    if opts.include_crds {
        let mut crds = Vec::new();
        crd_documents(chart, chart.name(), &mut crds);
        let mut last_source = String::new();
        for (d, whole) in crds {
            if d.source != last_source {
                manifest_text.push_str(&format!("---\n# Source: {}\n{}\n", d.source, whole));
                last_source = d.source.clone();
            }
            documents.push(d);
        }
    }
    for m in generic {
        manifest_text.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
        documents.push(m);
    }
    let mut text = format!("{}\n", manifest_text.trim());
    if !opts.no_hooks {
        for h in hooks {
            if opts.skip_tests && h.is_test_hook() {
                continue;
            }
            text.push_str(&format!("---\n# Source: {}\n{}\n", h.source, h.content));
            documents.push(h);
        }
    }
    if !opts.show_only.is_empty() {
        return show_only(text, documents, notes, &opts.show_only);
    }
    Ok(Rendered {
        text,
        documents,
        notes,
    })
}

/// `--show-only`: keeps the documents whose template path (without the
/// chart name) matches one of the patterns, in pattern order.
fn show_only(
    text: String,
    documents: Vec<Document>,
    notes: String,
    patterns: &[String],
) -> Result<Rendered, HelmError> {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"# Source: [^/]+/(.+)").expect("valid regex"));
    let split = split_manifests(&text);
    let mut out = String::new();
    let mut docs = Vec::new();
    for pat in patterns {
        let pat = pat.replace('\\', "/");
        let mut missing = true;
        for (m, _) in &split {
            let Some(c) = NAME.captures(m) else {
                continue;
            };
            if !go_path_match(&pat, &c[1]) {
                continue;
            }
            out.push_str(&format!("---\n{m}\n"));
            missing = false;
        }
        for d in &documents {
            let rel = d.source.split_once('/').map_or("", |(_, r)| r);
            if go_path_match(&pat, rel) {
                docs.push(d.clone());
            }
        }
        if missing {
            return Err(HelmError::ShowOnly(pat));
        }
    }
    Ok(Rendered {
        text: out,
        documents: docs,
        notes,
    })
}
