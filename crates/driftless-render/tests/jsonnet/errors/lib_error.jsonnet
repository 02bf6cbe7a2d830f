local k = import 'k.libsonnet';
k.configMap()
