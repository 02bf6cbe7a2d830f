//! Shared test support: locating `../shared`, installing the helm oracle,
//! emulating the `helm template` / `helm install --dry-run` command line on
//! top of the library, and comparing outputs.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use driftless_helm::render::{Document, render_name_template, split_manifests};
use driftless_helm::{DirFs, HelmError, RenderOptions, ValuesFile, render};

#[path = "../../../../tests/src/tools.rs"]
mod tools;
#[allow(unused_imports)] // not every test binary uses every tool
pub use tools::{helm as helm_binary, repo_root, shared_dir};

/// One row of `cases.tsv`.
#[derive(Debug, Clone)]
pub struct Case {
    pub suite: String,
    pub id: String,
    pub workdir: PathBuf,
    pub args: Vec<String>,
    pub expected: PathBuf,
    pub kind: String,
}

impl Case {
    pub fn key(&self) -> String {
        format!("{}:{}", self.suite, self.id)
    }
}

/// Splits a command line the way a POSIX shell would for simple quoting.
pub fn shell_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        c => cur.push(c),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

pub fn load_cases() -> Vec<Case> {
    let root = shared_dir().join("helm-conformance");
    let text = std::fs::read_to_string(root.join("cases.tsv")).expect("cases.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case {
                suite: f[0].to_string(),
                id: f[1].to_string(),
                workdir: root.join(f[2]),
                args: shell_split(f[3]),
                expected: root.join(f[2]).join(f[4]),
                kind: f[5].to_string(),
            }
        })
        .collect()
}

/// What a helm command printed.
#[derive(Debug, Clone, PartialEq)]
pub struct CliOutput {
    pub stdout: String,
    /// The error text without the `Error: ` prefix.
    pub error: Option<String>,
    /// For `--output-dir`: file path (relative to the dir) → contents.
    pub files: BTreeMap<String, String>,
}

#[derive(Default)]
struct Parsed {
    cmd: String,
    positional: Vec<String>,
    opts: RenderOptions,
    debug: bool,
    name_template: Option<String>,
    output_dir: bool,
    hide_secret: bool,
    dry_run: bool,
}

fn parse_args(args: &[String], workdir: &Path) -> Result<Parsed, String> {
    let mut p = Parsed {
        cmd: args.first().cloned().unwrap_or_default(),
        ..Parsed::default()
    };
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let takes = [
            "--set",
            "--set-string",
            "--set-json",
            "--set-literal",
            "--set-file",
            "--values",
            "-f",
            "--kube-version",
            "--api-versions",
            "--show-only",
            "-s",
            "--name-template",
            "--namespace",
            "-n",
            "--output-dir",
        ];
        if takes.contains(&flag.as_str()) {
            let v = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i)
                        .cloned()
                        .ok_or(format!("flag needs an argument: {flag}"))?
                }
            };
            match flag.as_str() {
                "--set" => p.opts.set.push(v),
                "--set-string" => p.opts.set_string.push(v),
                "--set-json" => p.opts.set_json.push(v),
                "--set-literal" => p.opts.set_literal.push(v),
                "--set-file" => {
                    // helm reads these relative to its working directory.
                    let base = workdir.to_path_buf();
                    p.opts.file_reader = Some(std::sync::Arc::new(move |path: &str| {
                        std::fs::read(base.join(path))
                    }));
                    p.opts.set_file.push(v)
                }
                "--values" | "-f" => {
                    let path = workdir.join(&v);
                    let data = std::fs::read(&path).map_err(|e| e.to_string())?;
                    p.opts.value_files.push(ValuesFile::new(v, data));
                }
                "--kube-version" => p.opts.kube_version = Some(v),
                "--api-versions" => p.opts.api_versions.push(v),
                "--show-only" | "-s" => p.opts.show_only.push(v),
                "--name-template" => p.name_template = Some(v),
                "--namespace" | "-n" => p.opts.namespace = v,
                "--output-dir" => p.output_dir = true,
                _ => unreachable!(),
            }
        } else {
            match flag.as_str() {
                "--include-crds" => p.opts.include_crds = true,
                "--skip-tests" => p.opts.skip_tests = true,
                "--no-hooks" => p.opts.no_hooks = true,
                "--debug" => p.debug = true,
                "--skip-schema-validation" => p.opts.skip_schema_validation = true,
                "--dry-run" => p.dry_run = true,
                "--hide-secret" => p.hide_secret = true,
                f if f.starts_with('-') => return Err(format!("unknown flag: {f}")),
                _ => p.positional.push(a.clone()),
            }
        }
        i += 1;
    }
    Ok(p)
}

