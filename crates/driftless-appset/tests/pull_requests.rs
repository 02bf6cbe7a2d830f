//! The `pullRequest` generator against fake GitHub, GitLab and Gitea servers
//! answering in their REST APIs' shapes.

mod common;

use common::fake::{FakeHttp, secret};
use common::set;
use driftless_appset::{HttpResponse, Inputs, MemCluster, NoGit, generate};
use serde_json::{Value, json};

/// Every generated Application's `metadata.annotations` (the parameters
/// rendered there by `template`).
fn run(generator: &str, go: bool, http: &FakeHttp) -> Result<Vec<Value>, String> {
    let annotations = if go {
        "{number: '{{ .number }}', title: '{{ .title }}', branch: '{{ .branch }}', branch_slug: '{{ .branch_slug }}', target: '{{ .target_branch }}', target_slug: '{{ .target_branch_slug }}', sha: '{{ .head_sha }}', short: '{{ .head_short_sha }}', short7: '{{ .head_short_sha_7 }}', author: '{{ .author }}', labels: '{{ join \",\" .labels }}', env: '{{ .values.env }}'}"
    } else {
        "{number: '{{number}}', title: '{{title}}', branch: '{{branch}}', branch_slug: '{{branch_slug}}', target: '{{target_branch}}', sha: '{{head_sha}}', short: '{{head_short_sha}}', author: '{{author}}', labels: '{{labels}}', env: '{{values.env}}'}"
    };
    let yaml = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {{name: previews, namespace: argocd}}\nspec:\n  goTemplate: {go}\n  generators:\n  - pullRequest:\n{generator}\n      values: {{env: 'pr-{{{{{dot}number}}}}'}}\n  template:\n    metadata:\n      name: 'preview-{{{{{dot}number}}}}'\n      annotations: {annotations}\n    spec: {{}}\n",
        dot = if go { "." } else { "" }
    );
    let cluster = MemCluster::new(
        "argocd",
        vec![secret("scm-token", &[("token", "gh-s3cr3t")])],
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
            .map(|a| a["metadata"]["annotations"].clone())
            .collect()
    })
    .map_err(|e| e.to_string())
}

/// The values at `keys` of each generated Application's annotations.
fn fields(got: &[Value], keys: &[&str]) -> Vec<Vec<Value>> {
    got.iter()
        .map(|v| keys.iter().map(|k| v[*k].clone()).collect())
        .collect()
}

fn github_pull(number: i64, branch: &str, base: &str, title: &str, labels: &[&str]) -> Value {
    json!({
        "url": format!("https://api.github.com/repos/myorg/myrepo/pulls/{number}"),
        "id": 1_000 + number, "number": number, "state": "open", "title": title,
        "user": {"login": "octocat", "id": 1, "type": "User"},
        "labels": labels.iter().map(|l| json!({"id": 208045946, "name": l, "color": "f29513", "default": false})).collect::<Vec<_>>(),
        "head": {"label": format!("myorg:{branch}"), "ref": branch, "sha": format!("{number:0>2}6dcb09b5b57875f334f61aebed695e2e4193db5e"),
                 "repo": {"name": "myrepo", "full_name": "myorg/myrepo"}},
        "base": {"label": format!("myorg:{base}"), "ref": base, "sha": "0000000000000000000000000000000000000000"},
        "draft": false
    })
}

#[test]
fn github_pages_labels_filters_and_params() {
    let base = "https://ghe.corp/api/v3/repos/myorg/myrepo/pulls?per_page=100";
    let http = FakeHttp::default()
        .on(
            "GET",
            base,
            HttpResponse::json(
                200,
                &json!([
                    github_pull(
                        1,
                        "feature/Add_Login",
                        "main",
                        "Add login",
                        &["preview", "ui"]
                    ),
                    github_pull(2, "fix-typo", "main", "Fix typo", &["ui"]),
                ]),
            )
            .with_header(
                "Link",
                format!("<{base}&page=2>; rel=\"next\", <{base}&page=2>; rel=\"last\""),
            ),
        )
        .get(
            &format!("{base}&page=2"),
            json!([
                github_pull(3, "release/2.0", "release", "Release 2.0", &["preview"]),
                github_pull(4, "wip/experiment", "main", "WIP: experiment", &["preview"]),
            ]),
        );
    let generator = "      github: {owner: myorg, repo: myrepo, api: 'https://ghe.corp', tokenRef: {secretName: scm-token, key: token}, labels: [preview]}\n      filters:\n      - {branchMatch: '^feature/.*', targetBranchMatch: main}\n      - {targetBranchMatch: '^release$', titleMatch: '^Release'}";
    let got = run(generator, true, &http).unwrap();
    assert_eq!(
        got,
        vec![
            json!({"number": "1", "title": "Add login", "branch": "feature/Add_Login",
                   "branch_slug": "feature-add-login", "target": "main", "target_slug": "main",
                   "sha": "016dcb09b5b57875f334f61aebed695e2e4193db5e", "short": "016dcb09",
                   "short7": "016dcb0", "author": "octocat", "labels": "preview,ui", "env": "pr-1"}),
            json!({"number": "3", "title": "Release 2.0", "branch": "release/2.0",
                   "branch_slug": "release-2-0", "target": "release", "target_slug": "release",
                   "sha": "036dcb09b5b57875f334f61aebed695e2e4193db5e", "short": "036dcb09",
                   "short7": "036dcb0", "author": "octocat", "labels": "preview", "env": "pr-3"}),
        ]
    );
    let reqs = http.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].header_value("Authorization"),
        Some("Bearer gh-s3cr3t")
    );
    assert!(!format!("{reqs:?}").contains("gh-s3cr3t"));
}

