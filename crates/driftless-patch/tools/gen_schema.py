#!/usr/bin/env python3
"""Regenerate data/k8s-v1.32.json.gz, the compact Kubernetes schema embedded by driftless-patch.

Source: the PyPI package `kubernetes-validate` (Apache-2.0, Will Thames), file
`kubernetes_validate/kubernetes-json-schema/v1.32.0-local/_definitions.json`, which is derived
from the Kubernetes 1.32 OpenAPI document.

Usage (from the crate directory):
    python3 tools/gen_schema.py                 # downloads the wheel with pip into a temp dir
    python3 tools/gen_schema.py path/to/wheel   # or uses a wheel you already have

Only what driftless-patch needs is kept: per definition its description, type, GVKs, required
fields and, per property, type/format/$ref/items/additionalProperties/enum and the
x-kubernetes-* extensions (list type, list map keys, map type, patch strategy, patch merge key).
"""
import glob
import gzip
import json
import os
import subprocess
import sys
import tempfile
import zipfile

K8S_VERSION = "v1.32.0"
MEMBER = "kubernetes_validate/kubernetes-json-schema/%s-local/_definitions.json" % K8S_VERSION
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "k8s-v1.32.json.gz")

# Defaults of list-map key fields. The upstream OpenAPI document carries them as `default`
# (from the `+default="TCP"` markers in k8s.io/api) but kubernetes-validate drops `default`.
# Server-side apply needs them to name list items whose key field was omitted
# (e.g. `k:{"containerPort":80,"protocol":"TCP"}`).
KEY_DEFAULTS = {
    ("io.k8s.api.core.v1.ContainerPort", "protocol"): "TCP",
    ("io.k8s.api.core.v1.ServicePort", "protocol"): "TCP",
}

REF_PREFIX = "#/$defs/"


def simple_type(t):
    """["string","null"] -> "string"; absent -> None."""
    if t is None:
        return None
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        return rest[0] if len(rest) == 1 else None
    return None if t == "null" else t


def convert(node, owner=None, field=None):
    out = {}
    if "description" in node:
        out["d"] = node["description"]
    if "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith(REF_PREFIX), ref
        out["r"] = ref[len(REF_PREFIX):]
    if "oneOf" in node:
        kinds = sorted({simple_type(o.get("type")) for o in node["oneOf"]})
        if kinds == ["integer", "string"]:
            out["t"] = "string"
            out["f"] = "int-or-string"
        elif kinds == ["number", "string"]:
            out["t"] = "string"
            out["f"] = "quantity"
        else:
            raise SystemExit("unexpected oneOf %r" % node["oneOf"])
    t = simple_type(node.get("type"))
    if t is not None:
        out["t"] = t
    if "format" in node:
        out["f"] = node["format"]
    if "enum" in node and field not in ("apiVersion", "kind"):
        out["e"] = node["enum"]
    if "properties" in node:
        out["p"] = {k: convert(v, owner, k) for k, v in node["properties"].items()}
    if "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
        out["a"] = convert(node["additionalProperties"], owner)
    if "items" in node:
        out["i"] = convert(node["items"], owner)
    if node.get("required"):
        out["rq"] = node["required"]
    for key, short in (
        ("x-kubernetes-list-type", "lt"),
        ("x-kubernetes-list-map-keys", "lk"),
        ("x-kubernetes-map-type", "mt"),
        ("x-kubernetes-patch-strategy", "ps"),
        ("x-kubernetes-patch-merge-key", "pk"),
        ("x-kubernetes-group-version-kind", "g"),
        ("x-kubernetes-unions", "u"),
    ):
        if key in node:
            out[short] = node[key]
    if owner is not None and (owner, field) in KEY_DEFAULTS:
        out["df"] = KEY_DEFAULTS[(owner, field)]
    return out


def main():
    if len(sys.argv) > 1:
        wheel = sys.argv[1]
    else:
        tmp = tempfile.mkdtemp()
        subprocess.check_call(
            [sys.executable, "-m", "pip", "download", "--no-deps", "kubernetes-validate", "-d", tmp]
        )
        wheel = glob.glob(os.path.join(tmp, "kubernetes_validate-*.whl"))[0]
    with zipfile.ZipFile(wheel) as z:
        doc = json.loads(z.read(MEMBER))
    defs = doc["$defs"]
    compact = {
        "source": "kubernetes-validate %s (%s)" % (os.path.basename(wheel), MEMBER),
        "kubernetes": K8S_VERSION,
        "definitions": {name: convert(d, name) for name, d in sorted(defs.items())},
    }
    data = json.dumps(compact, separators=(",", ":"), sort_keys=False).encode()
    with open(OUT, "wb") as f:
        # mtime=0 keeps the output byte-for-byte reproducible.
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    print("wrote %s (%d bytes json, %d definitions)" % (OUT, len(data), len(defs)))


if __name__ == "__main__":
    main()
