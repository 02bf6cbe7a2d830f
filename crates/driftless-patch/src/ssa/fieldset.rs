//! Field paths and sets of fields, and their `FieldsV1` encoding (as in
//! `sigs.k8s.io/structured-merge-diff`).

use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// One step of a field path.
#[derive(Debug, Clone)]
pub enum PathElement {
    /// A struct field or map key: `f:name`.
    Field(String),
    /// An associative-list item by its key fields, sorted by name: `k:{"name":"c"}`.
    Key(Vec<(String, Value)>),
    /// A set-list item by its value: `v:"finalizer.example.com"`.
    Value(Value),
    /// A list item by position (only for lists without keys in untyped data): `i:0`.
    Index(usize),
}

impl PathElement {
    /// A field element.
    pub fn field(name: &str) -> Self {
        PathElement::Field(name.to_string())
    }

    /// Encodes as a `FieldsV1` key (`f:`, `k:`, `v:`, `i:`).
    pub fn to_fields_v1_key(&self) -> String {
        match self {
            PathElement::Field(n) => format!("f:{n}"),
            PathElement::Key(kv) => {
                let m: Map<String, Value> =
                    kv.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                format!("k:{}", Value::Object(m))
            }
            PathElement::Value(v) => format!("v:{v}"),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Decodes a `FieldsV1` key.
    pub fn from_fields_v1_key(s: &str) -> Result<Self, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("invalid path element {s:?}"))?;
        match kind {
            "f" => Ok(PathElement::Field(rest.to_string())),
            "k" => match serde_json::from_str::<Value>(rest) {
                Ok(Value::Object(m)) => {
                    let mut kv: Vec<(String, Value)> = m.into_iter().collect();
                    kv.sort_by(|a, b| a.0.cmp(&b.0));
                    Ok(PathElement::Key(kv))
                }
                _ => Err(format!("invalid key path element {s:?}")),
            },
            "v" => serde_json::from_str(rest)
                .map(PathElement::Value)
                .map_err(|e| format!("invalid value path element {s:?}: {e}")),
            "i" => rest
                .parse()
                .map(PathElement::Index)
                .map_err(|e| format!("invalid index path element {s:?}: {e}")),
            _ => Err(format!("unknown path element kind {s:?}")),
        }
    }
}

