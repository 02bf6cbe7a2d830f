//! Create and update: the write pipeline shared by every client of the store.

use std::sync::Arc;

use serde_json::{Value, json};

use super::meta::{normalize_order, now_rfc3339, random_suffix, same_content, spec_part};
use super::watch::{EventType, WatchEvent};
use super::{State, Store, WriteOptions};
use crate::registry::{ResourceRef, ResourceType};
use crate::status::ApiError;
use crate::{patching, validate};

/// Which part of an object an update writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Main,
    Status,
}

fn meta_str<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get("metadata")
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn meta_mut(obj: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    obj["metadata"]
        .as_object_mut()
        .expect("metadata is an object")
}

/// Sets kind and apiVersion of a write to the served type's.
fn set_type(obj: &mut Value, rt: &ResourceType) {
    obj["kind"] = json!(rt.kind);
    obj["apiVersion"] = json!(rt.api_version());
}

/// What the server itself sets on a namespace.
fn prepare_namespace(obj: &mut Value, name: &str) {
    let meta = meta_mut(obj);
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if let Some(l) = labels.as_object_mut() {
        l.insert("kubernetes.io/metadata.name".into(), json!(name));
    }
    if obj.pointer("/spec/finalizers").is_none() {
        if !obj.get("spec").is_some_and(Value::is_object) {
            obj["spec"] = json!({});
        }
        obj["spec"]["finalizers"] = json!(["kubernetes"]);
    }
}

impl Store {
    /// Creates an object. `metadata.namespace` must be set for namespaced kinds
    /// (the HTTP layer fills it from the URL); `generateName` is honoured.
    pub fn create(
        &self,
        r: &ResourceRef,
        obj: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let rt = self.resource_type(r)?;
        let gr = rt.group_resource();
        let mut obj = obj;
        if !obj.is_object() {
            return Err(ApiError::bad_request(
                "the object to create is not a JSON object",
            ));
        }
        set_type(&mut obj, &rt);
        let name = match meta_str(&obj, "name") {
            Some(n) => n.to_string(),
            None => match meta_str(&obj, "generateName") {
                Some(g) => {
                    let n = format!("{g}{}", random_suffix());
                    meta_mut(&mut obj).insert("name".into(), json!(n));
                    n
                }
                None => {
                    return Err(ApiError::invalid(
                        &rt.group,
                        &rt.kind,
                        "",
                        vec![crate::status::Cause::new(
                            "FieldValueRequired",
                            "Required value: name or generateName is required",
                            "metadata.name",
                        )],
                    ));
                }
            },
        };
        let namespace = if rt.namespaced {
            match meta_str(&obj, "namespace") {
                Some(ns) => Some(ns.to_string()),
                None => {
                    return Err(ApiError::bad_request(format!(
                        "the namespace of the {} \"{name}\" is required",
                        rt.kind
                    )));
                }
            }
        } else {
            meta_mut(&mut obj).shift_remove("namespace");
            None
        };
        {
            let meta = meta_mut(&mut obj);
            for k in [
                "uid",
                "resourceVersion",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
                "selfLink",
            ] {
                meta.shift_remove(k);
            }
        }
        if rt.status_subresource {
            obj.as_object_mut().map(|m| m.shift_remove("status"));
        }
        crate::defaults::apply_defaults(&rt.group, &rt.version, &rt.kind, &mut obj);
        crate::crd_schema::admit(&rt, &mut obj);
        {
            let meta = meta_mut(&mut obj);
            meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
            meta.insert("creationTimestamp".into(), json!(now_rfc3339()));
            if rt.has_generation {
                meta.insert("generation".into(), json!(1));
            }
        }
        // The field manager sees the object as decoded and defaulted, before the
        // registry strategy (initial status, namespace finalizers, allocations).
        if let Some(m) = &opts.field_manager {
            patching::update_managed_fields(&rt, None, &mut obj, m, None)?;
        }
        if !rt.custom {
            crate::defaults::prepare_for_create(&rt.group, &rt.version, &rt.kind, &mut obj);
        }
        if rt.group.is_empty() && rt.kind == "Namespace" {
            prepare_namespace(&mut obj, &name);
        }
        validate::validate(&rt, &obj, None)?;
        crate::crd_schema::check(&rt, &obj)?;
        let is_service = rt.group.is_empty() && rt.kind == "Service";
        if is_service {
            self.allocate_service(&rt, &mut obj, None)?;
        }
        let release = |obj: &Value| {
            if is_service {
                self.inner
                    .services
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .release(obj);
            }
        };
        let mut state = self.write_state();
        if let Some(ns) = &namespace
            && let Err(e) = check_namespace(&state, ns, &gr, &name)
        {
            release(&obj);
            return Err(e);
        }
        let key = Self::key(&rt, namespace.as_deref(), &name);
        if state.objects.get(&gr).is_some_and(|m| m.contains_key(&key)) {
            release(&obj);
            return Err(ApiError::already_exists(&gr, &name));
        }
        if opts.dry_run {
            release(&obj);
            normalize_order(&mut obj);
            return Ok(obj);
        }
        state.rv += 1;
        let rv = state.rv;
        meta_mut(&mut obj).insert("resourceVersion".into(), json!(rv.to_string()));
        normalize_order(&mut obj);
        let stored = Arc::new(obj.clone());
        state
            .objects
            .entry(gr.clone())
            .or_default()
            .insert(key, stored.clone());
        self.emit(&mut state, EventType::Added, &rt, stored, None);
        drop(state);
        self.after_write(&rt, &obj, false);
        Ok(obj)
    }

