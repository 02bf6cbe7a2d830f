//! `driftless render --output-format helm` against the reference `helm template` (v4.1.4): the
//! same bytes on stdout, for the bundled example chart with each of its values files and for
//! charts of the shared Helm conformance suite (subcharts, hooks, CRDs, library charts, install
//! order), from a plain directory and from a Git revision.

use driftless_e2e::GitRepo;
use driftless_e2e::tools::{helm, repo_root, shared_dir};
use std::path::Path;
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// One chart rendered both ways.
struct Case<'a> {
    /// `--repo` of driftless (a plain directory or a Git repository).
    repo: &'a Path,
    /// The chart directory inside `repo`.
    path: &'a str,
    release: &'a str,
    namespace: &'a str,
    /// Flags of `helm template` (paths relative to the chart directory).
    helm: &'a [&'a str],
    /// The same settings as flags of `driftless render`.
    driftless: &'a [&'a str],
}

/// `helm template` run in the chart directory, and `driftless render -o helm`.
fn both(c: &Case) -> (String, String) {
    let chart = c.repo.join(c.path);
    let expected = run(Command::new(helm())
        .current_dir(&chart)
        .args(["template", c.release, ".", "--namespace", c.namespace])
        .args(c.helm)
        .env(
            "HELM_CACHE_HOME",
            std::env::temp_dir().join("driftless-helm-output-cache"),
        ));
    let cache = tempfile::tempdir().unwrap();
    let actual = run(Command::new(env!("CARGO_BIN_EXE_driftless"))
        .args(["render", "--output-format", "helm", "--repo"])
        .arg(c.repo)
        .args(["--path", c.path, "--release-name", c.release])
        .args(["--dest-namespace", c.namespace])
        .args(c.driftless)
        .env("XDG_CACHE_HOME", cache.path()));
    (
        String::from_utf8(expected.stdout).unwrap(),
        String::from_utf8(actual.stdout).unwrap(),
    )
}

fn assert_same(c: &Case) {
    let (expected, actual) = both(c);
    assert!(
        expected.contains("# Source: "),
        "{}: helm printed nothing",
        c.path
    );
    assert!(
        expected == actual,
        "{} {:?}: driftless -o helm differs from helm template\n--- helm\n{expected}\n--- driftless\n{actual}",
        c.path,
        c.driftless
    );
}

#[test]
fn example_chart_with_each_values_file_is_byte_identical() {
    let root = repo_root().join("examples/charts");
    // The chart's own values leave the database password unset (a required value).
    for values in ["values-dev.yaml", "values-staging.yaml", "values-prod.yaml"] {
        let (h, d) = (["--values", values], ["--helm-values", values]);
        assert_same(&Case {
            repo: &root,
            path: "shop",
            release: "shop",
            namespace: "shop",
            helm: &h,
            driftless: &d,
        });
    }
}

#[test]
fn conformance_charts_are_byte_identical() {
    let suite = shared_dir().join("helm-conformance");
    let charts = suite.join("helm-v4.2.4/testdata/testcharts");
    let cases: &[(&str, &[&str], &[&str])] = &[
        // Subcharts, install order, test hooks after the manifests.
        ("subchart", &[], &[]),
        ("subchart", &["--include-crds"], &["--include-crds"]),
        (
            "subchart",
            &[
                "--set",
                "configmap.enabled=true",
                "--set",
                "subchartb.enabled=true",
            ],
            &[
                "--helm-set",
                "configmap.enabled=true",
                "--helm-set",
                "subchartb.enabled=true",
            ],
        ),
        (
            "subchart",
            &["-f", "extra_values.yaml"],
            &["--helm-values", "extra_values.yaml"],
        ),
        (
            "subchart",
            &[
                "--kube-version",
                "1.16.0",
                "--api-versions",
                "helm.k8s.io/test",
            ],
            &[
                "--kube-version",
                "1.16.0",
                "--api-versions",
                "helm.k8s.io/test",
            ],
        ),
        ("object-order", &[], &[]),
        ("issue-9027", &[], &[]),
        ("chart-with-template-lib-dep", &[], &[]),
        ("chart-with-template-lib-archive-dep", &[], &[]),
    ];
    for (chart, h, d) in cases {
        assert_same(&Case {
            repo: &charts,
            path: chart,
            release: "release-name",
            namespace: "default",
            helm: h,
            driftless: d,
        });
    }
    let otel = suite.join("external/opentelemetry-helm-charts/charts");
    for (chart, example) in [
        ("opentelemetry-collector", "deployment-only"),
        ("opentelemetry-operator", "default"),
    ] {
        let values = format!("examples/{example}/values.yaml");
        assert_same(&Case {
            repo: &otel,
            path: chart,
            release: "example",
            namespace: "default",
            helm: &["--values", &values, "--kube-version", "1.29"],
            driftless: &["--helm-values", &values, "--kube-version", "1.29"],
        });
    }
}

#[test]
fn a_git_revision_renders_as_helm_template_of_that_commit() {
    let repo = GitRepo::new();
    let chart = repo.path().join("deploy/web");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "port: 80\n").unwrap();
    std::fs::write(
        chart.join("templates/all.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{port: {{ .Values.port }}}]\n---\n# a comment only\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: {{ .Release.Namespace }}\ndata:\n  on: \"on\"\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/hook.yaml"),
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: busybox}]\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/NOTES.txt"),
        "Thanks for installing {{ .Release.Name }}\n",
    )
    .unwrap();
    repo.commit("chart");
    // A later, uncommitted change is not part of the revision.
    std::fs::write(chart.join("values.yaml"), "port: 9999\n").unwrap();
    let (expected, actual) = both(&Case {
        repo: repo.path(),
        path: "deploy/web",
        release: "web",
        namespace: "prod",
        helm: &["--set", "port=80"],
        driftless: &["--revision", "main"],
    });
    assert_eq!(actual, expected);
    assert!(
        actual.contains("# Source: web/templates/hook.yaml\n"),
        "{actual}"
    );
    assert!(!actual.contains("Thanks for installing"), "{actual}");
}

#[test]
fn helm_output_of_a_source_that_is_not_a_chart_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    )
    .unwrap();
    for format in ["helm", "raw"] {
        let out = Command::new(env!("CARGO_BIN_EXE_driftless"))
            .args(["render", "-o", format, "--repo"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty());
        assert!(stderr.contains("applies to Helm sources only"), "{stderr}");
        assert!(stderr.contains("Directory source"), "{stderr}");
    }
}
