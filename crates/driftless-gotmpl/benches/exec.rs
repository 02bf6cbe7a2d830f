//! Criterion bench: parse and execute a moderate Helm-like template.

use criterion::{Criterion, criterion_group, criterion_main};
use driftless_gotmpl::{TemplateSet, Value};
use std::hint::black_box;

const HELPERS: &str = r#"{{- define "app.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .release }}
{{- range $k, $v := .labels }}
{{ $k }}: {{ $v | printf "%q" }}
{{- end }}
{{- end }}"#;

const MAIN: &str = r#"{{- range $i, $svc := .services }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $svc.name }}-{{ $i }}
  labels:
    {{- template "app.labels" $svc }}
spec:
  replicas: {{ $svc.replicas | default1 }}
  template:
    spec:
      containers:
        {{- range $svc.containers }}
        - name: {{ .name }}
          image: "{{ .image }}:{{ .tag }}"
          {{- if .ports }}
          ports:
            {{- range .ports }}
            - containerPort: {{ . }}
            {{- end }}
          {{- end }}
          {{- with .env }}
          env:
            {{- range $k, $v := . }}
            - name: {{ $k }}
              value: {{ printf "%v" $v | js }}
            {{- end }}
          {{- end }}
        {{- end }}
{{- end }}
"#;

fn data() -> Value {
    let services: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            serde_json::json!({
                "name": format!("svc{i}"), "release": "rel", "replicas": i % 3,
                "labels": {"team": "a", "tier": "backend", "idx": i},
                "containers": [
                    {"name": "main", "image": "nginx", "tag": "1.25", "ports": [80, 443],
                     "env": {"A": 1, "B": "two", "C": true}},
                    {"name": "sidecar", "image": "envoy", "tag": "v1", "ports": []}
                ]
            })
        })
        .collect();
    Value::from(serde_json::json!({ "services": services }))
}

fn set() -> TemplateSet {
    let mut funcs = driftless_gotmpl::FuncMap::new();
    funcs.add(
        "default1",
        driftless_gotmpl::Signature::fixed_any(1),
        |_, a| {
            Ok(if a[0].is_true() {
                a[0].clone()
            } else {
                Value::Int(1)
            })
        },
    );
    let mut set = TemplateSet::with_funcs(funcs);
    set.parse("_helpers.tpl", HELPERS).unwrap();
    set.parse("deploy.yaml", MAIN).unwrap();
    set
}

fn bench(c: &mut Criterion) {
    let d = data();
    let s = set();
    let lines = s.execute("deploy.yaml", &d).unwrap().lines().count();
    c.bench_function(&format!("execute 20 deployments ({lines} lines)"), |b| {
        b.iter(|| black_box(s.execute("deploy.yaml", black_box(&d)).unwrap()))
    });
    c.bench_function("parse helpers + deployment template", |b| {
        b.iter(|| black_box(set()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
