//! Chart repository credentials from Argo CD's repository Secrets, through the engine: a
//! chart source's own repository (a `repository` Secret or a `repo-creds` template, an OCI
//! registry stored without a scheme), `Chart.yaml` dependencies from `type: helm` Secrets
//! only, `helm.passCredentials` for archives on another host, and a clear error naming the
//! repository (never the Secret or its values) when nothing matches.

#[path = "../../driftless-charts/tests/support/mod.rs"]
mod servers;
mod support;

use driftless_api::RepoSecret;
use driftless_runtime::Application;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use servers::{Registry, StaticServer, htpasswd, index, make_chart, package};
use support::{Env, GitRepo};

const USER: &str = "bob";
const PASSWORD: &str = "s3cret-pw";

/// An Argo CD repository Secret (`kind`: `repository` or `repo-creds`) as the controller
/// reads it.
fn secret(name: &str, kind: &str, fields: &[(&str, &str)]) -> RepoSecret {
    let s = Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            labels: Some(
                [(
                    "argocd.argoproj.io/secret-type".to_string(),
                    kind.to_string(),
                )]
                .into(),
            ),
            ..Default::default()
        },
        data: Some(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), ByteString(v.as_bytes().to_vec())))
                .collect(),
        ),
        ..Default::default()
    };
    RepoSecret::from_secret(&s)
        .expect("a repository Secret")
        .expect("decodes")
}

fn helm_secret(name: &str, kind: &str, url: &str) -> RepoSecret {
    secret(
        name,
        kind,
        &[
            ("type", "helm"),
            ("url", url),
            ("username", USER),
            ("password", PASSWORD),
        ],
    )
}

fn app(repo_url: &str, chart: &str, helm: &str) -> Application {
    Application::from_yaml(&format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: web, namespace: argocd}}\nspec:\n  project: default\n  source:\n    repoURL: {repo_url}\n    chart: {chart}\n    targetRevision: '1.0.0'\n    helm: {helm}\n  destination: {{namespace: shop}}\n"
    ))
    .expect("application parses")
}

/// A private chart repository (basic auth) holding `web` 1.0.0.
fn private_repository(tmp: &std::path::Path) -> StaticServer {
    let repo = tmp.join("repo");
    package(
        &make_chart(&tmp.join("src"), "web", "1.0.0", "private"),
        &repo,
    );
    index(&repo, None);
    StaticServer::start(&repo, Some((USER, PASSWORD)))
}

/// `t` with `targetRevision` `revision`.
fn at(mut t: driftless_runtime::Target, revision: &str) -> driftless_runtime::Target {
    t.revision = revision.into();
    t
}

