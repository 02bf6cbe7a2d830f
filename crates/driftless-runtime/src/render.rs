//! The bridge from a [`Target`]'s render settings to `driftless-render`.
//!
//! Helm parameters go to `driftless-helm`'s own parser with Helm's precedence (value files,
//! inline values, `--set`, `--set-string`, `--set-file`); Jsonnet, Kustomize and plugin options
//! are passed as they are, with Argo CD's build environment (application, namespace, project,
//! resolved commit, repository URL, target revision).

use crate::refs::Referenced;
use crate::sources::blocking;
use crate::{Engine, EngineConfig, Rendered, RuntimeError, Target};
use driftless_core::Manifest;
use driftless_render::{
    BuildEnv, ConfigManagementPlugin, HelmOptions, JsonnetOptions, KustomizeOptions, PluginOptions,
    RenderOptions, SourceFs,
};
use std::path::Path;

/// The configured config-management plugins of an engine (`EngineConfig::plugins`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Plugins {
    list: Vec<ConfigManagementPlugin>,
    path: Option<String>,
}

impl Plugins {
    /// Reads the plugin definitions the configuration names: a file is one
    /// `ConfigManagementPlugin`; a directory holds one per `*.yaml` / `*.yml` file and per
    /// `<dir>/plugin.yaml` (Argo CD's sidecar layout), in name order.
    pub(crate) fn load(config: &EngineConfig) -> Result<Self, RuntimeError> {
        let mut list = Vec::new();
        for p in &config.plugins {
            for file in plugin_files(p)? {
                list.push(ConfigManagementPlugin::from_file(&file)?);
            }
        }
        Ok(Plugins {
            list,
            path: config.plugin_path.clone(),
        })
    }
}

fn plugin_files(p: &Path) -> Result<Vec<std::path::PathBuf>, RuntimeError> {
    let bad = |e: std::io::Error| RuntimeError::PluginConfig(format!("{}: {e}", p.display()));
    if !p.is_dir() {
        std::fs::metadata(p).map_err(bad)?;
        return Ok(vec![p.to_path_buf()]);
    }
    let mut entries: Vec<_> = std::fs::read_dir(p)
        .map_err(bad)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            if e.is_dir() {
                Some(e.join("plugin.yaml")).filter(|f| f.is_file())
            } else {
                let yaml = matches!(e.extension().and_then(|x| x.to_str()), Some("yaml" | "yml"));
                yaml.then_some(e)
            }
        })
        .collect())
}

/// The render options a target asks for, rendered at `commit` with the configured `plugins`.
pub(crate) fn options_with(t: &Target, commit: &str, plugins: &Plugins) -> RenderOptions {
    let mut o = options(t);
    o.env.revision = commit.to_string();
    o.plugin.plugins = plugins.list.clone();
    o.plugin.path = plugins.path.clone();
    o
}

/// The render options a target asks for (without a resolved commit or configured plugins).
pub fn options(t: &Target) -> RenderOptions {
    let r = &t.render;
    RenderOptions {
        recurse: r.recurse,
        include: r.include.clone(),
        exclude: r.exclude.clone(),
        strict: r.strict,
        helm: HelmOptions {
            value_files: r.helm_values.clone(),
            values_inline: r.helm_values_inline.clone(),
            set: r.helm_set.clone(),
            set_string: r.helm_set_string.clone(),
            set_file: r.helm_set_file.clone(),
            release_name: r.release_name.clone().or_else(|| Some(t.app.clone())),
            namespace: r
                .helm_namespace
                .clone()
                .or_else(|| Some(t.namespace.clone()).filter(|n| !n.is_empty())),
            kube_version: r
                .helm_kube_version
                .as_deref()
                .or(r.kube_version.as_deref())
                .map(argo_kube_version),
            api_versions: if r.helm_api_versions.is_empty() {
                r.api_versions.clone()
            } else {
                r.helm_api_versions.clone()
            },
            include_crds: !r.skip_crds,
            skip_tests: r.skip_tests,
            ignore_missing_value_files: r.ignore_missing_value_files,
            skip_schema_validation: r.skip_schema_validation,
            ..HelmOptions::default()
        },
        jsonnet: JsonnetOptions {
            tlas: r.jsonnet.tlas.clone(),
            ext_vars: r.jsonnet.ext_vars.clone(),
            libs: r.jsonnet.libs.clone(),
            ..JsonnetOptions::default()
        },
        kustomize: KustomizeOptions {
            app: r.kustomize.clone(),
            ..KustomizeOptions::default()
        },
        plugin: PluginOptions {
            source: r.plugin.clone(),
            ..PluginOptions::default()
        },
        env: build_env(t),
        ..RenderOptions::default()
    }
}

