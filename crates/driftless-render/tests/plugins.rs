//! Config-management plugins: the bundled Helm-then-Kustomize example end to
//! end, discovery, Argo CD's environment, isolation and failures.

use driftless_render::{
    ConfigManagementPlugin, DirFs, PluginParameter, PluginSource, RenderOptions, SourceType, render,
};
use serde_json::json;

mod common;
use common::{copy_dir, workspace, write};
use std::time::{Duration, Instant};

/// `PATH` with the helm that scripts/setup-test-tools.sh installs in `.tools`.
fn tools_path() -> String {
    format!(
        "{}:{}",
        workspace().join(".tools").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn example() -> (tempfile::TempDir, ConfigManagementPlugin) {
    let d = tempfile::tempdir().unwrap();
    let src = workspace().join("examples/plugins/kustomized-helm");
    copy_dir(&src, &d.path().join("kustomized-helm"));
    let plugin = ConfigManagementPlugin::from_file(&src.join("plugin.yaml")).unwrap();
    (d, plugin)
}

fn example_options(plugin: ConfigManagementPlugin, source: Option<PluginSource>) -> RenderOptions {
    let mut o = RenderOptions::default();
    o.plugin.plugins = vec![plugin];
    o.plugin.source = source;
    o.plugin.path = Some(tools_path());
    o.env.app_name = "shop".into();
    o.env.app_namespace = "web".into();
    o
}

#[test]
fn helm_then_kustomize_example_renders_end_to_end() {
    let (d, plugin) = example();
    assert_eq!(plugin.full_name(), "kustomized-helm-v1.0");
    let source = PluginSource {
        name: "kustomized-helm-v1.0".into(),
        env: vec![("STAGE".into(), "prod-$ARGOCD_APP_NAME".into())],
        parameters: vec![PluginParameter {
            name: "replicas".into(),
            string: Some("3".into()),
            ..PluginParameter::default()
        }],
    };
    let o = example_options(plugin, Some(source));
    let fs = DirFs::new(d.path());
    let out = render(&fs, "kustomized-helm/app", &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.source_type, SourceType::Plugin);
    let keys: Vec<String> = out.manifests.iter().map(|m| m.key().to_string()).collect();
    assert_eq!(keys, ["Service:shop-web", "apps/Deployment:shop-web"]);
    let dep = &out.manifests[1].object;
    assert_eq!(dep["spec"]["replicas"], 3);
    assert_eq!(dep["metadata"]["annotations"]["stage"], "prod-shop");
    assert_eq!(dep["metadata"]["labels"]["rendered-by"], "kustomized-helm");
    assert_eq!(
        dep["spec"]["template"]["spec"]["containers"][0]["resources"],
        json!({"limits": {"memory": "128Mi"}})
    );
    assert_eq!(
        out.manifests[1].provenance.file,
        "kustomized-helm/app (plugin kustomized-helm-v1.0)"
    );
    // The plugin wrote all.yaml into its copy, not into the repository.
    assert!(!d.path().join("kustomized-helm/app/all.yaml").exists());
}

#[test]
fn plugins_are_discovered_before_kustomize_and_named_ones_must_exist() {
    let (d, plugin) = example();
    let fs = DirFs::new(d.path());
    let o = example_options(plugin.clone(), None);
    let out = render(&fs, "kustomized-helm/app", &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.source_type, SourceType::Plugin);
    // Without the marker file the plugin does not match: plain Kustomize (which
    // then misses the generated all.yaml).
    std::fs::remove_file(d.path().join("kustomized-helm/app/helm-chart")).unwrap();
    let err = render(&fs, "kustomized-helm/app", &o)
        .unwrap_err()
        .to_string();
    assert!(err.contains("kustomize build failed"), "{err}");
    let named = example_options(
        plugin,
        Some(PluginSource {
            name: "nope".into(),
            ..PluginSource::default()
        }),
    );
    let err = render(&fs, "kustomized-helm/app", &named)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "kustomized-helm/app: config-management plugin nope is not configured"
    );
}

fn plugin(yaml_spec: &str) -> ConfigManagementPlugin {
    let text = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\nmetadata: {{name: t}}\nspec:\n{yaml_spec}"
    );
    ConfigManagementPlugin::from_yaml("t.yaml", &text).unwrap()
}

