local o = {
  replicas: 0,
  assert self.replicas > 0 : 'replicas must be positive',
};
o
