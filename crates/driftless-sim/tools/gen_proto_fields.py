#!/usr/bin/env python3
"""Writes data/proto-fields.json: the protobuf field numbers of every Kubernetes message, read
from the generated bindings of the `k8s-pb` crate (kube-rs, Apache-2.0), with each field's JSON
name taken from the OpenAPI schema that driftless-patch embeds.

Usage: tools/gen_proto_fields.py K8S_PB_SRC_DIR SCHEMA_JSON_GZ OUT_JSON
"""
import gzip, json, os, re, sys

src, schema_gz, out = sys.argv[1:4]
defs = json.load(gzip.open(schema_gz))["definitions"]

PREFIX = {  # k8s-pb module root -> OpenAPI definition prefix
    "api": "io.k8s.api",
    "apimachinery": "io.k8s.apimachinery",
    "apiextensions_apiserver": "io.k8s.apiextensions-apiserver",
    "kube_aggregator": "io.k8s.kube-aggregator",
}

LOWER = {k.lower(): k for k in defs}

def def_name(mod, name):
    root = PREFIX.get(mod[0])
    if root is None:
        return None
    full = ".".join([root] + [m.replace("_", "-") if mod[0] != "api" else m for m in mod[1:]] + [name])
    return LOWER.get(full.lower(), full)

FIELD = re.compile(r'#\[prost\(([^)]*)\)\]\s*pub (r#)?(\w+):\s*([^;{}]+?),\s*(?=\n\s*(?:///|#\[|$))')
STRUCT = re.compile(r'pub struct (\w+) \{(.*?\n)\}', re.S)

def resolve(mod, ty):
    ty = re.sub(r'\s+', '', ty)
    ty = re.sub(r'::prost::alloc::\w+::', '', ty)
    ty = re.sub(r'::core::option::Option<(.*)>', r'\1', ty)
    ty = re.sub(r'Vec<(.*)>', r'\1', ty)
    parts = ty.strip().split("::")
    m = list(mod)
    while parts and parts[0] == "super":
        m.pop(); parts.pop(0)
    return def_name(m + parts[:-1], parts[-1])

raw = {}  # definition name -> (module, [(tag, field name, attribute, rust type)])
for dirpath, _, files in os.walk(src):
    if "mod.rs" not in files:
        continue
    mod = os.path.relpath(dirpath, src).split(os.sep)
    text = open(os.path.join(dirpath, "mod.rs")).read() + "\n"
    for sname, body in STRUCT.findall(text):
        full = def_name(mod, sname)
        if full is None:
            continue
        fs = []
        for attr, _, fname, ty in FIELD.findall(body):
            tag = int(re.search(r'tag = "(\d+)"', attr).group(1))
            fs.append((tag, fname, attr, ty))
        raw[full] = (mod, fs)

def key(name):
    return name.replace("_", "").lower()

def own_props(full):
    return (defs.get(full) or {}).get("p") or {}

# Go structs embedded inline (IngressRuleValue in IngressRule, VolumeSource in Volume, ...):
# message fields whose name is not a JSON property of the parent, but whose own fields are.
inline_fields = set()
extra_props = {}
for full, (mod, fs) in raw.items():
    props = own_props(full)
    if not props:
        continue
    keys = {key(k) for k in props}
    for tag, fname, attr, ty in fs:
        if key(fname) in keys or not attr.startswith("message") or "repeated" in attr:
            continue
        inner = resolve(mod, ty)
        inner_fields = raw.get(inner, (None, []))[1]
        matches = sum(key(f[1]) in keys for f in inner_fields)
        if matches and matches * 2 >= len(inner_fields):
            inline_fields.add((full, tag))
            extra_props.setdefault(inner, {}).update(props)

result = {}
for full, (mod, fs) in raw.items():
    props = dict(own_props(full))
    props.update(extra_props.get(full, {}))
    by_key = {key(k): k for k in props}
    fields = []
    for tag, fname, attr, ty in fs:
        json_name = by_key.get(key(fname))
        if json_name is None:
            head, *rest = fname.split("_")
            json_name = head + "".join(w.capitalize() for w in rest)
        kind = attr.split(",")[0].strip()
        if kind.startswith("btree_map") or kind.startswith("map"):
            k, v = re.search(r'"(\w+), (\w+)"', attr).groups()
            vt = resolve(mod, re.search(r'Map<[^,]+,\s*(.*?),?\s*>$', ty.strip(), re.S).group(1)) if v == "message" else v
            fields.append([tag, json_name, "map", vt])
            continue
        rep = "repeated" in attr
        t = resolve(mod, ty) if kind == "message" else kind
        card = "inline" if (full, tag) in inline_fields else "list" if rep else "one"
        fields.append([tag, json_name, card, t])
    result[full] = fields

kinds = {}
for name, d in defs.items():
    for g in d.get("g") or []:
        if name in result:
            gv = g["version"] if not g["group"] else g["group"] + "/" + g["version"]
            kinds[gv + "/" + g["kind"]] = name

with open(out, "w") as f:
    json.dump({"kinds": kinds, "messages": result}, f, separators=(",", ":"), sort_keys=True)
print(len(result), "messages")
