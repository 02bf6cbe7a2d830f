local k = import 'k.libsonnet';
function(name='default', labels={}, unused=null)
  k.deployment(name, 2, labels { managed: 'jsonnet' })