/// Whether the CLI prints the `--debug` hint (errors after rendering).
fn is_render_error(e: &HelmError) -> bool {
    matches!(
        e,
        HelmError::Parse { .. }
            | HelmError::Exec(_)
            | HelmError::Yaml { .. }
            | HelmError::IncompatibleKube { .. }
    )
}

/// Runs a `helm template ...` / `helm install ... --dry-run` command line
/// natively, printing what the helm CLI would.
pub fn run_native(args: &[String], workdir: &Path, default_kube: Option<&str>) -> CliOutput {
    let mut out = CliOutput {
        stdout: String::new(),
        error: None,
        files: BTreeMap::new(),
    };
    let mut p = match parse_args(args, workdir) {
        Ok(p) => p,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    if p.opts.kube_version.is_none() {
        p.opts.kube_version = default_kube.map(str::to_string);
    }
    let chart = match (p.cmd.as_str(), p.positional.len()) {
        ("template", 0) => {
            out.error = Some(
                "\"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]"
                    .into(),
            );
            return out;
        }
        ("template", 1) => p.positional[0].clone(),
        (_, n) if n >= 2 => {
            p.opts.release_name = p.positional[0].clone();
            p.positional[1].clone()
        }
        _ => {
            out.error = Some("unsupported command line".into());
            return out;
        }
    };
    if let Some(t) = &p.name_template {
        match render_name_template(t) {
            Ok(n) => p.opts.release_name = n,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        }
    }
    let fs = DirFs::new(workdir.join(&chart));
    match render(&fs, "", &p.opts) {
        Ok(r) => {
            if p.output_dir {
                out.files = output_dir_files(&r.documents);
            } else if p.cmd == "install" {
                out.stdout = install_manifest(&r.documents, p.hide_secret);
            } else {
                out.stdout = r.text;
            }
        }
        Err(e) => {
            let mut msg = e.to_string();
            if p.debug {
                if let HelmError::Yaml { rendered, .. } = &e {
                    out.stdout = rendered.clone();
                }
            } else if is_render_error(&e) && p.cmd == "template" {
                msg.push_str("\n\nUse --debug flag to render out invalid YAML");
            }
            out.error = Some(msg.trim_end().to_string());
        }
    }
    out
}

/// The MANIFEST section of `helm install --dry-run`.
pub fn install_manifest(docs: &[Document], hide_secret: bool) -> String {
    let mut s = String::new();
    for d in docs.iter().filter(|d| d.hook.is_none()) {
        let content = if hide_secret && d.kind == "Secret" {
            "# HIDDEN: The Secret output has been suppressed"
        } else {
            &d.content
        };
        s.push_str(&format!("---\n# Source: {}\n{}\n", d.source, content));
    }
    s
}

/// The files `helm template --output-dir` writes (paths relative to it).
pub fn output_dir_files(docs: &[Document]) -> BTreeMap<String, String> {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut hook_written = std::collections::BTreeSet::new();
    for d in docs {
        let chunk = format!("---\n# Source: {}\n{}\n", d.source, d.content);
        if d.hook.is_some() && hook_written.insert(d.source.clone()) {
            files.insert(d.source.clone(), chunk);
        } else {
            files.entry(d.source.clone()).or_default().push_str(&chunk);
        }
    }
    files
}

/// Runs the real helm binary.
pub fn run_helm(args: &[String], workdir: &Path, default_kube: Option<&str>) -> CliOutput {
    let helm = helm_binary();
    let mut args = args.to_vec();
    if let Some(k) = default_kube
        && !args.iter().any(|a| a.starts_with("--kube-version"))
    {
        args.push("--kube-version".into());
        args.push(k.into());
    }
    let mut out_dir = None;
    if let Some(i) = args.iter().position(|a| a == "--output-dir") {
        let d = tempfile_dir();
        args[i + 1] = d.display().to_string();
        out_dir = Some(d);
    }
    let o = Command::new(helm)
        .args(&args)
        .current_dir(workdir)
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("driftless-helm-cache"),
        )
        .env(
            "HELM_CONFIG_HOME",
            std::env::temp_dir().join("driftless-helm-config"),
        )
        .env(
            "HELM_DATA_HOME",
            std::env::temp_dir().join("driftless-helm-data"),
        )
        .output()
        .expect("run helm");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let error = if o.status.success() {
        None
    } else {
        let e = stderr
            .lines()
            .skip_while(|l| !l.starts_with("Error: "))
            .collect::<Vec<_>>()
            .join("\n");
        Some(e.trim_start_matches("Error: ").trim_end().to_string())
    };
    let mut files = BTreeMap::new();
    let mut stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    if let Some(d) = out_dir {
        // `wrote DIR/file` lines name a temporary directory.
        stdout.clear();
        collect_files(&d, &d, &mut files);
        let _ = std::fs::remove_dir_all(&d);
    }
    CliOutput {
        stdout,
        error,
        files,
    }
}

