//! `driftless appset generate` run as a program: a git directories generator reading a
//! temporary repository through the Git cache, no cluster.

use driftless_e2e::GitRepo;
use std::process::Command;

#[test]
fn generates_one_application_per_directory_of_the_repository() {
    let repo = GitRepo::new();
    for d in ["envs/dev", "envs/prod", "envs/.hidden", "other"] {
        repo.write(&format!("{d}/cm.yaml"), "kind: ConfigMap\n");
    }
    repo.commit("c");
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