    /// Replaces an object (PUT). A non-empty `metadata.resourceVersion` must match the
    /// stored one (else 409 Conflict). With a status subresource, status changes are
    /// ignored here (use [`Store::update_status`]).
    pub fn update(
        &self,
        r: &ResourceRef,
        obj: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        self.write_update(r, obj, opts, Part::Main)
    }

    /// Writes the `/status` subresource: only `status` of `obj` is taken.
    pub fn update_status(
        &self,
        r: &ResourceRef,
        obj: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let rt = self.resource_type(r)?;
        let part = if rt.status_subresource {
            Part::Status
        } else {
            Part::Main
        };
        self.write_update(r, obj, opts, part)
    }

    pub(crate) fn write_update(
        &self,
        r: &ResourceRef,
        obj: Value,
        opts: &WriteOptions,
        part: Part,
    ) -> Result<Value, ApiError> {
        let rt = self.resource_type(r)?;
        let gr = rt.group_resource();
        let mut obj = obj;
        if !obj.is_object() {
            return Err(ApiError::bad_request(
                "the object to update is not a JSON object",
            ));
        }
        let name = meta_str(&obj, "name")
            .ok_or_else(|| ApiError::bad_request("name is required in an update"))?
            .to_string();
        let namespace = meta_str(&obj, "namespace").map(str::to_string);
        let key = Self::key(&rt, namespace.as_deref(), &name);
        let precondition = meta_str(&obj, "resourceVersion").map(str::to_string);
        let mut state = self.write_state();
        let old = state
            .objects
            .get(&gr)
            .and_then(|m| m.get(&key))
            .cloned()
            .ok_or_else(|| ApiError::not_found(&gr, &name))?;
        let old_rv = meta_str(&old, "resourceVersion").unwrap_or("").to_string();
        if let Some(p) = &precondition
            && *p != old_rv
        {
            return Err(ApiError::stale(&gr, &name));
        }
        if let Some(uid) = meta_str(&obj, "uid")
            && Some(uid) != meta_str(&old, "uid")
        {
            return Err(ApiError::conflict(
                &gr,
                &name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                    meta_str(&old, "uid").unwrap_or("")
                ),
            ));
        }
        set_type(&mut obj, &rt);
        let mut new = match part {
            Part::Main => {
                let mut n = obj;
                if rt.status_subresource {
                    match old.get("status") {
                        Some(s) => n["status"] = s.clone(),
                        None => {
                            n.as_object_mut().map(|m| m.shift_remove("status"));
                        }
                    }
                }
                n
            }
            Part::Status => {
                // Status writes keep the stored spec; custom resources take nothing
                // but status, built-in kinds also take metadata (a Deployment's
                // revision annotation is written with its status).
                let mut n = if rt.custom {
                    let mut n = (*old).clone();
                    set_type(&mut n, &rt);
                    if let Some(mf) = obj.pointer("/metadata/managedFields") {
                        meta_mut(&mut n).insert("managedFields".into(), mf.clone());
                    }
                    n
                } else {
                    let mut n = obj.clone();
                    match old.get("spec") {
                        Some(s) => n["spec"] = s.clone(),
                        None => {
                            n.as_object_mut().map(|m| m.shift_remove("spec"));
                        }
                    }
                    if rt.group == "apps" && rt.kind == "Deployment" {
                        match old.pointer("/metadata/labels") {
                            Some(l) => meta_mut(&mut n).insert("labels".into(), l.clone()),
                            None => meta_mut(&mut n).shift_remove("labels"),
                        };
                    }
                    n
                };
                match obj.get("status") {
                    Some(s) => n["status"] = s.clone(),
                    None => {
                        n.as_object_mut().map(|m| m.shift_remove("status"));
                    }
                }
                n
            }
        };
        {
            let old_meta = old
                .get("metadata")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let meta = meta_mut(&mut new);
            for k in [
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ] {
                match old_meta.get(k) {
                    Some(v) => {
                        meta.insert(k.into(), v.clone());
                    }
                    None => {
                        meta.shift_remove(k);
                    }
                }
            }
            meta.shift_remove("selfLink");
            meta.insert("resourceVersion".into(), json!(old_rv));
            let mf_empty = meta
                .get("managedFields")
                .is_none_or(|v| v.as_array().is_none_or(|a| a.is_empty()));
            if mf_empty && let Some(mf) = old_meta.get("managedFields") {
                meta.insert("managedFields".into(), mf.clone());
            }
            // Once deleting, finalizers may only be removed.
            if old_meta.contains_key("deletionTimestamp") {
                let old_f: Vec<Value> = old_meta
                    .get("finalizers")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if let Some(Value::Array(f)) = meta.get("finalizers")
                    && f.iter().any(|x| !old_f.contains(x))
                {
                    return Err(ApiError::forbidden(
                        &gr,
                        &name,
                        "no new finalizers can be added if the object is being deleted",
                    ));
                }
            }
        }
        if rt.group.is_empty() && rt.kind == "Namespace" {
            prepare_namespace(&mut new, &name);
            if part == Part::Main
                && let Some(s) = old.get("status")
            {
                new["status"] = s.clone();
            }
        }
        crate::defaults::apply_defaults(&rt.group, &rt.version, &rt.kind, &mut new);
        crate::crd_schema::admit(&rt, &mut new);
        if let Some(m) = &opts.field_manager {
            let sub = (part == Part::Status)
                .then_some("status")
                .or(opts.subresource.as_deref());
            patching::update_managed_fields(&rt, Some(&old), &mut new, m, sub)?;
        }
        if !rt.custom {
            crate::defaults::prepare_for_update(&rt.group, &rt.kind, &old, &mut new);
        }
        validate::validate(&rt, &new, Some(&old))?;
        crate::crd_schema::check(&rt, &new)?;
        if rt.group.is_empty() && rt.kind == "Service" && !opts.dry_run {
            self.allocate_service(&rt, &mut new, Some(&old))?;
        }
        // A Deployment's annotations are copied to its ReplicaSets, so changing them
        // bumps the generation too (the registry strategy does this). The revision
        // annotation is written by the controller through /status in a real cluster
        // and never bumps it; the simulated controller writes it on the main resource.
        let user_annotations = |o: &Value| {
            let mut a = o
                .pointer("/metadata/annotations")
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(m) = a.as_object_mut() {
                m.shift_remove("deployment.kubernetes.io/revision");
                if m.is_empty() {
                    a = Value::Null;
                }
            }
            a
        };
        let annotations_changed = part == Part::Main
            && rt.group == "apps"
            && rt.kind == "Deployment"
            && user_annotations(&old) != user_annotations(&new);
        if rt.has_generation && (spec_part(&old) != spec_part(&new) || annotations_changed) {
            let g = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            meta_mut(&mut new).insert("generation".into(), json!(g + 1));
        }
        normalize_order(&mut new);
        if same_content(&old, &new) {
            let mut o = (*old).clone();
            set_type(&mut o, &rt);
            return Ok(o);
        }
        if opts.dry_run {
            return Ok(new);
        }
        let finished = new.pointer("/metadata/deletionTimestamp").is_some()
            && new
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_none_or(|a| a.is_empty())
            && !(rt.group.is_empty() && rt.kind == "Namespace" && has_spec_finalizers(&new));
        state.rv += 1;
        let rv = state.rv;
        meta_mut(&mut new).insert("resourceVersion".into(), json!(rv.to_string()));
        let stored = Arc::new(new.clone());
        if finished {
            if let Some(m) = state.objects.get_mut(&gr) {
                m.remove(&key);
            }
            self.emit(&mut state, EventType::Deleted, &rt, stored, Some(old));
            drop(state);
            self.after_remove(&rt, &new);
        } else {
            state
                .objects
                .entry(gr)
                .or_default()
                .insert(key, stored.clone());
            self.emit(&mut state, EventType::Modified, &rt, stored, Some(old));
            drop(state);
            self.after_write(&rt, &new, true);
        }
        Ok(new)
    }

    fn allocate_service(
        &self,
        rt: &ResourceType,
        svc: &mut Value,
        old: Option<&Value>,
    ) -> Result<(), ApiError> {
        let mut alloc = self
            .inner
            .services
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        alloc.allocate(svc, old).map_err(|e| {
            let name = svc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            ApiError::invalid(
                &rt.group,
                &rt.kind,
                name,
                vec![crate::status::Cause::new(
                    e.0.reason(),
                    e.0.message(),
                    e.0.field.clone(),
                )],
            )
        })
    }

    /// Records an event in the history and broadcasts it (called with the write lock held,
    /// so watchers see events in resourceVersion order).
    pub(crate) fn emit(
        &self,
        state: &mut State,
        event_type: EventType,
        rt: &ResourceType,
        object: Arc<Value>,
        previous: Option<Arc<Value>>,
    ) {
        let ev = Arc::new(WatchEvent {
            event_type,
            resource: rt.group_resource(),
            namespace: object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            object,
            previous,
            resource_version: state.rv,
        });
        state.history.push_back(ev.clone());
        while state.history.len() > self.inner.history_limit {
            if let Some(e) = state.history.pop_front() {
                state.oldest_rv = e.resource_version;
            }
        }
        let _ = self.inner.events.send(ev);
        self.inner.changed.notify_one();
    }

    /// Hooks after an object was stored: CRDs register their kinds.
    fn after_write(&self, rt: &ResourceType, obj: &Value, _update: bool) {
        if rt.group == "apiextensions.k8s.io" && rt.kind == "CustomResourceDefinition" {
            patching::register_crd(obj);
            if let Some((group, plural, types)) = crate::registry::types_from_crd(obj) {
                self.inner.registry.set_custom(&group, &plural, types);
            }
        }
        if obj.pointer("/metadata/deletionTimestamp").is_some() {
            self.inner.gc.notify_one();
        }
    }
}

fn has_spec_finalizers(ns: &Value) -> bool {
    ns.pointer("/spec/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// The namespace must exist and not be terminating.
fn check_namespace(
    state: &State,
    ns: &str,
    gr: &crate::registry::GroupResource,
    name: &str,
) -> Result<(), ApiError> {
    let nsgr = crate::registry::GroupResource {
        group: String::new(),
        resource: "namespaces".into(),
    };
    let found = state
        .objects
        .get(&nsgr)
        .and_then(|m| m.get(&(String::new(), ns.to_string())));
    match found {
        None => Err(ApiError::not_found(&nsgr, ns)),
        Some(n) if n.pointer("/metadata/deletionTimestamp").is_some() => {
            let mut e = ApiError::forbidden(
                gr,
                name,
                &format!(
                    "unable to create new content in namespace {ns} because it is being terminated"
                ),
            );
            e.causes.push(crate::status::Cause::new(
                "NamespaceTerminating",
                format!("namespace {ns} is being terminated"),
                "metadata.namespace",
            ));
            Err(e)
        }
        Some(_) => Ok(()),
    }
}
