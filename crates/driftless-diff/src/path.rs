//! Concrete paths into JSON values, and removing/copying along them.

use serde_json::Value;
use std::cmp::Ordering;

/// One step of a path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

impl PartialOrd for Seg {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Seg {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Seg::Key(a), Seg::Key(b)) => a.cmp(b),
            (Seg::Index(a), Seg::Index(b)) => a.cmp(b),
            (Seg::Key(_), Seg::Index(_)) => Ordering::Less,
            (Seg::Index(_), Seg::Key(_)) => Ordering::Greater,
        }
    }
}

pub(crate) type Path = Vec<Seg>;

pub(crate) fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, seg| match seg {
        Seg::Key(k) => cur.as_object()?.get(k),
        Seg::Index(i) => cur.as_array()?.get(*i),
    })
}

fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |cur, seg| match seg {
        Seg::Key(k) => cur.as_object_mut()?.get_mut(k),
        Seg::Index(i) => cur.as_array_mut()?.get_mut(*i),
    })
}

/// Removes every path from `v`. Paths are removed deepest and highest index
/// first so earlier removals do not shift later ones.
pub(crate) fn remove_all(v: &mut Value, paths: &mut [Path]) {
    paths.sort();
    for p in paths.iter().rev() {
        remove(v, p);
    }
}

/// Removes one path (missing paths are ignored).
pub(crate) fn remove(v: &mut Value, path: &[Seg]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    match (get_mut(v, parent), last) {
        (Some(Value::Object(m)), Seg::Key(k)) => {
            m.shift_remove(k);
        }
        (Some(Value::Array(a)), Seg::Index(i)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// Copies `from`'s value at `path` into `to`: the first missing ancestor of
/// `path` in `to` receives `from`'s whole subtree there.
pub(crate) fn copy_missing(to: &mut Value, from: &Value, path: &[Seg]) {
    for depth in 0..=path.len() {
        let prefix = &path[..depth];
        if get(to, prefix).is_some() {
            continue;
        }
        let (Some(src), Some((last, parent))) = (get(from, prefix), prefix.split_last()) else {
            return;
        };
        if let (Some(Value::Object(m)), Seg::Key(k)) = (get_mut(to, parent), last) {
            m.insert(k.clone(), src.clone());
        }
        return;
    }
}

/// Parses an RFC 6901 JSON pointer against `v`, resolving array indexes.
pub(crate) fn from_pointer(v: &Value, pointer: &str) -> Option<Path> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let mut cur = v;
    let mut out = Vec::new();
    for raw in pointer.strip_prefix('/')?.split('/') {
        let tok = raw.replace("~1", "/").replace("~0", "~");
        match cur {
            Value::Object(m) => {
                cur = m.get(&tok)?;
                out.push(Seg::Key(tok));
            }
            Value::Array(a) => {
                let i: usize = tok.parse().ok()?;
                cur = a.get(i)?;
                out.push(Seg::Index(i));
            }
            _ => return None,
        }
    }
    Some(out)
}