/// The Kubernetes version as Argo CD hands it to `helm template --kube-version`: the numeric
/// part only (`v1.33.4-gke.1245000` → `1.33.4`, as `k8s.io/apimachinery`'s `ParseGeneric`
/// then `String` give it). A version without two numeric components is left as written, for
/// Helm to refuse with its own words.
fn argo_kube_version(v: &str) -> String {
    let text = v.trim();
    let bare = text.strip_prefix('v').unwrap_or(text);
    let end = bare
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(bare.len());
    let parts: Vec<String> = bare[..end]
        .split('.')
        .map_while(|p| p.parse::<u64>().ok())
        .map(|n| n.to_string())
        .collect();
    if parts.len() >= 2 {
        parts.join(".")
    } else {
        v.to_string()
    }
}

/// Argo CD's build environment of the target (the revision is set once resolved).
fn build_env(t: &Target) -> BuildEnv {
    BuildEnv {
        app_name: t.app.clone(),
        app_namespace: t.namespace.clone(),
        project_name: t.project.clone(),
        revision: String::new(),
        repo_url: driftless_core::url::without_userinfo(&t.repo),
        target_revision: t.revision.clone(),
        kube_version: t.render.kube_version.clone().unwrap_or_default(),
        api_versions: t.render.api_versions.clone(),
    }
}

/// One source rendered: its objects, warnings as text, and how it was rendered.
pub(crate) struct TreeRender {
    pub(crate) manifests: Vec<Manifest>,
    pub(crate) warnings: Vec<String>,
    pub(crate) source_type: String,
}

/// Renders the target's path from `fs` at `commit`, with `referenced` holding the text of the
/// other sources' files its Helm value files and file parameters name (`$name/…`; the value
/// files found missing there are left out), chart dependencies missing from `charts/` fetched
/// with `charts`, as `source_type` when given (else detected).
pub(crate) fn render_tree(
    fs: &dyn SourceFs,
    t: &Target,
    commit: &str,
    plugins: &Plugins,
    referenced: Referenced,
    charts: Option<std::sync::Arc<driftless_charts::DependencyFetcher>>,
    source_type: Option<driftless_render::SourceType>,
) -> Result<TreeRender, RuntimeError> {
    let mut opts = options_with(t, commit, plugins);
    opts.helm.referenced = referenced.files;
    opts.helm
        .value_files
        .retain(|f| !referenced.missing.contains(f));
    opts.charts = charts.map(|c| c as std::sync::Arc<dyn driftless_render::ChartFetcher>);
    opts.source_type = source_type;
    let out = driftless_render::render(fs, &t.path, &opts)?;
    Ok(TreeRender {
        manifests: out.manifests,
        warnings: out.warnings.iter().map(ToString::to_string).collect(),
        source_type: out.source_type.to_string(),
    })
}

/// Where a Helm output is read from: a revision of the target's Git repository, or its plain
/// directory as it is now.
#[derive(Debug, Clone, Copy)]
pub enum HelmOutputFrom<'a> {
    /// The commit this revision (branch, tag, commit, `HEAD`) names.
    Revision(&'a str),
    /// `t.repo` is a plain directory, read as it is.
    Directory,
}

impl Engine {
    /// `helm template`'s stdout for the target's Helm chart, byte for byte, rendered with the
    /// target's Helm settings (release name, namespace, values, parameters, Kubernetes and API
    /// versions); `include_crds` prints the charts' `crds/` files first. Any other kind of
    /// source is [`driftless_render::RenderError::NotHelm`]. Not cached: it is for people
    /// who diff against Helm, not for the sync loop.
    pub async fn render_helm_output(
        &self,
        t: &Target,
        from: HelmOutputFrom<'_>,
        include_crds: bool,
    ) -> Result<String, RuntimeError> {
        let plugins = Plugins::load(self.config())?;
        let text = move |fs: &dyn SourceFs, t: &Target, commit: &str| {
            let opts = options_with(t, commit, &plugins);
            driftless_render::render_helm_output(fs, &t.path, &opts, include_crds)
                .map_err(RuntimeError::from)
        };
        match from {
            HelmOutputFrom::Directory => {
                let t = t.clone();
                blocking(move || text(&driftless_render::DirFs::new(&t.repo), &t, "")).await
            }
            HelmOutputFrom::Revision(rev) => {
                let commit = self.sources.resolve(t, rev, false).await?;
                let tree = self.sources.tree(&t.repo, &commit).await?;
                let t = t.clone();
                blocking(move || text(&tree, &t, &commit)).await
            }
        }
    }

