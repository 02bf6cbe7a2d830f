//! What a one-shot sync applied, kept in the destination as a ConfigMap (as kapp and Flux keep
//! an inventory), so the next run still watches — and can prune — a kind that left Git.
//!
//! The controller does not need it: an Application's `status.resources` is its inventory.

use crate::{RuntimeError, Target};
use driftless_apply::{Cluster, WriteMode};
use driftless_core::ObjectKey;
use serde_json::{Value, json};

/// An Application's inventory in the controller: the keys its `status.resources` lists (hooks
/// aside), what it applied before.
pub fn of_application(app: &crate::Application) -> Vec<ObjectKey> {
    app.status
        .iter()
        .flat_map(|s| s.resources.iter())
        .filter(|r| !r.hook)
        .map(|r| {
            let api_version = if r.group.is_empty() {
                r.version.clone()
            } else {
                format!("{}/{}", r.group, r.version)
            };
            let ns = Some(r.namespace.as_str()).filter(|n| !n.is_empty());
            ObjectKey::new(&api_version, &r.kind, ns, &r.name)
        })
        .collect()
}

/// The inventory ConfigMap's key for `t`: `driftless-inventory-<app>` in the destination namespace.
pub fn key(t: &Target) -> ObjectKey {
    let ns = if t.namespace.is_empty() {
        "default"
    } else {
        &t.namespace
    };
    ObjectKey::new(
        "v1",
        "ConfigMap",
        Some(ns),
        &format!("driftless-inventory-{}", t.app),
    )
}

/// One line per object: `group/version/Kind/namespace/name` (empty group and namespace kept).
fn line(k: &ObjectKey) -> String {
    format!(
        "{}/{}/{}/{}/{}",
        k.group,
        k.version,
        k.kind,
        k.namespace.as_deref().unwrap_or(""),
        k.name
    )
}

fn parse(line: &str) -> Option<ObjectKey> {
    let mut p = line.splitn(5, '/');
    let (g, v, kind, ns, name) = (p.next()?, p.next()?, p.next()?, p.next()?, p.next()?);
    if v.is_empty() || kind.is_empty() || name.is_empty() {
        return None;
    }
    let api_version = if g.is_empty() {
        v.to_string()
    } else {
        format!("{g}/{v}")
    };
    Some(ObjectKey::new(
        &api_version,
        kind,
        Some(ns).filter(|n| !n.is_empty()),
        name,
    ))
}

/// The objects the last sync of `t` left tracked; empty when there is no inventory yet.
pub async fn read(cluster: &Cluster, t: &Target) -> Result<Vec<ObjectKey>, RuntimeError> {
    let Some(cm) = cluster.get(&key(t)).await? else {
        return Ok(Vec::new());
    };
    Ok(cm
        .pointer("/data/objects")
        .and_then(Value::as_str)
        .unwrap_or("")
        .lines()
        .filter_map(parse)
        .collect())
}

/// Records `objects` as what `t` tracks now; writes only when it changed.
pub async fn write(
    cluster: &Cluster,
    t: &Target,
    objects: &[ObjectKey],
) -> Result<(), RuntimeError> {
    let mut lines: Vec<String> = objects.iter().map(line).collect();
    lines.sort();
    lines.dedup();
    let text = lines.join("\n");
    let k = key(t);
    if let Some(cur) = cluster.get(&k).await?
        && cur.pointer("/data/objects").and_then(Value::as_str) == Some(text.as_str())
    {
        return Ok(());
    }
    let obj = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": k.name, "namespace": k.namespace,
            "labels": {"app.kubernetes.io/managed-by": "driftless", "driftless.dev/inventory-of": t.app}},
        "data": {"objects": text},
    });
    cluster
        .apply(
            &k,
            &obj,
            WriteMode {
                force: true,
                ..WriteMode::default()
            },
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back() {
        for k in [
            ObjectKey::new("v1", "ConfigMap", Some("shop"), "a"),
            ObjectKey::new(
                "monitoring.coreos.com/v1",
                "ServiceMonitor",
                Some("shop"),
                "m",
            ),
            ObjectKey::new("rbac.authorization.k8s.io/v1", "ClusterRole", None, "r"),
        ] {
            assert_eq!(parse(&line(&k)), Some(k));
        }
        assert_eq!(parse("garbage"), None);
    }
}
