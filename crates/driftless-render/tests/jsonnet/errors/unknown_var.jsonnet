{
  a: undefinedVariable,
}
