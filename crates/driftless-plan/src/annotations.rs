//! Reading Argo CD / Helm annotations: hooks, delete policies, waves, sync options.

use driftless_core::annotations as ann;
use serde::Serialize;
use std::collections::BTreeMap;

/// A sync phase, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    /// Hooks that run before anything is applied.
    PreSync,
    /// Regular resources (and `Sync` hooks).
    Sync,
    /// Hooks that run once everything is applied and healthy.
    PostSync,
    /// Hooks that run only when the sync fails.
    SyncFail,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// When a hook object is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum HookDeletePolicy {
    /// After the hook succeeded.
    HookSucceeded,
    /// After the hook failed.
    HookFailed,
    /// Before a new instance of the hook is created (the default).
    BeforeHookCreation,
}

/// What an object's hook annotations say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HookKind {
    /// Not a hook: a regular resource.
    None,
    /// `argocd.argoproj.io/hook: Skip` alone: not applied at all.
    Skip,
    /// A hook running in these phases (deduplicated, ordered).
    Phases(Vec<Phase>),
}

/// Argo CD's comma-separated annotation values, trimmed, empty items dropped.
pub(crate) fn csv(value: Option<&str>) -> impl Iterator<Item = &str> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Hook classification as gitops-engine does it: Argo CD's hook annotation
/// wins; Helm's `helm.sh/hook` types are used only when the Argo CD
/// annotation names no valid type. A Helm hook annotation makes an object a
/// hook unless it is exactly `crd-install`; Helm hook types Argo CD does not
/// map (tests, pre-delete, …) make a hook that runs in no phase.
pub(crate) fn hook_kind<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> HookKind {
    let argo = get(ann::HOOK);
    let helm = get(ann::HELM_HOOK);
    let mut phases = Vec::new();
    let mut skip = false;
    for t in csv(argo) {
        match t {
            "PreSync" => phases.push(Phase::PreSync),
            "Sync" => phases.push(Phase::Sync),
            "PostSync" => phases.push(Phase::PostSync),
            "SyncFail" => phases.push(Phase::SyncFail),
            "Skip" => skip = true,
            _ => {}
        }
    }
    if phases.is_empty() && !skip {
        for t in csv(helm) {
            match t {
                "pre-install" | "pre-upgrade" => phases.push(Phase::PreSync),
                "post-install" | "post-upgrade" => phases.push(Phase::PostSync),
                _ => {}
            }
        }
    }
    phases.sort();
    phases.dedup();
    let is_hook = driftless_core::hook_annotations(argo, helm);
    if skip && phases.is_empty() {
        HookKind::Skip
    } else if is_hook {
        HookKind::Phases(phases)
    } else {
        HookKind::None
    }
}

/// Delete policies: the union of Argo CD's and Helm's annotations (as
/// gitops-engine does), `BeforeHookCreation` when neither names one.
pub(crate) fn delete_policies<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Vec<HookDeletePolicy> {
    let mut out = Vec::new();
    for t in csv(get(ann::HOOK_DELETE_POLICY)) {
        match t {
            "HookSucceeded" => out.push(HookDeletePolicy::HookSucceeded),
            "HookFailed" => out.push(HookDeletePolicy::HookFailed),
            "BeforeHookCreation" => out.push(HookDeletePolicy::BeforeHookCreation),
            _ => {}
        }
    }
    for t in csv(get(ann::HELM_HOOK_DELETE_POLICY)) {
        match t {
            "hook-succeeded" => out.push(HookDeletePolicy::HookSucceeded),
            "hook-failed" => out.push(HookDeletePolicy::HookFailed),
            "before-hook-creation" => out.push(HookDeletePolicy::BeforeHookCreation),
            _ => {}
        }
    }
    if out.is_empty() {
        out.push(HookDeletePolicy::BeforeHookCreation);
    }
    out.sort();
    out.dedup();
    out
}