#[test]
fn github_fasttemplate_has_no_labels_and_repo_not_found() {
    let url = "https://api.github.com/repos/myorg/myrepo/pulls?per_page=100";
    let http = FakeHttp::default().get(url, json!([github_pull(7, "a_b", "main", "T", &["x"])]));
    let got = run("      github: {owner: myorg, repo: myrepo}", false, &http).unwrap();
    assert_eq!(got[0]["labels"], "{{labels}}");
    assert_eq!(got[0]["branch_slug"], "a-b");
    assert_eq!(got[0]["env"], "pr-7");
    // No tokenRef: anonymous.
    assert_eq!(http.requests()[0].header_value("Authorization"), None);

    let empty = FakeHttp::default();
    let e = run("      github: {owner: myorg, repo: gone}", true, &empty).unwrap_err();
    assert_eq!(
        e,
        "spec.generators[0].pullRequest: error listing repos: error listing pull requests for myorg/gone: repository not found: GET https://api.github.com/repos/myorg/gone/pulls?per_page=100: status 404: Not Found"
    );
    let got = run(
        "      github: {owner: myorg, repo: gone}\n      continueOnRepoNotFoundError: true",
        true,
        &empty,
    )
    .unwrap();
    assert!(got.is_empty());
    let e = run(
        "      github: {owner: myorg, repo: r, tokenRef: {secretName: scm-token, key: nope}}",
        true,
        &empty,
    )
    .unwrap_err();
    assert!(
        e.ends_with(
            "error fetching Secret token: key \"nope\" in secret argocd/scm-token not found"
        ),
        "{e}"
    );
    let e = run(
        "      github: {owner: o, repo: r}\n      filters: [{branchMatch: '('}]",
        true,
        &empty,
    )
    .unwrap_err();
    assert!(
        e.contains("error compiling BranchMatch regexp \"(\""),
        "{e}"
    );
}

#[test]
fn gitlab_merge_requests_with_state_labels_and_pages() {
    let first = "https://gitlab.corp/api/v4/projects/group%2Fapp/merge_requests?per_page=100&labels=preview&state=opened";
    let mr = |iid: i64, source: &str, sha: &str| {
        json!({"id": 100 + iid, "iid": iid, "project_id": 3, "title": format!("MR {iid}"), "state": "opened",
               "target_branch": "main", "source_branch": source, "labels": ["preview"],
               "author": {"id": 1, "username": "admin", "name": "Administrator"},
               "sha": sha, "merge_status": "can_be_merged", "draft": false})
    };
    let http = FakeHttp::default()
        .on(
            "GET",
            first,
            HttpResponse::json(
                200,
                &json!([mr(1, "feat-a", "8888888888888888888888888888888888888888")]),
            )
            .with_header("X-Next-Page", "2")
            .with_header("X-Total-Pages", "2"),
        )
        .on(
            "GET",
            &format!("{first}&page=2"),
            HttpResponse::json(200, &json!([mr(2, "feat-b", "abc")]))
                .with_header("X-Next-Page", ""),
        );
    let got = run(
        "      gitlab: {project: group/app, api: 'https://gitlab.corp/', tokenRef: {secretName: scm-token, key: token}, labels: [preview], pullRequestState: opened}",
        true,
        &http,
    )
    .unwrap();
    assert_eq!(
        fields(&got, &["number", "branch", "short", "author"]),
        vec![
            vec![
                json!("1"),
                json!("feat-a"),
                json!("88888888"),
                json!("admin")
            ],
            vec![json!("2"), json!("feat-b"), json!("abc"), json!("admin")],
        ]
    );
    assert_eq!(
        http.requests()[0].header_value("PRIVATE-TOKEN"),
        Some("gh-s3cr3t")
    );
}