fn tempfile_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("driftless-helm-out-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

pub fn collect_files(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_files(root, &p, out);
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read_to_string(&p).unwrap_or_default());
        }
    }
}

/// A stream of `# Source:` documents as (source, parsed YAML) pairs.
pub fn parse_stream(text: &str) -> Result<Vec<(String, serde_yaml_ng::Value)>, String> {
    let mut out = Vec::new();
    for (doc, _) in split_manifests(text) {
        let (source, body) = match doc.strip_prefix("# Source: ") {
            Some(rest) => match rest.split_once('\n') {
                Some((s, b)) => (s.to_string(), b.to_string()),
                None => (rest.to_string(), String::new()),
            },
            None => (String::new(), doc.clone()),
        };
        let v: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&body).map_err(|e| format!("{source}: {e}"))?;
        out.push((source, v));
    }
    Ok(out)
}

/// Applies the OTel charts' normalisation to an output file.
pub fn otel_normalize(s: &str) -> String {
    let re1 = regex::Regex::new(r"[ \t\n]+\n---\n").unwrap();
    let mut t = re1.replace_all(s, "\n---\n").into_owned();
    let trimmed = t.trim_end_matches([' ', '\t', '\n']).len();
    if trimmed < t.len() {
        t.truncate(trimmed);
        t.push('\n');
    }
    t.lines()
        .filter(|l| {
            !l.contains("checksum/config")
                && !regex::Regex::new(r"helm\.sh/chart").unwrap().is_match(l)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Maps `--output-dir` paths to the OTel `rendered/` layout.
pub fn otel_layout(files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, content) in files {
        let parts: Vec<&str> = path.split('/').collect();
        let rel = if parts.len() > 2 && parts[1] == "templates" {
            parts[2..].join("/")
        } else if parts.len() > 4 && parts[1] == "charts" && parts[3] == "templates" {
            format!("{}/{}", parts[2], parts[4..].join("/"))
        } else {
            path.clone()
        };
        out.insert(rel, otel_normalize(content));
    }
    out
}

/// One ConfigMap template per snippet (`tNN.yaml`), each printing its
/// snippet's output (through a `define`, so that errors name it) as `data.out`.
pub fn snippet_templates<S: AsRef<str>>(snippets: &[S]) -> Vec<(String, String)> {
    snippets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.as_ref();
            let body = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t{i}\ndata:\n  out: {{{{ include \"body-{i}\" . | quote }}}}\n{{{{- define \"body-{i}\" }}}}{s}{{{{ end }}}}\n"
            );
            (format!("t{i:02}.yaml"), body)
        })
        .collect()
}

/// `helm template gen .`
pub fn template_gen_args() -> Vec<String> {
    ["template", "gen", "."]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Renders each failing template (as `templates/bad.yaml` of a chart that
/// `write_chart` makes in `dir(i)`) with helm and natively; returns the
/// cases whose errors differ. Panics if helm accepts a case.
pub fn error_case_diffs(
    errors: &[&str],
    dir: impl Fn(usize) -> PathBuf,
    write_chart: impl Fn(&Path, &[(String, String)]),
) -> Vec<String> {
    let mut diffs = Vec::new();
    for (i, s) in errors.iter().enumerate() {
        let dir = dir(i);
        write_chart(&dir, &[("bad.yaml".to_string(), format!("{s}\n"))]);
        let args = template_gen_args();
        let native = run_native(&args, &dir, None);
        let helm = run_helm(&args, &dir, None);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(helm.error.is_some(), "helm accepted error case {i}: {s}");
        if native.error != helm.error {
            diffs.push(format!(
                "case {i} {s:?}\n  native: {:?}\n  helm:   {:?}",
                native.error, helm.error
            ));
        }
    }
    diffs
}
