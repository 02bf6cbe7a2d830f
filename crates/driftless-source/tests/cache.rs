//! RepoCache against real Git servers on loopback.

mod support;

use driftless_source::{
    Credentials, FetchOutcome, RepoCache, RepoUrl, SourceError, TOKEN_USERNAME, TreeEntryKind,
};
use support::{GitDaemon, HttpGit, TestRepo, pack_count};

fn cache() -> (tempfile::TempDir, RepoCache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path().join("cache")).unwrap();
    (dir, cache)
}

fn url(s: &str) -> RepoUrl {
    RepoUrl::parse(s).unwrap()
}

#[test]
fn file_url_resolves_branch_tag_ids_and_head() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    repo.git(&["tag", "v1"]);
    repo.git(&["tag", "-a", "v1-annotated", "-m", "annotated"]);
    let c2 = repo.commit(&[("a.yaml", "two")], "second");
    repo.git(&["branch", "feature", &c1]);
    let (_d, cache) = cache();
    let u = url(&repo.file_url());
    let none = Credentials::None;
    assert_eq!(cache.resolve(&u, &none, "HEAD").unwrap().commit, c2);
    assert_eq!(cache.resolve(&u, &none, "").unwrap().commit, c2);
    assert_eq!(cache.resolve(&u, &none, "main").unwrap().commit, c2);
    assert_eq!(cache.resolve(&u, &none, "feature").unwrap().commit, c1);
    assert_eq!(cache.resolve(&u, &none, "v1").unwrap().commit, c1);
    assert_eq!(cache.resolve(&u, &none, "v1-annotated").unwrap().commit, c1);
    assert_eq!(
        cache
            .resolve(&u, &none, "refs/heads/feature")
            .unwrap()
            .commit,
        c1
    );
    assert_eq!(cache.resolve(&u, &none, &c1[..8]).unwrap().commit, c1);
    let full = cache.resolve(&u, &none, &c1).unwrap();
    assert_eq!(full.commit, c1);
    assert_eq!(
        full.fetch,
        FetchOutcome::Skipped,
        "a cached full id needs no network"
    );
}

#[test]
fn unknown_revision_names_url_and_revision() {
    let repo = TestRepo::new();
    repo.commit(&[("a.yaml", "one")], "first");
    let (_d, cache) = cache();
    let u = url(&repo.file_url());
    let err = cache
        .resolve(&u, &Credentials::None, "no-such-branch")
        .unwrap_err();
    assert!(
        matches!(err, SourceError::UnknownRevision { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&repo.file_url()) && msg.contains("no-such-branch"),
        "{msg}"
    );
    let err = cache
        .resolve(
            &u,
            &Credentials::None,
            "0123456789012345678901234567890123456789",
        )
        .unwrap_err();
    assert!(
        matches!(err, SourceError::UnknownRevision { .. }),
        "{err:?}"
    );
}

#[test]
fn http_noop_poll_downloads_nothing() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    let server = HttpGit::start(repo.root.path(), None);
    let (_d, cache) = cache();
    let u = url(&server.url("app"));
    let first = cache.resolve(&u, &Credentials::None, "main").unwrap();
    assert_eq!(
        (first.commit.as_str(), first.fetch),
        (c1.as_str(), FetchOutcome::Downloaded)
    );
    let packs_before = server.pack_requests();
    let files_before = pack_count(&cache.repo_path(&u));
    assert_eq!(packs_before, 1);

    let again = cache.resolve(&u, &Credentials::None, "main").unwrap();
    assert_eq!(again.fetch, FetchOutcome::UpToDate);
    assert_eq!(again.commit, c1);
    assert_eq!(server.pack_requests(), packs_before, "no pack negotiated");
    assert_eq!(
        pack_count(&cache.repo_path(&u)),
        files_before,
        "no pack written"
    );

    let c2 = repo.commit(&[("a.yaml", "two")], "second");
    let moved = cache.resolve(&u, &Credentials::None, "main").unwrap();
    assert_eq!(
        (moved.commit.as_str(), moved.fetch),
        (c2.as_str(), FetchOutcome::Downloaded)
    );
    let tree = cache.tree(&u, &moved.commit).unwrap();
    assert_eq!(tree.read_file("a.yaml").unwrap(), b"two");
}