#[test]
fn gitea_pull_requests_with_labels() {
    let url = "https://gitea.corp/api/v1/repos/org/app/pulls?state=open&limit=50";
    let pull = |n: i64, labels: &[&str]| {
        json!({"id": 10 + n, "number": n, "title": format!("PR {n}"), "state": "open",
               "user": {"id": 1, "login": "gitea-user", "username": "gitea-user"},
               "labels": labels.iter().map(|l| json!({"id": 1, "name": l, "color": "00aabb"})).collect::<Vec<_>>(),
               "head": {"label": "feature", "ref": format!("feature-{n}"), "sha": "72759b3b1ea65ecac4cd23ae45e6f0cb42ad00e5"},
               "base": {"label": "main", "ref": "main", "sha": "0"}})
    };
    let http = FakeHttp::default().get(url, json!([pull(1, &["preview"]), pull(2, &[])]));
    let got = run(
        "      gitea: {owner: org, repo: app, api: 'https://gitea.corp/', tokenRef: {secretName: scm-token, key: token}, labels: [preview]}",
        true,
        &http,
    )
    .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["branch"], "feature-1");
    assert_eq!(got[0]["author"], "gitea-user");
    assert_eq!(got[0]["short7"], "72759b3");
    assert_eq!(
        http.requests()[0].header_value("Authorization"),
        Some("token gh-s3cr3t")
    );
    let e = run(
        "      azuredevops: {organization: o, project: p, repo: r}",
        true,
        &http,
    )
    .unwrap_err();
    assert!(
        e.contains("the azuredevops provider is not supported by driftless"),
        "{e}"
    );
}

#[test]
fn bitbucket_server_pages_and_basic_auth() {
    let base =
        "https://bitbucket.corp/rest/api/1.0/projects/PROJ/repos/app/pull-requests?limit=100";
    let pull = |id: i64, from: &str, to: &str| {
        json!({"id": id, "version": 0, "title": format!("PR {id}"), "state": "OPEN", "open": true,
               "fromRef": {"id": format!("refs/heads/{from}"), "displayId": from,
                           "latestCommit": "cb1f46e5e5a2bd4e2a53f0bd8a1d6b0e9f3a6c7d",
                           "repository": {"slug": "app", "project": {"key": "PROJ"}}},
               "toRef": {"id": format!("refs/heads/{to}"), "displayId": to,
                         "latestCommit": "0000000000000000000000000000000000000000"},
               "author": {"user": {"name": "jdoe", "displayName": "J Doe"}, "role": "AUTHOR"}})
    };
    let http = FakeHttp::default()
        .get(
            &format!("{base}&start=0"),
            json!({"size": 1, "limit": 1, "isLastPage": false, "start": 0, "nextPageStart": 1,
                   "values": [pull(5, "feature/x", "main")]}),
        )
        .get(
            &format!("{base}&start=1"),
            json!({"size": 1, "limit": 1, "isLastPage": true, "start": 1,
                   "values": [pull(6, "bugfix/y", "develop")]}),
        );
    let got = run(
        "      bitbucketServer: {project: PROJ, repo: app, api: 'https://bitbucket.corp/', basicAuth: {username: ci, passwordRef: {secretName: scm-token, key: token}}}\n      filters: [{targetBranchMatch: '^(main|develop)$'}]",
        true,
        &http,
    )
    .unwrap();
    assert_eq!(
        fields(&got, &["number", "branch", "target", "author", "labels"]),
        vec![
            vec![
                json!("5"),
                json!("feature/x"),
                json!("main"),
                json!("jdoe"),
                json!("")
            ],
            vec![
                json!("6"),
                json!("bugfix/y"),
                json!("develop"),
                json!("jdoe"),
                json!("")
            ],
        ]
    );
    // ci:gh-s3cr3t
    assert_eq!(
        http.requests()[0].header_value("Authorization"),
        Some("Basic Y2k6Z2gtczNjcjN0")
    );
}

#[test]
fn bitbucket_cloud_pages_and_bearer_token() {
    let first = "https://api.bitbucket.org/2.0/repositories/team/app/pullrequests?pagelen=50";
    let second =
        "https://api.bitbucket.org/2.0/repositories/team/app/pullrequests?pagelen=50&page=2";
    let pull = |id: i64, branch: &str| {
        json!({"type": "pullrequest", "id": id, "title": format!("PR {id}"), "state": "OPEN",
               "author": {"display_name": "Jane", "nickname": "jane", "uuid": "{a}"},
               "source": {"branch": {"name": branch}, "commit": {"hash": "1a2b3c4d5e6f"}},
               "destination": {"branch": {"name": "master"}, "commit": {"hash": "ffffffffffff"}}})
    };
    let http = FakeHttp::default()
        .get(first, json!({"pagelen": 1, "size": 2, "page": 1, "next": second, "values": [pull(1, "feat-1")]}))
        .get(second, json!({"pagelen": 1, "size": 2, "page": 2, "values": [pull(2, "feat-2")]}));
    let got = run(
        "      bitbucket: {owner: team, repo: app, bearerToken: {tokenRef: {secretName: scm-token, key: token}}}",
        true,
        &http,
    )
    .unwrap();
    assert_eq!(
        fields(&got, &["number", "branch", "target", "sha", "author"]),
        vec![
            vec![
                json!("1"),
                json!("feat-1"),
                json!("master"),
                json!("1a2b3c4d5e6f"),
                json!("jane")
            ],
            vec![
                json!("2"),
                json!("feat-2"),
                json!("master"),
                json!("1a2b3c4d5e6f"),
                json!("jane")
            ],
        ]
    );
    assert_eq!(
        http.requests()[1].header_value("Authorization"),
        Some("Bearer gh-s3cr3t")
    );
}
