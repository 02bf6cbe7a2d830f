local k = import 'k.libsonnet';
{
  apiVersion: 'v1',
  kind: 'List',
  items: [k.deployment('web', std.extVar('replicas')), k.configMap('listed')],
}
