//! Strategic merge patch against an oracle: `kubectl patch --local` runs Kubernetes' own
//! implementation (apimachinery `strategicpatch` with the Go types) offline. Both results go
//! through kubectl's typed round trip (a `{}` patch) so only patch semantics are compared.

use driftless_patch::schema::Schema;
use driftless_patch::strategic_merge_patch;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn kubectl() -> PathBuf {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return PathBuf::from("kubectl");
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tools = root.join(".tools");
    let shared = std::env::var("DRIFTLESS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("../shared"));
    let status = Command::new("bash")
        .arg(shared.join("tools/install-helm.sh"))
        .arg(&tools)
        .status()
        .expect("running install-helm.sh");
    assert!(status.success(), "could not install kubectl");
    tools.join("kubectl")
}

/// Runs `kubectl patch --local` with `patch` on every object; returns the patched objects.
fn kubectl_patch(objects: &[Value], patch: &Value) -> Vec<Value> {
    kubectl_patch_type(objects, patch, "strategic").unwrap()
}

/// Like [`kubectl_patch`] for any patch type; `Err` carries kubectl's error message.
fn kubectl_patch_type(objects: &[Value], patch: &Value, kind: &str) -> Result<Vec<Value>, String> {
    let list = json!({"apiVersion": "v1", "kind": "List", "items": objects});
    let mut child = Command::new(kubectl())
        .args([
            "patch", "--local", "-f", "-", "--type", kind, "-o", "json", "-p",
        ])
        .arg(patch.to_string())
        .env("KUBECONFIG", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(text.strip_prefix("error: ").unwrap_or(&text).to_string());
    }
    Ok(serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect())
}

fn deployment(containers: Value, finalizers: Value, labels: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "finalizers": finalizers, "labels": labels},
        "spec": {"selector": {"matchLabels": {"app": "w"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": containers,
                "volumes": [{"name": "v", "emptyDir": {}}]}}}})
}

fn c(name: &str, image: &str) -> Value {
    json!({"name": name, "image": image})
}

