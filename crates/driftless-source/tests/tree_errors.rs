//! A commit's tree tells a missing file from a broken repository: the file-tree errors carry
//! what went wrong as a variant, and the object store's own error as their source.

mod support;

use driftless_core::fs::{FsError, SourceFs};
use std::error::Error as _;
use support::TestRepo;

#[test]
fn each_failure_is_its_own_variant() {
    let repo = TestRepo::new();
    let commit = repo.commit(&[("app/a.yaml", "a: 1\n")], "one");
    let (_, tree) = driftless_source::open_local(&repo.dir(), &commit).unwrap();
    let tree: &dyn SourceFs = &tree;
    let e = tree.read_file("app/missing.yaml", 100).unwrap_err();
    assert!(
        matches!(&e, FsError::NotFound(p) if p == "app/missing.yaml"),
        "{e:?}"
    );
    assert!(matches!(
        tree.read_file("app", 100),
        Err(FsError::NotAFile(_))
    ));
    assert!(matches!(
        tree.read_dir("app/a.yaml"),
        Err(FsError::NotADirectory(_))
    ));
    assert!(matches!(
        tree.read_link("app/a.yaml"),
        Err(FsError::NotASymlink(_))
    ));
    assert!(matches!(
        tree.kind("app/../a.yaml"),
        Err(FsError::InvalidPath(_))
    ));
    assert!(matches!(
        tree.read_file("app/a.yaml", 2),
        Err(FsError::TooLarge {
            size: 5,
            limit: 2,
            ..
        })
    ));
    assert_eq!(tree.read_file("app/a.yaml", 100).unwrap(), b"a: 1\n");
}

#[test]
fn a_corrupt_object_is_a_store_error_with_its_cause() {
    let repo = TestRepo::new();
    let commit = repo.commit(&[("app/a.yaml", "a: 1\n")], "one");
    let blob = repo.git(&["rev-parse", "HEAD:app/a.yaml"]);
    let object = repo
        .dir()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"not a zlib stream").unwrap();

    let (_, tree) = driftless_source::open_local(&repo.dir(), &commit).unwrap();
    // The tree still lists the file: it is there, but unreadable.
    assert!(SourceFs::kind(&tree, "app/a.yaml").unwrap().is_some());
    let e = SourceFs::read_file(&tree, "app/a.yaml", 100).unwrap_err();
    assert!(
        matches!(&e, FsError::Store { path, .. } if path == "app/a.yaml"),
        "{e:?}"
    );
    assert!(e.source().is_some(), "the store's error is kept: {e:?}");
    // Through the Git API the same failure names repository and commit.
    let e = tree.read_file("app/a.yaml").unwrap_err();
    assert!(e.to_string().contains(&commit), "{e}");
    assert!(e.to_string().contains("app/a.yaml"), "{e}");
}