/// Prints a ConfigMap whose data are the environment variables the plugin sees.
const ENV_DUMP: &str = "  generate:
    command: [sh, -c]
    args:
      - |
        echo 'apiVersion: v1'; echo 'kind: ConfigMap'; echo 'metadata: {name: env}'; echo 'data:'
        env | sort | while IFS='=' read -r k v; do printf \"  %s: '%s'\\n\" \"$k\" \"$v\"; done
        echo \"  NET: \\\"$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')\\\"\"
";

#[test]
fn commands_see_argo_cds_environment_and_nothing_else() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("app/x.txt", "x")]);
    let mut o = RenderOptions::default();
    o.plugin.plugins = vec![plugin(ENV_DUMP)];
    o.plugin.source = Some(PluginSource {
        name: "t".into(),
        env: vec![("FOO".into(), "rev-$ARGOCD_APP_REVISION_SHORT".into())],
        parameters: vec![
            PluginParameter {
                name: "image-tag".into(),
                string: Some("v1".into()),
                ..PluginParameter::default()
            },
            PluginParameter {
                name: "hosts".into(),
                array: Some(vec!["a".into(), "b".into()]),
                ..PluginParameter::default()
            },
            PluginParameter {
                name: "labels".into(),
                map: Some([("team.name".to_string(), "web".to_string())].into()),
                ..PluginParameter::default()
            },
        ],
    });
    o.env.app_name = "guestbook".into();
    o.env.revision = "abcdef0123456789".into();
    o.env.repo_url = "https://git.example/repo.git".into();
    let out = render(&DirFs::new(d.path()), "app", &o).unwrap_or_else(|e| panic!("{e}"));
    let data = &out.manifests[0].object["data"];
    assert_eq!(data["ARGOCD_APP_NAME"], "guestbook");
    assert_eq!(data["ARGOCD_APP_REVISION"], "abcdef0123456789");
    assert_eq!(data["ARGOCD_APP_SOURCE_PATH"], "app");
    assert_eq!(
        data["ARGOCD_APP_SOURCE_REPO_URL"],
        "https://git.example/repo.git"
    );
    assert_eq!(data["ARGOCD_ENV_FOO"], "rev-abcdef0");
    assert_eq!(data["PARAM_IMAGE_TAG"], "v1");
    assert_eq!(data["PARAM_HOSTS_0"], "a");
    assert_eq!(data["PARAM_HOSTS_1"], "b");
    assert_eq!(data["PARAM_LABELS_TEAM_NAME"], "web");
    let params: serde_json::Value =
        serde_json::from_str(data["ARGOCD_APP_PARAMETERS"].as_str().unwrap()).unwrap();
    assert_eq!(params[1], json!({"name": "hosts", "array": ["a", "b"]}));
    // Nothing of the renderer's own environment but PATH.
    assert!(data.get("CARGO_MANIFEST_DIR").is_none(), "{data}");
    assert!(data["HOME"].as_str().unwrap().contains("driftless-plugin-"));
    // No network: only the loopback interface of an empty namespace.
    assert_eq!(data["NET"], "lo ");
    o.plugin.allow_network = true;
    let out = render(&DirFs::new(d.path()), "app", &o).unwrap();
    assert_ne!(out.manifests[0].object["data"]["NET"], "lo ");
}

#[test]
fn failures_and_timeouts_name_the_plugin_and_kill_the_commands() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("app/x.txt", "x")]);
    let fs = DirFs::new(d.path());
    let mut o = RenderOptions::default();
    o.plugin.plugins = vec![plugin(
        "  generate: {command: [sh, -c], args: ['echo \"cannot read $PWD/missing.yaml\" >&2; exit 3']}\n",
    )];
    o.plugin.source = Some(PluginSource::default());
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(
        err.contains("no config-management plugin discovers this source"),
        "{err}"
    );
    o.plugin.source = Some(PluginSource {
        name: "t".into(),
        ..PluginSource::default()
    });
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(
        err.starts_with("app: plugin t: generate: cannot read app/missing.yaml"),
        "{err}"
    );
    assert!(err.contains("exit status: 3"), "{err}");
    assert!(!err.contains("driftless-plugin-"), "{err}");

    let marker = d.path().join("survived");
    o.plugin.plugins = vec![plugin(&format!(
        "  init: {{command: [sh, -c], args: ['(sleep 1; touch {}) & sleep 30']}}\n  generate: {{command: ['true']}}\n",
        marker.display()
    ))];
    o.plugin.timeout = Duration::from_millis(300);
    let start = Instant::now();
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(start.elapsed() < Duration::from_secs(2), "{err}");
    assert_eq!(err, "app: plugin t: init: timed out after 0.3 s");
    std::thread::sleep(Duration::from_millis(1300));
    assert!(!marker.exists(), "a command outlived the time limit");
}

