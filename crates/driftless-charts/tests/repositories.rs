//! Charts from a real chart repository (a static HTTP server of a directory indexed by the
//! reference `helm repo index`) and a real OCI registry (Debian's `docker-registry`, pushed to
//! with `helm push`): versions resolved as Helm resolves them, archives verified against the
//! published digest, and each version downloaded once.

mod support;

use driftless_charts::{Auth, ChartCache, ChartError};
use support::{Registry, StaticServer, htpasswd, index, make_chart, package, sha256_file};

/// A repository directory with `web` 0.1.0, 0.2.0 and 0.3.0-rc.1, indexed.
fn repo_dir(tmp: &std::path::Path) -> std::path::PathBuf {
    let src = tmp.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let repo = tmp.join("repo");
    for v in ["0.1.0", "0.2.0", "0.3.0-rc.1"] {
        package(&make_chart(&src, "web", v, v), &repo);
    }
    index(&repo, None);
    repo
}

#[test]
fn http_repository_resolves_verifies_and_downloads_each_version_once() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_dir(tmp.path());
    let server = StaticServer::start(&repo, None);
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let none = Auth::default();

    // Latest stable (the pre-release is skipped), the archive byte for byte.
    let f = cache.fetch(&server.url(), "web", "", &none).unwrap();
    assert_eq!(f.version, "0.2.0");
    assert_eq!(
        &*f.archive,
        std::fs::read(repo.join("web-0.2.0.tgz")).unwrap()
    );
    assert_eq!(f.digest, sha256_file(&repo.join("web-0.2.0.tgz")));
    assert_eq!(server.count("/web-0.2.0.tgz"), 1);

    // Again by constraint: the index is read, the archive is not downloaded again.
    let f = cache.fetch(&server.url(), "web", "*", &none).unwrap();
    assert_eq!(f.version, "0.2.0");
    assert_eq!(server.count("/web-0.2.0.tgz"), 1);
    assert_eq!(cache.downloads(), 1);

    // An exact version already cached: no request at all, also for a new cache on the same
    // directory (a restarted engine).
    let before = server.total();
    assert_eq!(
        cache
            .fetch(&server.url(), "web", "0.2.0", &none)
            .unwrap()
            .version,
        "0.2.0"
    );
    let again = ChartCache::new(tmp.path().join("cache")).unwrap();
    assert_eq!(
        again
            .fetch(&server.url(), "web", "0.2.0", &none)
            .unwrap()
            .version,
        "0.2.0"
    );
    assert_eq!(
        server.total(),
        before,
        "{:?}",
        server.requests.lock().unwrap()
    );

    // Constraints as Helm reads them; a pre-release only when asked for.
    assert_eq!(
        cache.resolve(&server.url(), "web", "~0.1", &none).unwrap(),
        "0.1.0"
    );
    assert_eq!(
        cache
            .resolve(&server.url(), "web", ">=0.3.0-0", &none)
            .unwrap(),
        "0.3.0-rc.1"
    );
    let e = cache
        .fetch(&server.url(), "web", "^1.0.0", &none)
        .unwrap_err();
    assert!(matches!(e, ChartError::NoVersion { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&server.url()) && msg.contains("\"web\"") && msg.contains("^1.0.0"),
        "{msg}"
    );
    let e = cache.fetch(&server.url(), "nope", "", &none).unwrap_err();
    assert!(matches!(e, ChartError::ChartNotFound { .. }), "{e}");
}

#[test]
fn an_archive_that_does_not_match_the_index_digest_is_refused_and_not_cached() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_dir(tmp.path());
    // Replace 0.2.0 after indexing with another package of the same version.
    let other = tmp.path().join("other");
    package(
        &make_chart(&tmp.path().join("src"), "web", "0.2.0", "tampered"),
        &other,
    );
    std::fs::copy(other.join("web-0.2.0.tgz"), repo.join("web-0.2.0.tgz")).unwrap();
    let server = StaticServer::start(&repo, None);
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let e = cache
        .fetch(&server.url(), "web", "0.2.0", &Auth::default())
        .unwrap_err();
    assert!(matches!(e, ChartError::DigestMismatch { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("digest mismatch") && msg.contains("0.2.0") && msg.contains(&server.url()),
        "{msg}"
    );
    let blobs = std::fs::read_dir(tmp.path().join("cache/blobs"))
        .unwrap()
        .count();
    assert_eq!(blobs, 0, "nothing is cached");
    // Asked again, it is downloaded (and refused) again rather than served from a cache.
    assert!(
        cache
            .fetch(&server.url(), "web", "0.2.0", &Auth::default())
            .is_err()
    );
    assert_eq!(server.count("/web-0.2.0.tgz"), 2);
}

#[test]
fn basic_auth_from_the_caller_or_the_url_and_never_in_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_dir(tmp.path());
    let server = StaticServer::start(&repo, Some(("bob", "s3cret-pw")));
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let e = cache
        .fetch(&server.url(), "web", "", &Auth::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("401"), "{e}");
    let f = cache
        .fetch(
            &server.url(),
            "web",
            "~0.1",
            &Auth::basic("bob", "s3cret-pw"),
        )
        .unwrap();
    assert_eq!(f.version, "0.1.0");
    let with_url = format!("http://bob:s3cret-pw@127.0.0.1:{}", server.port);
    assert_eq!(
        cache
            .resolve(&with_url, "web", "", &Auth::default())
            .unwrap(),
        "0.2.0"
    );
    let wrong = format!("http://bob:wrong-pw@127.0.0.1:{}", server.port);
    let e = cache
        .fetch(&wrong, "web", "", &Auth::default())
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("wrong-pw") && shown.contains("401"),
        "{shown}"
    );
}

