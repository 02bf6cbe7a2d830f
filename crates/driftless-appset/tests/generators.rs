//! Table-driven tests of each generator against the examples of Argo CD's
//! ApplicationSet documentation (Generators-List, -Git, -Cluster, -Matrix,
//! -Merge, Template), with the results the docs state.

mod common;

use common::{run, summary};
use serde_json::{Value, json};

struct Case {
    name: &'static str,
    yaml: &'static str,
    pointers: &'static [&'static str],
    want: Vec<(&'static str, Vec<Value>)>,
}

fn check(cases: Vec<Case>) {
    for c in cases {
        let apps = run(c.yaml).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let got = summary(&apps, c.pointers);
        let want: Vec<(String, Vec<Value>)> = c
            .want
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        assert_eq!(got, want, "case {}", c.name);
    }
}

const SERVER: &str = "/spec/destination/server";
const PATH: &str = "/spec/source/path";
const NS: &str = "/spec/destination/namespace";

#[test]
fn list_generator() {
    check(vec![
        Case {
            name: "Generators-List: fasttemplate elements",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook, namespace: argocd}
spec:
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://1.2.3.4
      - cluster: engineering-prod
        url: https://2.4.6.8
  template:
    metadata:
      name: '{{cluster}}-guestbook'
    spec:
      project: "my-project"
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: applicationset/examples/list-generator/guestbook/{{ cluster }}
      destination:
        server: '{{url}}'
        namespace: guestbook
"#,
            pointers: &[SERVER, PATH],
            want: vec![
                (
                    "engineering-dev-guestbook",
                    vec![
                        json!("https://1.2.3.4"),
                        json!("applicationset/examples/list-generator/guestbook/engineering-dev"),
                    ],
                ),
                (
                    "engineering-prod-guestbook",
                    vec![
                        json!("https://2.4.6.8"),
                        json!("applicationset/examples/list-generator/guestbook/engineering-prod"),
                    ],
                ),
            ],
        },
        Case {
            name: "list: values map flattened to values.<key>; unknown tags stay",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook}
spec:
  generators:
  - list:
      elements:
      - {cluster: dev, values: {ns: team-a}}
  template:
    metadata: {name: '{{cluster}}'}
    spec:
      source: {path: '{{unknown}}'}
      destination: {namespace: '{{values.ns}}'}
"#,
            pointers: &[NS, PATH],
            want: vec![("dev", vec![json!("team-a"), json!("{{unknown}}")])],
        },
        Case {
            name: "list: goTemplate elements and elementsYaml appended, non-string values",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - {cluster: a, replicas: 1, labels: {tier: web}}
      elementsYaml: |
        - {cluster: b, replicas: 2, labels: {tier: db}}
        - {cluster: c, replicas: 1000000, labels: {tier: cache}}
  template:
    metadata: {name: '{{.cluster}}-{{.labels.tier}}'}
    spec:
      source: {path: 'r{{.replicas}}'}
"#,
            pointers: &[PATH],
            want: vec![
                ("a-web", vec![json!("r1")]),
                ("b-db", vec![json!("r2")]),
                ("c-cache", vec![json!("r1e+06")]),
            ],
        },
    ]);
}

