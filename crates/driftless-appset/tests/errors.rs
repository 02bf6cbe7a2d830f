//! Failures: each names the generator (and parameter) concerned, with Argo
//! CD's wording where it has one.

mod common;

use common::run;
use driftless_appset::{AppSetError, validate};

fn err(yaml: &str) -> AppSetError {
    run(yaml).expect_err("generation must fail")
}

const HEAD: &str = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s, namespace: argocd}\n";

#[test]
fn failures_name_generator_and_parameter() {
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "goTemplate with missingkey=error fails on an unknown key",
            format!(
                "{HEAD}spec:\n  goTemplate: true\n  goTemplateOptions: [\"missingkey=error\"]\n  generators:\n  - list: {{elements: [{{cluster: a}}, {{clusterr: b}}]}}\n  template:\n    metadata: {{name: '{{{{.cluster}}}}'}}\n    spec: {{}}\n"
            ),
            &[
                "spec.generators[0].list: parameter set 1: ",
                "failed to execute go template {{.cluster}}",
                "map has no entry for key \"cluster\"",
            ],
        ),
        (
            "fasttemplate list values must be strings",
            format!(
                "{HEAD}spec:\n  generators:\n  - list: {{elements: [{{n: 1}}]}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &["spec.generators[0].list: elements[0].n: error parsing value as string"],
        ),
        (
            "matrix needs exactly two children",
            format!(
                "{HEAD}spec:\n  generators:\n  - matrix: {{generators: [{{list: {{elements: []}}}}]}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &["spec.generators[0].matrix: found less than two generators, Matrix support only two"],
        ),
        (
            "matrix nested three deep",
            format!(
                "{HEAD}spec:\n  generators:\n  - matrix:\n      generators:\n      - list: {{elements: [{{a: x}}]}}\n      - matrix:\n          generators:\n          - list: {{elements: [{{b: x}}]}}\n          - matrix: {{generators: [{{list: {{elements: []}}}}, {{list: {{elements: []}}}}]}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &[
                "spec.generators[0].matrix.generators[1].matrix.generators[1].matrix",
                "two levels deep",
            ],
        ),
        (
            "fasttemplate matrix with conflicting keys",
            format!(
                "{HEAD}spec:\n  generators:\n  - matrix:\n      generators:\n      - list: {{elements: [{{k: a}}]}}\n      - list: {{elements: [{{k: b}}]}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &["found duplicate key k with different value, a: a ,b: b"],
        ),
        (
            "merge without keys",
            format!(
                "{HEAD}spec:\n  generators:\n  - merge:\n      generators: [{{list: {{elements: []}}}}, {{list: {{elements: []}}}}]\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &["spec.generators[0].merge: no merge keys were specified"],
        ),
        (
            "merge with non-unique keys",
            format!(
                "{HEAD}spec:\n  generators:\n  - merge:\n      mergeKeys: [k]\n      generators: [{{list: {{elements: [{{k: a}}, {{k: a}}]}}}}, {{list: {{elements: []}}}}]\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &[
                "spec.generators[0].merge.generators[0]",
                "Duplicate key was {\"k\":\"a\"}",
            ],
        ),
        (
            "unknown repository",
            format!(
                "{HEAD}spec:\n  generators:\n  - git: {{repoURL: https://nope.example/x.git, revision: main, directories: [{{path: '*'}}]}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &[
                "spec.generators[0].git: repository https://nope.example/x.git at main: unknown repository",
            ],
        ),
        (
            "pull request generator without a provider",
            format!(
                "{HEAD}spec:\n  generators:\n  - pullRequest: {{}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &[
                "spec.generators[0].pullRequest: error listing repos: failed to select pull request service provider: no Pull Request provider implementation configured",
            ],
        ),
        (
            "a plugin generator without a cluster",
            format!(
                "{HEAD}spec:\n  generators:\n  - plugin: {{configMapRef: {{name: p}}}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &[
                "spec.generators[0].plugin: error getting plugin from generator: error fetching ConfigMap: reading ConfigMap p needs a cluster",
            ],
        ),
        (
            "bad selector operator",
            format!(
                "{HEAD}spec:\n  generators:\n  - list: {{elements: []}}\n    selector: {{matchExpressions: [{{key: a, operator: Has}}]}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n"
            ),
            &[
                "spec.generators[0]: error parsing label selector: \"Has\" is not a valid label selector operator",
            ],
        ),
        (
            "templatePatch that is not an object",
            format!(
                "{HEAD}spec:\n  generators:\n  - list: {{elements: [{{a: x}}]}}\n  template: {{metadata: {{name: x}}, spec: {{}}}}\n  templatePatch: '- a'\n"
            ),
            &["spec.generators[0].list: parameter set 0: invalid templatePatch"],
        ),
    ];
    for (name, yaml, needles) in cases {
        let msg = err(&yaml).to_string();
        for n in needles {
            assert!(msg.contains(n), "{name}: {msg:?} lacks {n:?}");
        }
    }
}

#[test]
fn duplicate_names_are_reported_as_argo_cd_does() {
    let apps = run(&format!(
        "{HEAD}spec:\n  generators:\n  - list: {{elements: [{{c: a}}, {{c: b}}, {{c: c}}]}}\n  template: {{metadata: {{name: '{{{{.c}}}}-app'}}, spec: {{}}}}\n"
    ))
    .unwrap();
    // fasttemplate leaves `{{.c}}` as written: every name is the same.
    let errs = validate("s", &apps);
    assert_eq!(errs.iter().map(|e| e.index).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(
        driftless_appset::validation_message(&errs).unwrap(),
        "ApplicationSet s contains applications with duplicate name: {{.c}}-app (and 1 more)"
    );
}

#[test]
fn nested_selectors_apply_only_when_enabled() {
    let yaml = |flag: bool| {
        format!(
            "{HEAD}spec:\n  applyNestedSelectors: {flag}\n  generators:\n  - matrix:\n      generators:\n      - list: {{elements: [{{a: x}}]}}\n      - matrix:\n          generators:\n          - list: {{elements: [{{b: keep}}, {{b: drop}}]}}\n            selector: {{matchLabels: {{b: keep}}}}\n          - list: {{elements: [{{c: z}}]}}\n  template: {{metadata: {{name: '{{{{b}}}}'}}, spec: {{}}}}\n"
        )
    };
    assert_eq!(run(&yaml(false)).unwrap().len(), 2);
    let on = run(&yaml(true)).unwrap();
    assert_eq!(on.len(), 1);
    assert_eq!(on[0]["metadata"]["name"], "keep");
}
