//! The proof that `driftless render -o yaml` is read by `kubectl` as the chart's objects:
//! `driftless render -o yaml | kubectl apply --dry-run=server -f -` against the simulator stores
//! the same JSON as `kubectl apply` of the reference `helm template` output, for the example
//! chart with each of its values files. Compared: every object kubectl returns with `-o json`,
//! without what the server sets afresh on each write (uid and the labels that repeat it,
//! creationTimestamp, resourceVersion, managedFields, generation, a Service's cluster IPs).

use driftless_e2e::SimCluster;
use driftless_e2e::tools::{helm, newest_kubectl, repo_root};
use driftless_sim::ClusterConfig;
use serde_json::Value;
use std::process::{Command, Output};

fn ok(what: &str, out: Output) -> String {
    assert!(
        out.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The newest kubectl against `sim`, with a fresh discovery cache per call (kubectl sees the
/// CRD installed a moment ago).
fn kubectl(sim: &SimCluster, args: &[&str], input: Option<&str>) -> Output {
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = cache_dir.path().to_str().expect("UTF-8 temp dir");
    let mut all = vec!["--cache-dir", cache];
    all.extend_from_slice(args);
    sim.kubectl_at(&newest_kubectl(), &all, input)
}

/// What the server would store for `yaml`, per object, without the fields the server sets
/// afresh on every write.
fn dry_run(sim: &SimCluster, what: &str, yaml: &str) -> Vec<Value> {
    let out = kubectl(
        sim,
        &[
            "apply",
            "--dry-run=server",
            "-n",
            "shop",
            "-o",
            "json",
            "-f",
            "-",
        ],
        Some(yaml),
    );
    let list: Value = serde_json::from_str(&ok(
        &format!("kubectl apply --dry-run=server of {what}"),
        out,
    ))
    .unwrap();
    let mut items: Vec<Value> = match list.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => vec![list],
    };
    for o in &mut items {
        // The object's own uid also labels a Job's pods and selector.
        let uid = o["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        replace_string(o, &uid, "<uid>");
        let meta = o["metadata"].as_object_mut().unwrap();
        for f in [
            "uid",
            "creationTimestamp",
            "resourceVersion",
            "managedFields",
            "generation",
        ] {
            meta.remove(f);
        }
        // Each dry run allocates a Service its own cluster IP.
        if o["kind"] == "Service"
            && let Some(spec) = o["spec"].as_object_mut()
        {
            spec.remove("clusterIP");
            spec.remove("clusterIPs");
        }
    }
    items.sort_by_key(|o| {
        (
            o["kind"].as_str().unwrap_or_default().to_string(),
            o["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    });
    items
}

const SERVICE_MONITOR_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: servicemonitors.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  names: {kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors, singular: servicemonitor}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
";

#[test]
fn render_yaml_through_kubectl_stores_what_helm_template_stores() {
    let sim = SimCluster::start(ClusterConfig::default());
    ok(
        "kubectl create namespace",
        kubectl(&sim, &["create", "namespace", "shop"], None),
    );
    // The chart's ServiceMonitors (staging, prod) need their CRD, as on a real cluster.
    ok(
        "kubectl apply CRD",
        kubectl(&sim, &["apply", "-f", "-"], Some(SERVICE_MONITOR_CRD)),
    );
    // kubectl validates against the OpenAPI v3 document of the CRD's group.
    let published = || {
        let out = kubectl(&sim, &["get", "--raw", "/openapi/v3"], None);
        String::from_utf8_lossy(&out.stdout).contains("apis/monitoring.coreos.com/v1")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !published() {
        assert!(
            std::time::Instant::now() < deadline,
            "ServiceMonitor CRD not published"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let chart = repo_root().join("examples/charts/shop");
    for values in ["values-dev.yaml", "values-staging.yaml", "values-prod.yaml"] {
        let helm_yaml = ok(
            "helm template",
            Command::new(helm())
                .current_dir(&chart)
                .args([
                    "template",
                    "shop",
                    ".",
                    "--namespace",
                    "shop",
                    "--values",
                    values,
                ])
                .output()
                .unwrap(),
        );
        let cache = tempfile::tempdir().unwrap();
        let ours = ok(
            "driftless render",
            Command::new(env!("CARGO_BIN_EXE_driftless"))
                .args(["render", "-o", "yaml", "--repo"])
                .arg(&chart)
                .args(["--release-name", "shop", "--dest-namespace", "shop"])
                .args(["--helm-values", values])
                .env("XDG_CACHE_HOME", cache.path())
                .output()
                .unwrap(),
        );
        let expected = dry_run(&sim, &format!("helm template ({values})"), &helm_yaml);
        let actual = dry_run(&sim, &format!("driftless render ({values})"), &ours);
        assert!(expected.len() >= 5, "{values}: helm gave {expected:?}");
        assert_eq!(
            expected.len(),
            actual.len(),
            "{values}: object counts differ"
        );
        for (e, a) in expected.iter().zip(&actual) {
            let mut diffs = Vec::new();
            differences("", e, a, &mut diffs);
            assert!(
                diffs.is_empty(),
                "{values}: {} {} differs at {diffs:?}",
                e["kind"],
                e["metadata"]["name"]
            );
        }
    }
}

/// JSON pointers where `e` and `a` differ.
fn differences(at: &str, e: &Value, a: &Value, out: &mut Vec<String>) {
    match (e, a) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let null = Value::Null;
                let p = format!("{at}/{k}");
                differences(
                    &p,
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(&format!("{at}/{i}"), v, w, out);
            }
        }
        _ if e != a => out.push(format!("{at}: {e} != {a}")),
        _ => {}
    }
}

/// Replaces every string `from` inside `v` by `to`.
fn replace_string(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|i| replace_string(i, from, to)),
        Value::Object(map) => map.values_mut().for_each(|i| replace_string(i, from, to)),
        _ => {}
    }
}