/// Orders values like structured-merge-diff: null < float < int < string < bool < list < map.
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Number(n) if n.is_f64() => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Bool(_) => 4,
            Value::Array(_) => 5,
            Value::Object(_) => 6,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if rank(a) == rank(b) => {
            if let (Some(i), Some(j)) = (x.as_i64(), y.as_i64()) {
                i.cmp(&j)
            } else {
                let (p, q) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                p.partial_cmp(&q).unwrap_or(Ordering::Equal)
            }
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                let c = compare_values(p, q);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut xs: Vec<_> = x.iter().collect();
            let mut ys: Vec<_> = y.iter().collect();
            xs.sort_by(|a, b| a.0.cmp(b.0));
            ys.sort_by(|a, b| a.0.cmp(b.0));
            for ((k1, v1), (k2, v2)) in xs.iter().zip(&ys) {
                let c = k1.cmp(k2).then_with(|| compare_values(v1, v2));
                if c != Ordering::Equal {
                    return c;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        use PathElement::*;
        fn rank(p: &PathElement) -> u8 {
            match p {
                Field(_) => 0,
                Key(_) => 1,
                Value(_) => 2,
                Index(_) => 3,
            }
        }
        match (self, other) {
            (Field(a), Field(b)) => a.cmp(b),
            (Key(a), Key(b)) => a.len().cmp(&b.len()).then_with(|| {
                for ((n1, v1), (n2, v2)) in a.iter().zip(b) {
                    let c = n1.cmp(n2).then_with(|| compare_values(v1, v2));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                Ordering::Equal
            }),
            (Value(a), Value(b)) => compare_values(a, b),
            (Index(a), Index(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PathElement {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PathElement {}

/// Formats a value like structured-merge-diff's `value.ToString` (strings quoted).
fn value_to_string(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(value_to_string).collect::<Vec<_>>().join(",")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}={}", value_to_string(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

impl fmt::Display for PathElement {
    /// `.name`, `[name="c",port=80]`, `[="value"]`, `[0]` — the API server's conflict notation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(n) => write!(f, ".{n}"),
            PathElement::Key(kv) => {
                let parts: Vec<String> = kv
                    .iter()
                    .map(|(k, v)| format!("{k}={}", value_to_string(v)))
                    .collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(v) => write!(f, "[={}]", value_to_string(v)),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A path from the object root to a field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Path(pub Vec<PathElement>);

impl Path {
    /// Builds a path of field names.
    ///
    /// ```
    /// use driftless_patch::ssa::Path;
    /// assert_eq!(Path::fields(&["spec", "replicas"]).to_string(), ".spec.replicas");
    /// ```
    pub fn fields(names: &[&str]) -> Path {
        Path(names.iter().map(|n| PathElement::field(n)).collect())
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for pe in &self.0 {
            write!(f, "{pe}")?;
        }
        Ok(())
    }
}

/// A set of field paths, stored as a trie like structured-merge-diff's `fieldpath.Set`:
/// `members` are paths ending here, `children` continue further. A path element can be both
/// (an associative-list item owned as a whole *and* field by field): FieldsV1 writes `"."`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    members: BTreeMap<PathElement, ()>,
    children: BTreeMap<PathElement, FieldSet>,
}

impl FieldSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the set has no paths.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.is_empty()
    }

    /// Adds a path.
    pub fn insert(&mut self, path: &[PathElement]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone(), ());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    /// Whether exactly this path is in the set.
    pub fn contains(&self, path: &[PathElement]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains_key(last),
            [first, rest @ ..] => self.children.get(first).is_some_and(|c| c.contains(rest)),
        }
    }

    /// Whether this path or any path below it is in the set.
    pub fn contains_prefix(&self, path: &[PathElement]) -> bool {
        match path {
            [] => !self.is_empty(),
            [last] => self.members.contains_key(last) || self.children.contains_key(last),
            [first, rest @ ..] => self
                .children
                .get(first)
                .is_some_and(|c| c.contains_prefix(rest)),
        }
    }

    /// The subtree below a path element (paths that continue after it).
    pub fn child(&self, pe: &PathElement) -> Option<&FieldSet> {
        self.children.get(pe)
    }

    /// Whether the path element itself is a member at this level.
    pub fn has_member(&self, pe: &PathElement) -> bool {
        self.members.contains_key(pe)
    }

    /// Path elements that are members or have children at this level, sorted.
    pub fn elements(&self) -> Vec<&PathElement> {
        // Both maps are sorted: merge them.
        let mut out = Vec::with_capacity(self.members.len() + self.children.len());
        let mut m = self.members.keys().peekable();
        let mut c = self.children.keys().peekable();
        loop {
            let next = match (m.peek(), c.peek()) {
                (Some(a), Some(b)) => match a.cmp(b) {
                    std::cmp::Ordering::Less => m.next(),
                    std::cmp::Ordering::Greater => c.next(),
                    std::cmp::Ordering::Equal => {
                        c.next();
                        m.next()
                    }
                },
                (Some(_), None) => m.next(),
                (None, Some(_)) => c.next(),
                (None, None) => break,
            };
            out.extend(next);
        }
        out
    }

    /// Union of two sets.
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.union_in_place(other);
        out
    }

    /// Adds all paths of `other`.
    pub fn union_in_place(&mut self, other: &FieldSet) {
        for k in other.members.keys() {
            self.members.insert(k.clone(), ());
        }
        for (k, c) in &other.children {
            self.children
                .entry(k.clone())
                .or_default()
                .union_in_place(c);
        }
    }

    /// Paths of `self` that are not in `other` (exact paths; children are compared separately).
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet::new();
        for k in self.members.keys() {
            if !other.members.contains_key(k) {
                out.members.insert(k.clone(), ());
            }
        }
        for (k, c) in &self.children {
            let d = match other.children.get(k) {
                Some(o) => c.difference(o),
                None => c.clone(),
            };
            if !d.is_empty() {
                out.children.insert(k.clone(), d);
            }
        }
        out
    }

    /// Paths in both sets.
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet::new();
        for k in self.members.keys() {
            if other.members.contains_key(k) {
                out.members.insert(k.clone(), ());
            }
        }
        for (k, c) in &self.children {
            if let Some(o) = other.children.get(k) {
                let i = c.intersection(o);
                if !i.is_empty() {
                    out.children.insert(k.clone(), i);
                }
            }
        }
        out
    }

    /// Removes from `self` every path that is in `other` or below a member of `other`.
    pub fn recursive_difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet::new();
        for k in self.members.keys() {
            if !other.members.contains_key(k) {
                out.members.insert(k.clone(), ());
            }
        }
        for (k, c) in &self.children {
            if other.members.contains_key(k) {
                continue;
            }
            let d = match other.children.get(k) {
                Some(o) => c.recursive_difference(o),
                None => c.clone(),
            };
            if !d.is_empty() {
                out.children.insert(k.clone(), d);
            }
        }
        out
    }

    /// All paths (members), sorted.
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Path>) {
        for pe in self.elements() {
            prefix.push(pe.clone());
            if self.members.contains_key(pe) {
                out.push(Path(prefix.clone()));
            }
            if let Some(c) = self.children.get(pe) {
                c.collect(prefix, out);
            }
            prefix.pop();
        }
    }

    /// Number of paths.
    pub fn len(&self) -> usize {
        self.members.len() + self.children.values().map(FieldSet::len).sum::<usize>()
    }

    /// Encodes as `FieldsV1` JSON (`{"f:spec": {"f:replicas": {}}}`), keys sorted as the API
    /// server sorts them.
    ///
    /// ```
    /// use driftless_patch::ssa::{FieldSet, Path};
    /// let mut s = FieldSet::new();
    /// s.insert(&Path::fields(&["spec", "replicas"]).0);
    /// assert_eq!(s.to_fields_v1().to_string(), r#"{"f:spec":{"f:replicas":{}}}"#);
    /// assert_eq!(FieldSet::from_fields_v1(&s.to_fields_v1()).unwrap(), s);
    /// ```
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.emit(false))
    }

    fn emit(&self, member: bool) -> Map<String, Value> {
        let mut m = Map::new();
        if member {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for pe in self.elements() {
            let key = pe.to_fields_v1_key();
            let is_member = self.members.contains_key(pe);
            let v = match self.children.get(pe) {
                Some(c) => c.emit(is_member),
                None => Map::new(),
            };
            m.insert(key, Value::Object(v));
        }
        m
    }

    /// Decodes `FieldsV1` JSON.
    pub fn from_fields_v1(v: &Value) -> Result<FieldSet, String> {
        let Value::Object(m) = v else {
            return Err("FieldsV1 must be a JSON object".into());
        };
        let mut out = FieldSet::new();
        for (k, child) in m {
            if k == "." {
                continue;
            }
            let pe = PathElement::from_fields_v1_key(k)?;
            let Value::Object(cm) = child else {
                return Err(format!("FieldsV1 entry {k:?} must be an object"));
            };
            if cm.is_empty() || cm.contains_key(".") {
                out.members.insert(pe.clone(), ());
            }
            let sub = FieldSet::from_fields_v1(child)?;
            if !sub.is_empty() {
                out.children.insert(pe, sub);
            }
        }
        Ok(out)
    }
}
