//! Deletion: propagation policies, finalizers, deletionTimestamp.

use std::sync::Arc;

use serde_json::{Value, json};

use super::meta::{normalize_order, now_rfc3339};
use super::watch::EventType;
use super::{ListOptions, Store};
use crate::registry::{GroupResource, ResourceRef, ResourceType};
use crate::status::ApiError;

/// How dependents (objects whose ownerReferences point here) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    /// Dependents are deleted first; the owner waits with the `foregroundDeletion` finalizer.
    Foreground,
    /// The owner goes now; the garbage collector deletes dependents afterwards.
    Background,
    /// Dependents are kept, their ownerReferences to this owner removed.
    Orphan,
}

impl Propagation {
    /// Parses `Foreground`, `Background` or `Orphan`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Foreground" => Some(Self::Foreground),
            "Background" => Some(Self::Background),
            "Orphan" => Some(Self::Orphan),
            _ => None,
        }
    }
}

/// Options of a delete.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    /// Propagation policy; None uses the resource's default (Background; Orphan for Jobs).
    pub propagation: Option<Propagation>,
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `preconditions.uid`.
    pub precondition_uid: Option<String>,
    /// `preconditions.resourceVersion`.
    pub precondition_rv: Option<String>,
}

/// What a delete did.
#[derive(Debug, Clone)]
pub enum DeleteOutcome {
    /// The object is gone; its last state.
    Deleted(Value),
    /// The object is being deleted and waits on finalizers; its current state.
    Pending(Value),
}

impl DeleteOutcome {
    /// The object in either case.
    pub fn object(&self) -> &Value {
        match self {
            Self::Deleted(v) | Self::Pending(v) => v,
        }
    }
}

impl Store {
    /// Deletes an object.
    pub fn delete(
        &self,
        r: &ResourceRef,
        namespace: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<DeleteOutcome, ApiError> {
        let rt = self.resource_type(r)?;
        let gr = rt.group_resource();
        let key = Self::key(&rt, namespace, name);
        let mut state = self.write_state();
        let old = state
            .objects
            .get(&gr)
            .and_then(|m| m.get(&key))
            .cloned()
            .ok_or_else(|| ApiError::not_found(&gr, name))?;
        let meta_s = |k: &str| {
            old.pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        if let Some(uid) = &opts.precondition_uid {
            let actual = meta_s("uid").unwrap_or_default();
            if *uid != actual {
                return Err(ApiError::conflict(
                    &gr,
                    name,
                    &format!(
                        "Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"
                    ),
                ));
            }
        }
        if let Some(rv) = &opts.precondition_rv {
            let actual = meta_s("resourceVersion").unwrap_or_default();
            if *rv != actual {
                return Err(ApiError::conflict(
                    &gr,
                    name,
                    &format!(
                        "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {actual}"
                    ),
                ));
            }
        }
        let policy = opts.propagation.unwrap_or(match rt.default_propagation {
            "Orphan" => Propagation::Orphan,
            _ => Propagation::Background,
        });
        let is_namespace = rt.group.is_empty() && rt.kind == "Namespace";
        let mut new = (*old).clone();
        new["apiVersion"] = json!(rt.api_version());
        let mut finalizers: Vec<Value> = new
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let fg = json!("foregroundDeletion");
        let orphan = json!("orphan");
        match policy {
            Propagation::Foreground => {
                finalizers.retain(|f| *f != orphan);
                if !finalizers.contains(&fg) {
                    finalizers.push(fg);
                }
            }
            Propagation::Orphan => {
                finalizers.retain(|f| *f != fg);
                if !finalizers.contains(&orphan) {
                    finalizers.push(orphan);
                }
            }
            Propagation::Background => {}
        }
        let already = old.pointer("/metadata/deletionTimestamp").is_some();
        if finalizers.is_empty() && !is_namespace {
            if opts.dry_run {
                return Ok(DeleteOutcome::Deleted(new));
            }
            state.rv += 1;
            let rv = state.rv;
            new["metadata"]["resourceVersion"] = json!(rv.to_string());
            if let Some(m) = state.objects.get_mut(&gr) {
                m.remove(&key);
            }
            let stored = Arc::new(new.clone());
            self.emit(&mut state, EventType::Deleted, &rt, stored, Some(old));
            drop(state);
            self.after_remove(&rt, &new);
            return Ok(DeleteOutcome::Deleted(new));
        }
        {
            let meta = new["metadata"].as_object_mut().expect("metadata");
            if finalizers.is_empty() {
                meta.shift_remove("finalizers");
            } else {
                meta.insert("finalizers".into(), Value::Array(finalizers));
            }
            if !already {
                meta.insert("deletionTimestamp".into(), json!(now_rfc3339()));
                meta.insert("deletionGracePeriodSeconds".into(), json!(0));
                // Marking an object as deleting bumps its generation (controllers react).
                if let Some(g) = meta
                    .get("generation")
                    .and_then(Value::as_i64)
                    .filter(|g| *g > 0)
                {
                    meta.insert("generation".into(), json!(g + 1));
                }
            }
        }
        if is_namespace {
            new["status"]["phase"] = json!("Terminating");
        }
        normalize_order(&mut new);
        if opts.dry_run || super::meta::same_content(&old, &new) {
            return Ok(DeleteOutcome::Pending(new));
        }
        state.rv += 1;
        new["metadata"]["resourceVersion"] = json!(state.rv.to_string());
        let stored = Arc::new(new.clone());
        state
            .objects
            .entry(gr)
            .or_default()
            .insert(key, stored.clone());
        self.emit(&mut state, EventType::Modified, &rt, stored, Some(old));
        drop(state);
        self.inner.gc.notify_one();
        Ok(DeleteOutcome::Pending(new))
    }

    /// Deletes every object matching `opts` in a namespace (or all); returns the
    /// deleted or pending objects.
    pub fn delete_collection(
        &self,
        r: &ResourceRef,
        namespace: Option<&str>,
        list: &ListOptions,
        opts: &DeleteOptions,
    ) -> Result<Vec<Value>, ApiError> {
        let items = self.list(
            r,
            namespace,
            &ListOptions {
                limit: 0,
                continue_token: None,
                ..list.clone()
            },
        )?;
        let mut out = Vec::new();
        for item in items.items {
            let ns = item.pointer("/metadata/namespace").and_then(Value::as_str);
            let name = item
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            match self.delete(r, ns, name, opts) {
                Ok(o) => out.push(o.object().clone()),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Hooks after an object left the store: a deleted CRD takes its kinds and objects with it.
    pub(crate) fn after_remove(&self, rt: &ResourceType, obj: &Value) {
        self.inner.gc.notify_one();
        if rt.group.is_empty() && rt.kind == "Service" {
            self.inner
                .services
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .release(obj);
        }
        if rt.group == "apiextensions.k8s.io" && rt.kind == "CustomResourceDefinition" {
            let Some((group, plural, _)) = crate::registry::types_from_crd(obj) else {
                return;
            };
            let gr = GroupResource {
                group: group.clone(),
                resource: plural.clone(),
            };
            let preferred = self.inner.registry.preferred(&gr);
            let mut state = self.write_state();
            if let (Some(map), Some(prt)) = (state.objects.remove(&gr), preferred) {
                for (_, o) in map {
                    state.rv += 1;
                    let mut o = (*o).clone();
                    o["metadata"]["resourceVersion"] = json!(state.rv.to_string());
                    self.emit(&mut state, EventType::Deleted, &prt, Arc::new(o), None);
                }
            }
            drop(state);
            self.inner.registry.remove_custom(&group, &plural);
        }
    }
}