#[test]
fn discovery_by_file_name_and_glob() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("a/config/app.cue", "x"),
            ("b/deep/er/main.tf", "x"),
            (
                "c/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            ),
        ],
    );
    let fs = DirFs::new(d.path());
    let echo = |name: &str| {
        format!("echo 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {{name: {name}}}'")
    };
    let mut by_name = plugin(&format!(
        "  generate: {{command: [sh, -c, \"{}\"]}}\n  discover: {{fileName: './config/*.cue'}}\n",
        echo("cue")
    ));
    by_name.name = "cue".into();
    let mut by_glob = plugin(&format!(
        "  generate: {{command: [sh, -c, \"{}\"]}}\n  discover: {{find: {{glob: '**/*.tf'}}}}\n",
        echo("tf")
    ));
    by_glob.name = "tf".into();
    let mut o = RenderOptions::default();
    o.plugin.plugins = vec![by_name, by_glob];
    o.plugin.allow_network = true;
    let key = |p: &str| render(&fs, p, &o).unwrap().manifests[0].key().to_string();
    assert_eq!(key("a"), "ConfigMap:cue");
    assert_eq!(key("b"), "ConfigMap:tf");
    assert_eq!(
        render(&fs, "c", &o).unwrap().source_type,
        SourceType::Directory
    );
}

#[test]
fn definitions_from_config_maps_and_bad_ones() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cmp"},
        "data": {"plugin.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\nmetadata: {name: p}\nspec:\n  generate: {command: [cat]}\n"}});
    let p = ConfigManagementPlugin::from_config_map("cmp", &cm).unwrap();
    assert_eq!(p.full_name(), "p");
    let err = ConfigManagementPlugin::from_yaml(
        "x.yaml",
        "kind: ConfigManagementPlugin\nmetadata: {name: p}\nspec: {}\n",
    )
    .unwrap_err()
    .to_string();
    assert_eq!(err, "x.yaml: spec.generate.command is missing");
}

#[test]
fn a_machine_without_network_namespaces_says_so() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("app/x.txt", "x"),
            (
                "bin/unshare",
                "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n",
            ),
        ],
    );
    use std::os::unix::fs::PermissionsExt;
    let fake = d.path().join("bin/unshare");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut o = RenderOptions::default();
    o.plugin.plugins = vec![plugin("  generate: {command: ['true']}\n")];
    o.plugin.source = Some(PluginSource {
        name: "t".into(),
        ..PluginSource::default()
    });
    o.plugin.path = Some(format!("{}:/usr/bin:/bin", d.path().join("bin").display()));
    let err = render(&DirFs::new(d.path()), "app", &o)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("app: plugin t: generate: cannot run without network access (unshare:"),
        "{err}"
    );
}

#[test]
fn children_left_holding_the_output_are_killed_when_generate_exits() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("app/x.txt", "x")]);
    let marker = d.path().join("survived");
    let mut o = RenderOptions::default();
    o.plugin.plugins = vec![plugin(&format!(
        "  generate: {{command: [sh, -c], args: ['(sleep 1; touch {}) & echo \"{{apiVersion: v1, kind: ConfigMap, metadata: {{name: a}}}}\"']}}\n",
        marker.display()
    ))];
    o.plugin.source = Some(PluginSource {
        name: "t".into(),
        ..PluginSource::default()
    });
    let start = Instant::now();
    let out = render(&DirFs::new(d.path()), "app", &o).unwrap_or_else(|e| panic!("{e}"));
    assert!(start.elapsed() < Duration::from_millis(900));
    assert_eq!(out.manifests[0].key().to_string(), "ConfigMap:a");
    std::thread::sleep(Duration::from_millis(1300));
    assert!(!marker.exists(), "a background command outlived generate");
}