#[test]
fn http_basic_auth_accepts_right_and_refuses_wrong_credentials() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    let server = HttpGit::start(repo.root.path(), Some(("alice", "correct-horse")));
    let (_d, cache) = cache();
    let u = url(&server.url("app"));
    let good = Credentials::Basic {
        username: "alice".into(),
        password: "correct-horse".into(),
    };
    assert_eq!(cache.resolve(&u, &good, "main").unwrap().commit, c1);

    let bad = Credentials::Basic {
        username: "alice".into(),
        password: "wrong-battery".into(),
    };
    let (_d2, cache2) = self::cache();
    let err = cache2.resolve(&u, &bad, "main").unwrap_err();
    assert!(matches!(err, SourceError::AuthRefused { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("wrong-battery"), "{shown}");
    assert!(
        shown.contains(&server.url("app")) && shown.contains("main"),
        "{shown}"
    );

    let err = cache2.resolve(&u, &Credentials::None, "main").unwrap_err();
    assert!(matches!(err, SourceError::AuthRefused { .. }), "{err:?}");
}

#[test]
fn http_token_and_credentials_in_url() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    let server = HttpGit::start(repo.root.path(), Some((TOKEN_USERNAME, "tok-123")));
    let (_d, cache) = cache();
    let u = url(&server.url("app"));
    let tok = Credentials::Token("tok-123".into());
    assert_eq!(cache.resolve(&u, &tok, "HEAD").unwrap().commit, c1);

    let with_userinfo = format!(
        "http://{TOKEN_USERNAME}:tok-123@127.0.0.1:{}/app",
        server.port
    );
    let (u2, creds) = RepoUrl::parse_with_credentials(&with_userinfo).unwrap();
    assert_eq!(u2.to_string(), server.url("app"));
    let (_d2, cache2) = self::cache();
    assert_eq!(cache2.resolve(&u2, &creds, "main").unwrap().commit, c1);
    // Same URL without credentials: one cache entry.
    assert_eq!(cache2.repo_path(&u2), cache2.repo_path(&u));
    let err = cache2.resolve(&u2, &creds, "nope").unwrap_err().to_string();
    assert!(!err.contains("tok-123"), "{err}");
}

#[test]
fn git_daemon_transport() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("dir/a.yaml", "one")], "first");
    repo.git(&["tag", "v1"]);
    let daemon = GitDaemon::start(repo.root.path());
    let (_d, cache) = cache();
    let u = url(&daemon.url("app"));
    let r = cache.resolve(&u, &Credentials::None, "v1").unwrap();
    assert_eq!(r.commit, c1);
    let again = cache.resolve(&u, &Credentials::None, "main").unwrap();
    assert_eq!(again.fetch, FetchOutcome::UpToDate);
}

#[test]
fn unreachable_host_is_named() {
    // Port 1 (tcpmux) is privileged and never bound by these tests.
    let port = 1;
    let (_d, cache) = cache();
    let u = url(&format!("http://127.0.0.1:{port}/app"));
    let err = cache.resolve(&u, &Credentials::None, "main").unwrap_err();
    assert!(matches!(err, SourceError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}/app")),
        "{err}"
    );
}

#[test]
fn missing_repository_on_server_is_unreachable() {
    let repo = TestRepo::new();
    repo.commit(&[("a.yaml", "one")], "first");
    let server = HttpGit::start(repo.root.path(), None);
    let (_d, cache) = cache();
    let err = cache
        .resolve(&url(&server.url("nope")), &Credentials::None, "main")
        .unwrap_err();
    assert!(matches!(err, SourceError::Unreachable { .. }), "{err:?}");
}