/// Handwritten cases: (live, patch).
fn cases() -> Vec<(Value, Value)> {
    let base = deployment(
        json!([c("a", "1"), c("b", "1")]),
        json!(["x", "y"]),
        json!({"l": "1", "m": "2"}),
    );
    let p = |v: Value| (base.clone(), v);
    let tpl = |spec: Value| json!({"spec": {"template": {"spec": spec}}});
    vec![
        p(tpl(json!({"containers": [c("c", "3"), c("a", "9")]}))),
        p(tpl(
            json!({"containers": [{"name": "b", "$patch": "delete"}]}),
        )),
        p(tpl(
            json!({"containers": [{"$patch": "replace"}, c("z", "9")]}),
        )),
        p(tpl(
            json!({"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}], "containers": [c("a", "2")]}),
        )),
        p(tpl(
            json!({"$setElementOrder/containers": [{"name": "b"}, {"name": "n"}, {"name": "a"}], "containers": [c("n", "2")]}),
        )),
        p(tpl(
            json!({"containers": [{"name": "a", "env": [{"name": "E", "value": "1"}], "args": ["x"]}]}),
        )),
        p(tpl(
            json!({"volumes": [{"name": "v", "$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}}]}),
        )),
        p(json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})),
        p(json!({"metadata": {"finalizers": ["z", "x"]}})),
        p(json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"], "finalizers": ["w"]}})),
        p(
            json!({"metadata": {"$setElementOrder/finalizers": ["y", "q", "x"], "finalizers": ["q"]}}),
        ),
        p(json!({"metadata": {"labels": {"l": null, "n": "3"}}})),
        p(json!({"metadata": {"labels": {"$patch": "replace", "only": "1"}}})),
        p(json!({"spec": {"template": {"metadata": {"annotations": {"a": "b", "gone": null}}}}})),
        p(json!({"spec": {"selector": {"matchLabels": {"other": "x"}}}})),
        p(tpl(
            json!({"containers": [{"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 81, "name": "m"}]}]}),
        )),
        p(tpl(
            json!({"initContainers": [c("i", "1")], "nodeSelector": {"k": "v", "drop": null}}),
        )),
        p(tpl(
            json!({"containers": [{"name": "b", "resources": {"limits": {"cpu": "1"}}}]}),
        )),
    ]
}

/// Deterministic pseudo-random cases: container lists with updates, deletions, additions and orders.
fn generated(n: usize) -> Vec<(Value, Value)> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let names = ["a", "b", "c", "d", "e"];
    let mut out = Vec::new();
    for _ in 0..n {
        let live: Vec<Value> = names
            .iter()
            .filter(|_| next(2) == 0)
            .map(|nm| c(nm, "1"))
            .collect();
        let mut items = Vec::new();
        let mut order = Vec::new();
        for nm in names {
            match next(5) {
                0 => items.push(json!({"name": nm, "$patch": "delete"})),
                1 | 2 => {
                    items.push(json!({"name": nm, "image": format!("{}", next(9))}));
                    order.push(json!({"name": nm}));
                }
                3 => order.push(json!({"name": nm})),
                _ => {}
            }
        }
        // Shuffle the patch items (keeping order consistent for $setElementOrder).
        let mut perm: Vec<usize> = (0..items.len()).collect();
        for i in (1..perm.len()).rev() {
            perm.swap(i, next(i as u64 + 1) as usize);
        }
        let items: Vec<Value> = perm.iter().map(|&i| items[i].clone()).collect();
        let mut spec = json!({"containers": items});
        if next(2) == 0 {
            let plain: Vec<Value> = items
                .iter()
                .filter(|i| i.get("$patch").is_none())
                .map(|i| json!({"name": i["name"]}))
                .collect();
            let mut ord: Vec<Value> = plain.clone();
            for o in order {
                if !ord.contains(&o) {
                    ord.insert(next(ord.len() as u64 + 1) as usize, o);
                }
            }
            spec["$setElementOrder/containers"] = Value::Array(ord);
        }
        let fins: Vec<&str> = ["f1", "f2", "f3"]
            .into_iter()
            .filter(|_| next(2) == 0)
            .collect();
        let mut meta = json!({"finalizers": ["f4"]});
        if next(2) == 0 {
            meta = json!({"$deleteFromPrimitiveList/finalizers": fins});
        }
        let live_obj = deployment(
            Value::Array(live),
            json!(["f1", "f2", "f3"]),
            json!({"l": "1"}),
        );
        out.push((
            live_obj,
            json!({"metadata": meta, "spec": {"template": {"spec": spec}}}),
        ));
    }
    out
}

#[test]
fn strategic_merge_patch_matches_kubectl() {
    let ty = Schema::builtin()
        .for_kind("apps", "v1", "Deployment")
        .unwrap();
    let all: Vec<(Value, Value)> = cases().into_iter().chain(generated(30)).collect();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for (live, patch) in &all {
        let mine = match strategic_merge_patch(live, patch, ty) {
            Ok(v) => v,
            Err(e) => panic!("patch {patch} failed: {e}"),
        };
        ours.push(mine);
        theirs.extend(kubectl_patch(std::slice::from_ref(live), patch));
    }
    let normalized = kubectl_patch(&ours, &json!({}));
    assert_eq!(normalized.len(), all.len());
    for (i, ((live, patch), (got, want))) in
        all.iter().zip(normalized.iter().zip(&theirs)).enumerate()
    {
        assert_eq!(got, want, "case {i}: live {live}\npatch {patch}");
    }
}

#[test]
fn json_patch_matches_kubectl() {
    let live = deployment(
        json!([c("a", "1"), c("b", "1")]),
        json!(["x", "y"]),
        json!({"l": "1"}),
    );
    let ops = [
        json!([{"op": "add", "path": "/metadata/annotations", "value": {"j": "2"}}]),
        json!([{"op": "remove", "path": "/metadata/labels/l"}]),
        json!([{"op": "remove", "path": "/metadata/labels/zz"}]),
        json!([{"op": "remove", "path": "/metadata/annotations/zz"}]),
        json!([{"op": "replace", "path": "/spec/replicas", "value": 3}]),
        json!([{"op": "replace", "path": "/spec/template/spec/containers/7/image", "value": "x"}]),
        json!([{"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "c", "image": "2"}}]),
        json!([{"op": "add", "path": "/spec/template/spec/containers/0", "value": {"name": "c", "image": "2"}}]),
        json!([{"op": "add", "path": "/spec/template/spec/containers/5", "value": {"name": "c", "image": "2"}}]),
        json!([{"op": "remove", "path": "/spec/template/spec/containers/-1"}]),
        json!([{"op": "move", "from": "/metadata/labels/l", "path": "/metadata/labels/k"}]),
        json!([{"op": "move", "from": "/metadata/labels/q", "path": "/metadata/labels/k"}]),
        json!([{"op": "copy", "from": "/spec/template/spec/containers/0", "path": "/spec/template/spec/containers/-"}]),
        json!([{"op": "test", "path": "/metadata/finalizers/1", "value": "y"}, {"op": "remove", "path": "/metadata/finalizers/0"}]),
        json!([{"op": "test", "path": "/spec/replicas", "value": 3}]),
        json!([{"op": "test", "path": "/metadata/labels", "value": {"l": "1"}}]),
        json!([{"op": "add", "path": "/metadata/x~1y", "value": 1}]),
        json!([{"op": "frob", "path": "/metadata"}]),
    ];
    for patch in ops {
        let mine = driftless_patch::json_patch(&live, &patch);
        let theirs = kubectl_patch_type(std::slice::from_ref(&live), &patch, "json");
        match (mine, theirs) {
            (Ok(m), Ok(t)) => assert_eq!(kubectl_patch(&[m], &json!({})), t, "patch {patch}"),
            (Err(m), Err(t)) => assert_eq!(m.to_string(), t, "patch {patch}"),
            (m, t) => panic!("patch {patch}: ours {m:?}, kubectl {t:?}"),
        }
    }
}

#[test]
fn strategic_merge_patch_errors_match_kubectl() {
    let ty = Schema::builtin()
        .for_kind("apps", "v1", "Deployment")
        .unwrap();
    let live = deployment(
        json!([c("a", "1"), c("b", "1")]),
        json!(["x", "y"]),
        json!({"l": "1"}),
    );
    let tpl = |spec: Value| json!({"spec": {"template": {"spec": spec}}});
    let patches = [
        tpl(json!({"containers": [{"$patch": "delete"}]})),
        tpl(json!({"containers": [{"name": "a", "$patch": "frob"}]})),
        tpl(json!({"containers": [{"image": "x"}]})),
        tpl(json!({"containers": [{"$patch": "merge"}]})),
        tpl(
            json!({"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "b", "image": "2"}]}),
        ),
        json!({"metadata": {"labels": {"$patch": "frob"}}}),
        json!({"metadata": {"finalizers": [["a"]]}}),
        json!({"metadata": {"finalizers": [1.5, 1000000, "q"]}}),
        json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}),
    ];
    for patch in patches {
        let mine =
            strategic_merge_patch(&live, &patch, ty).map_err(|e| e.to_string().trim().to_string());
        let theirs = kubectl_patch_type(std::slice::from_ref(&live), &patch, "strategic");
        match (mine, theirs) {
            (Err(m), Err(t)) => assert_eq!(m, t, "patch {patch}"),
            (m, t) => panic!("patch {patch}: ours {m:?}, kubectl {t:?}"),
        }
    }
}

#[test]
fn strategic_merge_patch_matches_kubectl_for_pods_and_services() {
    let pod_ty = Schema::builtin().for_kind("", "v1", "Pod").unwrap();
    let svc_ty = Schema::builtin().for_kind("", "v1", "Service").unwrap();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p",
        "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "u1"}]},
        "spec": {"containers": [{"name": "a", "image": "1",
            "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}],
            "volumeMounts": [{"name": "v", "mountPath": "/a"}]}],
          "tolerations": [{"key": "k", "operator": "Exists"}],
          "volumes": [{"name": "v", "emptyDir": {}}, {"name": "w", "secret": {"secretName": "s"}}],
          "imagePullSecrets": [{"name": "r"}]}});
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "dns", "port": 53, "protocol": "UDP"}],
          "selector": {"app": "x"}}});
    let pod_patches = [
        json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "name": "web"}, {"containerPort": 443}]}]}}),
        json!({"spec": {"containers": [{"name": "a", "volumeMounts": [{"mountPath": "/b", "name": "w"}, {"mountPath": "/a", "$patch": "delete"}]}]}}),
        json!({"spec": {"tolerations": [{"key": "other", "operator": "Exists"}]}}),
        json!({"spec": {"volumes": [{"name": "w", "$retainKeys": ["name", "configMap"], "configMap": {"name": "c"}}]}}),
        json!({"spec": {"imagePullSecrets": [{"name": "q"}]}}),
        json!({"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Y", "name": "o2", "uid": "u2"}]}}),
        json!({"metadata": {"ownerReferences": [{"uid": "u1", "$patch": "delete"}]}}),
        json!({"spec": {"$setElementOrder/volumes": [{"name": "w"}, {"name": "v"}]}}),
    ];
    let svc_patches = [
        json!({"spec": {"ports": [{"port": 80, "targetPort": "web"}]}}),
        json!({"spec": {"ports": [{"port": 8443, "name": "https"}, {"port": 53, "$patch": "delete"}]}}),
        json!({"spec": {"selector": {"app": null, "tier": "web"}}}),
    ];
    for (obj, ty, patches) in [
        (&pod, pod_ty, &pod_patches[..]),
        (&svc, svc_ty, &svc_patches[..]),
    ] {
        for patch in patches {
            let mine =
                strategic_merge_patch(obj, patch, ty).unwrap_or_else(|e| panic!("{patch}: {e}"));
            let want = kubectl_patch(std::slice::from_ref(obj), patch);
            assert_eq!(kubectl_patch(&[mine], &json!({})), want, "patch {patch}");
        }
    }
}
