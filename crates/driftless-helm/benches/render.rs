//! Renders the example chart `examples/charts/shop` (prod values): the
//! native engine against the `helm` binary (installed into `<repo>/.tools`
//! from `../shared/tools/install-helm.sh` when missing) in the same run.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_helm::{
    DirFs, Engine, RenderOptions, ValuesFile, load_chart, render_chart, render_dir,
};

fn chart() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/charts/shop")
}

fn helm() -> Option<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let helm = repo.join(".tools/helm");
    if !helm.exists() {
        let shared = std::env::var("DRIFTLESS_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|_| repo.join("../shared"));
        let _ = std::process::Command::new("bash")
            .arg(shared.join("tools/install-helm.sh"))
            .arg(repo.join(".tools"))
            .status();
    }
    helm.exists().then_some(helm)
}

fn opts() -> RenderOptions {
    RenderOptions {
        release_name: "shop".into(),
        value_files: vec![ValuesFile::read(chart().join("values-prod.yaml")).expect("values")],
        ..RenderOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let opts = opts();
    let mut g = c.benchmark_group("shop chart, prod values");
    g.sample_size(20);
    g.bench_function("native: load + render", |b| {
        b.iter(|| render_dir(black_box(&chart()), &opts).expect("render"))
    });
    let loaded = load_chart(&DirFs::new(chart()), "").expect("load");
    g.bench_function("native: render a loaded chart", |b| {
        b.iter(|| render_chart(black_box(loaded.clone()), &opts).expect("render"))
    });
    if let Some(helm) = helm() {
        let bin = RenderOptions {
            engine: Engine::Binary(helm),
            ..opts.clone()
        };
        g.bench_function("helm binary (helm template)", |b| {
            b.iter(|| render_dir(black_box(&chart()), &bin).expect("render"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
