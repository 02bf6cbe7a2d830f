local base = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'svc', labels: { a: 'b' } },
  spec: { ports: [{ port: 80 }] },
  hidden:: 'not shown',
  assert self.spec.ports[0].port > 0 : 'port must be positive',
};
local patched = base {
  metadata+: { labels+: { c: 'd' }, name: super.name + '-patched' },
  spec+: { ports+: [{ port: 443 }], type: if $.metadata.labels.c == 'd' then 'ClusterIP' else 'NodePort' },
};
[base, patched { metadata+: { name: 'third' } }] + [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-' + k }, data: { [k]: 'v' } }
  for k in std.objectFields({ z: 1, y: 2, x: 3 })
  if k != 'y'
]
