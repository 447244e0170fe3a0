#!/usr/bin/python3
"""make-bodies.py - writes the benchmark's AdmissionReview request bodies into bench/bodies/.

Each body is a real Deployment from `kubectl create deployment ... --dry-run=client -o json`,
filled out the way production manifests are (labels, annotations, probes, resources, volume
mounts, env from ConfigMaps and Secrets, sidecars) until the whole AdmissionReview reaches its
size target, then wrapped the way the kube-apiserver sends it (compact JSON, CREATE, userInfo,
oldObject null, dryRun false). No body carries a literal credential, so every one is allowed,
except the two extra rows:
- deployment-16k-leak: the 16 KB body plus one literal DB_PASSWORD in its last container's env,
  which the secret scan denies (the deny path's cost);
- gate-orders: bench/gate/deployment.json (namespace shop, `schemagate.io/requires: orders@1.10`)
  wrapped the same way, for the schema gate's columns.

Usage: bench/make-bodies.py [OUTDIR]   (default: bench/bodies next to this script)
The generated files are committed so that every run measures the same bytes; rerun this only
to change them.
"""
import json
import os
import subprocess
import sys

# name -> (target size of the whole AdmissionReview in bytes, containers in the pod)
SIZES = {
    "deployment-2k": (2 * 1024, 1),
    "deployment-4k": (4 * 1024, 2),
    "deployment-16k": (16 * 1024, 4),
}

IMAGES = [
    "registry.example.com/shop/orders-api:1.14.2",
    "registry.example.com/platform/envoy:1.28.0",
    "registry.example.com/platform/otel-collector:0.91.0",
    "registry.example.com/platform/log-shipper:2.2.1",
]

