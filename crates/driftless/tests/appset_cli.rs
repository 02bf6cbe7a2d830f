//! `driftless appset generate` run as a program: a git directories generator reading a
//! temporary repository through the Git cache, no cluster.

use driftless_e2e::GitRepo;
use std::path::Path;
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

/// A one-route plugin service on a thread: answers every `POST` carrying the right bearer token
/// with `answer`, anything else with 403; returns its port.
fn plugin_server(token: &'static str, answer: &'static str) -> u16 {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut len, mut authorized, mut first) = (0usize, false, String::new());
            reader.read_line(&mut first).unwrap();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let l = line.trim_end().to_ascii_lowercase();
                if l.is_empty() {
                    break;
                }
                if let Some(v) = l.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                if l == format!("authorization: bearer {token}") {
                    authorized = true;
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let ok = authorized && first.starts_with("POST /api/v1/getparams.execute ");
            let (status, text) = if ok {
                ("200 OK", answer)
            } else {
                ("403 Forbidden", "{\"message\": \"denied\"}")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    port
}

#[test]
fn plugin_generator_over_http_with_objects_standing_in_for_the_cluster() {
    let port = plugin_server(
        "cli-t0ken",
        r#"{"output": {"parameters": [{"env": "dev"}, {"env": "prod"}]}}"#,
    );
    let work = tempfile::tempdir().unwrap();
    let set = work.path().join("set.yaml");
    std::fs::write(
        &set,
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: plug, namespace: argocd}\nspec:\n  goTemplate: true\n  generators:\n  - plugin: {configMapRef: {name: p}, input: {parameters: {team: t1}}}\n  template:\n    metadata: {name: '{{ .generator.input.parameters.team }}-{{ .env }}'}\n    spec: {project: default, destination: {server: 'https://kubernetes.default.svc', namespace: '{{ .env }}'}}\n",
    )
    .unwrap();
    let objects = work.path().join("objects.yaml");
    std::fs::write(
        &objects,
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: p, namespace: argocd}}\ndata: {{baseUrl: 'http://127.0.0.1:{port}', token: '$creds:token'}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: creds, namespace: argocd}}\nstringData: {{token: cli-t0ken}}\n"),
    )
    .unwrap();
    let run = |objects: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftless"));
        cmd.args(["appset", "generate", "-f"]).arg(&set);
        if let Some(o) = objects {
            cmd.arg("--objects").arg(o);
        }
        cmd.output().unwrap()
    };
    let out = run(Some(&objects));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name: "))
        .collect();
    assert_eq!(names, ["t1-dev", "t1-prod"], "{text}");

    let out = run(None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("spec.generators[0].plugin: error getting plugin from generator: error fetching ConfigMap: reading ConfigMap p needs a cluster"),
        "{err}"
    );
}
