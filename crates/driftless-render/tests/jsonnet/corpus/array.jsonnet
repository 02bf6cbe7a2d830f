local k = import 'k.libsonnet';
local l = import 'local.libsonnet';
[
  k.configMap('cm-%d' % i + l.suffix, { index: std.toString(i), half: std.toString(i / 2) })
  for i in std.range(1, 4)
] + [null]