#[test]
fn git_directory_generator() {
    check(vec![
        Case {
            name: "Generators-Git: directories, fasttemplate",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: cluster-addons, namespace: argocd}
spec:
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      directories:
      - path: applicationset/examples/git-generator-directory/cluster-addons/*
  template:
    metadata:
      name: '{{path.basename}}'
    spec:
      project: "my-project"
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: '{{path}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{path[3]}}'
"#,
            pointers: &[PATH, NS],
            want: vec![
                (
                    "argo-workflows",
                    vec![
                        json!(
                            "applicationset/examples/git-generator-directory/cluster-addons/argo-workflows"
                        ),
                        json!("cluster-addons"),
                    ],
                ),
                (
                    "prometheus-operator",
                    vec![
                        json!(
                            "applicationset/examples/git-generator-directory/cluster-addons/prometheus-operator"
                        ),
                        json!("cluster-addons"),
                    ],
                ),
            ],
        },
        Case {
            name: "Generators-Git: exclude wins over include; dot directories skipped",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: cluster-addons}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      directories:
      - path: applicationset/examples/git-generator-directory/excludes/cluster-addons/exclude-helm-guestbook
        exclude: true
      - path: applicationset/examples/git-generator-directory/excludes/cluster-addons/*
  template:
    metadata:
      name: '{{.path.basename}}'
    spec:
      source: {path: '{{.path.path}}'}
      destination: {namespace: '{{index .path.segments 4}}'}
"#,
            pointers: &[NS],
            want: vec![
                ("argo-workflows", vec![json!("cluster-addons")]),
                ("prometheus-operator", vec![json!("cluster-addons")]),
            ],
        },
        Case {
            name: "directories: basenameNormalized, pathParamPrefix, commitSHA, values",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: odd}
spec:
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      pathParamPrefix: app
      values: {team: 'team-{{app.path.basenameNormalized}}'}
      directories:
      - path: applicationset/examples/git-generator-directory/odd/*
  template:
    metadata: {name: '{{app.path.basenameNormalized}}'}
    spec:
      source: {path: '{{app.path}}', targetRevision: '{{app.commitSHA}}'}
      destination: {namespace: '{{values.team}}'}
"#,
            pointers: &["/spec/source/targetRevision", NS],
            want: vec![(
                "my-addon",
                vec![
                    json!("4e1a2b3c4d5e6f708192a3b4c5d6e7f809112233"),
                    json!("team-my-addon"),
                ],
            )],
        },
    ]);
}

#[test]
fn git_file_generator() {
    check(vec![
        Case {
            name: "Generators-Git: files, fasttemplate flattened keys",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook, namespace: argocd}
spec:
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      files:
      - path: "applicationset/examples/git-generator-files-discovery/cluster-config/**/config.json"
  template:
    metadata:
      name: '{{cluster.name}}-guestbook'
    spec:
      project: default
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: "applicationset/examples/git-generator-files-discovery/apps/guestbook"
      destination:
        server: '{{cluster.address}}'
        namespace: '{{path.basename}}-{{path.filename}}-{{aws_account}}-{{path[4]}}'
"#,
            pointers: &[SERVER, NS],
            want: vec![
                (
                    "engineering-dev-guestbook",
                    vec![
                        json!("https://1.2.3.4"),
                        json!("dev-config.json-123456-engineering"),
                    ],
                ),
                (
                    "engineering-prod-guestbook",
                    vec![
                        json!("https://1.2.3.4"),
                        json!("prod-config.json-123456-engineering"),
                    ],
                ),
            ],
        },
        Case {
            name: "git-files-exclude-example: an excluded pattern removes matching files",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - git:
        repoURL: https://github.com/argoproj/argo-cd.git
        revision: HEAD
        files:
          - path: "applicationset/examples/git-generator-files-discovery/cluster-config/**/config.json"
          - path: "applicationset/examples/git-generator-files-discovery/cluster-config/*/dev/config.json"
            exclude: true
  template:
    metadata:
      name: '{{.cluster.name}}-guestbook'
    spec:
      project: default
      destination:
        server: https://kubernetes.default.svc
        namespace: guestbook
"#,
            pointers: &[SERVER],
            want: vec![(
                "engineering-prod-guestbook",
                vec![json!("https://kubernetes.default.svc")],
            )],
        },
        Case {
            name: "files: YAML list per file, goTemplate nested keys, exclude",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: multi}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git:
      repoURL: https://github.com/argoproj/argo-cd.git
      revision: HEAD
      files:
      - path: "applicationset/examples/git-generator-files-discovery/cluster-config/**"
      - path: "applicationset/examples/git-generator-files-discovery/cluster-config/**/config.json"
        exclude: true
  template:
    metadata:
      name: '{{.cluster.name}}'
    spec:
      source: {path: '{{.path.path}}/{{.path.filenameNormalized}}'}
      destination: {server: '{{.cluster.address}}', namespace: 'n{{.replicas}}-{{.path.basename}}'}
"#,
            pointers: &[SERVER, NS, PATH],
            want: vec![
                (
                    "one",
                    vec![
                        json!("https://10.0.0.1"),
                        json!("n2-multi"),
                        json!(
                            "applicationset/examples/git-generator-files-discovery/cluster-config/engineering/multi/clusters.yaml"
                        ),
                    ],
                ),
                (
                    "two",
                    vec![
                        json!("https://10.0.0.2"),
                        json!("n3-multi"),
                        json!(
                            "applicationset/examples/git-generator-files-discovery/cluster-config/engineering/multi/clusters.yaml"
                        ),
                    ],
                ),
            ],
        },
    ]);
}

