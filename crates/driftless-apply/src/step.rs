//! One step of a plan: apply, replace, force, create a hook, prune.

use crate::executor::{SyncSettings, options_for};
use crate::wait::{WaitLimits, until_gone};
use crate::{Action as Done, ApplyError, Cluster, Propagation, WriteMode, mark};
use driftless_core::ObjectKey;
use driftless_plan::{Action, HookDeletePolicy, Step};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Runs `st`; returns what was done and the server's answer for writes.
pub(crate) async fn run(
    cluster: &Cluster,
    st: &Step,
    s: &SyncSettings,
) -> Result<(Done, Option<Value>), ApplyError> {
    let opts = options_for(s, st)?;
    let key = &st.key;
    match st.action {
        Action::Prune => {
            if !opts.prune || !opts.delete {
                return Ok((Done::PruneSkipped, None));
            }
            cluster.delete(key, opts.prune_propagation, false).await?;
            Ok((Done::Pruned, None))
        }
        Action::Hook => {
            let mut obj = st.object.clone().unwrap_or(Value::Null);
            set_name(&mut obj, &key.name);
            mark(&mut obj, &s.app, key, s.tracking);
            let policies = st.hook.as_ref().map(|h| h.delete_policies.as_slice());
            let before = policies
                .is_none_or(|p| p.is_empty() || p.contains(&HookDeletePolicy::BeforeHookCreation));
            if cluster.get(key).await?.is_some() {
                if !before {
                    // Argo CD leaves an existing hook without BeforeHookCreation as it is.
                    return Ok((Done::Unchanged, cluster.get(key).await?));
                }
                recreate_gap(cluster, key).await?;
            }
            let created = cluster.create(key, &obj, false).await?;
            Ok((Done::Created, Some(created)))
        }
        Action::Create | Action::Update => {
            let mut obj = st.object.clone().unwrap_or(Value::Null);
            mark(&mut obj, &s.app, key, s.tracking);
            if !opts.server_side_apply && !opts.replace {
                let out = crate::csa::apply(cluster, key, &obj).await?;
                return Ok((Done::Applied, Some(out)));
            }
            if opts.replace {
                if opts.force && cluster.get(key).await?.is_some() {
                    // kubectl replace --force: delete, then create.
                    recreate_gap(cluster, key).await?;
                    let out = cluster.create(key, &obj, false).await?;
                    return Ok((Done::Replaced, Some(out)));
                }
                let out = cluster.replace(key, &obj, false).await?;
                return Ok((Done::Replaced, Some(out)));
            }
            let mode = WriteMode {
                dry_run: false,
                force: true,
                no_validate: !opts.validate,
            };
            match cluster.apply(key, &obj, mode).await {
                Ok(out) => Ok((Done::Applied, Some(out))),
                Err(ApplyError::Api {
                    source: kube::Error::Api(status),
                    ..
                }) if opts.force && (status.code == 422 || status.code == 409) => {
                    tracing::debug!(%key, message = %status.message, "apply refused; Force=true deletes and re-creates");
                    recreate_gap(cluster, key).await?;
                    let out = cluster.apply(key, &obj, mode).await?;
                    Ok((Done::Replaced, Some(out)))
                }
                Err(e) => Err(e),
            }
        }
    }
}

/// Deletes `key` (dependents first) and waits until it is gone.
async fn recreate_gap(cluster: &Cluster, key: &ObjectKey) -> Result<(), ApplyError> {
    cluster.delete(key, Propagation::Foreground, false).await?;
    let limits = WaitLimits {
        wave: Duration::from_secs(60),
        deadline: Instant::now() + Duration::from_secs(60),
        poll: Duration::from_millis(20),
    };
    until_gone(
        cluster,
        std::slice::from_ref(key),
        "deletion before re-creation",
        limits,
    )
    .await
}

fn set_name(obj: &mut Value, name: &str) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("generateName");
        meta.insert("name".into(), name.into());
    }
}
