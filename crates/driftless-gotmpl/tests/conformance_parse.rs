//! Every template file of the Helm conformance charts (`shared/helm-conformance`,
//! all of which `helm template` renders) parses: functions unknown to this
//! crate (Sprig/Helm's) are declared as stubs, since parsing only checks
//! that a function exists.

use std::path::{Path, PathBuf};

use driftless_gotmpl::{FuncMap, Function, TemplateSet, Value};

fn shared_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("DRIFTLESS_SHARED") {
        return Some(PathBuf::from(d));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    p.exists().then_some(p)
}

fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            templates(&p, out);
        } else if p.components().any(|c| c.as_os_str() == "templates")
            && matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "tpl" | "txt")
            )
        {
            out.push(p);
        }
    }
}

#[test]
fn conformance_chart_templates_parse() {
    let Some(shared) = shared_dir() else {
        eprintln!("shared/ not found; skipping");
        return;
    };
    let mut files = Vec::new();
    templates(&shared.join("helm-conformance"), &mut files);
    assert!(
        files.len() > 100,
        "expected the conformance charts, found {}",
        files.len()
    );
    let mut funcs = FuncMap::new();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        loop {
            let mut set = TemplateSet::with_funcs(funcs.clone());
            match set.parse(&f.display().to_string(), &text) {
                Ok(()) => break,
                Err(e) => {
                    let m = &e.message;
                    if let Some(name) = m
                        .strip_prefix("function \"")
                        .and_then(|r| r.strip_suffix("\" not defined"))
                    {
                        funcs.insert(name, Function::variadic_any(|_, _| Ok(Value::Nil)));
                        continue;
                    }
                    failures.push(format!("{}: {e}", f.display()));
                    break;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "parse failures:\n{}",
        failures.join("\n")
    );
    eprintln!(
        "{} templates parsed ({} Sprig/Helm functions stubbed)",
        files.len(),
        funcs.names().count()
    );
}
