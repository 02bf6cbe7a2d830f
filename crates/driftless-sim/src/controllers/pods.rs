//! The scheduler and the kubelet: pods get a node, then containers that pull,
//! start and become ready after the configured delays — or fail as the image
//! name or annotations ask (see [`super::WorkloadConfig`] and [`super::READY_AFTER`]).

use std::time::Duration;

use serde_json::{Value, json};

use super::config::{
    COMPLETE_AFTER, CRASH_AFTER, FAIL, READY_AFTER, WorkloadConfig, parse_duration,
};
use super::world::{Action, annotation, event, name, namespace, now, set_condition, uid};

/// How an image misbehaves, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFault {
    /// The image cannot be pulled (`ErrImagePull`, then `ImagePullBackOff`).
    Pull,
    /// The container exits with an error right after starting (`CrashLoopBackOff`).
    Crash,
}

/// The fault an image name asks for: names containing `crashloop` crash; names
/// containing `imagepullbackoff`, `errimagepull`, `nonexistent` or `doesnotexist`
/// cannot be pulled.
///
/// ```
/// use driftless_sim::controllers::pods::{image_fault, ImageFault};
/// assert_eq!(image_fault("example/crashloop:1"), Some(ImageFault::Crash));
/// assert_eq!(image_fault("registry.invalid/nonexistent:1"), Some(ImageFault::Pull));
/// assert_eq!(image_fault("nginx:1.27"), None);
/// ```
pub fn image_fault(image: &str) -> Option<ImageFault> {
    let i = image.to_ascii_lowercase();
    if [
        "imagepullbackoff",
        "errimagepull",
        "nonexistent",
        "doesnotexist",
        "does-not-exist",
    ]
    .iter()
    .any(|m| i.contains(m))
    {
        Some(ImageFault::Pull)
    } else if i.contains("crashloop") {
        Some(ImageFault::Crash)
    } else {
        None
    }
}

/// The fully qualified image reference a container runtime reports.
pub fn qualified_image(image: &str) -> String {
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r.to_string(), format!(":{t}")),
        _ if image.contains('@') => (image.to_string(), String::new()),
        _ => (image.to_string(), ":latest".to_string()),
    };
    let first = repo.split('/').next().unwrap_or("");
    let has_registry =
        repo.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let repo = if has_registry {
        repo
    } else if repo.contains('/') {
        format!("docker.io/{repo}")
    } else {
        format!("docker.io/library/{repo}")
    };
    format!("{repo}{tag}")
}

/// 64 hex digits derived from `seed` (container and image ids).
pub(crate) fn hex64(seed: &str) -> String {
    (0..4u64)
        .map(|round| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            for b in seed.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            format!("{h:016x}")
        })
        .collect()
}

fn pod_setting<'a>(pod: &'a Value, key: &str) -> Option<&'a str> {
    annotation(pod, key)
}

