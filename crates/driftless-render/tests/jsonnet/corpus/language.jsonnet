local fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2);
local sum(arr, i=0, acc=0) = if i == std.length(arr) then acc else sum(arr, i + 1, acc + arr[i]) tailstrict;
local Base = {
  name:: 'base',
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: { name: $.nameOf($.name) },
  nameOf(n):: 'cm-' + n,
};
local Derived = Base {
  name:: 'derived',
  nameOf(n):: super.nameOf(n) + '-x',
  data: {
    fib: std.toString(fib(15)),
    sum: std.toString(sum(std.range(1, 100))),
    fmt: '%(a)s=%(b)03d' % { a: 'k', b: 7 },
    slice: std.toString([1, 2, 3, 4, 5][1:4:2]),
    strslice: 'abcdef'[2:],
    cmp: std.toString(['a', 'b'] < ['a', 'c']),
    objs: std.toString(std.objectFieldsAll(Base)),
    inobj: std.toString('name' in Base),
    mod: std.toString([7 % 3, -7 % 3, 2.5 % 1]),
    bits: std.toString([5 & 3, 5 | 3, 5 ^ 3, 1 << 4, 256 >> 2, ~5]),
    asserted: std.toString(std.assertEqual(1 + 1, 2)),
    flat: std.toString(std.flattenArrays([[1], [2, 3]])),
    folded: std.toString(std.foldl(function(a, b) a * b, [1, 2, 3, 4], 1)),
    filtered: std.toString(std.filterMap(function(x) x > 1, function(x) x * 10, [1, 2, 3])),
    merged: std.toString(std.mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } })),
    yaml: std.toString(std.parseYaml('a: [1, 2]\nb: x\n')),
    obj_has: std.toString(std.objectHas({ a:: 1 }, 'a')),
    escapes: std.toString([std.escapeStringBash("it's"), std.escapeStringPython('a"b')]),
    ascii: std.asciiUpper('abc') + std.asciiLower('DEF'),
    substr: std.substr('driftless', 0, 5),
    replaced: std.strReplace('a-b-c', '-', '+'),
    joined: std.join(['x'], [['a'], ['b']]) == ['a', 'x', 'b'],
  },
};
Derived
