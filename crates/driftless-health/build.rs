//! Embeds Argo CD's resource-customization scripts (`resource_customizations/**/*.lua`)
//! into the library as a generated table of `(path, source)` pairs.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"))
        .join("resource_customizations");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut scripts = Vec::new();
    collect(&root, &root, &mut scripts);
    scripts.sort();
    let mut out = String::from(
        "/// Every embedded `.lua` file: path relative to `resource_customizations/`, source.\n",
    );
    out.push_str("pub(crate) static SCRIPTS: &[(&str, &str)] = &[\n");
    for (rel, abs) in &scripts {
        out.push_str(&format!("    ({rel:?}, include_str!({abs:?})),\n"));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("library.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "lua") {
            let rel = path.strip_prefix(root).expect("under root");
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, path.to_string_lossy().into_owned()));
        }
    }
}
