local x = { a: 1 };
{
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: error 'explicit failure here' },
}
