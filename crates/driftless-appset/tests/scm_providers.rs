//! The `scmProvider` generator against fake GitHub, GitLab and Gitea servers
//! answering in their REST APIs' shapes.

mod common;

use common::fake::{FakeHttp, secret};
use common::set;
use driftless_appset::{HttpResponse, Inputs, MemCluster, NoGit, generate};
use serde_json::{Value, json};

/// `name -> annotations` of the generated Applications.
fn run(generator: &str, http: &FakeHttp) -> Result<Vec<Value>, String> {
    let yaml = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {{name: repos, namespace: argocd}}\nspec:\n  goTemplate: true\n  goTemplateOptions: [missingkey=error]\n  generators:\n  - scmProvider:\n{generator}\n      values: {{name: '{{{{ .repository }}}}-{{{{ .branchNormalized }}}}'}}\n  template:\n    metadata:\n      name: '{{{{ .values.name }}}}'\n      annotations: {{organization: '{{{{ .organization }}}}', url: '{{{{ .url }}}}', branch: '{{{{ .branch }}}}', sha: '{{{{ .sha }}}}', short: '{{{{ .short_sha }}}}', short7: '{{{{ .short_sha_7 }}}}', labels: '{{{{ .labels }}}}', id: '{{{{ .repository_id }}}}'}}\n    spec: {{}}\n"
    );
    let cluster = MemCluster::new(
        "argocd",
        vec![secret("scm-token", &[("token", "scm-s3cr3t")])],
    );
    generate(
        &set(&yaml),
        &Inputs {
            http,
            cluster: &cluster,
            ..Inputs::offline(&NoGit, &[])
        },
    )
    .map(|apps| {
        apps.into_iter()
            .map(|a| {
                let mut v = a["metadata"]["annotations"].clone();
                v["name"] = a["metadata"]["name"].clone();
                v
            })
            .collect()
    })
    .map_err(|e| e.to_string())
}

fn gh_repo(name: &str, id: i64, topics: &[&str]) -> Value {
    json!({"id": id, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": name,
           "full_name": format!("myorg/{name}"), "private": false,
           "owner": {"login": "myorg", "id": 1, "type": "Organization"},
           "html_url": format!("https://github.com/myorg/{name}"),
           "clone_url": format!("https://github.com/myorg/{name}.git"),
           "ssh_url": format!("git@github.com:myorg/{name}.git"),
           "default_branch": "main", "topics": topics, "archived": false})
}

fn gh_branch(name: &str, sha: &str) -> Value {
    json!({"name": name, "commit": {"sha": sha, "url": "https://api.github.com/repos/x/y/commits/z"}, "protected": false})
}

#[test]
fn github_default_branches_filters_and_clone_protocol() {
    let api = "https://api.github.com";
    let http = FakeHttp::default()
        .get(
            &format!("{api}/orgs/myorg/repos?per_page=100"),
            json!([gh_repo("app-web", 11, &["team-a", "web"]), gh_repo("app-api", 12, &["team-a"]), gh_repo("docs", 13, &[])]),
        )
        .get(
            &format!("{api}/repos/myorg/app-web/branches/main"),
            json!(gh_branch("main", "c5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc")),
        )
        .get(
            &format!("{api}/repos/myorg/app-api/branches/main"),
            json!(gh_branch("main", "d5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc")),
        )
        .get(
            &format!("{api}/repos/myorg/app-web/contents/deploy/kustomization.yaml?ref=main"),
            json!({"type": "file", "name": "kustomization.yaml", "path": "deploy/kustomization.yaml"}),
        );
    let got = run(
        "      github: {organization: myorg, tokenRef: {secretName: scm-token, key: token}}\n      cloneProtocol: https\n      filters:\n      - {repositoryMatch: '^app-', pathsExist: [deploy/kustomization.yaml]}",
        &http,
    )
    .unwrap();
    assert_eq!(
        got,
        vec![json!({"name": "app-web-main", "organization": "myorg",
                    "url": "https://github.com/myorg/app-web.git", "branch": "main",
                    "sha": "c5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc", "short": "c5b97d5a",
                    "short7": "c5b97d5", "labels": "team-a,web", "id": "11"})]
    );
    let reqs = http.requests();
    // docs is filtered out before its branches are read; app-api lacks the path.
    assert!(reqs.iter().all(|r| !r.url.contains("/docs/")));
    assert!(
        reqs.iter()
            .all(|r| r.header_value("Authorization") == Some("Bearer scm-s3cr3t"))
    );
    let e = run(
        "      github: {organization: myorg}\n      cloneProtocol: git",
        &http,
    )
    .unwrap_err();
    assert!(
        e.ends_with("error listing repos: unknown clone protocol for GitHub git"),
        "{e}"
    );
}