#[test]
fn corrupt_cache_is_recloned() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    let server = HttpGit::start(repo.root.path(), None);
    let (_d, cache) = cache();
    let u = url(&server.url("app"));
    cache.resolve(&u, &Credentials::None, "main").unwrap();
    let path = cache.repo_path(&u);

    // Damaged pack data: refs say up to date, but objects cannot be read.
    for e in std::fs::read_dir(path.join("objects/pack")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "pack") {
            let len = std::fs::metadata(&p).unwrap().len() as usize;
            std::fs::write(&p, vec![0xAB; len]).unwrap();
        }
    }
    let r = cache.resolve(&u, &Credentials::None, "main").unwrap();
    assert_eq!(r.commit, c1);
    assert_eq!(r.fetch, FetchOutcome::Downloaded, "re-cloned");
    assert_eq!(
        cache.tree(&u, &c1).unwrap().read_file("a.yaml").unwrap(),
        b"one"
    );

    // Garbage config: the repository cannot even be opened.
    std::fs::write(path.join("config"), "[[[ not git config").unwrap();
    assert_eq!(
        cache
            .resolve(&u, &Credentials::None, "main")
            .unwrap()
            .commit,
        c1
    );

    // A full id that is cached but whose objects are gone.
    for e in std::fs::read_dir(path.join("objects/pack")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    assert_eq!(
        cache.resolve(&u, &Credentials::None, &c1).unwrap().commit,
        c1
    );
}