/// What the kubelet reports for a scheduled pod `age` after it was scheduled:
/// the new `status` (when it differs from the stored one), the events of the
/// transition, and whether a later transition is still due (so the caller
/// checks again after [`WorkloadConfig::tick`]).
pub fn kubelet(
    pod: &Value,
    age: Duration,
    pod_ip: &str,
    host_ip: &str,
    owned_by_job: bool,
    cfg: &WorkloadConfig,
) -> (Vec<Action>, bool) {
    let old = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let spec = pod.get("spec").cloned().unwrap_or(Value::Null);
    let restart = spec
        .get("restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("Always")
        .to_string();
    let fail = pod_setting(pod, FAIL) == Some("true");
    let ready_after = match pod_setting(pod, READY_AFTER) {
        Some("never") => None,
        Some(s) => Some(parse_duration(s).unwrap_or(cfg.ready_delay)),
        None => Some(cfg.ready_delay),
    };
    let crash_after = pod_setting(pod, CRASH_AFTER).and_then(parse_duration);
    let run_for = match pod_setting(pod, COMPLETE_AFTER) {
        Some(s) if restart != "Always" => parse_duration(s),
        _ if owned_by_job && restart != "Always" => Some(cfg.job_duration),
        _ => None,
    };
    let containers: Vec<Value> = spec
        .get("containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let inits: Vec<Value> = spec
        .get("initContainers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let started = age >= cfg.start_delay;
    let since_start = age.saturating_sub(cfg.start_delay);
    let now = now();
    let start_time = old
        .get("startTime")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| now.clone());
    let old_cs = |n: &str| -> Value {
        old.get("containerStatuses")
            .and_then(Value::as_array)
            .and_then(|cs| {
                cs.iter()
                    .find(|c| c.get("name").and_then(Value::as_str) == Some(n))
            })
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut pending = false;
    let mut events = Vec::new();
    let mut statuses = Vec::new();
    let (mut all_ready, mut any_running, mut any_failed, mut all_done) = (true, false, false, true);
    for c in &containers {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("");
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        let prev = old_cs(cname);
        // `crash-after`: healthy for a while, then crashing from that moment on.
        let crashed_for = crash_after.and_then(|d| since_start.checked_sub(d));
        let fault = if fail || crashed_for.is_some() {
            Some(ImageFault::Crash)
        } else {
            image_fault(image)
        };
        if crash_after.is_some() && crashed_for.is_none() {
            pending = true;
        }
        let crash_age = crashed_for.unwrap_or(since_start);
        let qimage = qualified_image(image);
        let image_id = format!("{}@sha256:{}", repo_of(&qimage), hex64(&qimage));
        let started_at = prev
            .pointer("/state/running/startedAt")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| now.clone());
        let mut cs = json!({"name": cname, "image": qimage, "imageID": "", "lastState": {}, "ready": false, "restartCount": 0, "started": false});
        let waiting = |reason: &str, message: Option<String>| {
            let mut w = json!({"reason": reason});
            if let Some(m) = message {
                w["message"] = json!(m);
            }
            json!({"waiting": w})
        };
        if !started {
            pending = true;
            all_done = false;
            all_ready = false;
            cs["state"] = waiting("ContainerCreating", None);
        } else {
            match fault {
                Some(ImageFault::Pull) => {
                    all_ready = false;
                    all_done = false;
                    pending = true;
                    let backoff = since_start >= cfg.crash_interval;
                    let (reason, msg) = if backoff {
                        (
                            "ImagePullBackOff",
                            format!("Back-off pulling image \"{image}\""),
                        )
                    } else {
                        (
                            "ErrImagePull",
                            format!(
                                "failed to pull and unpack image \"{qimage}\": failed to resolve reference \"{qimage}\": {qimage}: not found"
                            ),
                        )
                    };
                    cs["state"] = waiting(reason, Some(msg.clone()));
                    let prev_reason = prev
                        .pointer("/state/waiting/reason")
                        .and_then(Value::as_str);
                    if prev_reason != Some(reason) {
                        if reason == "ErrImagePull" {
                            events.push(event(
                                pod,
                                "Normal",
                                "Pulling",
                                &format!("Pulling image \"{image}\""),
                                "kubelet",
                            ));
                            events.push(event(
                                pod,
                                "Warning",
                                "Failed",
                                &format!("Failed to pull image \"{image}\": {msg}"),
                                "kubelet",
                            ));
                            events.push(event(
                                pod,
                                "Warning",
                                "Failed",
                                "Error: ErrImagePull",
                                "kubelet",
                            ));
                        } else {
                            events.push(event(pod, "Normal", "BackOff", &msg, "kubelet"));
                            events.push(event(
                                pod,
                                "Warning",
                                "Failed",
                                "Error: ImagePullBackOff",
                                "kubelet",
                            ));
                        }
                    }
                }
                Some(ImageFault::Crash) => {
                    all_ready = false;
                    cs["imageID"] = json!(image_id);
                    cs["containerID"] = json!(format!(
                        "containerd://{}",
                        hex64(&format!("{}{cname}", uid(pod)))
                    ));
                    let terminated = json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": start_time, "finishedAt": start_time, "containerID": cs["containerID"]}});
                    if restart == "Never" {
                        any_failed = true;
                        cs["state"] = terminated;
                    } else {
                        pending = true;
                        all_done = false;
                        any_running = true;
                        let restarts =
                            (crash_age.as_millis() / cfg.crash_interval.as_millis().max(1)) as i64
                                + 1;
                        cs["restartCount"] = json!(restarts);
                        cs["lastState"] = terminated;
                        cs["state"] = waiting(
                            "CrashLoopBackOff",
                            Some(format!(
                                "back-off 10s restarting failed container={cname} pod={}_{}({})",
                                name(pod),
                                namespace(pod),
                                uid(pod)
                            )),
                        );
                        let prev_restarts = prev
                            .get("restartCount")
                            .and_then(Value::as_i64)
                            .unwrap_or(0);
                        if prev
                            .pointer("/state/waiting/reason")
                            .and_then(Value::as_str)
                            != Some("CrashLoopBackOff")
                        {
                            events.extend(start_events(pod, c, cfg));
                        }
                        if restarts > prev_restarts {
                            events.push(event(
                                pod,
                                "Warning",
                                "BackOff",
                                &format!(
                                    "Back-off restarting failed container {cname} in pod {}_{}({})",
                                    name(pod),
                                    namespace(pod),
                                    uid(pod)
                                ),
                                "kubelet",
                            ));
                        }
                    }
                }
                None => {
                    cs["imageID"] = json!(image_id);
                    cs["containerID"] = json!(format!(
                        "containerd://{}",
                        hex64(&format!("{}{cname}", uid(pod)))
                    ));
                    let was_running = prev.pointer("/state/running").is_some();
                    if !was_running && prev.pointer("/state/terminated").is_none() {
                        events.extend(start_events(pod, c, cfg));
                    }
                    match run_for {
                        Some(d) if since_start >= d => {
                            all_ready = false;
                            cs["state"] = json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": started_at, "finishedAt": now, "containerID": cs["containerID"]}});
                        }
                        _ => {
                            if run_for.is_some() {
                                pending = true;
                            }
                            all_done = false;
                            any_running = true;
                            cs["started"] = json!(true);
                            cs["state"] = json!({"running": {"startedAt": started_at}});
                            let ready = ready_after.is_some_and(|d| since_start >= d);
                            if !ready && ready_after.is_some() {
                                pending = true;
                            }
                            cs["ready"] = json!(ready);
                            all_ready &= ready;
                        }
                    }
                }
            }
        }
        // Keep stable fields (finishedAt of an earlier completion, ids) unchanged.
        if let (Some(p), Some(n)) = (
            prev.pointer("/state/terminated"),
            cs.pointer("/state/terminated"),
        ) && p.get("exitCode") == n.get("exitCode")
        {
            cs["state"]["terminated"] = p.clone();
        }
        if let (Some(p), Some(n)) = (
            prev.pointer("/lastState/terminated"),
            cs.pointer("/lastState/terminated"),
        ) && p.get("exitCode") == n.get("exitCode")
        {
            cs["lastState"]["terminated"] = p.clone();
        }
        statuses.push(cs);
    }
    let phase = if !started {
        "Pending"
    } else if any_failed {
        "Failed"
    } else if all_done && !containers.is_empty() {
        "Succeeded"
    } else if any_running {
        "Running"
    } else {
        "Pending"
    };
    let mut status = old.clone();
    let cond = |ty: &str, ok: bool, reason: Option<&str>, message: Option<String>| {
        let mut c = json!({"type": ty, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now});
        if !ok {
            if let Some(r) = reason {
                c["reason"] = json!(r);
            }
            if let Some(m) = message {
                c["message"] = json!(m);
            }
        }
        c
    };
    let unready: Vec<String> = statuses
        .iter()
        .filter(|c| c.get("ready") != Some(&json!(true)))
        .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let (ready_reason, ready_msg) = match phase {
        "Succeeded" => (Some("PodCompleted"), None),
        "Failed" => (Some("PodFailed"), None),
        _ => (
            Some("ContainersNotReady"),
            Some(format!(
                "containers with unready status: [{}]",
                unready.join(" ")
            )),
        ),
    };
    set_condition(
        &mut status,
        cond(
            "PodReadyToStartContainers",
            started && phase != "Succeeded" && phase != "Failed",
            None,
            None,
        ),
        false,
    );
    set_condition(&mut status, cond("Initialized", true, None, None), false);
    set_condition(
        &mut status,
        cond(
            "Ready",
            started && all_ready && phase == "Running",
            ready_reason,
            ready_msg.clone(),
        ),
        false,
    );
    set_condition(
        &mut status,
        cond(
            "ContainersReady",
            started && all_ready && phase == "Running",
            ready_reason,
            ready_msg,
        ),
        false,
    );
    set_condition(&mut status, cond("PodScheduled", true, None, None), false);
    status["phase"] = json!(phase);
    status["hostIP"] = json!(host_ip);
    status["hostIPs"] = json!([{"ip": host_ip}]);
    if phase != "Pending" || started {
        status["podIP"] = json!(pod_ip);
        status["podIPs"] = json!([{"ip": pod_ip}]);
    }
    status["startTime"] = json!(start_time);
    if !inits.is_empty() {
        let init_statuses: Vec<Value> = inits
            .iter()
            .map(|c| {
                let cname = c.get("name").and_then(Value::as_str).unwrap_or("");
                let image = c.get("image").and_then(Value::as_str).unwrap_or("");
                json!({"name": cname, "image": qualified_image(image), "imageID": "", "lastState": {}, "ready": started, "restartCount": 0, "started": false,
                       "state": if started { json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": start_time, "finishedAt": start_time}}) } else { json!({"waiting": {"reason": "PodInitializing"}}) }})
            })
            .collect();
        status["initContainerStatuses"] = json!(init_statuses);
    }
    status["containerStatuses"] = json!(statuses);
    let mut actions = Vec::new();
    if status != old {
        let mut p = pod.clone();
        p["status"] = status;
        actions.push(Action::UpdateStatus(p));
    }
    actions.extend(events.into_iter().map(Action::Event));
    (actions, pending)
}

fn start_events(pod: &Value, c: &Value, cfg: &WorkloadConfig) -> Vec<Value> {
    let cname = c.get("name").and_then(Value::as_str).unwrap_or("");
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let policy = c
        .get("imagePullPolicy")
        .and_then(Value::as_str)
        .unwrap_or("IfNotPresent");
    let mut out = Vec::new();
    if policy == "Always" {
        let took = format!("{:.3}s", cfg.start_delay.as_secs_f64());
        let size = u64::from_str_radix(&hex64(image)[..6], 16).unwrap_or(0) * 4;
        out.push(event(
            pod,
            "Normal",
            "Pulling",
            &format!("Pulling image \"{image}\""),
            "kubelet",
        ));
        out.push(event(
            pod,
            "Normal",
            "Pulled",
            &format!("Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes."),
            "kubelet",
        ));
    } else {
        out.push(event(
            pod,
            "Normal",
            "Pulled",
            &format!("Container image \"{image}\" already present on machine"),
            "kubelet",
        ));
    }
    out.push(event(
        pod,
        "Normal",
        "Created",
        &format!("Created container {cname}"),
        "kubelet",
    ));
    out.push(event(
        pod,
        "Normal",
        "Started",
        &format!("Started container {cname}"),
        "kubelet",
    ));
    out
}

/// The repository of a qualified image reference (without tag or digest).
fn repo_of(qimage: &str) -> &str {
    if let Some((repo, _)) = qimage.split_once('@') {
        return repo;
    }
    match qimage.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => qimage,
    }
}