#[test]
fn gitlab_all_branches_label_match_and_ssh() {
    let api = "https://gitlab.corp/api/v4";
    let http = FakeHttp::default()
        .on(
            "GET",
            &format!("{api}/groups/platform%2Fteam/projects?per_page=100&include_subgroups=true&with_shared=true"),
            HttpResponse::json(200, &json!([
                {"id": 42, "path": "svc", "name": "Svc", "default_branch": "main",
                 "ssh_url_to_repo": "git@gitlab.corp:platform/team/svc.git",
                 "http_url_to_repo": "https://gitlab.corp/platform/team/svc.git",
                 "namespace": {"id": 7, "full_path": "platform/team"}, "topics": [], "tag_list": ["deployable"]},
                {"id": 43, "path": "lib", "name": "Lib", "default_branch": "main",
                 "ssh_url_to_repo": "git@gitlab.corp:platform/team/lib.git",
                 "http_url_to_repo": "https://gitlab.corp/platform/team/lib.git",
                 "namespace": {"id": 7, "full_path": "platform/team"}, "topics": ["library"]}
            ]))
            .with_header("X-Next-Page", ""),
        )
        .get(
            &format!("{api}/projects/42/repository/branches?per_page=100"),
            json!([
                {"name": "main", "commit": {"id": "7b5c3cc8be40ee161ae89a06bba6229da1032a0c"}, "default": true},
                {"name": "feature/New_UI", "commit": {"id": "8b5c3cc8be40ee161ae89a06bba6229da1032a0c"}, "default": false}
            ]),
        );
    let got = run(
        "      gitlab: {group: platform/team, api: 'https://gitlab.corp', includeSubgroups: true, allBranches: true, tokenRef: {secretName: scm-token, key: token}}\n      filters:\n      - {labelMatch: '^deploy'}",
        &http,
    )
    .unwrap();
    let names: Vec<(&Value, &Value, &Value)> = got
        .iter()
        .map(|v| (&v["name"], &v["url"], &v["labels"]))
        .collect();
    assert_eq!(
        names,
        vec![
            (
                &json!("svc-main"),
                &json!("git@gitlab.corp:platform/team/svc.git"),
                &json!("deployable")
            ),
            (
                &json!("svc-feature-new-ui"),
                &json!("git@gitlab.corp:platform/team/svc.git"),
                &json!("deployable")
            ),
        ]
    );
    assert_eq!(got[1]["id"], "42");
    assert_eq!(
        http.requests()[0].header_value("PRIVATE-TOKEN"),
        Some("scm-s3cr3t")
    );
}

#[test]
fn gitea_repositories_labels_and_paths_do_not_exist() {
    let api = "https://gitea.corp/api/v1";
    let repo = |name: &str, id: i64| {
        json!({"id": id, "name": name, "full_name": format!("org/{name}"), "owner": {"login": "org"},
               "html_url": format!("https://gitea.corp/org/{name}"),
               "ssh_url": format!("git@gitea.corp:org/{name}.git"),
               "clone_url": format!("https://gitea.corp/org/{name}.git"), "default_branch": "main"})
    };
    let branch = |sha: &str| json!({"name": "main", "commit": {"id": sha, "message": "init"}});
    let http = FakeHttp::default()
        .get(
            &format!("{api}/orgs/org/repos?limit=50"),
            json!([repo("one", 1), repo("two", 2)]),
        )
        .get(
            &format!("{api}/repos/org/one/labels?limit=50"),
            json!([{"id": 1, "name": "prod", "color": "ff0000"}]),
        )
        .get(&format!("{api}/repos/org/two/labels?limit=50"), json!([]))
        .get(
            &format!("{api}/repos/org/one/branches/main"),
            branch("1111111111111111111111111111111111111111"),
        )
        .get(
            &format!("{api}/repos/org/two/branches/main"),
            branch("2222222222222222222222222222222222222222"),
        )
        .get(
            &format!("{api}/repos/org/two/contents/legacy?ref=main"),
            json!([{"name": "a.yaml", "path": "legacy/a.yaml", "type": "file"}]),
        );
    let got = run(
        "      gitea: {owner: org, api: 'https://gitea.corp', tokenRef: {secretName: scm-token, key: token}}\n      cloneProtocol: https\n      filters:\n      - {pathsDoNotExist: [legacy/]}",
        &http,
    )
    .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["name"], "one-main");
    assert_eq!(got[0]["url"], "https://gitea.corp/org/one");
    assert_eq!(got[0]["labels"], "prod");
    assert_eq!(got[0]["organization"], "org");
    assert_eq!(
        http.requests()[0].header_value("Authorization"),
        Some("token scm-s3cr3t")
    );
    let e = run("      gitea: {owner: org}", &http).unwrap_err();
    assert!(
        e.contains("error initializing Gitea service: api: the Gitea API URL is required"),
        "{e}"
    );
}
