import json, subprocess, sys, yaml
cases = json.load(open(sys.argv[1]))
open('/tmp/oc/vals.json','w').write(json.dumps({"cases": cases}, ensure_ascii=False).replace('\u0085','\\u0085').replace('\u2028','\\u2028').replace('\u2029','\\u2029').replace('\ufeff','\\ufeff'))
out = subprocess.run(['/work/main/.tools/helm','template','/tmp/oc/m','-f','/tmp/oc/vals.json'],capture_output=True,text=True,check=True).stdout
doc = yaml.safe_load(out.split('\n',2)[2])
res = [{"input": c, "yaml": y} for c, y in zip(cases, doc["out"])]
json.dump(res, open(sys.argv[2],'w'), indent=1, ensure_ascii=False)
print(len(res))
