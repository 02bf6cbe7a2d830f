{
  configMap(name, data={}):: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: name },
    data: data,
  },
  deployment(name, replicas, labels={}):: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: name, labels: labels },
    spec: {
      replicas: replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } + labels },
        spec: { containers: [{ name: name, image: 'nginx:1.27' }] },
      },
    },
  },
}
