//! The real kubectl against the simulated cluster.

mod common;

use common::{APP, Sim};

#[test]
fn api_resources_lists_builtin_kinds_with_short_names() {
    common::each_kubectl(|sim| {
        let out = sim.ok(&["api-resources"]);
        let line = out
            .lines()
            .find(|l| l.starts_with("deployments "))
            .expect("deployments listed");
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cols,
            ["deployments", "deploy", "apps/v1", "true", "Deployment"]
        );
        assert!(out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["namespaces", "ns", "v1", "false", "Namespace"]));
        assert!(out.contains("customresourcedefinitions"));
        let ip = sim.ok(&[
            "get",
            "svc",
            "kubernetes",
            "-o",
            "jsonpath={.spec.clusterIP}",
        ]);
        assert_eq!(ip, "10.96.0.1");
        let cms = sim.ok(&["get", "cm", "-o", "name"]);
        assert_eq!(cms.trim(), "configmap/kube-root-ca.crt");
        // (kubectl itself warns when its minor version is more than one away from the server's.)
        let version = sim.run(&["version", "-o", "json"], None, &[]);
        assert_eq!(version.code, 0, "{}", version.stderr);
        assert!(version.stdout.contains("serverVersion"));
    });
}

#[test]
fn client_side_apply_get_wide_json_yaml_and_selectors() {
    common::each_kubectl(|sim| {
        let f = sim.file("app.yaml", APP);
        let out = sim.ok(&["apply", "-f", &f]);
        assert!(out.contains("deployment.apps/web created"), "{out}");
        let again = sim.ok(&["apply", "-f", &f]);
        assert!(again.contains("deployment.apps/web unchanged"), "{again}");
        let wide = sim.ok(&["get", "deploy", "-n", "demo", "-o", "wide"]);
        let header: Vec<&str> = wide.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(
            header,
            [
                "NAME",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "AGE",
                "CONTAINERS",
                "IMAGES",
                "SELECTOR"
            ]
        );
        assert!(wide.contains("nginx:1.27") && wide.contains("app=web"));
        let json: serde_json::Value =
            serde_json::from_str(&sim.ok(&["get", "deploy", "web", "-n", "demo", "-o", "json"]))
                .unwrap();
        assert_eq!(json["spec"]["replicas"], 2);
        assert_eq!(json["metadata"]["generation"], 1);
        assert_eq!(json["spec"]["strategy"]["type"], "RollingUpdate");
        let yaml = sim.ok(&["get", "cm", "cfg", "-n", "demo", "-o", "yaml"]);
        assert!(yaml.contains("a: \"1\""), "{yaml}");
        let sel = sim.ok(&["get", "cm", "-n", "demo", "-l", "tier=config", "-o", "name"]);
        assert_eq!(sel.trim(), "configmap/cfg");
        let none = sim.run(&["get", "cm", "-n", "demo", "-l", "tier=none"], None, &[]);
        assert!(
            none.stderr
                .contains("No resources found in demo namespace.")
        );
        let fs = sim.ok(&[
            "get",
            "cm",
            "-A",
            "--field-selector",
            "metadata.name=cfg",
            "-o",
            "name",
        ]);
        assert_eq!(fs.trim(), "configmap/cfg");
        let describe = sim.ok(&["describe", "deployment", "web", "-n", "demo"]);
        assert!(
            describe.contains("Name:") && describe.contains("nginx:1.27"),
            "{describe}"
        );
    });
}

#[test]
fn server_side_apply_conflicts_and_force() {
    common::each_kubectl(|sim| {
        let f = sim.file("app.yaml", APP);
        sim.ok(&["apply", "--server-side", "--field-manager=a", "-f", &f]);
        let changed = sim.file("app2.yaml", &APP.replace("replicas: 2", "replicas: 3"));
        let o = sim.run(
            &[
                "apply",
                "--server-side",
                "--field-manager=b",
                "-f",
                &changed,
            ],
            None,
            &[],
        );
        assert_eq!(o.code, 1);
        assert!(
            o.stderr
                .contains("Apply failed with 1 conflict: conflict with \"a\": .spec.replicas"),
            "{}",
            o.stderr
        );
        let forced = sim.ok(&[
            "apply",
            "--server-side",
            "--field-manager=b",
            "--force-conflicts",
            "-f",
            &changed,
        ]);
        assert!(forced.contains("deployment.apps/web serverside-applied"));
        let r = sim.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            "demo",
            "-o",
            "jsonpath={.spec.replicas}",
        ]);
        assert_eq!(r, "3");
        let mf = sim.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            "demo",
            "--show-managed-fields",
            "-o",
            "jsonpath={.metadata.managedFields[*].manager}",
        ]);
        assert!(mf.contains('a') && mf.contains('b'), "{mf}");
    });
}

