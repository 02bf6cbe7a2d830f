//! Source and render speed, next to the tools doing the same work, in one run:
//! - render a 5,000-object directory read from a Git tree, vs `kubectl kustomize`
//!   of the same directory (a kustomization listing the files, from a checkout,
//!   timed once: it takes over a minute);
//! - a no-op poll of an unchanged remote over smart HTTP, vs `git fetch`.

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_render::{RenderOptions, render};
use driftless_source::{Credentials, FetchOutcome, RepoCache, RepoUrl};
use std::process::Command;
use std::time::Duration;

const FILES: usize = 1000;
const PER_FILE: usize = 5;

fn object(i: usize) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:05}\n  labels:\n    app.kubernetes.io/name: bench\n    index: \"{i}\"\ndata:\n  key: value-{i}\n  other: |\n    some multi-line\n    text {i}\n"
    )
}

fn fixture() -> support::TestRepo {
    let repo = support::TestRepo::new();
    let dir = repo.dir().join("objects");
    std::fs::create_dir_all(&dir).unwrap();
    let mut kustomization = String::from("resources:\n");
    for f in 0..FILES {
        let docs: Vec<String> = (0..PER_FILE).map(|d| object(f * PER_FILE + d)).collect();
        let name = format!("f{f:04}.yaml");
        std::fs::write(dir.join(&name), docs.join("---\n")).unwrap();
        kustomization.push_str(&format!("- ../objects/{name}\n"));
    }
    // The kustomization sits next to the directory so that the directory
    // render stays a plain directory source.
    let kdir = repo.dir().join("kustomize");
    std::fs::create_dir_all(&kdir).unwrap();
    std::fs::write(kdir.join("kustomization.yaml"), kustomization).unwrap();
    repo.commit(&[], "fixture");
    repo
}

fn benches(c: &mut Criterion) {
    let repo = fixture();
    let server = support::HttpGit::start(repo.root.path(), None);
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(cache_dir.path()).unwrap();
    let url = RepoUrl::parse(&server.url("app")).unwrap();
    let resolved = cache.resolve(&url, &Credentials::None, "main").unwrap();

    let mut g = c.benchmark_group("render_5000_objects");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("driftless_render_from_git_tree", |b| {
        b.iter(|| {
            let tree = cache.tree(&url, &resolved.commit).unwrap();
            let r = render(&tree, "objects", &RenderOptions::default()).unwrap();
            assert_eq!(r.manifests.len(), FILES * PER_FILE);
        })
    });
    g.finish();

    // `kubectl kustomize` of the same 5,000 objects takes over a minute (its
    // resource handling grows quadratically), too slow for criterion's ten
    // samples: it is timed once here, in the same run, and printed.
    // DRIFTLESS_BENCH_SKIP_KUBECTL=1 skips it.
    if std::env::var_os("DRIFTLESS_BENCH_SKIP_KUBECTL").is_none() {
        let kdir = repo.dir().join("kustomize");
        let started = std::time::Instant::now();
        let out = Command::new("kubectl")
            .args(["kustomize", kdir.to_str().unwrap()])
            .args(["--load-restrictor", "LoadRestrictionsNone"])
            .output()
            .unwrap();
        let status = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{status}");
        eprintln!(
            "render_5000_objects/kubectl_kustomize_from_checkout (one run): {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }

    let clone = tempfile::tempdir().unwrap();
    let remote = server.url("app");
    support::git(
        clone.path(),
        &["clone", "-q", "--bare", &remote, "mirror.git"],
    );
    let mirror = clone.path().join("mirror.git");
    let mut g = c.benchmark_group("noop_poll_http");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("driftless_resolve_unchanged", |b| {
        b.iter(|| {
            let r = cache.resolve(&url, &Credentials::None, "main").unwrap();
            assert_eq!(r.fetch, FetchOutcome::UpToDate);
        })
    });
    g.bench_function("git_fetch_unchanged", |b| {
        b.iter(|| {
            support::git(
                &mirror,
                &["fetch", "-q", "origin", "+refs/heads/*:refs/heads/*"],
            )
        })
    });
    g.finish();
}

criterion_group!(source, benches);
criterion_main!(source);
