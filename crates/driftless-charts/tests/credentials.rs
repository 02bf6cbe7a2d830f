//! Credentials for chart repositories as Helm sends them: to the repository's own host only,
//! or also to archives on another host with `pass_credentials` (Helm's `--pass-credentials`,
//! Argo CD's `helm.passCredentials`); a private repository without credentials says so; and
//! dependency repositories matched as Argo CD matches repository Secrets and templates.

mod support;

use driftless_charts::{Auth, ChartCache, RepoCredentials};
use support::{StaticServer, index, make_chart, package};

/// A repository whose `index.yaml` is served by one server and whose archive is on another
/// host (another port of the loopback: another origin), both asking for basic auth.
struct Split {
    _tmp: tempfile::TempDir,
    index: StaticServer,
    archives: StaticServer,
    cache: ChartCache,
}

fn split(archives_need_auth: bool) -> Split {
    let tmp = tempfile::tempdir().unwrap();
    let (root, dl) = (tmp.path().join("root"), tmp.path().join("dl"));
    std::fs::create_dir_all(&root).unwrap();
    package(
        &make_chart(&tmp.path().join("src"), "web", "1.0.0", "x"),
        &dl,
    );
    let creds = Some(("bob", "s3cret-pw"));
    let archives = StaticServer::start(&dl, archives_need_auth.then_some(("bob", "s3cret-pw")));
    index(&dl, Some(&archives.url()));
    std::fs::rename(dl.join("index.yaml"), root.join("index.yaml")).unwrap();
    let index = StaticServer::start(&root, creds);
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    Split {
        _tmp: tmp,
        index,
        archives,
        cache,
    }
}

#[test]
fn credentials_go_to_another_host_only_with_pass_credentials() {
    // Without pass_credentials: the index gets them, the archive host does not, and its 401
    // explains why (without the secret).
    let s = split(true);
    let auth = Auth::basic("bob", "s3cret-pw");
    let e = s.cache.fetch(&s.index.url(), "web", "", &auth).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        shown.contains("401")
            && shown.contains("another host")
            && shown.contains("passCredentials")
            && shown.contains(&s.index.url())
            && !shown.contains("s3cret-pw"),
        "{shown}"
    );
    assert_eq!(s.index.count_authorized("/index.yaml"), 1);
    assert_eq!(s.archives.count("/web-1.0.0.tgz"), 1);
    assert_eq!(s.archives.count_authorized("/web-1.0.0.tgz"), 0);

    // With it: the archive host gets them too.
    let passed = Auth {
        pass_credentials: true,
        ..auth.clone()
    };
    let f = s.cache.fetch(&s.index.url(), "web", "", &passed).unwrap();
    assert_eq!(f.version, "1.0.0");
    assert_eq!(s.archives.count_authorized("/web-1.0.0.tgz"), 1);
}

#[test]
fn an_open_archive_host_gets_no_credentials_by_default() {
    let s = split(false);
    let f = s
        .cache
        .fetch(&s.index.url(), "web", "", &Auth::basic("bob", "s3cret-pw"))
        .unwrap();
    assert_eq!(f.version, "1.0.0");
    assert_eq!(s.index.count_authorized("/index.yaml"), 1);
    assert_eq!(
        (
            s.archives.count("/web-1.0.0.tgz"),
            s.archives.count_authorized("/web-1.0.0.tgz")
        ),
        (1, 0)
    );
}

#[test]
fn a_private_repository_without_credentials_says_so() {
    let s = split(true);
    let e = s
        .cache
        .fetch(&s.index.url(), "web", "", &Auth::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&s.index.url())
            && e.contains("401 Unauthorized: the repository requires credentials and none are configured for it"),
        "{e}"
    );
    let e = s
        .cache
        .fetch(&s.index.url(), "web", "", &Auth::basic("bob", "wrong-pw"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("refused the credentials") && !e.contains("wrong-pw"),
        "{e}"
    );
}

#[test]
fn repository_entries_win_over_templates_and_match_exactly() {
    let mut c = RepoCredentials::default();
    c.add("https://charts.example.com/", Auth::basic("template", "t"));
    c.add_repository("https://charts.example.com/team", Auth::basic("team", "x"));
    c.add_repository("registry.example.com/charts", Auth::basic("oci", "y"));
    c.add("registry.example.com", Auth::basic("registry", "z"));
    let user = |u: &str| c.for_url(u).username;
    assert_eq!(
        user("https://Charts.example.com/team/").as_deref(),
        Some("team")
    );
    assert_eq!(
        user("https://charts.example.com/team2").as_deref(),
        Some("template")
    );
    assert_eq!(
        user("oci://registry.example.com/charts").as_deref(),
        Some("oci")
    );
    assert_eq!(user("registry.example.com/charts").as_deref(), Some("oci"));
    assert_eq!(
        user("oci://registry.example.com/other").as_deref(),
        Some("registry")
    );
    assert_eq!(user("https://elsewhere.example.com/charts"), None);
}