#[test]
fn diff_client_and_server_side_exit_codes() {
    common::each_kubectl(|sim| {
        let f = sim.file("app.yaml", APP);
        sim.ok(&["apply", "-f", &f]);
        sim.ok(&["diff", "-f", &f]);
        let changed = sim.file("app2.yaml", &APP.replace("replicas: 2", "replicas: 5"));
        let o = sim.run(&["diff", "-f", &changed], None, &[]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(o.stdout.contains("+  replicas: 5"), "{}", o.stdout);
        let o = sim.run(
            &["diff", "--server-side", "--force-conflicts", "-f", &changed],
            None,
            &[],
        );
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(o.stdout.contains("replicas: 5"));
    });
}

#[test]
fn patch_of_each_type_and_edit() {
    common::each_kubectl(|sim| {
        let f = sim.file("app.yaml", APP);
        sim.ok(&["apply", "-f", &f]);
        sim.ok(&[
            "patch",
            "deploy",
            "web",
            "-n",
            "demo",
            "--type=merge",
            "-p",
            r#"{"metadata":{"labels":{"m":"1"}}}"#,
        ]);
        sim.ok(&[
            "patch",
            "deploy",
            "web",
            "-n",
            "demo",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/replicas","value":4}]"#,
        ]);
        sim.ok(&[
            "patch",
            "deploy",
            "web",
            "-n",
            "demo",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}"#,
        ]);
        let got = sim.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            "demo",
            "-o",
            "jsonpath={.spec.replicas} {.metadata.labels.m} {.metadata.generation}",
        ]);
        assert_eq!(got, "4 1 3");
        let names = sim.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            "demo",
            "-o",
            "jsonpath={.spec.template.spec.containers[*].name}",
        ]);
        assert!(names.contains('c') && names.contains("side"), "{names}");
        let failing = sim.run(
            &[
                "patch",
                "deploy",
                "web",
                "-n",
                "demo",
                "--type=json",
                "-p",
                r#"[{"op":"test","path":"/spec/replicas","value":99}]"#,
            ],
            None,
            &[],
        );
        assert_ne!(failing.code, 0);
        assert!(
            failing
                .stderr
                .contains("the server rejected our request due to an error in our request"),
            "{}",
            failing.stderr
        );
        // edit through an editor script
        let editor = sim.file(
            "editor.sh",
            "#!/bin/sh\nsed -i 's/a: \"1\"/a: \"edited\"/' \"$1\"\n",
        );
        std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let o = sim.run(
            &["edit", "cm", "cfg", "-n", "demo"],
            None,
            &[("KUBE_EDITOR", &editor)],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("configmap/cfg edited"), "{}", o.stdout);
        assert_eq!(
            sim.ok(&["get", "cm", "cfg", "-n", "demo", "-o", "jsonpath={.data.a}"]),
            "edited"
        );
    });
}

const OWNED: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: dependent
  namespace: demo
  ownerReferences:
  - apiVersion: v1
    kind: ConfigMap
    name: cfg
    uid: UID
    blockOwnerDeletion: true
"#;

fn owned(sim: &Sim) {
    let f = sim.file("app.yaml", APP);
    sim.ok(&["apply", "-f", &f]);
    let uid = sim.ok(&[
        "get",
        "cm",
        "cfg",
        "-n",
        "demo",
        "-o",
        "jsonpath={.metadata.uid}",
    ]);
    sim.ok_in(&["apply", "-f", "-"], Some(&OWNED.replace("UID", &uid)));
}

#[test]
fn delete_cascades_background_orphan_foreground() {
    common::each_kubectl(|sim| {
        owned(sim);
        sim.ok(&["delete", "cm", "cfg", "-n", "demo"]);
        assert!(sim.eventually(10, || {
            sim.run(&["get", "cm", "dependent", "-n", "demo"], None, &[])
                .code
                != 0
        }));

        owned(sim);
        sim.ok(&["delete", "cm", "cfg", "-n", "demo", "--cascade=orphan"]);
        let refs = sim.ok(&[
            "get",
            "cm",
            "dependent",
            "-n",
            "demo",
            "-o",
            "jsonpath={.metadata.ownerReferences}",
        ]);
        assert_eq!(refs, "", "orphaned dependent keeps no owner reference");

        sim.ok(&["delete", "cm", "dependent", "-n", "demo"]);
        owned(sim);
        sim.ok(&["delete", "cm", "cfg", "-n", "demo", "--cascade=foreground"]);
        assert_ne!(
            sim.run(&["get", "cm", "dependent", "-n", "demo"], None, &[])
                .code,
            0
        );
        assert_ne!(
            sim.run(&["get", "cm", "cfg", "-n", "demo"], None, &[]).code,
            0
        );

        // Deleting a namespace deletes its contents.
        sim.ok(&["delete", "ns", "demo"]);
        assert_ne!(sim.run(&["get", "ns", "demo"], None, &[]).code, 0);
        let left = sim.ok(&["get", "deploy", "-A", "-o", "name"]);
        assert!(left.trim().is_empty(), "{left}");
    });
}

