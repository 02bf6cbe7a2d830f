{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'only-with-recurse' } }