# Plain configuration values, as a twelve-factor service carries them.
PLAIN_ENV = [
    ("LOG_LEVEL", "info"), ("LOG_FORMAT", "json"), ("HTTP_PORT", "8080"),
    ("GRPC_PORT", "9000"), ("METRICS_PORT", "9102"), ("DB_HOST", "orders-db.shop.svc.cluster.local"),
    ("DB_PORT", "5432"), ("DB_NAME", "orders"), ("DB_POOL_MAX", "20"), ("DB_POOL_MIN", "2"),
    ("DB_SSLMODE", "verify-full"), ("CACHE_URL", "redis://orders-cache.shop.svc.cluster.local:6379/0"),
    ("KAFKA_BROKERS", "kafka-0.kafka.shop.svc:9092,kafka-1.kafka.shop.svc:9092"),
    ("KAFKA_TOPIC_ORDERS", "orders.v1"), ("FEATURE_NEW_CHECKOUT", "true"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.observability.svc:4317"),
    ("OTEL_SERVICE_NAME", "orders-api"), ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
    ("OTEL_TRACES_SAMPLER_ARG", "0.05"), ("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+UseG1GC"),
    ("TZ", "UTC"), ("LANG", "C.UTF-8"), ("REQUEST_TIMEOUT_MS", "2500"), ("SHUTDOWN_GRACE_S", "20"),
    ("RATE_LIMIT_RPS", "400"), ("PAYMENT_SERVICE_URL", "http://payments.shop.svc.cluster.local:8080"),
    ("INVENTORY_SERVICE_URL", "http://inventory.shop.svc.cluster.local:8080"),
    ("CORS_ALLOWED_ORIGINS", "https://shop.example.com,https://admin.example.com"),
]


def kubectl_deployment(containers):
    args = ["kubectl", "create", "deployment", "orders-api", "--namespace", "shop", "--replicas", "3",
            "--port", "8080", "--dry-run=client", "-o", "json"]
    for image in IMAGES[:containers]:
        args += ["--image", image]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def env_entry(i):
    """The i-th env var: mostly plain values, every fourth a secretKeyRef / configMapKeyRef."""
    if i % 4 == 3:
        ref = "secretKeyRef" if i % 8 == 3 else "configMapKeyRef"
        source = "orders-db-credentials" if ref == "secretKeyRef" else "orders-settings"
        return {"name": "REF_%02d" % i, "valueFrom": {ref: {"name": source, "key": "key-%02d" % i}}}
    name, value = PLAIN_ENV[i % len(PLAIN_ENV)]
    if i >= len(PLAIN_ENV):
        name = "%s_%d" % (name, i // len(PLAIN_ENV))
    return {"name": name, "value": value}


def fill_out(obj):
    """What kubectl leaves empty and a real manifest (after apiserver defaulting) has."""
    meta = obj["metadata"]
    meta["labels"].update({"app.kubernetes.io/name": "orders-api", "app.kubernetes.io/part-of": "shop",
                           "app.kubernetes.io/version": "1.14.2", "team": "checkout"})
    meta["annotations"] = {"deployment.kubernetes.io/revision": "7",
                           "owner": "checkout-team@example.com"}
    spec = obj["spec"]
    spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    spec["revisionHistoryLimit"] = 10
    spec["progressDeadlineSeconds"] = 600
    tmpl = spec["template"]
    tmpl["metadata"]["labels"].update({"app.kubernetes.io/name": "orders-api", "team": "checkout"})
    pod = tmpl["spec"]
    pod.update({"restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "serviceAccountName": "orders-api", "securityContext": {"runAsNonRoot": True, "fsGroup": 2000},
                "schedulerName": "default-scheduler"})
    for c in pod["containers"]:
        c.update({"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
                  "terminationMessagePolicy": "File"})
        c["resources"] = {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
        c["env"] = []


def pad(obj, containers, step):
    """Adds one more realistic piece: env vars first, then annotations, probes, mounts, volumes."""
    pod = obj["spec"]["template"]["spec"]
    c = pod["containers"][step % containers]
    c["env"].append(env_entry(len(c["env"])))
    if step % 5 == 4:
        n = len(obj["metadata"]["annotations"])
        obj["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {})[
            "example.com/note-%d" % n] = "rolled out by pipeline run %d from commit 3f9c2e1" % (1000 + n)
        obj["metadata"]["annotations"]["example.com/change-%d" % n] = "CHG-%05d" % (40000 + n)
    if step % 7 == 6 and "readinessProbe" not in c:
        c["readinessProbe"] = {"httpGet": {"path": "/readyz", "port": 8080, "scheme": "HTTP"},
                               "periodSeconds": 5, "timeoutSeconds": 1, "failureThreshold": 3}
        c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                              "periodSeconds": 10, "timeoutSeconds": 1, "failureThreshold": 3}
    if step % 11 == 10:
        k = len(pod.setdefault("volumes", []))
        pod["volumes"].append({"name": "config-%d" % k, "configMap": {"name": "orders-config-%d" % k,
                                                                      "defaultMode": 420}})
        c.setdefault("volumeMounts", []).append({"name": "config-%d" % k, "mountPath": "/etc/orders/%d" % k,
                                                 "readOnly": True})


def review(name, obj):
    return {
        "kind": "AdmissionReview",
        "apiVersion": "admission.k8s.io/v1",
        "request": {
            "uid": "bench-%s-7f3c9a52-1d4e-4b8a-9c2f-0e6d5b4a3c21" % name,
            "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "name": obj["metadata"]["name"],
            "namespace": obj["metadata"]["namespace"],
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:argocd:argocd-application-controller",
                         "uid": "5b1f0c1e-2f4d-4d5e-8a77-2c1b9e0f6a10",
                         "groups": ["system:serviceaccounts", "system:serviceaccounts:argocd",
                                    "system:authenticated"]},
            "object": obj,
            "oldObject": None,
            "dryRun": False,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1",
                        "fieldManager": "argocd-controller"},
        },
    }


def encode(doc):
    return json.dumps(doc, separators=(",", ":")) + "\n"


def build(name, size, containers):
    obj = kubectl_deployment(containers)
    fill_out(obj)
    step = 0
    while len(encode(review(name, obj))) < size:
        pad(obj, containers, step)
        step += 1
    return encode(review(name, obj))


def build_leak(name):
    """The 16 KB body with one plaintext credential appended to its last container's env."""
    size, containers = SIZES["deployment-16k"]
    obj = json.loads(build(name, size, containers))["request"]["object"]
    obj["spec"]["template"]["spec"]["containers"][-1]["env"].append(
        {"name": "DB_PASSWORD", "value": "Vq8mZ2pLx91rTeW4"})
    return encode(review(name, obj))


def build_gate(name):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gate", "deployment.json")) as f:
        return encode(review(name, json.load(f)))


EXTRA = {"deployment-16k-leak": build_leak, "gate-orders": build_gate}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "bodies")
    os.makedirs(out, exist_ok=True)
    makers = {name: (lambda n=name, s=size, c=containers: build(n, s, c))
              for name, (size, containers) in SIZES.items()}
    makers.update({name: (lambda n=name, f=fn: f(n)) for name, fn in EXTRA.items()})
    for name, make in makers.items():
        text = make()
        containers = len(json.loads(text)["request"]["object"]["spec"]["template"]["spec"]["containers"])
        path = os.path.join(out, name + ".json")
        with open(path, "w") as f:
            f.write(text)
        print("%s: %d bytes, %d container(s)" % (path, len(text), containers))


if __name__ == "__main__":
    main()
