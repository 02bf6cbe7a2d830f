//! `kubectl create <kind>` (kubectl's typed generators, which send protobuf bodies) works for
//! every imperative kind, with kubectl 1.32 and 1.35; `kubectl api-resources` lists the groups a
//! GitOps user's charts need.

mod common;

#[test]
fn kubectl_create_every_imperative_kind() {
    common::each_kubectl(|sim| {
        let runs: &[&[&str]] = &[
            &["create", "namespace", "gen"],
            &[
                "create",
                "deployment",
                "web",
                "-n",
                "gen",
                "--image=nginx",
                "--replicas=2",
                "--port=80",
            ],
            &[
                "create",
                "job",
                "once",
                "-n",
                "gen",
                "--image=busybox",
                "--",
                "echo",
                "hi",
            ],
            &[
                "create",
                "cronjob",
                "tick",
                "-n",
                "gen",
                "--image=busybox",
                "--schedule=*/5 * * * *",
                "--",
                "date",
            ],
            &[
                "create",
                "role",
                "reader",
                "-n",
                "gen",
                "--verb=get,list",
                "--resource=pods,configmaps",
            ],
            &[
                "create",
                "rolebinding",
                "reader",
                "-n",
                "gen",
                "--role=reader",
                "--user=alice",
                "--serviceaccount=gen:robot",
            ],
            &[
                "create",
                "clusterrole",
                "viewer",
                "--verb=get",
                "--resource=nodes",
                "--non-resource-url=/healthz",
            ],
            &[
                "create",
                "clusterrolebinding",
                "viewer",
                "--clusterrole=viewer",
                "--group=devs",
            ],
            &[
                "create",
                "ingress",
                "site",
                "-n",
                "gen",
                "--rule=example.com/*=web:80",
                "--class=nginx",
            ],
            &[
                "create",
                "service",
                "clusterip",
                "web",
                "-n",
                "gen",
                "--tcp=80:8080",
            ],
            &[
                "create",
                "service",
                "nodeport",
                "np",
                "-n",
                "gen",
                "--tcp=80:8080",
            ],
            &[
                "create",
                "secret",
                "generic",
                "s1",
                "-n",
                "gen",
                "--from-literal=pw=hunter2",
            ],
            &[
                "create",
                "secret",
                "docker-registry",
                "reg",
                "-n",
                "gen",
                "--docker-server=r.example.com",
                "--docker-username=u",
                "--docker-password=p",
            ],
            &[
                "create",
                "configmap",
                "c1",
                "-n",
                "gen",
                "--from-literal=a=1",
            ],
            &[
                "create",
                "quota",
                "q",
                "-n",
                "gen",
                "--hard=cpu=1,memory=1Gi,pods=10",
            ],
            &[
                "create",
                "priorityclass",
                "high",
                "--value=1000",
                "--description=important",
            ],
            &[
                "create",
                "poddisruptionbudget",
                "pdb",
                "-n",
                "gen",
                "--selector=app=web",
                "--min-available=1",
            ],
            &["create", "serviceaccount", "robot", "-n", "gen"],
        ];
        let mut failures = Vec::new();
        for args in runs {
            let o = sim.run(args, None, &[]);
            if o.code != 0 {
                failures.push(format!("{} {args:?}: {}", sim.kubectl, o.stderr.trim()));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        let get = |args: &[&str]| sim.ok(args);
        assert_eq!(
            get(&[
                "get",
                "job",
                "once",
                "-n",
                "gen",
                "-o",
                "jsonpath={.spec.template.spec.containers[0].command}"
            ]),
            "[\"echo\",\"hi\"]"
        );
        assert_eq!(
            get(&[
                "get",
                "cronjob",
                "tick",
                "-n",
                "gen",
                "-o",
                "jsonpath={.spec.schedule}"
            ]),
            "*/5 * * * *"
        );
        assert_eq!(
            get(&[
                "get",
                "role",
                "reader",
                "-n",
                "gen",
                "-o",
                "jsonpath={.rules[0].resources}"
            ]),
            "[\"pods\",\"configmaps\"]"
        );
        assert_eq!(
            get(&[
                "get",
                "rolebinding",
                "reader",
                "-n",
                "gen",
                "-o",
                "jsonpath={.subjects[*].name}"
            ]),
            "alice robot"
        );
        assert_eq!(
            get(&[
                "get",
                "clusterrole",
                "viewer",
                "-o",
                "jsonpath={.rules[1].nonResourceURLs}"
            ]),
            "[\"/healthz\"]"
        );
        assert_eq!(
            get(&[
                "get",
                "ingress",
                "site",
                "-n",
                "gen",
                "-o",
                "jsonpath={.spec.rules[0].http.paths[0].backend.service.port.number}"
            ]),
            "80"
        );
        assert_eq!(
            get(&[
                "get",
                "svc",
                "web",
                "-n",
                "gen",
                "-o",
                "jsonpath={.spec.ports[0].targetPort}"
            ]),
            "8080"
        );
        assert_eq!(
            get(&[
                "get",
                "quota",
                "q",
                "-n",
                "gen",
                "-o",
                "jsonpath={.spec.hard.memory}"
            ]),
            "1Gi"
        );
        assert_eq!(
            get(&["get", "priorityclass", "high", "-o", "jsonpath={.value}"]),
            "1000"
        );
        assert_eq!(
            get(&[
                "get",
                "pdb",
                "pdb",
                "-n",
                "gen",
                "-o",
                "jsonpath={.spec.minAvailable}"
            ]),
            "1"
        );
        assert_eq!(
            get(&[
                "get",
                "secret",
                "reg",
                "-n",
                "gen",
                "-o",
                "jsonpath={.type}"
            ]),
            "kubernetes.io/dockerconfigjson"
        );
        assert_eq!(
            get(&["get", "cm", "c1", "-n", "gen", "-o", "jsonpath={.data.a}"]),
            "1"
        );
        assert_eq!(
            get(&[
                "get",
                "secret",
                "s1",
                "-n",
                "gen",
                "-o",
                "jsonpath={.data.pw}"
            ]),
            "aHVudGVyMg=="
        );
        assert_eq!(
            get(&["get", "secret", "s1", "-n", "gen", "-o", "jsonpath={.type}"]),
            "Opaque"
        );
        assert_eq!(
            get(&["get", "ns", "gen", "-o", "jsonpath={.status.phase}"]),
            "Active"
        );
        assert_eq!(
            get(&[
                "get",
                "deploy",
                "web",
                "-n",
                "gen",
                "-o",
                "jsonpath={.spec.replicas}"
            ]),
            "2"
        );
        let pc = get(&["get", "priorityclass", "high"]);
        assert!(
            pc.starts_with("NAME") && pc.contains("GLOBAL-DEFAULT") && pc.contains("1000"),
            "{pc}"
        );
    });
}

#[test]
fn api_resources_lists_the_gitops_groups() {
    common::each_kubectl(|sim| {
        let out = sim.ok(&["api-resources", "--no-headers", "-o", "name"]);
        for r in [
            "poddisruptionbudgets.policy",
            "networkpolicies.networking.k8s.io",
            "ingressclasses.networking.k8s.io",
            "priorityclasses.scheduling.k8s.io",
            "storageclasses.storage.k8s.io",
            "csidrivers.storage.k8s.io",
            "volumeattachments.storage.k8s.io",
            "endpointslices.discovery.k8s.io",
            "leases.coordination.k8s.io",
            "horizontalpodautoscalers.autoscaling",
            "cronjobs.batch",
            "roles.rbac.authorization.k8s.io",
            "clusterrolebindings.rbac.authorization.k8s.io",
            "mutatingwebhookconfigurations.admissionregistration.k8s.io",
            "validatingwebhookconfigurations.admissionregistration.k8s.io",
            "validatingadmissionpolicies.admissionregistration.k8s.io",
            "apiservices.apiregistration.k8s.io",
            "certificatesigningrequests.certificates.k8s.io",
            "runtimeclasses.node.k8s.io",
        ] {
            assert!(
                out.lines().any(|l| l == r),
                "{} lacks {r}:\n{out}",
                sim.kubectl
            );
        }
        let wide = sim.ok(&["api-resources", "--api-group=scheduling.k8s.io"]);
        assert!(
            wide.contains("priorityclasses") && wide.contains(" pc "),
            "{wide}"
        );
        sim.ok_in(&["apply", "-f", "-"], Some("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: gvisor}\nhandler: runsc\n"));
        let rc = sim.ok(&["get", "runtimeclass"]);
        assert!(rc.contains("HANDLER") && rc.contains("runsc"), "{rc}");
        sim.ok_in(&["apply", "-f", "-"], Some("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: es, namespace: default}\naddressType: IPv4\nports: [{port: 80}]\nendpoints: [{addresses: [10.0.0.1]}]\n"));
        let es = sim.ok(&["get", "endpointslices", "es"]);
        assert!(
            es.contains("ADDRESSTYPE") && es.contains("10.0.0.1"),
            "{es}"
        );
    });
}
