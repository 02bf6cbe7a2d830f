//! Navigation in a schema: [`TypeRef`] and the semantics it reports.

use super::{Node, Schema};

/// How the elements of a list are identified, as server-side apply sees them.
///
/// Derived like Kubernetes' `schemaconv`: `x-kubernetes-list-type` when present, otherwise a list
/// with `x-kubernetes-patch-strategy: merge` is associative (keyed by its patch merge key, or a
/// set without one), otherwise atomic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListType {
    /// Replaced as a whole; one owner.
    Atomic,
    /// A set of scalars, each owned separately (`v:` path elements).
    Set,
    /// Items identified by the values of these key fields (`k:` path elements).
    Map(Vec<String>),
}

/// The shape of a schema node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An object with declared properties.
    Struct,
    /// An object whose keys are free (`additionalProperties`).
    Map,
    /// An array.
    List,
    /// A string, number, integer or boolean (also int-or-string and quantities).
    Scalar,
    /// Unknown or free-form: the shape is deduced from the value (maps granular, lists atomic).
    Untyped,
}

/// A position in a schema: the node found at a field path, with references resolved.
///
/// `site` is the node as written at the position (carrying list/patch extensions and the
/// field's description); `target` is what its `$ref` points to (or `site` itself).
#[derive(Debug, Clone, Copy)]
pub struct TypeRef<'a> {
    pub(crate) schema: Option<&'a Schema>,
    pub(crate) site: Option<&'a Node>,
    pub(crate) target: Option<&'a Node>,
}

impl<'a> TypeRef<'a> {
    pub(crate) fn new(schema: &'a Schema, node: &'a Node) -> Self {
        Self::resolve(schema, node)
    }

    fn resolve(schema: &'a Schema, site: &'a Node) -> Self {
        let mut target = site;
        let mut owner = schema;
        // References chain at most a few levels; guard against cycles anyway.
        for _ in 0..8 {
            let Some(name) = target.reference.as_deref() else {
                break;
            };
            match owner.node(name) {
                Some((s, n)) => {
                    owner = s;
                    target = n;
                }
                None => break,
            }
        }
        TypeRef {
            schema: Some(owner),
            site: Some(site),
            target: Some(target),
        }
    }

