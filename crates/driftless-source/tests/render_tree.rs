//! Rendering straight from commits (SourceTree as the renderer's SourceFs).

mod support;

use driftless_render::{FsError, RenderError, RenderOptions, SourceType, render};
use driftless_source::{Credentials, RepoCache, RepoUrl};
use support::TestRepo;

fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
}

fn names(r: &driftless_render::Rendered) -> Vec<String> {
    r.manifests.iter().map(|m| m.key().to_string()).collect()
}

#[test]
fn two_revisions_render_side_by_side() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("app/a.yaml", &cm("a"))], "one");
    let c2 = repo.commit(&[("app/b.yaml", &cm("b"))], "two");
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path()).unwrap();
    let url = RepoUrl::parse(&repo.file_url()).unwrap();
    cache.resolve(&url, &Credentials::None, "main").unwrap();
    let old = cache.tree(&url, &c1).unwrap();
    let new = cache.tree(&url, &c2).unwrap();
    let opts = RenderOptions::default();
    let (r1, r2) = (
        render(&old, "app", &opts).unwrap(),
        render(&new, "app", &opts).unwrap(),
    );
    assert_eq!(names(&r1), ["ConfigMap:a"]);
    assert_eq!(names(&r2), ["ConfigMap:a", "ConfigMap:b"]);
    // The cache holds no work tree: nothing was checked out.
    assert!(!cache.repo_path(&url).join("app").exists());
}

#[test]
fn committed_symlinks_are_confined_to_the_repository() {
    let repo = TestRepo::new();
    repo.commit(
        &[("app/a.yaml", &cm("a")), ("shared/s.yaml", &cm("s"))],
        "one",
    );
    std::os::unix::fs::symlink("../shared/s.yaml", repo.dir().join("app/inside.yaml")).unwrap();
    let c_ok = repo.commit(&[], "inside link");
    std::os::unix::fs::symlink("/etc/passwd", repo.dir().join("app/passwd.yaml")).unwrap();
    let c_bad = repo.commit(&[], "outside link");
    let (_, tree) = driftless_source::open_local(&repo.dir(), &c_ok).unwrap();
    let r = render(&tree, "app", &RenderOptions::default()).unwrap();
    assert_eq!(names(&r), ["ConfigMap:a", "ConfigMap:s"]);
    let (_, tree) = driftless_source::open_local(&repo.dir(), &c_bad).unwrap();
    let err = render(&tree, "app", &RenderOptions::default()).unwrap_err();
    assert!(
        matches!(err, RenderError::Fs(FsError::SymlinkOutside { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("app/passwd.yaml"), "{err}");
}

#[test]
fn kustomize_from_a_commit() {
    let repo = TestRepo::new();
    let commit = repo.commit(
        &[
            ("base/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("base/cm.yaml", &cm("cfg")),
            (
                "env/prod/kustomization.yaml",
                "namespace: prod\nresources: [../../base]\n",
            ),
        ],
        "kustomize",
    );
    // Not in the commit: must not be seen.
    std::fs::write(repo.dir().join("base/extra.yaml"), cm("dirty")).unwrap();
    let (_, tree) = driftless_source::open_local(&repo.dir(), &commit).unwrap();
    let r = render(&tree, "env/prod", &RenderOptions::default()).unwrap();
    assert_eq!(r.source_type, SourceType::Kustomize);
    assert_eq!(names(&r), ["ConfigMap:prod/cfg"]);
}