#[test]
fn concurrent_resolves_share_one_repository() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    let server = HttpGit::start(repo.root.path(), None);
    let (_d, cache) = cache();
    let u = url(&server.url("app"));
    let commits: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..6)
            .map(|_| {
                s.spawn(|| {
                    cache
                        .resolve(&u, &Credentials::None, "main")
                        .unwrap()
                        .commit
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(commits.iter().all(|c| *c == c1));
    assert_eq!(
        server.pack_requests(),
        1,
        "the lock serialises fetches: one download"
    );
}

#[test]
fn concurrent_processes_are_serialised_by_the_lock_file() {
    // The lock file is flock'ed: a second open file description in the same
    // process contends exactly like another process would.
    let repo = TestRepo::new();
    repo.commit(&[("a.yaml", "one")], "first");
    let (_d, cache) = cache();
    let u = url(&repo.file_url());
    let lock_path = cache.repo_path(&u).with_extension("lock");
    std::fs::create_dir_all(cache.dir()).unwrap();
    let f = std::fs::File::create(&lock_path).unwrap();
    f.lock().unwrap();
    let started = std::time::Instant::now();
    let handle = std::thread::spawn({
        let cache = cache.clone();
        let u = u.clone();
        move || {
            cache
                .resolve(&u, &Credentials::None, "main")
                .map(|r| r.commit)
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!handle.is_finished(), "resolve waits for the lock holder");
    f.unlock().unwrap();
    handle.join().unwrap().unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[test]
fn source_tree_reads_without_work_tree_and_side_by_side() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("app/a.yaml", "one"), ("app/sub/b.yaml", "b")], "first");
    std::os::unix::fs::symlink("a.yaml", repo.dir().join("app/link.yaml")).unwrap();
    let c2 = repo.commit(&[("app/a.yaml", "two")], "second");
    let (_d, cache) = cache();
    let u = url(&repo.file_url());
    cache.resolve(&u, &Credentials::None, "main").unwrap();
    let t1 = cache.tree(&u, &c1).unwrap();
    let t2 = cache.tree(&u, &c2).unwrap();
    assert_eq!(t1.read_file("app/a.yaml").unwrap(), b"one");
    assert_eq!(t2.read_file("app/a.yaml").unwrap(), b"two");
    let names: Vec<_> = t2
        .read_dir("app")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["a.yaml", "link.yaml", "sub"]);
    assert!(t2.is_symlink("app/link.yaml").unwrap());
    assert!(!t1.is_symlink("app/a.yaml").unwrap());
    assert_eq!(t2.symlink_target("app/link.yaml").unwrap(), "a.yaml");
    assert_eq!(t1.kind("app/link.yaml").unwrap(), None);
    assert_eq!(t2.kind("app/sub").unwrap(), Some(TreeEntryKind::Dir));
    let walked: Vec<_> = t2
        .walk("app")
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        walked,
        ["app/a.yaml", "app/link.yaml", "app/sub", "app/sub/b.yaml"]
    );
    let err = t2.read_file("app/missing.yaml").unwrap_err().to_string();
    assert!(
        err.contains("app/missing.yaml") && err.contains(&c2),
        "{err}"
    );
    // No work tree anywhere in the cache.
    assert!(!cache.repo_path(&u).join("app").exists());
}

#[test]
fn ssh_runs_the_ssh_program_with_the_key() {
    // A stand-in `ssh` that records its arguments and runs the remote command
    // locally, as git's own test suite does.
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("args.log");
    let fake = bin.path().join("fake-ssh");
    let script = r#"#!/bin/sh
echo "$@" >> 'LOG'
while [ $# -gt 0 ]; do
  case "$1" in
    -G) exit 0 ;;
    -i|-o|-p|-l) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
shift
exec sh -c "git $(echo "$*" | sed 's/^git-//')"
"#;
    std::fs::write(&fake, script.replace("LOG", &log.display().to_string())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let key = bin.path().join("id_ed25519");
    std::fs::write(&key, "not a real key").unwrap();
    let (_d, cache) = cache();
    let cache = cache.with_ssh_program(&fake);
    let u = url(&format!("git@example.invalid:{}", repo.dir().display()));
    assert!(u.is_ssh());
    let creds = Credentials::SshKey {
        key_file: key.clone(),
        known_hosts: None,
    };
    let r = cache.resolve(&u, &creds, "main").unwrap();
    assert_eq!(r.commit, c1);
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(args.contains(&format!("-i {}", key.display())), "{args}");
    assert!(
        args.contains("IdentitiesOnly=yes") && args.contains("BatchMode=yes"),
        "{args}"
    );
    assert!(args.contains("git@example.invalid"), "{args}");
    assert!(args.contains("git-upload-pack"), "{args}");
}

#[test]
fn remote_head_pointing_nowhere_does_not_break_branches() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/does-not-exist"]);
    let server = HttpGit::start(repo.root.path(), None);
    let (_d, cache) = cache();
    let u = url(&server.url("app"));
    assert_eq!(
        cache
            .resolve(&u, &Credentials::None, "main")
            .unwrap()
            .commit,
        c1
    );
    let err = cache.resolve(&u, &Credentials::None, "HEAD").unwrap_err();
    assert!(
        matches!(err, SourceError::UnknownRevision { .. }),
        "{err:?}"
    );
}

#[test]
fn moved_branch_and_deleted_tag_follow_the_remote() {
    let repo = TestRepo::new();
    let c1 = repo.commit(&[("a.yaml", "one")], "first");
    repo.git(&["tag", "t"]);
    let (_d, cache) = cache();
    let u = url(&repo.file_url());
    assert_eq!(
        cache.resolve(&u, &Credentials::None, "t").unwrap().commit,
        c1
    );
    // Force-move the tag and reset the branch to a new root commit.
    let c2 = repo.commit(&[("a.yaml", "two")], "second");
    repo.git(&["tag", "-f", "t", &c2]);
    assert_eq!(
        cache.resolve(&u, &Credentials::None, "t").unwrap().commit,
        c2
    );
    repo.git(&["tag", "-d", "t"]);
    let err = cache.resolve(&u, &Credentials::None, "t").unwrap_err();
    assert!(
        matches!(err, SourceError::UnknownRevision { .. }),
        "deleted tag: {err:?}"
    );
}