fn assert_no_secret(e: &str) {
    assert!(
        !e.contains(PASSWORD) && !e.contains("private-charts") && !e.contains("team-creds"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_source_takes_its_repository_secret_or_template() {
    let tmp = tempfile::tempdir().unwrap();
    let server = private_repository(tmp.path());
    let env = Env::start().await;
    let t = env.engine.target(&app(&server.url(), "web", "{}")).unwrap();

    // No Secret: a ComparisonError naming the repository, nothing rendered.
    let e = env.engine.render(&t).await.unwrap_err().to_string();
    assert!(
        e.contains(&server.url())
            && e.contains("401 Unauthorized: the repository requires credentials"),
        "{e}"
    );
    assert_no_secret(&e);

    // A credential template whose URL is a prefix of the repository's.
    let prefix = format!("http://127.0.0.1:{}", server.port);
    env.engine
        .set_repo_secrets(vec![helm_secret("team-creds", "repo-creds", &prefix)]);
    let rendered = env
        .engine
        .render(&t)
        .await
        .expect("renders with the template");
    assert_eq!(rendered.commit, "1.0.0");
    assert!(server.count_authorized("/web-1.0.0.tgz") >= 1);

    // A repository Secret of any type (here without one: git) serves its own chart source.
    let tmp2 = tempfile::tempdir().unwrap();
    let other = private_repository(tmp2.path());
    env.engine.set_repo_secrets(vec![secret(
        "private-charts",
        "repository",
        &[
            ("url", &format!("{}/", other.url())),
            ("username", USER),
            ("password", PASSWORD),
        ],
    )]);
    let t2 = env.engine.target(&app(&other.url(), "web", "{}")).unwrap();
    assert_eq!(
        env.engine.render(&t2).await.expect("renders").commit,
        "1.0.0"
    );
    // A wrong password is refused, the repository named, the password not.
    env.engine.set_repo_secrets(vec![secret(
        "private-charts",
        "repository",
        &[
            ("url", &other.url()),
            ("username", USER),
            ("password", "wrong-pw"),
        ],
    )]);
    let t3 = at(
        env.engine.target(&app(&other.url(), "web", "{}")).unwrap(),
        "~1.0",
    );
    let e = env.engine.render(&t3).await.unwrap_err().to_string();
    assert!(
        e.contains("refused the credentials") && !e.contains("wrong-pw"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oci_registry_stored_without_a_scheme() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = Registry::start_with_htpasswd(&htpasswd(USER, PASSWORD));
    let archive = package(
        &make_chart(&tmp.path().join("src"), "web", "1.0.0", "oci"),
        &tmp.path().join("out"),
    );
    reg.push_as(&archive, &["--username", USER, "--password", PASSWORD]);
    let env = Env::start().await;
    // Argo CD's form: no scheme in the Application nor in the Secret, enableOCI set.
    let bare = reg.charts_url().trim_start_matches("oci://").to_string();
    let t = env.engine.target(&app(&bare, "web", "{}")).unwrap();
    let e = env.engine.render(&t).await.unwrap_err().to_string();
    assert!(e.contains(&bare) && e.contains("401"), "{e}");
    env.engine.set_repo_secrets(vec![secret(
        "private-charts",
        "repository",
        &[
            ("type", "helm"),
            ("enableOCI", "true"),
            ("url", &bare),
            ("username", USER),
            ("password", PASSWORD),
        ],
    )]);
    assert_eq!(
        env.engine.render(&t).await.expect("renders").commit,
        "1.0.0"
    );
    // The same Secret serves an `oci://` repoURL of the same registry path.
    let t = at(
        env.engine
            .target(&app(&reg.charts_url(), "web", "{}"))
            .unwrap(),
        "^1",
    );
    assert_eq!(
        env.engine.render(&t).await.expect("renders").commit,
        "1.0.0"
    );
}

/// A Git-hosted chart depending on `web` of the private repository at `url`.
fn git_chart(url: &str, version: &str) -> GitRepo {
    let git = GitRepo::new();
    git.write(
        "app/Chart.yaml",
        &format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: web\n  version: {version}\n  repository: {url}\n"
        ),
    );
    git.write(
        "app/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {a: b}\n",
    );
    git.commit("app");
    git
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependencies_take_the_credentials_of_helm_repository_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let server = private_repository(tmp.path());
    let git = git_chart(&server.url(), "1.0.0");
    let env = Env::start().await;
    let t = support::target(&git, "app", "app", "shop");
    let e = env.engine.render(&t).await.unwrap_err().to_string();
    assert!(e.contains(&server.url()) && e.contains("401"), "{e}");

    // A git repository Secret for that URL is not a Helm repository: not used for dependencies.
    env.engine.set_repo_secrets(vec![secret(
        "private-charts",
        "repository",
        &[
            ("url", &server.url()),
            ("username", USER),
            ("password", PASSWORD),
        ],
    )]);
    let e = env.engine.render(&t).await.unwrap_err().to_string();
    assert!(e.contains("401"), "{e}");
    assert_no_secret(&e);

    // A `type: helm` repository Secret is.
    env.engine.set_repo_secrets(vec![helm_secret(
        "private-charts",
        "repository",
        &server.url(),
    )]);
    let rendered = env.engine.render(&t).await.expect("renders");
    let names: Vec<&str> = rendered
        .manifests
        .iter()
        .filter_map(|m| m.object["metadata"]["name"].as_str())
        .collect();
    assert!(names.contains(&"app-web-flavour"), "{names:?}");

    // So is a `type: helm` credential template whose URL is a prefix of the dependency's
    // (another chart in Git: not the render cache; a constraint: the index is read again).
    let prefix = format!("http://127.0.0.1:{}", server.port);
    env.engine
        .set_repo_secrets(vec![helm_secret("team-creds", "repo-creds", &prefix)]);
    let git2 = git_chart(&format!("{}/", server.url()), "~1.0");
    let t2 = support::target(&git2, "app", "app", "shop");
    let before = server.count_authorized("/index.yaml");
    env.engine
        .render(&t2)
        .await
        .expect("renders with the template");
    assert_eq!(server.count_authorized("/index.yaml"), before + 1);
}

/// A private repository whose index points at archives on another host (another port).
fn split_repository(tmp: &std::path::Path) -> (StaticServer, StaticServer) {
    let (root, dl) = (tmp.join("root"), tmp.join("dl"));
    std::fs::create_dir_all(&root).unwrap();
    package(&make_chart(&tmp.join("src"), "web", "1.0.0", "split"), &dl);
    let archives = StaticServer::start(&dl, Some((USER, PASSWORD)));
    index(&dl, Some(&archives.url()));
    std::fs::rename(dl.join("index.yaml"), root.join("index.yaml")).unwrap();
    (StaticServer::start(&root, Some((USER, PASSWORD))), archives)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pass_credentials_sends_them_to_archives_on_another_host() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, archives) = split_repository(tmp.path());
    let env = Env::start().await;
    env.engine.set_repo_secrets(vec![helm_secret(
        "private-charts",
        "repository",
        &repo.url(),
    )]);
    let without = at(
        env.engine.target(&app(&repo.url(), "web", "{}")).unwrap(),
        "~1.0",
    );
    let e = env.engine.render(&without).await.unwrap_err().to_string();
    assert!(e.contains("401") && e.contains("passCredentials"), "{e}");
    assert_no_secret(&e);
    assert_eq!(archives.count_authorized("/web-1.0.0.tgz"), 0);

    let with = at(
        env.engine
            .target(&app(&repo.url(), "web", "{passCredentials: true}"))
            .unwrap(),
        "~1.0",
    );
    assert_eq!(
        env.engine.render(&with).await.expect("renders").commit,
        "1.0.0"
    );
    assert_eq!(archives.count_authorized("/web-1.0.0.tgz"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_keeps_its_chart_cache_within_the_configured_limits() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    for name in ["a", "b", "c"] {
        package(
            &make_chart(&tmp.path().join("src"), name, "1.0.0", name),
            &repo,
        );
    }
    index(&repo, None);
    let server = StaticServer::start(&repo, None);
    let cache_dir = tmp.path().join("cache");
    let engine = driftless_runtime::Engine::new(driftless_runtime::EngineConfig {
        cache_dir: cache_dir.clone(),
        chart_cache: driftless_charts::CacheLimits {
            max_archives: 2,
            max_bytes: 1 << 30,
        },
        ..Default::default()
    })
    .unwrap();
    // The last render of a has other settings: not the render cache, the chart cache answers.
    for (name, helm) in [
        ("a", "{}"),
        ("b", "{}"),
        ("c", "{}"),
        ("a", "{releaseName: again}"),
    ] {
        let t = engine.target(&app(&server.url(), name, helm)).unwrap();
        engine.render(&t).await.expect("renders");
    }
    let blobs = std::fs::read_dir(cache_dir.join("charts/blobs"))
        .unwrap()
        .count();
    assert_eq!(blobs, 2, "at most two archives are kept");
    // a was pruned when c arrived (least recently used), so it was downloaded again.
    assert_eq!(server.count("/a-1.0.0.tgz"), 2);
    assert_eq!(server.count("/b-1.0.0.tgz"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_settings_of_the_repository_secret() {
    let tmp = tempfile::tempdir().unwrap();
    servers::certificates(tmp.path());
    let repo = tmp.path().join("repo");
    package(
        &make_chart(&tmp.path().join("src"), "web", "1.0.0", "tls"),
        &repo,
    );
    index(&repo, None);
    // A self-signed server certificate, and a client certificate required.
    let server = servers::HttpsServer::start(&repo, tmp.path(), true);
    let env = Env::start().await;
    let t = env.engine.target(&app(&server.url(), "web", "{}")).unwrap();
    let e = env.engine.render(&t).await.unwrap_err().to_string();
    assert!(
        e.contains(&server.url()) && e.to_lowercase().contains("certificate"),
        "{e}"
    );
    let read = |f: &str| std::fs::read_to_string(tmp.path().join(f)).unwrap();
    let (cert, key) = (read("cli.pem"), read("cli.key"));
    env.engine.set_repo_secrets(vec![secret(
        "private-charts",
        "repository",
        &[
            ("type", "helm"),
            ("url", &server.url()),
            ("insecure", "true"),
            ("tlsClientCertData", &cert),
            ("tlsClientCertKey", &key),
        ],
    )]);
    assert_eq!(
        env.engine.render(&t).await.expect("renders").commit,
        "1.0.0"
    );
}
