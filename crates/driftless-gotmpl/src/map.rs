//! Go's `map[string]interface{}`: a shared, mutable reference type.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::value::Value;

/// A Go map: cloning it clones the *reference*, so a change made through
/// one clone (Sprig's `set`, `unset`, `merge`) is seen by all, exactly as
/// Go maps behave. Keys iterate in sorted order, as Go's templates and
/// `fmt` print them.
///
/// ```
/// use driftless_gotmpl::{Map, Value};
/// let m = Map::new();
/// let alias = m.clone();
/// alias.insert("k", Value::from(1));
/// assert_eq!(m.get("k"), Some(Value::from(1)));
/// ```
#[derive(Clone, Default)]
pub struct Map(Arc<Inner>);

#[derive(Default)]
struct Inner {
    data: RwLock<BTreeMap<String, Value>>,
    /// The element type's zero value for a Go map of a concrete element
    /// type (e.g. `""` for `map[string]string`); `None` for
    /// `map[string]interface{}`.
    elem_zero: Option<Value>,
}

impl Map {
    /// A new empty map.
    pub fn new() -> Map {
        Map::default()
    }

    /// A map owning these entries.
    pub fn from_btree(m: BTreeMap<String, Value>) -> Map {
        Map(Arc::new(Inner {
            data: RwLock::new(m),
            elem_zero: None,
        }))
    }

    /// A map of a concrete element type, like Go's `map[string]string`:
    /// with `missingkey=zero` (and in `index`) a missing key gives
    /// `elem_zero` (e.g. `Value::from("")`) instead of a nil interface.
    pub fn typed(m: BTreeMap<String, Value>, elem_zero: Value) -> Map {
        Map(Arc::new(Inner {
            data: RwLock::new(m),
            elem_zero: Some(elem_zero),
        }))
    }

    /// The element zero value of a typed map (see [`Map::typed`]).
    pub fn elem_zero(&self) -> Option<&Value> {
        self.0.elem_zero.as_ref()
    }

    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, Value>> {
        self.0.data.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Value>> {
        self.0.data.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The value at `key` (a cheap clone).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.read().get(key).cloned()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.read().contains_key(key)
    }

    /// Sets `key`, returning the previous value. Visible through every
    /// clone of this map.
    pub fn insert(&self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.write().insert(key.into(), value)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.write().remove(key)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// Sorted keys.
    pub fn keys(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// Sorted entries (a shallow copy).
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// A shallow copy of the contents.
    pub fn to_btree(&self) -> BTreeMap<String, Value> {
        self.read().clone()
    }

    /// Runs `f` with shared access to the contents. Do not touch this same
    /// map from inside `f` mutably (it would deadlock).
    pub fn with<R>(&self, f: impl FnOnce(&BTreeMap<String, Value>) -> R) -> R {
        f(&self.read())
    }

    /// Runs `f` with exclusive access to the contents. Do not access this
    /// same map from inside `f` (it would deadlock).
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut BTreeMap<String, Value>) -> R) -> R {
        f(&mut self.write())
    }

    /// A new map with the same entries, nested maps and lists copied too
    /// (Sprig's `deepCopy`).
    pub fn deep_copy(&self) -> Map {
        self.deep_copy_at(0)
    }

    pub(crate) fn deep_copy_at(&self, depth: usize) -> Map {
        Map(Arc::new(Inner {
            data: RwLock::new(
                self.entries()
                    .into_iter()
                    .map(|(k, v)| (k, v.deep_copy_at(depth)))
                    .collect(),
            ),
            elem_zero: self.0.elem_zero.clone(),
        }))
    }

    pub(crate) fn eq_at(&self, other: &Map, depth: usize) -> bool {
        if self.ptr_eq(other) {
            return true;
        }
        let (a, b) = (self.entries(), other.entries());
        a.len() == b.len()
            && a.iter()
                .zip(b.iter())
                .all(|((ka, va), (kb, vb))| ka == kb && va.eq_at(vb, depth))
    }

    /// Whether both are the same map (Go's map identity).
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.eq_at(other, 0)
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries()).finish()
    }
}

impl From<BTreeMap<String, Value>> for Map {
    fn from(m: BTreeMap<String, Value>) -> Map {
        Map::from_btree(m)
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Map {
        Map::from_btree(iter.into_iter().collect())
    }
}
