//! A small umbrella Helm chart (`shop`, with the subchart `web` under `charts/`) and its
//! per-environment values files, written into a test repository, and Applications for it.

use crate::GitRepo;

/// The chart's directory in the repository.
pub const PATH: &str = "shop";

/// Writes the umbrella chart into `repo` (not committed): a ConfigMap `settings` (`mode` from
/// `settings.mode`, omitted when `settings.enabled` is false) from the parent chart, and a
/// Deployment and a Service `web` (the Service only with `web.service: true`) from the subchart.
/// `values-dev.yaml` sets 2 replicas, `values-prod.yaml` 3 and mode `prod`.
pub fn write(repo: &GitRepo) {
    repo.write(
        "shop/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n- name: web\n  version: 0.1.0\n  repository: file://charts/web\n",
    )
    .write(
        "shop/values.yaml",
        "settings:\n  enabled: true\n  mode: blue\nweb:\n  replicas: 1\n  image: nginx:1.27\n  service: true\n",
    )
    .write("shop/values-dev.yaml", "web:\n  replicas: 2\n")
    .write(
        "shop/values-prod.yaml",
        "settings:\n  mode: prod\nweb:\n  replicas: 3\n",
    )
    .write(
        "shop/templates/settings.yaml",
        "{{- if .Values.settings.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels:\n    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}\ndata:\n  mode: {{ .Values.settings.mode | quote }}\n  environment: {{ .Release.Name | quote }}\n{{- end }}\n",
    )
    .write(
        "shop/charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    )
    .write(
        "shop/charts/web/values.yaml",
        "replicas: 1\nimage: nginx:1.27\nservice: false\n",
    )
    .write(
        "shop/charts/web/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: main\n        image: {{ .Values.image }}\n        ports:\n        - containerPort: 80\n",
    )
    .write(
        "shop/charts/web/templates/service.yaml",
        "{{- if .Values.service }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: 80\n{{- end }}\n",
    );
}

/// An Application of the umbrella chart at `repo_url` with `values-{env}.yaml`, deployed into
/// `namespace`, with `sync_policy` YAML (indented under `syncPolicy:`) and the resources
/// finalizer.
pub fn application(
    name: &str,
    repo_url: &str,
    env: &str,
    namespace: &str,
    sync_policy: &str,
) -> String {
    crate::controller::application_with_source(
        name,
        &format!(
            "{{repoURL: '{repo_url}', path: {PATH}, targetRevision: HEAD, helm: {{valueFiles: [values-{env}.yaml]}}}}"
        ),
        namespace,
        sync_policy,
    )
}