    /// Renders the target from a plain directory (`t.repo` is not a Git repository: its files
    /// as they are now, no revision), with the same options and plugins as a Git render.
    pub async fn render_directory(&self, t: &Target) -> Result<Rendered, RuntimeError> {
        let plugins = Plugins::load(self.config())?;
        let t = t.clone();
        let charts = self
            .sources
            .charts
            .fetcher(&t, &self.sources.repo_secrets());
        blocking(move || {
            let fs = driftless_render::DirFs::new(&t.repo);
            let none = Referenced::default();
            let out = render_tree(&fs, &t, "", &plugins, none, Some(charts), None)?;
            Ok(Rendered {
                commit: String::new(),
                revisions: vec![String::new()],
                manifests: out.manifests,
                warnings: out.warnings,
                source_types: vec![out.source_type],
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Application;

    fn target(yaml: &str) -> Target {
        Target::from_application(&Application::from_yaml(yaml).unwrap()).unwrap()
    }

    #[test]
    fn helm_parameters_stay_helm_parameters_in_argo_cds_order() {
        let t = target(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  destination: {namespace: shop}\n  source:\n    repoURL: https://u:secret@git.example.com/r.git\n    path: chart\n    helm:\n      valueFiles: [prod.yaml]\n      valuesObject: {a: {b: 1}}\n      values: 'ignored: true'\n      parameters:\n        - {name: image.tag, value: '1.10'}\n        - {name: 'a.b[0]', value: x, forceString: true}\n        - {name: list, value: 'a,b'}\n        - {name: set, value: '{a,b}'}\n      fileParameters: [{name: cfg, path: files/c.txt}]\n",
        );
        let o = options_with(&t, "0123456789abcdef", &Plugins::default());
        let h = &o.helm;
        assert_eq!(h.value_files, ["prod.yaml"]);
        assert_eq!(h.values_inline.as_deref(), Some("a:\n  b: 1\n"));
        assert_eq!(h.set, ["image.tag=1.10", "list=a\\,b", "set={a,b}"]);
        assert_eq!(h.set_string, ["a.b[0]=x"]);
        assert_eq!(h.set_file, [("cfg".to_string(), "files/c.txt".to_string())]);
        assert_eq!(h.release_name.as_deref(), Some("web"));
        assert_eq!(h.namespace.as_deref(), Some("shop"));
        assert_eq!(o.env.revision, "0123456789abcdef");
        assert_eq!(o.env.repo_url, "https://git.example.com/r.git");
        assert_eq!(
            (o.env.app_name.as_str(), o.env.app_namespace.as_str()),
            ("web", "shop")
        );
        assert_eq!(o.env.project_name, "default");
    }

    #[test]
    fn helm_source_settings_reach_helm_as_argo_cd_passes_them() {
        let app = |helm: &str| {
            target(&format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: web}}\nspec:\n  destination: {{namespace: shop}}\n  source:\n    repoURL: .\n    path: chart\n{helm}"
            ))
        };
        // Defaults: CRDs included (`--include-crds`), tests kept, the destination namespace.
        let h = options(&app("")).helm;
        assert!(h.include_crds && !h.skip_tests && !h.ignore_missing_value_files);
        assert!(!h.skip_schema_validation);
        assert_eq!(h.namespace.as_deref(), Some("shop"));
        assert_eq!((h.kube_version, h.api_versions), (None, vec![]));

        let t = app(
            "    helm:\n      skipCrds: true\n      skipTests: true\n      skipSchemaValidation: true\n      ignoreMissingValueFiles: true\n      namespace: tools\n      kubeVersion: v1.30.4+k3s1\n      apiVersions: [a.example/v1, b.example/v1]\n",
        );
        let h = options(&t).helm;
        assert!(!h.include_crds && h.skip_tests && h.ignore_missing_value_files);
        assert!(h.skip_schema_validation);
        assert_eq!(h.namespace.as_deref(), Some("tools"));
        assert_eq!(h.kube_version.as_deref(), Some("1.30.4"));
        assert_eq!(h.api_versions, ["a.example/v1", "b.example/v1"]);
        // The source's settings win over the destination's (the CLI's --kube-version).
        let mut with_cluster = t.clone();
        with_cluster.render.kube_version = Some("1.28.0".into());
        with_cluster.render.api_versions = vec!["c.example/v1".into()];
        let h = options(&with_cluster).helm;
        assert_eq!(h.kube_version.as_deref(), Some("1.30.4"));
        assert_eq!(h.api_versions, ["a.example/v1", "b.example/v1"]);
        let mut cluster_only = app("");
        cluster_only.render.kube_version = Some("v1.29.1-eks-1".into());
        let h = options(&cluster_only).helm;
        assert_eq!(h.kube_version.as_deref(), Some("1.29.1"));

        // Argo CD falls back to the kustomize fields for Helm's namespace and capabilities.
        let h = options(&app(
            "    kustomize:\n      namespace: kns\n      kubeVersion: '1.27'\n      apiVersions: [k.example/v1]\n",
        ))
        .helm;
        assert_eq!(h.namespace.as_deref(), Some("kns"));
        assert_eq!(h.kube_version.as_deref(), Some("1.27"));
        assert_eq!(h.api_versions, ["k.example/v1"]);
    }

    #[test]
    fn kube_versions_keep_their_numeric_part_as_argo_cd_parses_them() {
        for (given, want) in [
            ("v1.33.4-gke.1245000", "1.33.4"),
            ("1.29", "1.29"),
            (" v1.30.01 ", "1.30.1"),
            ("1.30.", "1.30"),
            ("1", "1"),
            ("latest", "latest"),
        ] {
            assert_eq!(argo_kube_version(given), want, "{given}");
        }
    }

    #[test]
    fn jsonnet_kustomize_and_plugin_options_reach_the_renderer() {
        let t = target(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  project: team\n  destination: {namespace: shop}\n  source:\n    repoURL: .\n    targetRevision: main\n    path: app\n    directory:\n      jsonnet:\n        tlas: [{name: replicas, value: '3', code: true}]\n        extVars: [{name: env, value: prod}]\n        libs: [vendor]\n    kustomize:\n      namePrefix: p-\n      images: [nginx:1.27]\n      replicas: [{name: web, count: 2}, {name: api, count: '4'}]\n      commonLabels: {team: a}\n      labelIncludeTemplates: true\n      components: [../c]\n    plugin:\n      name: kustomized-helm\n      env: [{name: STAGE, value: prod}]\n      parameters: [{name: replicas, string: '3'}]\n",
        );
        let o = options_with(&t, "c0ffee", &Plugins::default());
        let tla = &o.jsonnet.tlas[0];
        assert_eq!(
            (tla.name.as_str(), tla.value.as_str(), tla.code),
            ("replicas", "3", true)
        );
        assert_eq!(o.jsonnet.ext_vars[0].value, "prod");
        assert!(!o.jsonnet.ext_vars[0].code);
        assert_eq!(o.jsonnet.libs, ["vendor"]);
        let k = &o.kustomize.app;
        assert_eq!(k.name_prefix, "p-");
        assert_eq!(k.images, ["nginx:1.27"]);
        assert_eq!(k.replicas, [("web".into(), 2), ("api".into(), 4)]);
        assert_eq!(k.common_labels["team"], "a");
        assert!(k.label_include_templates);
        assert_eq!(k.components, ["../c"]);
        let p = o.plugin.source.as_ref().unwrap();
        assert_eq!(p.name, "kustomized-helm");
        assert_eq!(p.env, [("STAGE".to_string(), "prod".to_string())]);
        assert_eq!(p.parameters[0].string.as_deref(), Some("3"));
        assert_eq!(o.env.project_name, "team");
        assert_eq!(o.env.target_revision, "main");

        let bad = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  source:\n    repoURL: .\n    kustomize: {replicas: [{name: api, count: many}]}\n",
        )
        .unwrap();
        let e = Target::from_application(&bad).unwrap_err().to_string();
        assert!(e.contains("replicas[api].count \"many\""), "{e}");
    }

    #[test]
    fn plugins_are_read_from_files_and_directories() {
        let d = TempDir(
            std::env::temp_dir().join(format!("driftless-runtime-plugins-{}", std::process::id())),
        );
        let def = |name: &str| {
            format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\nmetadata: {{name: {name}}}\nspec:\n  generate: {{command: [cat, a.yaml]}}\n"
            )
        };
        std::fs::create_dir_all(d.path().join("dir/sidecar")).unwrap();
        std::fs::write(d.path().join("dir/b.yaml"), def("b")).unwrap();
        std::fs::write(d.path().join("dir/a.yml"), def("a")).unwrap();
        std::fs::write(d.path().join("dir/notes.txt"), "not a plugin").unwrap();
        std::fs::write(d.path().join("dir/sidecar/plugin.yaml"), def("c")).unwrap();
        std::fs::write(d.path().join("one.yaml"), def("one")).unwrap();
        let config = EngineConfig {
            plugins: vec![d.path().join("dir"), d.path().join("one.yaml")],
            ..EngineConfig::default()
        };
        let p = Plugins::load(&config).unwrap();
        let names: Vec<String> = p.list.iter().map(|p| p.name.clone()).collect();
        assert_eq!(names, ["a", "b", "c", "one"]);

        std::fs::write(d.path().join("bad.yaml"), "kind: Nope\n").unwrap();
        let config = EngineConfig {
            plugins: vec![d.path().join("bad.yaml")],
            ..EngineConfig::default()
        };
        let e = Plugins::load(&config).unwrap_err().to_string();
        assert!(e.contains("bad.yaml"), "{e}");
        let config = EngineConfig {
            plugins: vec![d.path().join("missing")],
            ..EngineConfig::default()
        };
        let e = Plugins::load(&config).unwrap_err().to_string();
        assert!(e.contains("missing"), "{e}");
    }

    struct TempDir(std::path::PathBuf);
    impl TempDir {
        fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
