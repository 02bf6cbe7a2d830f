//! The Application's AppProject, enforced as Argo CD enforces it:
//! - the project must exist (`default` is Argo CD's permissive default when no object declares
//!   it, as the API server creates it at start);
//! - every source repository must be in `sourceRepos` and the destination in `destinations`,
//!   else an `InvalidSpecError` and nothing is compared or applied;
//! - at sync, every object's kind must be permitted (cluster-scoped kinds only when whitelisted,
//!   namespaced ones unless left out of a whitelist or blacklisted) and its namespace a permitted
//!   destination, else the sync fails before anything is applied ("one or more synchronization
//!   tasks are not valid"), each refused object named with Argo CD's message.

use crate::{Context, ControllerError};
use driftless_api::{AppProject, Application, Destination, ResourceResult};
use driftless_core::Manifest;
use driftless_runtime::Target;
use kube::api::{Api, ApiResource, DynamicObject};

fn project_resource() -> ApiResource {
    ApiResource {
        group: "argoproj.io".into(),
        version: "v1alpha1".into(),
        api_version: "argoproj.io/v1alpha1".into(),
        kind: "AppProject".into(),
        plural: "appprojects".into(),
    }
}

/// The Application's project name (`default` when empty).
pub(crate) fn name(app: &Application) -> &str {
    app.spec
        .project
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("default")
}

/// The Application's AppProject; `Ok(Err(message))` when it does not exist.
pub(crate) async fn load(
    ctx: &Context,
    app: &Application,
) -> Result<Result<AppProject, String>, ControllerError> {
    let projects: Api<DynamicObject> = Api::namespaced_with(
        ctx.apps.clone().into_client(),
        &ctx.config.namespace,
        &project_resource(),
    );
    let project = name(app);
    let found = projects
        .get_opt(project)
        .await
        .map_err(|source| ControllerError::Kube {
            name: app.name().to_string(),
            source,
        })?;
    Ok(match found {
        Some(obj) => serde_json::to_value(&obj)
            .and_then(serde_json::from_value)
            .map_err(|e| format!("AppProject {project}: {e}")),
        None if project == "default" => Ok(AppProject::default_project(&ctx.config.namespace)),
        None => Err(format!(
            "Application referencing project {project} which does not exist"
        )),
    })
}

/// What the project refuses of the Application's spec: its repositories and its destination
/// (Argo CD's messages); empty when all is permitted.
pub(crate) fn spec_errors(project: &AppProject, app: &Application, t: &Target) -> Vec<String> {
    let name = project.metadata.name.as_deref().unwrap_or("default");
    let mut errors = Vec::new();
    for i in 0..t.source_count() {
        let repo = t.source_target(i).repo;
        if !project.permits_source(&repo) {
            errors.push(format!(
                "application repo {repo} is not permitted in project '{name}'"
            ));
        }
    }
    let dest = &inferred(&app.spec.destination, t);
    if !project.permits_destination(dest) {
        errors.push(format!(
            "application destination server '{}' and namespace '{}' do not match any of the allowed destinations in project '{name}'",
            dest.server.as_deref().unwrap_or(""),
            dest.namespace.as_deref().unwrap_or("")
        ));
    }
    errors
}

/// The destination with the server its `name` resolved to filled in (Argo CD's inferred
/// server), so that projects' `server` patterns match Applications that name their cluster.
pub(crate) fn inferred(dest: &Destination, t: &Target) -> Destination {
    let mut d = dest.clone();
    if d.server.as_deref().unwrap_or("").is_empty() {
        d.server = Some(
            t.cluster
                .clone()
                .unwrap_or_else(|| driftless_api::IN_CLUSTER_SERVER.to_string()),
        );
    }
    d
}

/// The objects the project does not let the sync apply, each as a failed result with Argo CD's
/// message; `namespaced` tells whether a kind is namespaced (`None`: unknown to the cluster,
/// left to the sync to report).
pub(crate) fn refused(
    project: &AppProject,
    dest: &Destination,
    objects: &[Manifest],
    namespaced: impl Fn(&Manifest) -> Option<bool>,
) -> Vec<ResourceResult> {
    let name = project.metadata.name.as_deref().unwrap_or("default");
    let mut out = Vec::new();
    for m in objects {
        let Some(namespaced) = namespaced(m) else {
            continue;
        };
        let k = m.key();
        let ns = k.namespace.as_deref().unwrap_or("");
        let message = if !project.permits_kind(&k.group, &k.kind, namespaced) {
            format!(
                "resource {}:{} is not permitted in project {name}",
                k.group, k.kind
            )
        } else if namespaced
            && !project.permits_destination(&Destination {
                namespace: Some(ns.to_string()),
                ..dest.clone()
            })
        {
            format!("namespace {ns} is not permitted in project '{name}'")
        } else {
            continue;
        };
        let mut r = ResourceResult::new(&k.group, &k.version, &k.kind, ns, &k.name);
        r.status = Some("SyncFailed".into());
        r.message = message;
        r.sync_phase = Some("Sync".into());
        out.push(r);
    }
    out
}
