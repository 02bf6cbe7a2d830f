local b = import 'broken.libsonnet';
b.a
