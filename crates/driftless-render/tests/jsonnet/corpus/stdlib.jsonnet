local data = {
  yaml: std.manifestYamlDoc({ a: [1, 2, { b: 'c' }], d: null }),
  json: std.manifestJsonEx({ x: [1, 2], y: { z: true } }, '  '),
  ini: std.manifestIni({ main: { a: 1 }, sections: { s: { b: 'x' } } }),
  fmt: std.format('%s-%05.2f-%x-%o-%e', ['a', 3.14159, 255, 8, 12345.678]),
  sorted: std.join(',', std.sort(['b', 'a', 'C', 'aa'])),
  uniq: std.join(',', std.set(['b', 'a', 'b'])),
  b64: std.base64('driftless'),
  md5: std.md5('driftless'),
  split: std.join('|', std.split('a,b,,c', ',')),
  pad: std.lstripChars('xxabc', 'x') + std.rstripChars('abcyy', 'y'),
  num: std.toString([1.5, 1e3, 0.1 + 0.2, -0, 2e21, std.pow(2, 53)]),
  third: 1 / 3,
  parsed: std.toString(std.parseJson('{"k": [1, 2.5, "s"]}')),
  obj: std.toString(std.mapWithKey(function(k, v) v * 2, { a: 1, b: 2 })),
  text: |||
    line one
      indented
  |||,
  str: importstr 'greeting.txt',
  thisFile: std.thisFile,
  unicode: 'snow ☃ and \u00e9',
  escape: std.escapeStringJson('quote " and \\'),
  yamlStream: std.manifestYamlStream([{ a: 1 }, { b: 2 }]),
};
{
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'stdlib', annotations: { count: std.toString(std.length(data)) } },
  data: data,
}
