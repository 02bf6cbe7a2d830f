//! Rendering of sources into manifests.

mod fs;

pub use fs::{DirEntry, DirFs, EntryKind, FsError, SourceFs};
