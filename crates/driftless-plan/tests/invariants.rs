//! Property tests of plan ordering invariants.

use driftless_core::{Manifest, ObjectKey, Provenance};
use driftless_plan::{Action, LiveObject, Phase, PlanOptions, kind_rank, plan};
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashMap;

const KINDS: [(&str, &str, bool); 9] = [
    ("v1", "Namespace", false),
    ("v1", "ConfigMap", true),
    ("v1", "Service", true),
    ("apps/v1", "Deployment", true),
    ("batch/v1", "Job", true),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", false),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", false),
    ("example.com/v1", "Widget", true),
    ("example.com/v1", "Gadget", true),
];
const HOOKS: [Option<&str>; 6] = [
    None,
    None,
    None,
    Some("PreSync"),
    Some("PostSync,PreSync"),
    Some("SyncFail"),
];

#[derive(Debug, Clone)]
struct Obj {
    kind: usize,
    name: u8,
    ns: u8,
    wave: Option<i8>,
    hook: usize,
    dep: Option<usize>,
}

fn obj() -> impl Strategy<Value = Obj> {
    (
        0..KINDS.len(),
        0u8..6,
        0u8..3,
        proptest::option::of(-3i8..4),
        0..HOOKS.len(),
        proptest::option::of(0usize..40),
    )
        .prop_map(|(kind, name, ns, wave, hook, dep)| Obj {
            kind,
            name,
            ns,
            wave,
            hook,
            dep,
        })
}

fn to_manifest(o: &Obj, deps: Option<String>) -> Manifest {
    let (api, kind, namespaced) = KINDS[o.kind];
    let name = match kind {
        "Namespace" => format!("ns{}", o.ns),
        "CustomResourceDefinition" => format!("crd{}", o.name % 2),
        _ => format!("o{}", o.name),
    };
    let mut v =
        json!({"apiVersion": api, "kind": kind, "metadata": {"name": name, "annotations": {}}});
    if namespaced {
        v["metadata"]["namespace"] = json!(format!("ns{}", o.ns));
    }
    if kind == "CustomResourceDefinition" {
        let k = if o.name.is_multiple_of(2) {
            "Widget"
        } else {
            "Gadget"
        };
        v["spec"] = json!({"group": "example.com", "names": {"kind": k}});
    }
    let ann = &mut v["metadata"]["annotations"];
    if let Some(w) = o.wave {
        ann["argocd.argoproj.io/sync-wave"] = json!(w.to_string());
    }
    if let Some(h) = HOOKS[o.hook] {
        ann["argocd.argoproj.io/hook"] = json!(h);
    }
    if let Some(d) = deps {
        ann["driftless.dev/depends-on"] = json!(d);
    }
    Manifest::new(v, Provenance::default()).unwrap()
}

