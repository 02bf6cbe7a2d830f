//! `driftless appset generate` run as a program: a git directories generator reading a
//! temporary repository through the Git cache, no cluster.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generates_one_application_per_directory_of_the_repository() {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    for d in ["envs/dev", "envs/prod", "envs/.hidden", "other"] {
        std::fs::create_dir_all(repo.path().join(d)).unwrap();
        std::fs::write(repo.path().join(d).join("cm.yaml"), "kind: ConfigMap\n").unwrap();
    }
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "c"]);
    let work = tempfile::tempdir().unwrap();
    let set = work.path().join("set.yaml");
    std::fs::write(
        &set,
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {{name: envs, namespace: argocd}}\nspec:\n  generators:\n  - git:\n      repoURL: '{0}'\n      revision: main\n      directories: [{{path: 'envs/*'}}]\n  template:\n    metadata: {{name: 'shop-{{{{path.basename}}}}'}}\n    spec:\n      project: default\n      source: {{repoURL: '{0}', path: '{{{{path}}}}', targetRevision: main}}\n      destination: {{server: 'https://kubernetes.default.svc', namespace: '{{{{path.basename}}}}'}}\n",
            repo.path().display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_driftless"))
        .args(["appset", "generate", "-f"])
        .arg(&set)
        .arg("--cache-dir")
        .arg(work.path().join("cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name: shop-"))
        .collect();
    assert_eq!(names, ["dev", "prod"], "{text}");
    assert!(text.contains("path: envs/prod"), "{text}");
    assert!(text.contains("namespace: argocd"), "{text}");

    // A file without an ApplicationSet is an error naming the file.
    std::fs::write(
        &set,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_driftless"))
        .args(["appset", "generate", "-f"])
        .arg(&set)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no ApplicationSet"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
