//! Runs the controllers as one tokio task on a [`Store`]: after every relevant
//! change (debounced) and on a tick while time-driven transitions are pending,
//! it snapshots the store into a [`World`], asks each controller for
//! [`Action`]s and applies them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::world::{
    Action, WATCHED, World, controller_uid, deleting, kind, name, namespace, resource_of, uid,
};
use super::{
    WorkloadConfig, cluster, cronjob, daemonset, deployment, hpa, job, network, pods, replicaset,
    revisions, scheduler, statefulset,
};
use crate::registry::ResourceRef;
use crate::store::{DeleteOptions, Propagation, Store, WriteOptions};

const CONTROLLER_MANAGER: &str = "kube-controller-manager";

/// Handle of the running controllers; dropping it does not stop them (call [`Controllers::stop`]).
#[derive(Debug)]
pub struct Controllers {
    task: tokio::task::JoinHandle<()>,
}

impl Controllers {
    /// Stops the controllers.
    pub fn stop(&self) {
        self.task.abort();
    }

    /// The task running the controllers.
    pub fn into_handle(self) -> tokio::task::JoinHandle<()> {
        self.task
    }
}

/// Starts the workload controllers on `store` (needs a tokio runtime).
pub fn start(store: Store, config: WorkloadConfig) -> Controllers {
    let task = tokio::spawn(async move {
        let mut rx = store.subscribe();
        let mut runner = Runner::new(store, config);
        runner.ensure_nodes();
        loop {
            // A malformed object must not stop the simulation: a panicking pass is logged and retried.
            let pending =
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runner.pass())) {
                    Ok(p) => p,
                    Err(_) => {
                        tracing::error!("workload controller pass panicked; retrying");
                        true
                    }
                };
            let wait = if pending {
                runner.config.tick
            } else {
                Duration::from_secs(1)
            };
            let sleep = tokio::time::sleep(wait);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    ev = rx.recv() => match ev {
                        Ok(ev) => {
                            if WATCHED.iter().any(|w| w.0 == ev.resource.group && w.2 == ev.resource.resource) {
                                break;
                            }
                        }
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return,
                    },
                    _ = &mut sleep => break,
                }
            }
            // Debounce bursts of changes (a kubectl apply of many objects).
            tokio::time::sleep(Duration::from_millis(15)).await;
            while rx.try_recv().is_ok() {}
        }
    });
    Controllers { task }
}

/// The controllers' memory between passes.
pub struct Runner {
    store: Store,
    config: WorkloadConfig,
    /// When each pod was first seen scheduled (kubelet timing).
    pod_seen: HashMap<String, Instant>,
    pod_ips: HashMap<String, String>,
    used_ips: std::collections::HashSet<String>,
    next_ip: u32,
    /// Recorded events by (namespace, involved uid, reason, message) → event name, for aggregation.
    events: HashMap<(String, String, String, String), String>,
    /// Objects whose last reconcile changed nothing, by uid → fingerprint of
    /// their and their children's resourceVersions (skipped while unchanged).
    memo: HashMap<String, u64>,
    last_event_gc: Instant,
    /// Recent raw recommendations of each HPA (for stabilization windows).
    hpa_history: HashMap<String, Vec<(Instant, i64)>>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("pods", &self.pod_seen.len())
            .finish()
    }
}

impl Runner {
    /// A runner on `store`.
    pub fn new(store: Store, config: WorkloadConfig) -> Self {
        Self {
            store,
            config,
            pod_seen: HashMap::new(),
            pod_ips: HashMap::new(),
            used_ips: Default::default(),
            next_ip: 0,
            events: HashMap::new(),
            memo: HashMap::new(),
            last_event_gc: Instant::now(),
            hpa_history: HashMap::new(),
        }
    }

    /// Creates the simulated Node objects that do not exist yet.
    pub fn ensure_nodes(&self) {
        let r = ResourceRef::core("nodes");
        if self.store.resource_type(&r).is_err() {
            return;
        }
        for (i, node) in self.config.nodes.iter().enumerate() {
            if self.store.get(&r, None, node).is_ok() {
                continue;
            }
            let obj = cluster::node_object(node, i);
            let opts = WriteOptions::manager("kubelet");
            if let Ok(created) = self.store.create(&r, obj.clone(), &opts) {
                let mut with_status = created;
                with_status["status"] = obj["status"].clone();
                let _ = self.store.update_status(&r, with_status, &opts);
            }
        }
    }

