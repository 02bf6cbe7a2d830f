local k = import 'k.libsonnet';
k.configMap('single', { env: std.extVar('env'), replicas: std.toString(std.extVar('replicas')) })
