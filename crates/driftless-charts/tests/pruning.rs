//! The cache stays bounded: beyond its limits the least recently used archives are pruned
//! (with their refs), never one that a caller (a render in progress) still holds.

mod support;

use driftless_charts::{Auth, CacheLimits, ChartCache};
use support::{StaticServer, index, make_chart, package};

/// A repository with charts `a`, `b`, `c` and `d` (version 1.0.0 each).
fn repository(tmp: &std::path::Path) -> StaticServer {
    let repo = tmp.join("repo");
    for name in ["a", "b", "c", "d"] {
        package(&make_chart(&tmp.join("src"), name, "1.0.0", name), &repo);
    }
    index(&repo, None);
    StaticServer::start(&repo, None)
}

fn archives(cache: &ChartCache) -> usize {
    std::fs::read_dir(cache.dir().join("blobs"))
        .unwrap()
        .count()
}

fn refs(cache: &ChartCache) -> usize {
    std::fs::read_dir(cache.dir().join("refs")).unwrap().count()
}

fn limits(max_archives: usize) -> CacheLimits {
    CacheLimits {
        max_archives,
        ..CacheLimits::default()
    }
}

#[test]
fn least_recently_used_archives_are_pruned_beyond_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let server = repository(tmp.path());
    let cache = ChartCache::new(tmp.path().join("cache"))
        .unwrap()
        .with_limits(limits(2));
    let none = Auth::default();
    let get = |chart: &str| drop(cache.fetch(&server.url(), chart, "1.0.0", &none).unwrap());
    get("a");
    get("b");
    get("a"); // a read from the cache is a use: b is now the least recently used
    assert_eq!(cache.downloads(), 2);
    get("c");
    assert_eq!((archives(&cache), refs(&cache)), (2, 2));
    get("a");
    get("c");
    assert_eq!(cache.downloads(), 3, "a and c stayed");
    get("b");
    assert_eq!(cache.downloads(), 4, "b was pruned and downloaded again");
    assert_eq!(server.count("/b-1.0.0.tgz"), 2);
    assert_eq!(server.count("/a-1.0.0.tgz"), 1);
    assert_eq!(archives(&cache), 2);
}

#[test]
fn archives_in_use_are_never_pruned() {
    let tmp = tempfile::tempdir().unwrap();
    let server = repository(tmp.path());
    let cache = ChartCache::new(tmp.path().join("cache"))
        .unwrap()
        .with_limits(limits(1));
    let none = Auth::default();
    // A render holds a and b (as a DependencyFetcher holds what it fetched).
    let a = cache.fetch(&server.url(), "a", "1.0.0", &none).unwrap();
    let b = cache.fetch(&server.url(), "b", "1.0.0", &none).unwrap();
    assert_eq!(archives(&cache), 2, "both are in use: over the limit");
    drop(b);
    let c = cache.fetch(&server.url(), "c", "1.0.0", &none).unwrap();
    let mut left: Vec<String> = std::fs::read_dir(cache.dir().join("blobs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut want = vec![format!("{}.tgz", a.digest), format!("{}.tgz", c.digest)];
    want.sort();
    assert_eq!(left, want, "b was pruned; a (held) and c (held) stayed");
    // Cloning a pin holds the archive too; once every holder is gone it can go.
    let a2 = a.pin.clone();
    let c_blob = cache.dir().join(format!("blobs/{}.tgz", c.digest));
    drop((a, c));
    assert_eq!(cache.prune(), 0, "c is the most recent, a still held");
    drop(a2);
    assert_eq!(cache.prune(), 1, "a, the least recently used, goes");
    assert!(c_blob.exists());
    cache.fetch(&server.url(), "d", "1.0.0", &none).unwrap();
    assert_eq!(archives(&cache), 1);
    assert!(!c_blob.exists());
}

#[test]
fn a_byte_limit_and_new_limits_on_an_existing_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let server = repository(tmp.path());
    let dir = tmp.path().join("cache");
    let none = Auth::default();
    let cache = ChartCache::new(&dir).unwrap();
    for chart in ["a", "b", "c"] {
        cache.fetch(&server.url(), chart, "1.0.0", &none).unwrap();
    }
    assert_eq!(archives(&cache), 3, "the default limits keep them");
    let size = std::fs::metadata(
        dir.join("blobs")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap()
    .len();
    // Room for about two archives: a cache opened with that limit prunes at once.
    let cache = ChartCache::new(&dir).unwrap().with_limits(CacheLimits {
        max_archives: 100,
        max_bytes: size * 2 + size / 2,
    });
    assert_eq!(archives(&cache), 2);
    assert_eq!(refs(&cache), 2);
}
