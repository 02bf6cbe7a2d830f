//! Which cluster an Application's `destination` names, by Argo CD's rules
//! (`GetDestinationCluster`): exactly one of `server` and `name`; a server is looked up among the
//! cluster Secrets, `https://kubernetes.default.svc` being the controller's own cluster even
//! without one; a name must name exactly one cluster (`in-cluster` is the local one).

use super::{ClusterSecret, IN_CLUSTER_NAME, IN_CLUSTER_SERVER};
use crate::Destination;

/// The cluster a destination names.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedCluster {
    /// The API server URL (`https://kubernetes.default.svc` for the local cluster).
    pub server: String,
    /// The cluster's name.
    pub name: String,
    /// Its Secret, when one declares it (the local cluster may have none).
    pub secret: Option<ClusterSecret>,
}

impl ResolvedCluster {
    /// True for the controller's own cluster.
    pub fn is_local(&self) -> bool {
        self.server == IN_CLUSTER_SERVER
    }
}

/// Why a destination names no cluster; the messages are Argo CD's (an `InvalidSpecError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    /// Both `name` and `server`.
    #[error("application destination can't have both name and server defined: {name} {server}")]
    Both {
        /// `destination.name`.
        name: String,
        /// `destination.server`.
        server: String,
    },
    /// No cluster Secret has this server.
    #[error(
        "error getting cluster by server {server:?}: rpc error: code = NotFound desc = cluster {server:?} not found"
    )]
    UnknownServer {
        /// `destination.server`.
        server: String,
    },
    /// No cluster has this name.
    #[error("there are no clusters with this name: {0}")]
    UnknownName(String),
    /// Several clusters have this name.
    #[error("there are {} clusters with the same name: [{}]", .servers.len(), .servers.join(" "))]
    Ambiguous {
        /// Their servers.
        servers: Vec<String>,
    },
    /// Neither `name` nor `server`.
    #[error("Destination server missing from app spec")]
    Missing,
}

/// Resolves `dest` against the cluster Secrets.
///
/// ```
/// use driftless_api::{ClusterSecret, Destination, resolve_destination};
/// let other = ClusterSecret { name: "other".into(), server: "https://10.0.0.2:6443".into(), ..Default::default() };
/// let by_name = Destination { name: Some("other".into()), ..Default::default() };
/// assert_eq!(resolve_destination(&by_name, &[other.clone()]).unwrap().server, "https://10.0.0.2:6443");
/// let local = Destination { server: Some("https://kubernetes.default.svc".into()), ..Default::default() };
/// assert!(resolve_destination(&local, &[]).unwrap().is_local());
/// let unknown = Destination { name: Some("nope".into()), ..Default::default() };
/// assert_eq!(resolve_destination(&unknown, &[other]).unwrap_err().to_string(),
///            "there are no clusters with this name: nope");
/// ```
pub fn resolve_destination(
    dest: &Destination,
    clusters: &[ClusterSecret],
) -> Result<ResolvedCluster, DestinationError> {
    let server = dest.server.as_deref().unwrap_or("").trim();
    let name = dest.name.as_deref().unwrap_or("").trim();
    let local_secret = clusters.iter().find(|c| c.server == IN_CLUSTER_SERVER);
    let local = || ResolvedCluster {
        server: IN_CLUSTER_SERVER.to_string(),
        name: local_secret.map_or(IN_CLUSTER_NAME.to_string(), |c| c.name.clone()),
        secret: local_secret.cloned(),
    };
    let of = |c: &ClusterSecret| ResolvedCluster {
        server: c.server.clone(),
        name: c.name.clone(),
        secret: Some(c.clone()),
    };
    match (name.is_empty(), server.is_empty()) {
        (false, false) => Err(DestinationError::Both {
            name: name.to_string(),
            server: server.to_string(),
        }),
        (true, false) => {
            let wanted = server.trim_end_matches('/');
            match clusters.iter().find(|c| c.server == wanted) {
                Some(c) => Ok(of(c)),
                None if wanted == IN_CLUSTER_SERVER => Ok(local()),
                None => Err(DestinationError::UnknownServer {
                    server: server.to_string(),
                }),
            }
        }
        (false, true) => {
            let mut found: Vec<ResolvedCluster> =
                clusters.iter().filter(|c| c.name == name).map(of).collect();
            if name == IN_CLUSTER_NAME && local_secret.is_none() {
                found.push(local());
            }
            match found.len() {
                0 => Err(DestinationError::UnknownName(name.to_string())),
                1 => Ok(found.remove(0)),
                _ => Err(DestinationError::Ambiguous {
                    servers: found.into_iter().map(|c| c.server).collect(),
                }),
            }
        }
        (true, true) => Err(DestinationError::Missing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(name: &str, server: &str) -> ClusterSecret {
        ClusterSecret {
            name: name.into(),
            server: server.into(),
            ..Default::default()
        }
    }

    fn dest(name: Option<&str>, server: Option<&str>) -> Destination {
        Destination {
            name: name.map(Into::into),
            server: server.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn argo_cd_messages() {
        let cs = [
            cluster("a", "https://a"),
            cluster("dup", "https://d1"),
            cluster("dup", "https://d2"),
        ];
        let msg = |d| resolve_destination(&d, &cs).unwrap_err().to_string();
        assert_eq!(
            msg(dest(Some("a"), Some("https://a"))),
            "application destination can't have both name and server defined: a https://a"
        );
        assert_eq!(
            msg(dest(None, Some("https://x"))),
            "error getting cluster by server \"https://x\": rpc error: code = NotFound desc = cluster \"https://x\" not found"
        );
        assert_eq!(
            msg(dest(Some("dup"), None)),
            "there are 2 clusters with the same name: [https://d1 https://d2]"
        );
        assert_eq!(
            msg(dest(None, None)),
            "Destination server missing from app spec"
        );
    }

    #[test]
    fn local_cluster_by_server_or_name_and_renamed_by_its_secret() {
        let r = resolve_destination(&dest(Some("in-cluster"), None), &[]).unwrap();
        assert!(r.is_local() && r.secret.is_none());
        let renamed = [cluster("home", IN_CLUSTER_SERVER)];
        let r = resolve_destination(
            &dest(None, Some("https://kubernetes.default.svc/")),
            &renamed,
        )
        .unwrap();
        assert_eq!(r.name, "home");
        assert!(resolve_destination(&dest(Some("in-cluster"), None), &renamed).is_err());
        let r = resolve_destination(
            &dest(None, Some("https://a/")),
            &[cluster("a", "https://a")],
        )
        .unwrap();
        assert_eq!(r.name, "a");
    }
}