fn wave_of(m: &Manifest) -> i64 {
    m.annotation("argocd.argoproj.io/sync-wave")
        .and_then(|w| w.parse().ok())
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn plan_invariants(objs in proptest::collection::vec(obj(), 0..40),
                       live_waves in proptest::collection::vec((0u8..8, -2i8..3, any::<bool>()), 0..10),
                       prune_last in any::<bool>()) {
        // Deduplicate by key; dependencies only on regular objects of an earlier-or-same wave.
        let mut manifests: Vec<Manifest> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for o in &objs {
            let m = to_manifest(o, None);
            if seen.insert(m.key().clone()) {
                let dep = o.dep.and_then(|d| manifests.get(d)).filter(|t| {
                    t.annotation("argocd.argoproj.io/hook").is_none()
                        && m.annotation("argocd.argoproj.io/hook").is_none()
                        && wave_of(t) <= wave_of(&m)
                        && !matches!(t.key().kind.as_str(), "Namespace" | "CustomResourceDefinition")
                        // Namespaces and CRDs may be moved earlier, so they get no explicit dependencies.
                        && !matches!(m.key().kind.as_str(), "Namespace" | "CustomResourceDefinition")
                }).map(|t| {
                    let k = t.key();
                    let group = if k.group.is_empty() { String::new() } else { format!(".{}", k.group) };
                    match &k.namespace {
                        Some(ns) => format!("{}{group}/{ns}/{}", k.kind, k.name),
                        None => format!("{}{group}/{}", k.kind, k.name),
                    }
                });
                manifests.push(to_manifest(o, dep));
            }
        }
        let live: Vec<LiveObject> = live_waves.iter().map(|(n, w, pl)| {
            let mut l = LiveObject::new(ObjectKey::new("v1", "ConfigMap", Some("old"), &format!("gone{n}")))
                .with_annotation("argocd.argoproj.io/sync-wave", &w.to_string());
            if *pl { l = l.with_annotation("argocd.argoproj.io/sync-options", "PruneLast=true"); }
            l
        }).collect();
        let live: Vec<LiveObject> = { let mut m = HashMap::new(); for l in live { m.insert(l.key.clone(), l); } m.into_values().collect() };
        let opts = PlanOptions { prune: true, prune_last, revision: "abc".into(), started_at: 1, ..Default::default() };
        let p = plan(&manifests, &live, &opts).unwrap();

        // Every desired object appears exactly once per phase it runs in.
        for m in &manifests {
            let expected = match m.annotation("argocd.argoproj.io/hook") {
                None => 1,
                Some(h) => h.split(',').count(),
            };
            let found = p.steps.iter().filter(|s| s.key == *m.key() && s.action != Action::Prune).count();
            prop_assert_eq!(found, expected, "{}", m.key());
        }
        prop_assert_eq!(p.prunes().count(), live.len());

        for (i, s) in p.steps.iter().enumerate() {
            prop_assert_eq!(s.index, i);
            // Dependencies come earlier, never in a later phase or wave.
            for &d in &s.depends_on {
                prop_assert!(d < i);
                prop_assert!((p.steps[d].phase, p.steps[d].wave) <= (s.phase, s.wave));
                if (p.steps[d].phase, p.steps[d].wave) == (s.phase, s.wave) {
                    prop_assert!(p.steps[d].level < s.level);
                }
            }
            // Namespaces and CRDs come before what they contain/define.
            for (j, t) in p.steps.iter().enumerate() {
                if t.action == Action::Prune || s.action == Action::Prune { continue; }
                let contains = t.key.kind == "Namespace" && s.key.namespace.as_deref() == Some(t.key.name.as_str());
                if contains && t.phase != Phase::SyncFail && s.phase != Phase::SyncFail {
                    prop_assert!(j < i, "{} after {}", t.key, s.key);
                }
            }
            if i == 0 { continue; }
            let prev = &p.steps[i - 1];
            // Phases in order; waves non-decreasing within a phase; levels within a wave.
            prop_assert!(prev.phase <= s.phase);
            if prev.phase == s.phase {
                prop_assert!(prev.wave <= s.wave);
                if prev.wave == s.wave {
                    prop_assert!(prev.level <= s.level);
                    if prev.level == s.level {
                        // Kind order, then name, inside one group.
                        let a = (kind_rank(&prev.key.kind), prev.key.name.as_str());
                        let b = (kind_rank(&s.key.kind), s.key.name.as_str());
                        prop_assert!(a <= b, "{:?} before {:?}", a, b);
                    }
                }
            }
        }
        // Prunes in reverse order of their live waves (PruneLast ones last).
        let live_wave: HashMap<&ObjectKey, (i64, bool)> = live.iter().map(|l| {
            let w = l.annotations["argocd.argoproj.io/sync-wave"].parse().unwrap();
            (&l.key, (w, prune_last || l.annotations.contains_key("argocd.argoproj.io/sync-options")))
        }).collect();
        let max_wave = p.steps.iter().filter(|s| s.phase == Phase::Sync).map(|s| s.wave).max().unwrap_or(0);
        for a in p.prunes() {
            let (wa, la) = live_wave[&a.key];
            if la { prop_assert_eq!(a.wave, max_wave); }
            for b in p.prunes() {
                let (wb, lb) = live_wave[&b.key];
                if !la && !lb && wa < wb {
                    prop_assert!(a.wave > b.wave);
                }
            }
        }
    }
}