    /// A type with no schema: shapes are deduced from values (maps granular, lists atomic).
    pub fn untyped() -> TypeRef<'a> {
        TypeRef {
            schema: None,
            site: None,
            target: None,
        }
    }

    /// The shape of this node.
    pub fn shape(&self) -> Shape {
        let Some(t) = self.target else {
            return Shape::Untyped;
        };
        if matches!(
            t.format.as_deref(),
            Some("int-or-string") | Some("quantity")
        ) {
            return Shape::Scalar;
        }
        match t.ty.as_deref() {
            Some("object") => {
                if t.properties.as_ref().is_some_and(|p| !p.is_empty()) {
                    Shape::Struct
                } else if t.additional.is_some() {
                    Shape::Map
                } else {
                    Shape::Untyped
                }
            }
            Some("array") => Shape::List,
            Some("string" | "integer" | "number" | "boolean") => Shape::Scalar,
            _ => Shape::Untyped,
        }
    }

    /// The JSON type name (`object`, `array`, `string`, ...), if declared.
    pub fn type_name(&self) -> Option<&'a str> {
        self.target.and_then(|t| t.ty.as_deref())
    }

    /// The format (`int32`, `date-time`, `int-or-string`, ...), if declared.
    pub fn format(&self) -> Option<&'a str> {
        self.target.and_then(|t| t.format.as_deref())
    }

    /// The name of the definition this position refers to, if any.
    pub fn definition_name(&self) -> Option<&'a str> {
        self.site.and_then(|s| s.reference.as_deref())
    }

    /// The description of the field (or, failing that, of its type).
    pub fn description(&self) -> Option<&'a str> {
        self.site
            .and_then(|s| s.description.as_deref())
            .or_else(|| self.target.and_then(|t| t.description.as_deref()))
    }

    fn child(&self, node: &'a Node) -> TypeRef<'a> {
        match self.schema {
            Some(s) => TypeRef::resolve(s, node),
            None => TypeRef::untyped(),
        }
    }

    /// The type of field `name` of a struct, or of the values of a map.
    ///
    /// `None` when the field is not declared (and unknown fields are not preserved).
    /// Untyped nodes answer untyped children.
    pub fn field(&self, name: &str) -> Option<TypeRef<'a>> {
        let Some(t) = self.target else {
            return Some(TypeRef::untyped());
        };
        if let Some(node) = t.properties.as_ref().and_then(|p| p.get(name)) {
            return Some(self.child(node));
        }
        if let Some(a) = &t.additional {
            return Some(self.child(a));
        }
        match self.shape() {
            Shape::Untyped => Some(TypeRef::untyped()),
            _ if t.preserve_unknown => Some(TypeRef::untyped()),
            _ => None,
        }
    }

    /// Whether `name` is a declared property of this struct (not a free map key).
    pub fn has_declared_field(&self, name: &str) -> bool {
        self.target
            .and_then(|t| t.properties.as_ref())
            .is_some_and(|p| p.contains_key(name))
    }

    /// The type of the items of a list (untyped when unknown).
    pub fn items(&self) -> TypeRef<'a> {
        match self.target.and_then(|t| t.items.as_deref()) {
            Some(i) => self.child(i),
            None => TypeRef::untyped(),
        }
    }

    /// Follows a path of field names (list items are stepped over transparently).
    ///
    /// ```
    /// use driftless_patch::schema::Schema;
    /// let pod = Schema::builtin().for_kind("", "v1", "Pod").unwrap();
    /// let image = pod.walk(&["spec", "containers", "image"]).unwrap();
    /// assert_eq!(image.type_name(), Some("string"));
    /// ```
    pub fn walk(&self, path: &[&str]) -> Option<TypeRef<'a>> {
        let mut cur = *self;
        for name in path {
            while cur.shape() == Shape::List {
                cur = cur.items();
            }
            cur = cur.field(name)?;
        }
        Some(cur)
    }

    /// Declared property names of a struct, in schema order.
    pub fn known_fields(&self) -> Vec<&'a str> {
        self.target
            .and_then(|t| t.properties.as_ref())
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Required property names.
    pub fn required_fields(&self) -> Vec<&'a str> {
        self.target
            .and_then(|t| t.required.as_ref())
            .map(|r| r.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether unknown fields are kept (`x-kubernetes-preserve-unknown-fields`, or untyped).
    pub fn preserves_unknown_fields(&self) -> bool {
        match self.target {
            None => true,
            Some(t) => t.preserve_unknown || self.shape() == Shape::Untyped,
        }
    }

    /// Whether this node is an embedded resource (`x-kubernetes-embedded-resource`).
    pub fn is_embedded_resource(&self) -> bool {
        self.target.is_some_and(|t| t.embedded_resource)
    }

    fn ext<T>(&self, f: impl Fn(&'a Node) -> Option<T>) -> Option<T> {
        self.site.and_then(&f).or_else(|| self.target.and_then(&f))
    }

    /// Server-side apply semantics of a list (`None` if this is not a list).
    pub fn list_type(&self) -> Option<ListType> {
        if self.shape() != Shape::List {
            return None;
        }
        match self.ext(|n| n.list_type.as_deref()) {
            Some("set") => return Some(ListType::Set),
            Some("map") => {
                let keys = self.ext(|n| n.list_map_keys.clone()).unwrap_or_default();
                return Some(ListType::Map(keys));
            }
            Some(_) => return Some(ListType::Atomic),
            None => {}
        }
        match self.ext(|n| n.patch_strategy.as_deref()) {
            Some(s) if s.split(',').any(|p| p == "merge") => {
                match self.ext(|n| n.patch_merge_key.clone()) {
                    Some(k) => Some(ListType::Map(vec![k])),
                    None => Some(ListType::Set),
                }
            }
            _ => Some(ListType::Atomic),
        }
    }

    /// Allocation-free form of [`TypeRef::list_type`] for the hot paths: `None` when not an
    /// associative list, `Some(None)` for a set, `Some(Some(keys))` for a map list.
    pub(crate) fn assoc_keys(&self) -> Option<Option<&'a [String]>> {
        if self.shape() != Shape::List {
            return None;
        }
        match self.ext(|n| n.list_type.as_deref()) {
            Some("set") => return Some(None),
            Some("map") => {
                return Some(Some(
                    self.ext(|n| n.list_map_keys.as_deref()).unwrap_or(&[]),
                ));
            }
            Some(_) => return None,
            None => {}
        }
        match self.ext(|n| n.patch_strategy.as_deref()) {
            Some(s) if s.split(',').any(|p| p == "merge") => Some(
                self.ext(|n| n.patch_merge_key.as_ref())
                    .map(std::slice::from_ref),
            ),
            _ => None,
        }
    }

    /// Whether a struct or map is atomic for server-side apply (`x-kubernetes-map-type: atomic`).
    pub fn is_atomic_map(&self) -> bool {
        self.ext(|n| n.map_type.as_deref()) == Some("atomic")
    }

    /// The strategic-merge-patch strategies of this field (`merge`, `replace`, `retainKeys`).
    pub fn patch_strategy(&self) -> Vec<&'a str> {
        self.site
            .and_then(|s| s.patch_strategy.as_deref())
            .map(|s| s.split(',').collect())
            .unwrap_or_default()
    }

    /// The strategic-merge-patch merge key of a list of objects.
    pub fn patch_merge_key(&self) -> Option<&'a str> {
        self.site.and_then(|s| s.patch_merge_key.as_deref())
    }

    /// The default of a field, as far as the schema keeps it (list-map key fields).
    pub fn default_value(&self) -> Option<&'a serde_json::Value> {
        self.ext(|n| n.default.as_ref())
    }

    /// Whether this is a struct of the built-in Kubernetes types. Such structs are Go values that
    /// exist (empty) in a zero object, unlike the objects of custom resources (unstructured).
    pub(crate) fn is_builtin_struct(&self) -> bool {
        self.shape() == Shape::Struct && self.schema.is_some_and(|s| s.fallback.is_none())
    }

    /// Whether this position has schema information at all.
    pub fn is_typed(&self) -> bool {
        self.target.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy() -> TypeRef<'static> {
        Schema::builtin()
            .for_kind("apps", "v1", "Deployment")
            .unwrap()
    }

    #[test]
    fn list_semantics_follow_schemaconv() {
        let d = deploy();
        let ports = d
            .walk(&["spec", "template", "spec", "containers", "ports"])
            .unwrap();
        assert_eq!(
            ports.list_type(),
            Some(ListType::Map(vec![
                "containerPort".into(),
                "protocol".into()
            ]))
        );
        let fin = d.walk(&["metadata", "finalizers"]).unwrap();
        assert_eq!(fin.list_type(), Some(ListType::Set));
        let args = d
            .walk(&["spec", "template", "spec", "containers", "args"])
            .unwrap();
        assert_eq!(args.list_type(), Some(ListType::Atomic));
        let owners = d.walk(&["metadata", "ownerReferences"]).unwrap();
        assert_eq!(owners.list_type(), Some(ListType::Map(vec!["uid".into()])));
    }

    #[test]
    fn shapes_and_map_types() {
        let d = deploy();
        assert_eq!(d.shape(), Shape::Struct);
        assert_eq!(d.walk(&["metadata", "labels"]).unwrap().shape(), Shape::Map);
        let sel = d.walk(&["spec", "selector"]).unwrap();
        assert!(sel.is_atomic_map());
        assert_eq!(
            d.walk(&["spec", "replicas"]).unwrap().shape(),
            Shape::Scalar
        );
        let max = d
            .walk(&["spec", "strategy", "rollingUpdate", "maxSurge"])
            .unwrap();
        assert_eq!(max.shape(), Shape::Scalar);
        assert!(d.field("bogus").is_none());
        assert_eq!(
            d.walk(&["spec", "strategy"]).unwrap().patch_strategy(),
            vec!["retainKeys"]
        );
    }

    #[test]
    fn key_defaults_are_kept() {
        let p = Schema::builtin()
            .definition("io.k8s.api.core.v1.ContainerPort")
            .unwrap();
        assert_eq!(
            p.field("protocol").unwrap().default_value(),
            Some(&serde_json::json!("TCP"))
        );
    }
}