#[test]
fn cluster_generator() {
    check(vec![
        Case {
            name: "Generators-Cluster: all clusters, in-cluster first, labels as params",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook}
spec:
  generators:
  - clusters: {}
  template:
    metadata:
      name: '{{name}}-guestbook'
    spec:
      destination:
        server: '{{server}}'
        namespace: '{{metadata.labels.environment}}'
"#,
            pointers: &[SERVER, NS],
            want: vec![
                (
                    "in-cluster-guestbook",
                    vec![
                        json!("https://kubernetes.default.svc"),
                        json!("{{metadata.labels.environment}}"),
                    ],
                ),
                (
                    "production-guestbook",
                    vec![json!("https://2.4.6.8"), json!("production")],
                ),
                (
                    "staging-guestbook",
                    vec![json!("https://1.2.3.4"), json!("staging")],
                ),
            ],
        },
        Case {
            name: "Generators-Cluster: label selector and values (goTemplate)",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - clusters:
      selector:
        matchExpressions:
        - {key: environment, operator: In, values: [staging, qa]}
      values:
        revision: 'rev-{{.metadata.labels.environment}}'
  template:
    metadata:
      name: '{{.nameNormalized}}'
    spec:
      source: {targetRevision: '{{.values.revision}}'}
      destination: {server: '{{.server}}', namespace: '{{.metadata.annotations.owner}}'}
"#,
            pointers: &["/spec/source/targetRevision", NS],
            want: vec![("staging", vec![json!("rev-staging"), json!("team-a")])],
        },
        Case {
            name: "Generators-Cluster: flatList gives one parameter set with every cluster",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: flat}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - clusters:
      flatList: true
      selector:
        matchLabels: {argocd.argoproj.io/secret-type: cluster}
  template:
    metadata:
      name: 'all-clusters'
    spec:
      source:
        helm:
          values: '{{ range .clusters }}{{ .name }}={{ .server }};{{ end }}'
"#,
            pointers: &["/spec/source/helm/values"],
            want: vec![(
                "all-clusters",
                vec![json!("production=https://2.4.6.8;staging=https://1.2.3.4;")],
            )],
        },
    ]);
}

