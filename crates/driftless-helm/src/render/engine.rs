//! Parsing and executing a chart's templates as Helm's `engine.Render`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use driftless_gotmpl::{FuncMap, Map, MissingKey, TemplateSet, Value};
use regex::Regex;

use super::engine_funcs::{ROOT_TEMPLATE, add_engine_funcs};
use super::files::Files;
use super::objects::{chart_value, template_value};
use crate::chart::Chart;
use crate::error::HelmError;

struct Renderable {
    text: String,
    vals: Map,
    base_path: String,
}

/// Objects shared by every chart of a render.
pub(crate) struct Globals {
    pub release: Value,
    pub capabilities: Value,
}

/// Collects the templates of `chart` and its subcharts (Helm's
/// `recAllTpls`), returning the chart's top-level object map.
fn collect(
    chart: &Chart,
    parent: Option<&str>,
    values: Value,
    g: &Globals,
    out: &mut BTreeMap<String, Renderable>,
) -> Map {
    let full_path = match parent {
        None => chart.name().to_string(),
        Some(p) => format!("{p}/charts/{}", chart.name()),
    };
    let is_root = parent.is_none();
    let next = Map::new();
    next.insert("Chart", chart_value(&chart.metadata, is_root));
    next.insert("Files", Files::new(&chart.files).into_value());
    next.insert("Release", g.release.clone());
    next.insert("Capabilities", g.capabilities.clone());
    let vals = if is_root {
        values
    } else {
        match values.as_map().and_then(|m| m.get(chart.name())) {
            Some(v @ Value::Map(_)) => v,
            _ => Value::empty_map(),
        }
    };
    next.insert("Values", vals.clone());
    let subcharts = Map::new();
    for child in &chart.dependencies {
        let child_next = collect(child, Some(&full_path), vals.clone(), g, out);
        subcharts.insert(child.name(), Value::Map(child_next));
    }
    next.insert("Subcharts", Value::Map(subcharts));
    for t in &chart.templates {
        if chart.metadata.is_library() {
            let base = t.name.rsplit('/').next().unwrap_or(&t.name);
            if !base.starts_with('_') {
                continue;
            }
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                text: String::from_utf8_lossy(&t.data).into_owned(),
                vals: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    next
}

/// Helm's parse order: deeper paths first, ties in reverse lexical order.
fn sort_templates(names: &mut [String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// Renders every template of the chart; returns template path → output
/// (partials excluded). `funcs` are the Sprig/Helm functions; the engine
/// adds `include`, `tpl`, `required`, `fail` and `lookup`.
pub(crate) fn render_templates(
    chart: &Chart,
    values: Value,
    g: &Globals,
    mut funcs: FuncMap,
) -> Result<BTreeMap<String, String>, HelmError> {
    let mut tpls = BTreeMap::new();
    collect(chart, None, values, g, &mut tpls);
    add_engine_funcs(&mut funcs);
    let mut set = TemplateSet::with_funcs(funcs);
    set.set_missing_key(MissingKey::Zero);
    // Helm's root template is "gotpl" (the name `tpl` texts run under).
    let _ = ROOT_TEMPLATE;
    let mut keys: Vec<String> = tpls.keys().cloned().collect();
    sort_templates(&mut keys);
    for name in &keys {
        set.parse(name, &tpls[name].text)
            .map_err(|e| parse_error(&e))?;
    }
    let mut rendered = BTreeMap::new();
    for name in &keys {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') {
            continue;
        }
        let r = &tpls[name];
        r.vals
            .insert("Template", template_value(name, &r.base_path));
        let out = set
            .execute(name, &Value::Map(r.vals.clone()))
            .map_err(|e| exec_error(&e))?;
        rendered.insert(name.clone(), out.replace("<no value>", ""));
    }
    Ok(rendered)
}

/// Helm's `cleanupParseError`: `parse error at (file:line): message`.
fn parse_error(e: &driftless_gotmpl::ParseError) -> HelmError {
    let text = e.to_string();
    let tokens: Vec<&str> = text.split(": ").collect();
    if tokens.len() == 1 {
        return HelmError::Exec(format!("parse error in ({}): {text}", e.name));
    }
    HelmError::Parse {
        location: tokens[1].to_string(),
        message: tokens[tokens.len() - 1].to_string(),
    }
}

static WARN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)HELM\[(.*)\]HELM").expect("valid regex"));
static EXEC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)^template: (.+?:\d+:\d+): executing "((?:[^"\\]|\\.)*)" at <(.*?)>: (.*)$"#)
        .expect("valid regex")
});

/// Formats an execution error as helm v4.1 does: `required`/`fail` as
/// `execution error at (file:line:col): msg`, chains of `include` as a
/// multi-line trace, anything else as Go's one-line text.
pub(crate) fn exec_error(e: &driftless_gotmpl::Error) -> HelmError {
    let text = e.to_string();
    let driftless_gotmpl::Error::Exec(_) = e else {
        return match e {
            driftless_gotmpl::Error::Parse(p) => parse_error(p),
            driftless_gotmpl::Error::Exec(_) => HelmError::Exec(text),
        };
    };
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return HelmError::Exec(text);
    }
    if let Some(c) = WARN.captures(tokens[2]) {
        return HelmError::Exec(format!("execution error at ({}): {}", tokens[1], &c[1]));
    }
    // The recursion limit of `include` is reported on one line by Helm.
    if text.contains("rendering template has a nested reference name") {
        return HelmError::Exec(text);
    }
    match trace(&text) {
        Some(lines) => HelmError::Exec(lines.join("\n")),
        None => HelmError::Exec(text),
    }
}

fn trace(s: &str) -> Option<Vec<String>> {
    let c = EXEC.captures(s)?;
    let (loc, name, expr, msg) = (&c[1], &c[2], &c[3], &c[4]);
    let head = format!("{loc}\n  executing \"{name}\" at <{expr}>:");
    if let Some(inner) = msg.strip_prefix("error calling include: ") {
        let mut out = vec![format!("{head}\n    error calling include:")];
        if EXEC.is_match(inner) {
            out.extend(trace(inner)?);
        } else {
            out.push(inner.to_string());
        }
        return Some(out);
    }
    // Other functions' errors are not traced by Helm: the message stays on one line.
    if msg.starts_with("error calling ") {
        return None;
    }
    Some(vec![format!("{head}\n    {msg}")])
}
