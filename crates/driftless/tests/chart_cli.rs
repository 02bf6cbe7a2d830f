//! `driftless render` and `driftless sync --sim` of Applications whose source is a chart of a
//! chart repository or an OCI registry (`spec.source.chart`), with the real binary against real
//! servers started by the test.

#[path = "../../driftless-charts/tests/support/mod.rs"]
mod servers;

use servers::{Registry, StaticServer, index, make_chart, objects_of_yaml, package, run_helm};
use std::path::Path;
use std::process::{Command, Output};

fn application(dir: &Path, repo_url: &str, revision: &str) -> std::path::PathBuf {
    let p = dir.join("application.yaml");
    std::fs::write(
        &p,
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: web, namespace: argocd}}\nspec:\n  project: default\n  source:\n    repoURL: {repo_url}\n    chart: web\n    targetRevision: {revision:?}\n    helm:\n      valueFiles: [values-prod.yaml]\n  destination: {{namespace: shop}}\n  syncPolicy: {{syncOptions: [CreateNamespace=true]}}\n"
        ),
    )
    .unwrap();
    p
}

fn driftless(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftless"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("KUBECONFIG")
        .env_remove("DRIFTLESS_GIT_PASSWORD")
        .env_remove("DRIFTLESS_GIT_TOKEN")
        .env("DRIFTLESS_LOG", "warn")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn render_of_a_repository_chart_equals_helm_template_and_downloads_once() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    for v in ["1.0.0", "1.1.0"] {
        package(&make_chart(&tmp.path().join("src"), "web", v, v), &repo);
    }
    index(&repo, None);
    let server = StaticServer::start(&repo, None);
    let app = application(tmp.path(), &server.url(), "~1.0");
    let cache = tmp.path().join("cache");
    let out = driftless(&["render", "-f", app.to_str().unwrap()], &cache);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let chart = make_chart(&tmp.path().join("ref"), "web", "1.0.0", "1.0.0");
    let want = objects_of_yaml(&run_helm(
        tmp.path(),
        &[
            "template",
            "web",
            chart.to_str().unwrap(),
            "-n",
            "shop",
            "-f",
            chart.join("values-prod.yaml").to_str().unwrap(),
        ],
    ));
    assert_eq!(objects_of_yaml(&String::from_utf8_lossy(&out.stdout)), want);
    let again = driftless(&["render", "-f", app.to_str().unwrap()], &cache);
    assert_eq!(again.stdout, out.stdout);
    assert_eq!(
        server.count("/web-1.0.0.tgz"),
        1,
        "the second run reads the cache"
    );

    // A version that does not exist: a clear error, nothing printed.
    let missing = application(tmp.path(), &server.url(), "^7");
    let out = driftless(&["render", "-f", missing.to_str().unwrap()], &cache);
    assert_ne!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("\"web\"") && e.contains("^7") && e.contains(&server.url()),
        "{e}"
    );
}

#[test]
fn sync_sim_of_an_oci_chart_application() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = Registry::start();
    reg.push(&package(
        &make_chart(&tmp.path().join("src"), "web", "2.0.0", "oci"),
        &tmp.path().join("out"),
    ));
    let app = application(tmp.path(), &reg.charts_url(), "2.0.0");
    let out = driftless(
        &["sync", "--sim", "-f", app.to_str().unwrap()],
        &tmp.path().join("cache"),
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let row = |kind: &str| {
        all.lines()
            .rev()
            .find(|l| l.starts_with(kind) && l.split_whitespace().nth(2) == Some("web"))
            .unwrap_or_else(|| panic!("{kind} web row in\n{all}"))
            .to_string()
    };
    assert!(row("Deployment").contains("Healthy"), "{all}");
    row("Service");
    assert!(
        all.lines()
            .any(|l| l.starts_with("ConfigMap") && l.contains("web-flavour")),
        "{all}"
    );
}