#[test]
fn logs_explain_and_kustomize() {
    common::each_kubectl(|sim| {
        sim.ok_in(&["apply", "-f", "-"], Some("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]\n"));
        let logs = sim.ok(&["logs", "p"]);
        assert!(logs.contains("listening on port 8080"), "{logs}");
        let explain = sim.ok(&["explain", "deployment.spec.replicas"]);
        assert!(explain.contains("FIELD: replicas <integer>"), "{explain}");
        sim.file(
            "k/kustomization.yaml",
            "namespace: default\nresources: [cm.yaml]\nlabels:\n- pairs: {team: x}\n",
        );
        sim.file(
            "k/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kcm}\ndata: {k: v}\n",
        );
        let dir = sim.dir.path().join("k").display().to_string();
        let out = sim.ok(&["apply", "-k", &dir]);
        assert!(out.contains("configmap/kcm created"), "{out}");
        assert_eq!(
            sim.ok(&["get", "cm", "-l", "team=x", "-o", "name"]).trim(),
            "configmap/kcm"
        );
    });
}

#[test]
fn crd_makes_kind_servable_and_deleting_it_removes_objects() {
    common::each_kubectl(|sim| {
        let crd = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
"#;
        sim.ok_in(&["apply", "-f", "-"], Some(crd));
        let w = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 3}\n";
        assert!(
            sim.eventually(10, || sim.run(&["apply", "-f", "-"], Some(w), &[]).code
                == 0)
        );
        let explain = sim.ok(&["explain", "widgets.spec.size"]);
        assert!(
            explain.contains("size") && explain.contains("<integer>"),
            "{explain}"
        );
        let got = sim.ok(&["get", "wd", "w1", "-o", "jsonpath={.spec.size}"]);
        assert_eq!(got, "3");
        let strict = sim.run(
            &["apply", "-f", "-"],
            Some(&w.replace("size: 3", "size: 3, bogus: 1")),
            &[],
        );
        assert_ne!(
            strict.code, 0,
            "unknown field rejected by strict validation"
        );
        assert!(
            strict.stderr.contains("unknown field \"spec.bogus\""),
            "{}",
            strict.stderr
        );
        sim.ok(&["delete", "crd", "widgets.example.com"]);
        let gone = sim.run(&["get", "widgets.example.com"], None, &[]);
        assert_ne!(gone.code, 0);
    });
}

#[test]
fn wait_available_rollout_status_and_foreground_cascade() {
    common::each_kubectl(|sim| {
        let f = sim.file("app.yaml", APP);
        sim.ok(&["apply", "-f", &f]);
        let out = sim.ok(&[
            "wait",
            "deploy/web",
            "-n",
            "demo",
            "--for=condition=Available",
            "--timeout=30s",
        ]);
        assert!(out.contains("deployment.apps/web condition met"), "{out}");
        let out = sim.ok(&[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "demo",
            "--timeout=30s",
        ]);
        assert!(out.contains("successfully rolled out"), "{out}");
        let ready = sim.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            "demo",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ]);
        assert_eq!(ready, "2");
        let pods = sim.ok(&["get", "pods", "-n", "demo", "-l", "app=web", "-o", "name"]);
        assert_eq!(pods.lines().count(), 2, "{pods}");
        let rs = sim.ok(&["get", "rs", "-n", "demo", "-o", "name"]);
        assert_eq!(rs.lines().count(), 1, "{rs}");
        // A new template rolls out a new ReplicaSet.
        sim.ok(&["set", "image", "deploy/web", "-n", "demo", "c=nginx:1.28"]);
        sim.ok(&[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "demo",
            "--timeout=30s",
        ]);
        // kubectl itself notes which of the pods it picked (as on a real cluster).
        let logs = sim.run(&["logs", "-n", "demo", "deploy/web"], None, &[]);
        assert_eq!(logs.code, 0, "{}", logs.stderr);
        assert!(logs.stdout.contains("nginx:1.28"), "{}", logs.stdout);
        let rs = sim.ok(&["get", "rs", "-n", "demo", "-o", "name"]);
        assert_eq!(rs.lines().count(), 2, "old and new ReplicaSet: {rs}");
        sim.ok(&[
            "delete",
            "deploy",
            "web",
            "-n",
            "demo",
            "--cascade=foreground",
        ]);
        assert!(sim.eventually(15, || {
            sim.ok(&["get", "pods,rs", "-n", "demo", "-o", "name"])
                .trim()
                .is_empty()
        }));
    });
}