#[test]
fn absolute_archive_urls_of_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let dl = root.join("dl");
    let server = StaticServer::start(&root, None);
    package(
        &make_chart(&tmp.path().join("src"), "web", "1.0.0", "x"),
        &dl,
    );
    index(&dl, Some(&format!("{}/dl", server.url())));
    std::fs::rename(dl.join("index.yaml"), root.join("index.yaml")).unwrap();
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let f = cache
        .fetch(&server.url(), "web", "", &Auth::default())
        .unwrap();
    assert_eq!(f.version, "1.0.0");
    assert_eq!(server.count("/dl/web-1.0.0.tgz"), 1);
}

#[test]
fn oci_registry_tags_manifest_layer_and_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = Registry::start();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let out = tmp.path().join("out");
    for v in ["0.1.0", "0.2.0", "0.3.0-rc.1"] {
        reg.push(&package(&make_chart(&src, "web", v, v), &out));
    }
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let none = Auth::default();
    let f = cache.fetch(&reg.charts_url(), "web", "", &none).unwrap();
    assert_eq!(f.version, "0.2.0");
    assert_eq!(f.digest, sha256_file(&out.join("web-0.2.0.tgz")));
    assert_eq!(reg.blob_gets(), 1);
    // Cached: neither a constraint nor the exact version downloads it again.
    assert_eq!(
        cache
            .fetch(&reg.charts_url(), "web", "^0.2", &none)
            .unwrap()
            .version,
        "0.2.0"
    );
    assert_eq!(
        cache
            .fetch(&reg.charts_url(), "web", "0.2.0", &none)
            .unwrap()
            .version,
        "0.2.0"
    );
    assert_eq!(reg.blob_gets(), 1);
    // Argo CD's bare OCI repoURL (no scheme) is the same registry.
    let bare = format!("127.0.0.1:{}/charts", reg.port);
    assert_eq!(cache.resolve(&bare, "web", "~0.1", &none).unwrap(), "0.1.0");
    assert_eq!(
        cache.resolve(&bare, "web", ">=0.3.0-0", &none).unwrap(),
        "0.3.0-rc.1"
    );
    let e = cache
        .fetch(&reg.charts_url(), "web", "9.9.9", &none)
        .unwrap_err();
    assert!(matches!(e, ChartError::NoVersion { .. }), "{e}");
    let e = cache
        .fetch(&reg.charts_url(), "nope", "", &none)
        .unwrap_err();
    assert!(matches!(e, ChartError::ChartNotFound { .. }), "{e}");
    assert!(e.to_string().contains(&reg.charts_url()), "{e}");
}

#[test]
fn oci_registry_with_basic_auth() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = Registry::start_with_htpasswd(&htpasswd("bob", "s3cret-pw"));
    let archive = package(
        &make_chart(&tmp.path().join("src"), "web", "1.0.0", "x"),
        &tmp.path().join("out"),
    );
    reg.push_as(&archive, &["--username", "bob", "--password", "s3cret-pw"]);
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let e = cache
        .fetch(&reg.charts_url(), "web", "", &Auth::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("401"), "{e}");
    let f = cache
        .fetch(
            &reg.charts_url(),
            "web",
            "",
            &Auth::basic("bob", "s3cret-pw"),
        )
        .unwrap();
    assert_eq!(f.version, "1.0.0");
    assert_eq!(f.digest, sha256_file(&archive));
    let wrong = format!("oci://bob:wrong-pw@127.0.0.1:{}/charts", reg.port);
    let e = cache
        .resolve(&wrong, "web", "", &Auth::default())
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        shown.contains("401") && !shown.contains("wrong-pw"),
        "{shown}"
    );
}

#[test]
fn oci_registry_behind_a_bearer_token_service() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = Registry::start();
    let archive = package(
        &make_chart(&tmp.path().join("src"), "web", "1.2.0", "x"),
        &tmp.path().join("out"),
    );
    reg.push(&archive);
    let front = support::TokenFront::start(reg.port, "bob", "s3cret-pw");
    let url = format!("oci://127.0.0.1:{}/charts", front.port);
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let e = cache
        .fetch(&url, "web", "", &Auth::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("token request refused") && e.contains("401"),
        "{e}"
    );
    let f = cache
        .fetch(&url, "web", "~1.2", &Auth::basic("bob", "s3cret-pw"))
        .unwrap();
    assert_eq!(
        (f.version.as_str(), f.digest.clone()),
        ("1.2.0", sha256_file(&archive))
    );
    // One token for the tag list, the manifest and the blob of one fetch.
    assert_eq!(*front.token_requests.lock().unwrap(), 2);
}
