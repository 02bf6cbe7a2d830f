//! Sync options, as Argo CD spells them (`Key=Value`), per application and per object.

use driftless_core::{Manifest, annotations};

/// How pruned objects are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Dependents deleted before the owner (Argo CD's default).
    #[default]
    Foreground,
    /// Owner deleted at once, dependents by the garbage collector.
    Background,
    /// Dependents kept.
    Orphan,
}

impl Propagation {
    /// The Kubernetes `propagationPolicy` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Propagation::Foreground => "Foreground",
            Propagation::Background => "Background",
            Propagation::Orphan => "Orphan",
        }
    }
}

/// Sync options in force for one object (application options overlaid by the object's own).
///
/// ```
/// use driftless_apply::SyncOptions;
/// let app = SyncOptions::parse(["CreateNamespace=true", "PrunePropagationPolicy=background"]).unwrap();
/// assert!(app.create_namespace);
/// let obj = app.overlay(["Prune=false"]).unwrap();
/// assert!(!obj.prune && obj.create_namespace);
/// assert!(SyncOptions::parse(["Frobnicate=true"]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// `Prune=false` keeps the object when it leaves Git (`Prune=confirm` is treated as false).
    pub prune: bool,
    /// `Delete=false` keeps the object when the application is deleted or it is pruned.
    pub delete: bool,
    /// `Replace=true`: replace instead of apply.
    pub replace: bool,
    /// `Force=true`: delete and re-create when apply/replace is refused.
    pub force: bool,
    /// `ServerSideApply` (Driftless' default is true).
    pub server_side_apply: bool,
    /// `ApplyOutOfSyncOnly=true`: skip objects already in sync.
    pub apply_out_of_sync_only: bool,
    /// `PruneLast=true`: prune after every wave.
    pub prune_last: bool,
    /// `PrunePropagationPolicy`.
    pub prune_propagation: Propagation,
    /// `CreateNamespace=true`: create the destination namespace.
    pub create_namespace: bool,
    /// `FailOnSharedResource=true`: fail when another application tracks the object.
    pub fail_on_shared_resource: bool,
    /// `Validate=false`: skip schema validation (fieldValidation=Ignore).
    pub validate: bool,
    /// `SkipDryRunOnMissingResource=true`: do not dry-run objects whose kind is not known yet.
    pub skip_dry_run_on_missing_resource: bool,
    /// `RespectIgnoreDifferences=true`: fields the application's `ignoreDifferences` ignore keep
    /// their live values on sync (the runtime rewrites the desired objects before planning).
    pub respect_ignore_differences: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            prune: true,
            delete: true,
            replace: false,
            force: false,
            server_side_apply: true,
            apply_out_of_sync_only: false,
            prune_last: false,
            prune_propagation: Propagation::Foreground,
            create_namespace: false,
            fail_on_shared_resource: false,
            validate: true,
            skip_dry_run_on_missing_resource: false,
            respect_ignore_differences: false,
        }
    }
}

/// A sync option that Driftless does not know or whose value is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid sync option {option:?}: {reason}")]
pub struct OptionError {
    /// The option as given.
    pub option: String,
    /// What is wrong with it.
    pub reason: String,
}

impl SyncOptions {
    /// Parses application-level options over the defaults.
    pub fn parse<I, S>(options: I) -> Result<Self, OptionError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        SyncOptions::default().overlay(options)
    }

    /// These options with `options` applied on top (object options over application ones).
    pub fn overlay<I, S>(&self, options: I) -> Result<Self, OptionError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = self.clone();
        for option in options {
            out.set(option.as_ref().trim())?;
        }
        Ok(out)
    }

    /// The options in force for `manifest`: these, overlaid by its `sync-options` annotation.
    pub fn for_manifest(&self, manifest: &Manifest) -> Result<Self, OptionError> {
        match manifest.annotation(annotations::SYNC_OPTIONS) {
            Some(list) => self
                .overlay(list.split(',').filter(|s| !s.trim().is_empty()))
                .map_err(|e| OptionError {
                    reason: format!("{} (annotation on {})", e.reason, manifest.key()),
                    ..e
                }),
            None => Ok(self.clone()),
        }
    }

    fn set(&mut self, option: &str) -> Result<(), OptionError> {
        let err = |reason: &str| OptionError {
            option: option.to_string(),
            reason: reason.to_string(),
        };
        let (key, value) = option
            .split_once('=')
            .ok_or_else(|| err("expected Key=Value"))?;
        let flag = || match value.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" | "confirm" => Ok(false),
            _ => Err(err("expected true or false")),
        };
        match key.trim() {
            "Prune" => self.prune = flag()?,
            "Delete" => self.delete = flag()?,
            "Replace" => self.replace = flag()?,
            "Force" => self.force = flag()?,
            "ServerSideApply" => self.server_side_apply = flag()?,
            "ApplyOutOfSyncOnly" => self.apply_out_of_sync_only = flag()?,
            "PruneLast" => self.prune_last = flag()?,
            "CreateNamespace" => self.create_namespace = flag()?,
            "FailOnSharedResource" => self.fail_on_shared_resource = flag()?,
            "Validate" => self.validate = flag()?,
            "SkipDryRunOnMissingResource" => self.skip_dry_run_on_missing_resource = flag()?,
            "RespectIgnoreDifferences" => self.respect_ignore_differences = flag()?,
            "PrunePropagationPolicy" => {
                self.prune_propagation = match value.trim().to_ascii_lowercase().as_str() {
                    "foreground" => Propagation::Foreground,
                    "background" => Propagation::Background,
                    "orphan" => Propagation::Orphan,
                    _ => return Err(err("expected foreground, background or orphan")),
                }
            }
            _ => return Err(err("unknown option")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftless_core::Provenance;

    #[test]
    fn object_annotation_overrides_application() {
        let app = SyncOptions::parse(["Prune=true"]).unwrap();
        let m = Manifest::new(
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "annotations": {annotations::SYNC_OPTIONS: "Prune=false, Replace=true"}}}),
            Provenance::default(),
        )
        .unwrap();
        let o = app.for_manifest(&m).unwrap();
        assert!(!o.prune);
        assert!(o.replace);
    }

    #[test]
    fn bad_annotation_names_the_object() {
        let m = Manifest::new(
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "n", "annotations": {annotations::SYNC_OPTIONS: "Prune=maybe"}}}),
            Provenance::default(),
        )
        .unwrap();
        let e = SyncOptions::default().for_manifest(&m).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid sync option \"Prune=maybe\": expected true or false (annotation on ConfigMap:n/c)"
        );
    }

    #[test]
    fn missing_equals_is_refused() {
        assert!(SyncOptions::parse(["Prune"]).is_err());
    }
}
