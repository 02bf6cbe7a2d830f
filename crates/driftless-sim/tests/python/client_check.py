"""Drives the simulated cluster with the official Python `kubernetes` client (a second,
independent client speaking JSON through its own generated models).

Usage: client_check.py KUBECONFIG; prints one line per step and exits non-zero on failure.
"""
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
apps = client.AppsV1Api()
custom = client.CustomObjectsApi()
ext = client.ApiextensionsV1Api()
NS = "py"


def step(msg):
    print(msg, flush=True)


core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
step("namespace created")

# Watch ConfigMaps while they are created, patched and deleted.
events = []
w = watch.Watch()


def watcher():
    for ev in w.stream(core.list_namespaced_config_map, NS, timeout_seconds=10):
        events.append((ev["type"], ev["object"].metadata.name))
        if ev["type"] == "DELETED":
            w.stop()


t = threading.Thread(target=watcher)
t.start()

cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings", labels={"app": "py"}), data={"mode": "fast"})
created = core.create_namespaced_config_map(NS, cm)
assert created.metadata.uid and created.metadata.resource_version, created
step("configmap created")
patched = core.patch_namespaced_config_map("settings", NS, {"data": {"mode": "slow", "extra": "1"}})
assert patched.data == {"mode": "slow", "extra": "1"}, patched.data
step("configmap patched")

dep = client.V1Deployment(
    metadata=client.V1ObjectMeta(name="web"),
    spec=client.V1DeploymentSpec(
        replicas=2,
        selector=client.V1LabelSelector(match_labels={"app": "web"}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={"app": "web"}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.27", ports=[client.V1ContainerPort(container_port=80)])]),
        ),
    ),
)
d = apps.create_namespaced_deployment(NS, dep)
assert d.spec.strategy.type == "RollingUpdate" and d.spec.template.spec.containers[0].image_pull_policy == "IfNotPresent", d.spec
scaled = apps.patch_namespaced_deployment_scale("web", NS, {"spec": {"replicas": 3}})
assert scaled.spec.replicas == 3, scaled
step("deployment created, defaulted and scaled")

svc = client.V1Service(metadata=client.V1ObjectMeta(name="web"), spec=client.V1ServiceSpec(selector={"app": "web"}, ports=[client.V1ServicePort(port=80, target_port="http")]))
s = core.create_namespaced_service(NS, svc)
assert s.spec.cluster_ip and s.spec.type == "ClusterIP", s.spec
step("service created")

# The server refuses what a real one refuses (sent raw: the client's models would refuse first).
api = core.api_client
bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bad"}, "data": {"a": True}}
method, url, headers, body, _ = api.param_serialize(
    "POST", "/api/v1/namespaces/py/configmaps", header_params={"Content-Type": "application/json", "Accept": "application/json"},
    body=bad, auth_settings=["BearerToken"])
resp = api.rest_client.request(method, url, headers=headers, body=body)
text = resp.read().decode()
assert resp.status == 400 and "cannot unmarshal bool into Go struct field ConfigMap.data of type string" in text, text
step("bad configmap refused")

crd = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"kind": "Gadget", "plural": "gadgets", "singular": "gadget"},
             "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                 "type": "object", "properties": {"spec": {"type": "object", "required": ["size"], "properties": {
                     "size": {"type": "integer", "maximum": 3}, "color": {"type": "string", "default": "red"}}}}}}}]},
}
ext.create_custom_resource_definition(crd)
g = custom.create_namespaced_custom_object("example.com", "v1", NS, "gadgets",
    {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"size": 1}})
assert g["spec"] == {"size": 1, "color": "red"}, g
try:
    custom.create_namespaced_custom_object("example.com", "v1", NS, "gadgets",
        {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "big"}, "spec": {"size": 9}})
    raise SystemExit("a Gadget above its maximum was accepted")
except ApiException as e:
    assert e.status == 422 and "spec.size in body should be less than or equal to 3" in e.body, e.body
custom.patch_namespaced_custom_object("example.com", "v1", NS, "gadgets", "g", {"spec": {"size": 2}})
assert custom.get_namespaced_custom_object("example.com", "v1", NS, "gadgets", "g")["spec"]["size"] == 2
custom.delete_namespaced_custom_object("example.com", "v1", NS, "gadgets", "g")
step("custom resource created, defaulted, refused, patched and deleted")

core.delete_namespaced_config_map("settings", NS)
t.join(timeout=15)
assert ("ADDED", "settings") in events and ("MODIFIED", "settings") in events and ("DELETED", "settings") in events, events
step("watch saw ADDED, MODIFIED, DELETED")
apps.delete_namespaced_deployment("web", NS)
try:
    apps.read_namespaced_deployment("web", NS)
    raise SystemExit("deleted deployment still readable")
except ApiException as e:
    assert e.status == 404, e.status
step("deployment deleted")
print("ok")
