local m = import 'does-not-exist.libsonnet';
m