#[test]
fn matrix_generator() {
    check(vec![
        Case {
            name: "Generators-Matrix: git directories x list",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: cluster-git}
spec:
  generators:
  - matrix:
      generators:
      - git:
          repoURL: https://github.com/argoproj/argo-cd.git
          revision: HEAD
          directories:
          - path: applicationset/examples/git-generator-directory/cluster-addons/*
      - list:
          elements:
          - cluster: engineering-dev
            url: https://kubernetes.default.svc
          - cluster: engineering-prod
            url: https://2.4.6.8
  template:
    metadata:
      name: '{{path.basename}}-{{cluster}}'
    spec:
      source: {path: '{{path}}'}
      destination: {server: '{{url}}', namespace: '{{path.basename}}'}
"#,
            pointers: &[SERVER],
            want: vec![
                (
                    "argo-workflows-engineering-dev",
                    vec![json!("https://kubernetes.default.svc")],
                ),
                (
                    "argo-workflows-engineering-prod",
                    vec![json!("https://2.4.6.8")],
                ),
                (
                    "prometheus-operator-engineering-dev",
                    vec![json!("https://kubernetes.default.svc")],
                ),
                (
                    "prometheus-operator-engineering-prod",
                    vec![json!("https://2.4.6.8")],
                ),
            ],
        },
        Case {
            name: "Generators-Matrix: git x clusters with selector on the child",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: cluster-git}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - matrix:
      generators:
      - git:
          repoURL: https://github.com/argoproj/argo-cd.git
          revision: HEAD
          directories:
          - path: applicationset/examples/git-generator-directory/cluster-addons/*
      - clusters:
          selector:
            matchLabels:
              environment: staging
  template:
    metadata:
      name: '{{.path.basename}}-{{.name}}'
    spec:
      destination: {server: '{{.server}}', namespace: '{{.path.basename}}'}
"#,
            pointers: &[SERVER],
            want: vec![
                ("argo-workflows-staging", vec![json!("https://1.2.3.4")]),
                (
                    "prometheus-operator-staging",
                    vec![json!("https://1.2.3.4")],
                ),
            ],
        },
        Case {
            name: "matrix: the second child is interpolated with the first's parameters",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: envs}
spec:
  generators:
  - matrix:
      generators:
      - list:
          elements: [{env: dev}, {env: prod}]
      - git:
          repoURL: https://github.com/argoproj/argo-cd.git
          revision: HEAD
          directories:
          - path: 'envs/{{env}}/*'
  template:
    metadata: {name: '{{env}}-{{path.basename}}'}
    spec:
      source: {path: '{{path}}'}
"#,
            pointers: &[PATH],
            want: vec![
                ("dev-api", vec![json!("envs/dev/api")]),
                ("dev-web", vec![json!("envs/dev/web")]),
                ("prod-web", vec![json!("envs/prod/web")]),
            ],
        },
        Case {
            name: "matrix nested in matrix (two deep), with a top-level selector",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: nested}
spec:
  goTemplate: true
  generators:
  - matrix:
      generators:
      - list:
          elements: [{a: "1"}, {a: "2"}]
      - matrix:
          generators:
          - list:
              elements: [{b: x}, {b: y}]
          - list:
              elements: [{c: k}]
    selector:
      matchExpressions:
      - {key: b, operator: NotIn, values: ["y"]}
  template:
    metadata: {name: 'n{{.a}}-{{.b}}-{{.c}}'}
    spec: {}
"#,
            pointers: &[],
            want: vec![("n1-x-k", vec![]), ("n2-x-k", vec![])],
        },
    ]);
}

#[test]
fn merge_generator() {
    check(vec![
        Case {
            name: "Generators-Merge: base clusters + override clusters + list",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: cluster-git}
spec:
  generators:
  - merge:
      mergeKeys:
      - server
      generators:
      - clusters:
          values:
            kafka: 'true'
            redis: 'false'
      - clusters:
          selector:
            matchLabels:
              use-kafka: 'false'
          values:
            kafka: 'false'
      - list:
          elements:
          - server: https://2.4.6.8
            values.redis: 'true'
  template:
    metadata:
      name: '{{name}}'
    spec:
      project: '{{metadata.labels.environment}}'
      source:
        repoURL: https://github.com/argoproj/argo-cd.git
        targetRevision: HEAD
        path: app
        helm:
          parameters:
          - name: kafka
            value: '{{values.kafka}}'
          - name: redis
            value: '{{values.redis}}'
      destination:
        server: '{{server}}'
        namespace: default
"#,
            pointers: &[
                "/spec/source/helm/parameters/0/value",
                "/spec/source/helm/parameters/1/value",
                "/spec/project",
            ],
            // The docs list staging and production; Argo CD's clusters generator
            // also yields the local cluster when no Secret declares it.
            want: vec![
                (
                    "in-cluster",
                    vec![
                        json!("true"),
                        json!("false"),
                        json!("{{metadata.labels.environment}}"),
                    ],
                ),
                (
                    "production",
                    vec![json!("true"), json!("true"), json!("production")],
                ),
                (
                    "staging",
                    vec![json!("false"), json!("false"), json!("staging")],
                ),
            ],
        },
        Case {
            name: "merge (goTemplate): nested maps merge, later generators win",
            yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: m}
spec:
  goTemplate: true
  generators:
  - merge:
      mergeKeys: [env]
      generators:
      - list:
          elements:
          - {env: dev, cfg: {replicas: 1, image: a}}
          - {env: prod, cfg: {replicas: 3, image: a}}
      - list:
          elements:
          - {env: prod, cfg: {image: b}}
          - {env: qa, cfg: {image: c}}
  template:
    metadata: {name: '{{.env}}'}
    spec: {source: {path: '{{.cfg.image}}-{{.cfg.replicas}}'}}
"#,
            pointers: &[PATH],
            want: vec![("dev", vec![json!("a-1")]), ("prod", vec![json!("b-3")])],
        },
    ]);
}

#[test]
fn selector_and_template_override() {
    check(vec![Case {
        name: "applicationset-specification: selector post-filters, generator template overrides",
        yaml: r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: test-hello-world-appset, namespace: argocd}
spec:
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://kubernetes.default.svc
        env: staging
      - cluster: engineering-prod
        url: https://kubernetes.default.svc
        env: prod
      template:
        metadata: {}
        spec:
          project: "default"
          source:
            targetRevision: HEAD
            repoURL: https://github.com/argoproj/argo-cd.git
            path: 'applicationset/examples/template-override/{{cluster}}-override'
          destination: {}
    selector:
      matchLabels:
        env: staging
  - list:
      elements:
      - cluster: other
        url: https://9.9.9.9
        env: prod
  template:
    metadata:
      name: '{{cluster}}-guestbook'
    spec:
      project: "my-project"
      source:
        repoURL: https://github.com/infra-team/cluster-deployments.git
        targetRevision: HEAD
        path: guestbook/{{cluster}}
      destination:
        server: '{{url}}'
        namespace: guestbook
"#,
        pointers: &[PATH, "/spec/project", SERVER],
        want: vec![
            (
                "engineering-dev-guestbook",
                vec![
                    json!("applicationset/examples/template-override/engineering-dev-override"),
                    json!("default"),
                    json!("https://kubernetes.default.svc"),
                ],
            ),
            (
                "other-guestbook",
                vec![
                    json!("guestbook/other"),
                    json!("my-project"),
                    json!("https://9.9.9.9"),
                ],
            ),
        ],
    }]);
}

#[test]
fn template_patch_and_metadata() {
    let apps = run(r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook, namespace: argocd, uid: 1f2e3d}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  syncPolicy:
    preserveResourcesOnDeletion: true
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://kubernetes.default.svc
        autoSync: true
        prune: true
        valueFiles: [values.large.yaml, values.debug.yaml]
      - cluster: engineering-prod
        url: https://kubernetes.default.svc
        autoSync: false
        prune: false
        valueFiles: [values.large.yaml]
  template:
    metadata:
      name: '{{.cluster}}-deployment'
      namespace: ignored
      labels: {env: '{{.cluster}}'}
    spec:
      project: "default"
      source:
        repoURL: https://github.com/infra-team/cluster-deployments.git
        targetRevision: HEAD
        path: guestbook/{{ .cluster }}
      destination:
        server: '{{.url}}'
        namespace: guestbook
  templatePatch: |
    spec:
      source:
        helm:
          valueFiles:
          {{- range $valueFile := .valueFiles }}
            - {{ $valueFile }}
          {{- end }}
    {{- if .autoSync }}
      syncPolicy:
        automated:
          prune: {{ .prune }}
    {{- end }}
"#)
    .unwrap();
    assert_eq!(apps.len(), 2);
    let dev = &apps[0];
    assert_eq!(
        dev["spec"]["source"]["helm"]["valueFiles"],
        json!(["values.large.yaml", "values.debug.yaml"])
    );
    assert_eq!(dev["spec"]["syncPolicy"]["automated"]["prune"], json!(true));
    assert_eq!(apps[1]["spec"].get("syncPolicy"), None);
    // metadata: the set's namespace, template labels, no finalizer (preserved), owner reference.
    assert_eq!(
        dev["metadata"],
        json!({"name": "engineering-dev-deployment", "namespace": "argocd", "labels": {"env": "engineering-dev"},
               "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                 "name": "guestbook", "uid": "1f2e3d", "controller": true, "blockOwnerDeletion": true}]})
    );
    let keys: Vec<&String> = dev.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
}

#[test]
fn finalizers_follow_template_and_preserve_option() {
    let apps = run(r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: f}
spec:
  generators:
  - list: {elements: [{n: a}]}
  - list: {elements: [{n: b}], template: {metadata: {finalizers: [custom]}}}
  template:
    metadata: {name: '{{n}}'}
    spec: {}
"#)
    .unwrap();
    assert_eq!(
        apps[0]["metadata"]["finalizers"],
        json!(["resources-finalizer.argocd.argoproj.io"])
    );
    assert_eq!(apps[1]["metadata"]["finalizers"], json!(["custom"]));
    assert_eq!(apps[0]["metadata"].get("namespace"), None);
}

#[test]
fn environments_from_one_list_keep_non_string_fields() {
    // The issue's multi-environment set: dev and staging follow main, prod follows release.
    let apps = run(r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: shop, namespace: argocd, uid: 0b1c}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - {env: dev, branch: main}
      - {env: staging, branch: main}
      - {env: prod, branch: release}
  template:
    metadata:
      name: 'shop-{{.env}}'
      labels: {driftless.dev/env: '{{.env}}'}
    spec:
      project: default
      source:
        repoURL: http://git.example/shop.git
        targetRevision: '{{.branch}}'
        path: charts/shop
        helm:
          valueFiles: ['values-{{.env}}.yaml']
      destination: {server: https://kubernetes.default.svc, namespace: 'shop-{{.env}}'}
      syncPolicy:
        automated: {prune: true, selfHeal: true}
        syncOptions: [CreateNamespace=true]
        retry:
          limit: 2
          backoff: {duration: 5s, factor: 2, maxDuration: 3m}
"#)
    .unwrap();
    let got = summary(
        &apps,
        &[
            "/spec/source/targetRevision",
            "/spec/source/helm/valueFiles/0",
            NS,
        ],
    );
    assert_eq!(
        got,
        vec![
            (
                "shop-dev".to_string(),
                vec![json!("main"), json!("values-dev.yaml"), json!("shop-dev")]
            ),
            (
                "shop-staging".to_string(),
                vec![
                    json!("main"),
                    json!("values-staging.yaml"),
                    json!("shop-staging")
                ]
            ),
            (
                "shop-prod".to_string(),
                vec![
                    json!("release"),
                    json!("values-prod.yaml"),
                    json!("shop-prod")
                ]
            ),
        ]
    );
    let sp = &apps[2]["spec"]["syncPolicy"];
    assert_eq!(sp["automated"], json!({"prune": true, "selfHeal": true}));
    assert_eq!(sp["retry"]["limit"], json!(2));
    assert_eq!(sp["retry"]["backoff"]["factor"], json!(2));
    assert_eq!(sp["syncOptions"], json!(["CreateNamespace=true"]));
    assert_eq!(
        apps[2]["metadata"]["labels"],
        json!({"driftless.dev/env": "prod"})
    );
    assert_eq!(driftless_appset::validate("shop", &apps), vec![]);
}

#[test]
fn list_elements_yaml_from_a_git_file_in_a_matrix() {
    // Generators-List: `elementsYaml: "{{ .key.components | toJson }}"` fed by a git files generator.
    let apps = run(r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: elementsyaml}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - matrix:
      generators:
        - git:
            files:
            - path: applicationset/examples/list-generator/list-elementsYaml-example.yaml
            repoURL: https://github.com/argoproj/argo-cd.git
            revision: HEAD
        - list:
            elementsYaml: "{{ .key.components | toJson }}"
  template:
    metadata:
      name: '{{.name}}'
    spec:
      project: default
      source:
        chart: '{{.chart}}'
        targetRevision: '{{.version}}'
      destination:
        namespace: '{{.namespace}}'
        server: https://kubernetes.default.svc
"#)
    .unwrap();
    assert_eq!(
        summary(
            &apps,
            &["/spec/source/chart", "/spec/source/targetRevision", NS]
        ),
        vec![
            (
                "component1".to_string(),
                vec![json!("podinfo"), json!("6.3.2"), json!("component1")]
            ),
            (
                "component2".to_string(),
                vec![json!("podinfo"), json!("6.3.3"), json!("component2")]
            ),
        ]
    );
}

#[test]
fn cluster_secret_contents_never_become_parameters() {
    // The last-applied annotation of a cluster Secret carries its credentials.
    let head =
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: c}\nspec:\n";
    let tail = "  generators:\n  - clusters: {selector: {matchLabels: {environment: staging}}}\n  template:\n    metadata: {name: x}\n";
    let go = run(&format!(
        "{head}  goTemplate: true\n{tail}    spec: {{source: {{helm: {{values: '{{{{ toJson . }}}}'}}}}}}\n"
    ))
    .unwrap();
    let values = go[0]["spec"]["source"]["helm"]["values"].as_str().unwrap();
    assert!(
        values.contains("team-a") && !values.contains("c2VjcmV0"),
        "{values}"
    );
    let tag = "{{metadata.annotations.kubectl.kubernetes.io/last-applied-configuration}}";
    let fast = run(&format!(
        "{head}{tail}    spec: {{source: {{path: '{tag}'}}}}\n"
    ))
    .unwrap();
    assert_eq!(fast[0]["spec"]["source"]["path"], tag);
}

#[test]
fn cluster_secret_declaring_the_local_cluster() {
    use driftless_appset::{Inputs, NoGit, generate};
    let secrets = vec![
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "local", "labels": {"argocd.argoproj.io/secret-type": "cluster"}},
               "stringData": {"name": "local", "server": "https://kubernetes.default.svc/"}}),
        common::cluster_secret("b-remote", "remote", "https://9.9.9.9", json!({})),
    ];
    let set = common::set(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: c}\nspec:\n  generators:\n  - clusters: {}\n  template:\n    metadata: {name: '{{name}}'}\n    spec: {destination: {server: '{{server}}'}}\n",
    );
    let apps = generate(&set, &Inputs::offline(&NoGit, &secrets)).unwrap();
    assert_eq!(
        summary(&apps, &[SERVER]),
        vec![
            ("remote".to_string(), vec![json!("https://9.9.9.9")]),
            (
                "local".to_string(),
                vec![json!("https://kubernetes.default.svc/")]
            ),
        ]
    );
}

#[test]
fn two_thousand_applications_render_quickly() {
    use driftless_appset::{Inputs, NoGit, generate};
    let elements: Vec<Value> = (0..2000)
        .map(|i| json!({"env": format!("e{i}"), "n": i}))
        .collect();
    let set = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
        "metadata": {"name": "big", "namespace": "argocd"},
        "spec": {"goTemplate": true, "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {"metadata": {"name": "app-{{ .env | lower }}", "labels": {"n": "{{ .n }}"}},
                "spec": {"project": "default",
                    "source": {"repoURL": "https://x", "path": "envs/{{ .env }}", "targetRevision": "HEAD"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{ .env }}"}}}}});
    let start = std::time::Instant::now();
    let apps = generate(&set, &Inputs::offline(&NoGit, &[])).unwrap();
    assert_eq!(apps.len(), 2000);
    assert_eq!(apps[1999]["metadata"]["labels"]["n"], "1999");
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn merge_on_interpolated_values() {
    // Generators-Merge "Use value interpolation in merge": clusters and git directories joined on
    // `values.selector`, set from a cluster label and from the directory name.
    use driftless_appset::{Inputs, MemRepo, generate};
    let repo = MemRepo::new("https://github.com/argoproj/argocd-example-apps/")
        .with_file("Germany/app.yaml", "")
        .with_file("France/app.yaml", "");
    let secrets = vec![
        common::cluster_secret(
            "germany01",
            "germany01",
            "https://1.2.3.4",
            json!({"location": "Germany", "environment": "prod"}),
        ),
        common::cluster_secret(
            "spain01",
            "spain01",
            "https://5.6.7.8",
            json!({"location": "Spain", "environment": "prod"}),
        ),
    ];
    let set = common::set(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cluster-git
spec:
  generators:
    - merge:
        mergeKeys:
          - values.selector
        generators:
          - clusters:
              selector: {matchLabels: {environment: prod}}
              values:
                selector: '{{ metadata.labels.location }}'
          - git:
              repoURL: https://github.com/argoproj/argocd-example-apps/
              revision: HEAD
              directories:
              - path: '*'
              values:
                selector: '{{ path }}'
  template:
    metadata:
      name: '{{name}}'
    spec:
      project: '{{metadata.labels.environment}}'
      source:
        repoURL: https://github.com/argoproj/argocd-example-apps/
        targetRevision: HEAD
        path: '{{path}}'
      destination:
        server: '{{server}}'
        namespace: default
"#,
    );
    let apps = generate(&set, &Inputs::offline(&repo, &secrets)).unwrap();
    assert_eq!(
        summary(&apps, &[PATH, SERVER, "/spec/project"]),
        vec![
            (
                "germany01".to_string(),
                vec![json!("Germany"), json!("https://1.2.3.4"), json!("prod")]
            ),
            (
                "spain01".to_string(),
                vec![json!("{{path}}"), json!("https://5.6.7.8"), json!("prod")]
            ),
        ]
    );
}
