#!/usr/bin/env python3
"""Records what the real `helm template` (Go text/template + missingkey=zero)
renders for each case in cases.json, into tests/data/helm_oracle.json.

Usage: tests/gen_oracle.py HELM_BINARY
Only builtins of Go's text/template are used in the snippets (plus Helm's
own `include`/`toJson` in the wrapper used to capture the output as JSON).
"""
import json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
helm = sys.argv[1]
cases = json.load(open(os.path.join(here, "data", "cases.json")))
out = []
with tempfile.TemporaryDirectory() as d:
    chart = os.path.join(d, "c")
    os.makedirs(os.path.join(chart, "templates"))
    open(os.path.join(chart, "Chart.yaml"), "w").write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    for c in cases:
        name, tmpl, values = c["name"], c["tmpl"], c.get("values", {})
        open(os.path.join(chart, "values.yaml"), "w").write(json.dumps(values))
        helpers = os.path.join(chart, "templates", "_helpers.tpl")
        if os.path.exists(helpers):
            os.remove(helpers)
        if c.get("helpers"):
            open(helpers, "w").write(c["helpers"])
        t = os.path.join(chart, "templates", "t.yaml")
        rec = {"name": name, "tmpl": tmpl, "values": values}
        if c.get("helpers"):
            rec["helpers"] = c["helpers"]
        open(t, "w").write('{{ define "s" }}' + tmpl + '{{ end }}out: {{ include "s" . | toJson }}\n')
        r = subprocess.run([helm, "template", "x", chart], capture_output=True, text=True)
        if r.returncode == 0:
            body = r.stdout.split("out: ", 1)[1]
            rec["out"] = json.loads(body)
        else:
            open(t, "w").write(tmpl)
            r = subprocess.run([helm, "template", "x", chart], capture_output=True, text=True)
            msg = r.stderr.strip()
            if msg.endswith("Use --debug flag to render out invalid YAML"):
                msg = msg[: -len("Use --debug flag to render out invalid YAML")].strip()
            rec["err"] = msg
        out.append(rec)
json.dump(out, open(os.path.join(here, "data", "helm_oracle.json"), "w"), indent=1, ensure_ascii=False)
print(f"{len(out)} cases recorded")