#[test]
fn warnings_for_unknown_fields_and_watching_get() {
    common::each_kubectl(|sim| {
        let bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w, namespace: default}\nbogus: 1\ndata: {a: b}\n";
        // --validate=warn: accepted, with the server's warning printed by kubectl.
        let o = sim.run(&["apply", "--validate=warn", "-f", "-"], Some(bad), &[]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(
            o.stderr.contains("Warning: unknown field \"bogus\""),
            "{}",
            o.stderr
        );
        // Default (strict): rejected by the server.
        let o = sim.run(
            &["create", "-f", "-"],
            Some(&bad.replace("name: w", "name: w2")),
            &[],
        );
        assert_ne!(o.code, 0);
        assert!(
            o.stderr
                .contains("strict decoding error: unknown field \"bogus\""),
            "{}",
            o.stderr
        );

        // `kubectl get -w` prints the current rows, then changes as they happen.
        let mut child = std::process::Command::new(&sim.kubectl)
            .args(["get", "cm", "-w", "--output-watch-events"])
            .env("KUBECONFIG", &sim.kubeconfig)
            .env("HOME", sim.dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        sim.ok_in(
            &["apply", "-f", "-"],
            Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later, namespace: default}\n"),
        );
        std::thread::sleep(std::time::Duration::from_millis(1500));
        child.kill().unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.trim().is_empty(), "{stderr}");
        let header: Vec<&str> = stdout
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        assert_eq!(header, ["EVENT", "NAME", "DATA", "AGE"], "{stdout}");
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("ADDED") && l.contains("kube-root-ca.crt")),
            "{stdout}"
        );
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("ADDED") && l.contains("later")),
            "{stdout}"
        );
    });
}

#[test]
fn crd_established_describe_events_and_terminating_namespace() {
    common::each_kubectl(|sim| {
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gadgets.example.com}\nspec:\n  group: example.com\n  scope: Cluster\n  names: {kind: Gadget, plural: gadgets}\n  versions:\n  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}\n";
        sim.ok_in(&["apply", "-f", "-"], Some(crd));
        let out = sim.ok(&[
            "wait",
            "crd/gadgets.example.com",
            "--for=condition=Established",
            "--timeout=20s",
        ]);
        assert!(out.contains("condition met"), "{out}");
        sim.ok_in(&["apply", "-f", "-"], Some("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {anything: [1, 2]}\n"));
        let names = sim.ok(&["get", "gadgets", "-o", "name"]);
        assert_eq!(names.trim(), "gadget.example.com/g1");

        sim.ok_in(&["apply", "-f", "-"], Some("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers: [{name: c, image: nginx}]\n"));
        sim.ok(&["wait", "pod/p", "--for=condition=Ready", "--timeout=20s"]);
        let d = sim.ok(&["describe", "pod", "p"]);
        assert!(d.contains("Events:") && d.contains("Scheduled"), "{d}");

        // A terminating namespace refuses new content until it is gone.
        sim.ok(&["create", "namespace", "doomed"]);
        sim.ok_in(&["apply", "-f", "-"], Some("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: doomed, finalizers: [example.com/hold]}\nspec:\n  containers: [{name: c, image: nginx}]\n"));
        sim.ok(&["delete", "namespace", "doomed", "--wait=false"]);
        let o = sim.run(&["create", "configmap", "late", "-n", "doomed"], None, &[]);
        assert_ne!(o.code, 0);
        assert!(
            o.stderr.contains("because it is being terminated"),
            "{}",
            o.stderr
        );
        assert_eq!(
            sim.ok(&["get", "ns", "doomed", "-o", "jsonpath={.status.phase}"]),
            "Terminating"
        );
        sim.ok(&[
            "patch",
            "pod",
            "p",
            "-n",
            "doomed",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ]);
        assert!(
            sim.eventually(10, || sim.run(&["get", "ns", "doomed"], None, &[]).code
                != 0)
        );
    });
}

#[test]
fn auth_can_i_is_answered() {
    common::each_kubectl(|sim| {
        assert_eq!(
            sim.ok(&["auth", "can-i", "create", "deployments"]).trim(),
            "yes"
        );
        let list = sim.ok(&["auth", "can-i", "--list"]);
        assert!(list.contains("*.*"), "{list}");
    });
}