/// The sync wave: `argocd.argoproj.io/sync-wave` when it is an integer, else
/// `helm.sh/hook-weight` when it is one, else 0 (gitops-engine's `syncwaves.Wave`).
pub(crate) fn wave<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> i64 {
    let int = |k| get(k).and_then(|v: &str| v.parse::<i64>().ok());
    int(ann::SYNC_WAVE)
        .or_else(|| int(ann::HELM_HOOK_WEIGHT))
        .unwrap_or(0)
}

/// Parses `argocd.argoproj.io/sync-options` (`Key=Value,…`; entries without
/// `=` are kept with an empty value). Helm's `resource-policy: keep` is
/// folded in as `Delete=false`.
pub(crate) fn sync_options<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for item in csv(get(ann::SYNC_OPTIONS)) {
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    if get(ann::HELM_RESOURCE_POLICY).map(str::trim) == Some("keep") {
        out.entry("Delete".into()).or_insert_with(|| "false".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
    }

    #[test]
    fn argo_hook_wins_over_helm() {
        let g = with(&[(ann::HOOK, "PostSync"), (ann::HELM_HOOK, "pre-install")]);
        assert_eq!(hook_kind(&g), HookKind::Phases(vec![Phase::PostSync]));
    }

    #[test]
    fn helm_hooks_map_to_phases() {
        let g = with(&[(ann::HELM_HOOK, "pre-install, post-upgrade,test")]);
        assert_eq!(
            hook_kind(&g),
            HookKind::Phases(vec![Phase::PreSync, Phase::PostSync])
        );
        let g = with(&[(ann::HELM_HOOK, "pre-upgrade"), (ann::HOOK, "Nope")]);
        assert_eq!(hook_kind(&g), HookKind::Phases(vec![Phase::PreSync]));
        // crd-install is not a hook; other unsupported Helm hooks run nowhere.
        assert_eq!(
            hook_kind(&with(&[(ann::HELM_HOOK, "crd-install")])),
            HookKind::None
        );
        assert_eq!(
            hook_kind(&with(&[(ann::HELM_HOOK, "test")])),
            HookKind::Phases(vec![])
        );
    }

    #[test]
    fn skip_alone_skips_and_with_others_is_ignored() {
        assert_eq!(hook_kind(&with(&[(ann::HOOK, "Skip")])), HookKind::Skip);
        assert_eq!(
            hook_kind(&with(&[(ann::HOOK, "Skip,PreSync")])),
            HookKind::Phases(vec![Phase::PreSync])
        );
    }

    #[test]
    fn wave_falls_back_to_hook_weight() {
        assert_eq!(wave(&with(&[(ann::SYNC_WAVE, "-3")])), -3);
        assert_eq!(
            wave(&with(&[
                (ann::SYNC_WAVE, "x"),
                (ann::HELM_HOOK_WEIGHT, "5")
            ])),
            5
        );
        assert_eq!(wave(&with(&[(ann::HELM_HOOK_WEIGHT, " 5")])), 0);
    }

    #[test]
    fn delete_policies_union_and_default() {
        let g = with(&[
            (ann::HOOK_DELETE_POLICY, "HookFailed"),
            (ann::HELM_HOOK_DELETE_POLICY, "hook-succeeded"),
        ]);
        assert_eq!(
            delete_policies(&g),
            vec![
                HookDeletePolicy::HookSucceeded,
                HookDeletePolicy::HookFailed
            ]
        );
        assert_eq!(
            delete_policies(&with(&[])),
            vec![HookDeletePolicy::BeforeHookCreation]
        );
    }

    #[test]
    fn keep_policy_is_delete_false() {
        let o = sync_options(&with(&[
            (ann::SYNC_OPTIONS, "Prune=false, ServerSideApply=true"),
            (ann::HELM_RESOURCE_POLICY, "keep"),
        ]));
        assert_eq!(o["Prune"], "false");
        assert_eq!(o["ServerSideApply"], "true");
        assert_eq!(o["Delete"], "false");
    }
}