    fn pod_ip(&mut self, pod: &Value) -> String {
        if let Some(ip) = pod.pointer("/status/podIP").and_then(Value::as_str) {
            return ip.to_string();
        }
        let key = uid(pod).to_string();
        if let Some(ip) = self.pod_ips.get(&key) {
            return ip.clone();
        }
        loop {
            let n = self.next_ip;
            self.next_ip = self.next_ip.wrapping_add(1);
            let ip = format!("10.244.{}.{}", (n / 250) % 256, n % 250 + 2);
            if !self.used_ips.contains(&ip) {
                self.used_ips.insert(ip.clone());
                self.pod_ips.insert(key, ip.clone());
                return ip;
            }
        }
    }

    fn pod_age(&mut self, pod: &Value) -> Duration {
        let now = Instant::now();
        let seen = *self
            .pod_seen
            .entry(uid(pod).to_string())
            .or_insert_with(|| {
                // Pods older than a few seconds (e.g. loaded from a state dir) are not replayed.
                let created = pod
                    .pointer("/metadata/creationTimestamp")
                    .and_then(Value::as_str)
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| (chrono::Utc::now() - t.to_utc()).num_seconds())
                    .unwrap_or(0);
                if created > 5 {
                    now - Duration::from_secs(created as u64)
                } else {
                    now
                }
            });
        now - seen
    }

    /// Runs `f` unless `obj` and `children` are unchanged since a run that
    /// changed nothing; remembers the outcome when `cacheable`.
    fn memo_run(
        &mut self,
        obj: &Value,
        children: &[Arc<Value>],
        f: impl FnOnce() -> (Vec<Action>, bool),
    ) -> Vec<Action> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let rv = |o: &Value| {
            o.pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        rv(obj).hash(&mut h);
        for c in children {
            uid(c).hash(&mut h);
            rv(c).hash(&mut h);
        }
        let fp = h.finish();
        let key = uid(obj).to_string();
        if self.memo.get(&key) == Some(&fp) {
            return Vec::new();
        }
        let (actions, cacheable) = f();
        if actions.is_empty() && cacheable {
            if self.memo.len() > 200_000 {
                self.memo.clear();
            }
            self.memo.insert(key, fp);
        } else {
            self.memo.remove(&key);
        }
        actions
    }

    /// Deletes events whose `lastTimestamp` is older than the TTL (at most once a minute).
    fn expire_events(&mut self) {
        if self.last_event_gc.elapsed() < Duration::from_secs(60).min(self.config.event_ttl) {
            return;
        }
        self.last_event_gc = Instant::now();
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(self.config.event_ttl)
                .unwrap_or(chrono::Duration::hours(1));
        let gr = crate::registry::GroupResource {
            group: String::new(),
            resource: "events".into(),
        };
        let events = ResourceRef::core("events");
        for e in self.store.all_of(&gr) {
            let last = e
                .get("lastTimestamp")
                .and_then(Value::as_str)
                .or_else(|| {
                    e.pointer("/metadata/creationTimestamp")
                        .and_then(Value::as_str)
                })
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            if last.is_some_and(|t| t.to_utc() < cutoff) {
                let ns = namespace(&e).to_string();
                let _ = self
                    .store
                    .delete(&events, Some(&ns), name(&e), &DeleteOptions::default());
            }
        }
    }

    /// One reconcile pass over everything; returns whether time-driven work is pending.
    pub fn pass(&mut self) -> bool {
        self.expire_events();
        let world = World::from_store(&self.store);
        let now_secs = chrono::Utc::now().timestamp();
        let mut actions = Vec::new();
        let mut pending = false;
        let index = |kind: &str| {
            let mut m: HashMap<String, Vec<Arc<Value>>> = HashMap::new();
            for o in world.of(kind) {
                if let Some(u) = controller_uid(o) {
                    m.entry(u.to_string()).or_default().push(o.clone());
                }
            }
            m
        };
        let pods_by_owner = index("Pod");
        let rs_by_owner = index("ReplicaSet");
        let jobs_by_owner = index("Job");
        let job_uids: std::collections::HashSet<&str> =
            world.of("Job").iter().map(|j| uid(j)).collect();
        let node_index: HashMap<String, usize> = self
            .config
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let empty = Vec::new();
        // The simulated nodes as Node objects (as stored, or as they would be).
        let nodes: Vec<Value> = self
            .config
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                world
                    .get("Node", "", n)
                    .map(|o| (**o).clone())
                    .unwrap_or_else(|| cluster::node_object(n, i))
            })
            .collect();
        let mut live = std::collections::HashSet::new();
        self.used_ips = world
            .of("Pod")
            .iter()
            .filter_map(|p| {
                p.pointer("/status/podIP")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .chain(self.pod_ips.values().cloned())
            .collect();
        for pod in world.of("Pod") {
            live.insert(uid(pod).to_string());
            if deleting(pod) {
                continue;
            }
            let node = pod
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty());
            match node {
                None => {
                    let mut p = (**pod).clone();
                    if let Some(n) = daemonset::pod_node(pod) {
                        p["spec"]["nodeName"] = json!(n);
                        actions.push(Action::Update(p));
                    } else {
                        actions.extend(scheduler::schedule(pod, &nodes));
                    }
                }
                Some(n) => {
                    let terminal = super::world::pod_terminated(pod);
                    if terminal && pod.pointer("/status/containerStatuses").is_some() {
                        continue;
                    }
                    let host_ip = cluster::node_ip(node_index.get(n).copied().unwrap_or(0));
                    let ip = self.pod_ip(pod);
                    let age = self.pod_age(pod);
                    let by_job = controller_uid(pod).is_some_and(|u| job_uids.contains(u));
                    let config = self.config.clone();
                    let mut still = false;
                    let a = self.memo_run(pod, &[], || {
                        let (a, p) = pods::kubelet(pod, age, &ip, &host_ip, by_job, &config);
                        still = p;
                        (a, !p)
                    });
                    actions.extend(a);
                    pending |= still;
                }
            }
        }
        self.pod_seen.retain(|k, _| live.contains(k));
        self.pod_ips.retain(|k, _| live.contains(k));
        for rs in world.of("ReplicaSet") {
            let children = pods_by_owner.get(uid(rs)).unwrap_or(&empty);
            let waiting = super::world::int(rs, "/spec/minReadySeconds") > 0
                && super::world::int(rs, "/status/readyReplicas")
                    != super::world::int(rs, "/status/availableReplicas");
            pending |= waiting;
            let a = self.memo_run(rs, children, || {
                (replicaset::reconcile(rs, children, now_secs), !waiting)
            });
            actions.extend(a);
        }
        for d in world.of("Deployment") {
            let children = rs_by_owner.get(uid(d)).unwrap_or(&empty);
            // Only settled rollouts are memoised: others watch their progress deadline.
            let settled = d
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        c["type"] == "Progressing" && c["reason"] == "NewReplicaSetAvailable"
                    })
                });
            let a = self.memo_run(d, children, || {
                (deployment::reconcile(d, children, now_secs), settled)
            });
            actions.extend(a);
        }
        for s in world.of("StatefulSet") {
            let children = pods_by_owner.get(uid(s)).unwrap_or(&empty);
            let a = self.memo_run(s, children, || {
                (statefulset::reconcile(s, children, &world), true)
            });
            actions.extend(a);
        }
        for d in world.of("DaemonSet") {
            let children = pods_by_owner.get(uid(d)).unwrap_or(&empty);
            let tpl_pod =
                json!({"spec": d.pointer("/spec/template/spec").cloned().unwrap_or(Value::Null)});
            let eligible: Vec<String> = nodes
                .iter()
                .filter(|n| scheduler::node_fits_selector(&tpl_pod, n))
                .map(|n| name(n).to_string())
                .collect();
            let a = self.memo_run(d, children, || {
                (daemonset::reconcile(d, children, &eligible), true)
            });
            actions.extend(a);
        }
        for j in world.of("Job") {
            let a = job::reconcile(j, pods_by_owner.get(uid(j)).unwrap_or(&empty), now_secs);
            pending |= j.pointer("/spec/activeDeadlineSeconds").is_some() && !job::finished(j);
            actions.extend(a);
            let (expired, waiting) = job::ttl_after_finished(j, now_secs);
            actions.extend(expired);
            pending |= waiting;
        }
        for c in world.of("CronJob") {
            actions.extend(cronjob::reconcile(
                c,
                jobs_by_owner.get(uid(c)).unwrap_or(&empty),
                chrono::Utc::now(),
            ));
        }
        let revs_by_owner = index("ControllerRevision");
        for o in world.of("StatefulSet").iter().chain(world.of("DaemonSet")) {
            let tpl = o.pointer("/spec/template").cloned().unwrap_or(Value::Null);
            let hash = super::common::template_hash(&tpl);
            actions.extend(revisions::reconcile_revisions(
                o,
                &hash,
                revs_by_owner.get(uid(o)).unwrap_or(&empty),
            ));
        }
        for p in world.of("PodDisruptionBudget") {
            actions.extend(revisions::reconcile_pdb(p, &world));
        }
        actions.extend(network::reconcile_endpoints(&world));
        actions.extend(network::reconcile_load_balancers(&world));
        actions.extend(cluster::reconcile_crds(&world));
        actions.extend(cluster::reconcile_storage(&world));
        for h in world.of("HorizontalPodAutoscaler") {
            let key = uid(h).to_string();
            let now = Instant::now();
            let (up, down) = hpa::windows(h);
            let keep = up.max(down);
            let past = self.hpa_history.entry(key).or_default();
            past.retain(|(t, _)| now.duration_since(*t) <= keep);
            let history: Vec<(Duration, i64)> = past
                .iter()
                .map(|(t, r)| (now.duration_since(*t), *r))
                .collect();
            let (a, rescale, recommendation) = hpa::reconcile(h, &world, &history);
            if let Some(r) = recommendation {
                past.push((now, r));
                if past.len() > 5000 {
                    past.remove(0);
                }
            }
            actions.extend(a);
            if let Some(r) = rescale {
                self.rescale(&r);
            }
        }
        let applied = actions.len();
        // Spec and metadata writes (optimistic, with the snapshot's resourceVersion)
        // go first, so this pass's own status writes (which re-read) cannot make them conflict.
        actions.sort_by_key(|a| match a {
            Action::Create(_) | Action::Update(_) | Action::Delete { .. } => 0,
            Action::UpdateStatus(_) => 1,
            Action::Event(_) => 2,
        });
        for a in actions {
            self.apply(a);
        }
        pending || applied > 0
    }

    /// Sets the target's `spec.replicas` as the HPA controller does (through the scale subresource).
    /// Sets the target's replicas through its `scale` subresource, as the HPA controller does.
    fn rescale(&self, r: &hpa::Rescale) {
        let res = resource_of(&r.kind);
        let opts = WriteOptions::manager(CONTROLLER_MANAGER).through("scale");
        let replicas = r.replicas;
        let _ = self
            .store
            .modify(&res, Some(&r.namespace), &r.name, &opts, false, |o| {
                if o.pointer("/spec/replicas").and_then(Value::as_i64) == Some(replicas) {
                    return false;
                }
                o["spec"]["replicas"] = json!(replicas);
                true
            });
    }

    /// Records an event, or bumps `count` and `lastTimestamp` of the same earlier one
    /// (as client-go's event correlator does).
    fn record_event(&mut self, e: Value) {
        let key = (
            namespace(&e).to_string(),
            e.pointer("/involvedObject/uid")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            e["reason"].as_str().unwrap_or("").to_string(),
            e["message"].as_str().unwrap_or("").to_string(),
        );
        let events = ResourceRef::core("events");
        if let Some(existing) = self.events.get(&key) {
            let ts = e["lastTimestamp"].clone();
            let bumped = self.store.modify(
                &events,
                Some(&key.0),
                existing,
                &WriteOptions::default(),
                false,
                |ev| {
                    let count = ev["count"].as_i64().unwrap_or(1);
                    ev["count"] = json!(count + 1);
                    ev["lastTimestamp"] = ts.clone();
                    true
                },
            );
            if bumped.is_ok() {
                return;
            }
        }
        let name = name(&e).to_string();
        if self
            .store
            .create(&events, e, &WriteOptions::default())
            .is_ok()
        {
            if self.events.len() > 10_000 {
                self.events.clear();
            }
            self.events.insert(key, name);
        }
    }

    fn apply(&mut self, action: Action) {
        let res = |o: &Value| resource_of(kind(o));
        let ns = |o: &Value| Some(namespace(o).to_string()).filter(|s| !s.is_empty());
        let result = match action {
            Action::Create(o) => {
                let manager = if kind(&o) == "Node" {
                    "kubelet"
                } else {
                    CONTROLLER_MANAGER
                };
                self.store
                    .create(&res(&o), o, &WriteOptions::manager(manager))
                    .map(|_| ())
            }
            Action::Update(o) => {
                let manager = if kind(&o) == "Pod" {
                    "kube-scheduler"
                } else {
                    CONTROLLER_MANAGER
                };
                self.store
                    .update(&res(&o), o, &WriteOptions::manager(manager))
                    .map(|_| ())
            }
            Action::UpdateStatus(o) => {
                let manager = if kind(&o) == "Pod" {
                    "kubelet"
                } else {
                    CONTROLLER_MANAGER
                };
                let status = o.get("status").cloned().unwrap_or(Value::Null);
                let want_uid = uid(&o).to_string();
                let namespace = ns(&o);
                self.store
                    .modify(
                        &res(&o),
                        namespace.as_deref(),
                        name(&o),
                        &WriteOptions::manager(manager),
                        true,
                        |cur| {
                            if uid(cur) != want_uid || cur.get("status") == Some(&status) {
                                return false;
                            }
                            cur["status"] = status.clone();
                            true
                        },
                    )
                    .map(|_| ())
            }
            Action::Delete {
                kind,
                namespace,
                name,
            } => {
                let opts = DeleteOptions {
                    propagation: Some(Propagation::Background),
                    ..DeleteOptions::default()
                };
                let ns = Some(namespace).filter(|s| !s.is_empty());
                self.store
                    .delete(&resource_of(&kind), ns.as_deref(), &name, &opts)
                    .map(|_| ())
            }
            Action::Event(e) => {
                self.record_event(e);
                Ok(())
            }
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, "controller action skipped");
        }
    }
}
