// Library search order: the importing file's directory, then the library
// paths, the last one first.
local shared = import 'shared.libsonnet';
local shadow = import 'shadow.libsonnet';
{
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'precedence' },
  data: { shared: shared.from, shadow: shadow.from },
}
