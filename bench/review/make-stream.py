#!/usr/bin/python3
"""make-stream.py - a large rendered stream for the review benchmark (bench/review/run).

What a CI job reviews when it renders every chart of a platform: the output of `helm template`
for many releases of many different charts, one after another, as one YAML stream (`---`
separators, `# Source: CHART/templates/FILE.yaml` comments), and the same objects as one
`kubectl get -o json` style List (4-space indented JSON), which is what `opa eval` reads.

The objects are built on real shapes (bench/review/shapes/, written by make-shapes.sh):
- our own chart as `helm template` printed it with four value sets, kept as text (comments,
  block scalars and quoting as Helm wrote them), release name and namespace replaced;
- the objects of twelve chart archetypes (a web API, a worker, PostgreSQL, Redis, Kafka, an
  ingress controller, a log shipper, a node exporter, a backup CronJob, a migration Job, an
  operator with its CRD and custom resources, a debug Pod), each started from the shape
  `kubectl create ... --dry-run=client -o yaml` prints for its kind and filled out as charts
  do: labels, annotations, 1-4 containers and init containers, env lists of 2-60 entries,
  probes, resources, volumes, ConfigMaps of 50 bytes to 8 KB, RBAC, Services, Ingresses, PDBs.

Credentials: most workloads take theirs properly (valueFrom.secretKeyRef, envFrom.secretRef,
`--password=$(DB_PASSWORD)`, *_FILE paths). About one workload in twelve gets one planted leak,
of a form both `schemagate review --check secrets` and bench/review/policy.rego flag: a literal
env value under a password/secret/token name, or `--password=...` style flags in args or
command, in a container, init container or ephemeral container, of any workload kind (a
CronJob's jobTemplate too). The generator knows which objects it made leaky and writes them down,
so the run can check that exactly those are denied.

Deterministic: the same --seed gives the same bytes. Every size is a prefix of one sequence, so
the mix of kinds is the same at every size.

Usage: bench/review/make-stream.py OUTDIR [--sizes 1000,2000,4000,8000] [--seed 11]
Writes OUTDIR/stream-N.yaml, OUTDIR/list-N.json and OUTDIR/truth-N.json (objects, bytes, the
leaky objects as "Kind namespace/name", counts per kind) for each size N.
"""
import argparse
import copy
import json
import os
import random
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = os.path.join(HERE, "shapes")
# Our chart's renders: file -> (release, namespace) it was rendered with (make-shapes.sh).
CHART_RENDERS = {"chart-secret.yaml": ("sg", "schemagate-system"),
                 "chart-certmanager.yaml": ("admission", "platform"),
                 "chart-ha.yaml": ("gate-prod", "gate-prod"),
                 "chart-minimal.yaml": ("sg-ci", "ci")}
LEAK_RATE = 1 / 12          # share of workloads with one planted leak
WORKLOAD_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}

TEAMS = ["shop", "payments", "search", "identity", "data", "platform", "growth", "ml", "media",
         "billing", "support", "logistics", "ads", "infra", "mobile", "partners"]
APPS = ["orders", "catalog", "checkout", "cart", "inventory", "pricing", "accounts", "auth", "profile",
        "notifier", "mailer", "reports", "ledger", "invoices", "recommender", "indexer", "crawler",
        "thumbnails", "transcoder", "geo", "rates", "fraud", "audit", "gateway", "scheduler", "exporter"]
REGISTRY = "registry.example.com"

# Credential names: as the leak (a literal value) or, most of the time, from a Secret.
CRED_ENV = ["DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "REDIS_PASSWORD", "API_TOKEN",
            "GITHUB_TOKEN", "OAUTH_CLIENT_SECRET", "APP_SECRET_KEY", "JWT_SECRET", "SMTP_PASSWORD",
            "KAFKA_SASL_PASSWORD", "ADMIN_PASSWORD", "S3_SECRET_ACCESS_KEY", "SLACK_TOKEN"]
CRED_FLAGS = ["--password", "--db-password", "--admin-password", "--redis-password", "--api-token",
              "--token", "--client-secret"]
PLAIN_ENV = [("LOG_LEVEL", ["info", "debug", "warn"]), ("LOG_FORMAT", ["json", "text"]),
             ("HTTP_PORT", ["8080", "8000", "3000"]), ("GRPC_PORT", ["9000", "50051"]),
             ("METRICS_PORT", ["9102", "9090"]), ("DB_HOST", ["{app}-db.{ns}.svc.cluster.local"]),
             ("DB_PORT", ["5432", "3306"]), ("DB_NAME", ["{app}"]), ("DB_USER", ["{app}"]),
             ("DB_POOL_MAX", ["10", "20", "50"]), ("DB_SSLMODE", ["verify-full", "require"]),
             ("CACHE_URL", ["redis://{app}-cache.{ns}.svc.cluster.local:6379/0"]),
             ("KAFKA_BROKERS", ["kafka-0.kafka.{ns}.svc:9092,kafka-1.kafka.{ns}.svc:9092"]),
             ("KAFKA_TOPIC", ["{app}.events.v1"]), ("FEATURE_FLAGS", ["new-checkout,fast-search", "none"]),
             ("OTEL_EXPORTER_OTLP_ENDPOINT", ["http://otel-collector.observability.svc:4317"]),
             ("OTEL_SERVICE_NAME", ["{app}"]), ("OTEL_TRACES_SAMPLER_ARG", ["0.05", "0.1", "1"]),
             ("JAVA_TOOL_OPTIONS", ["-XX:MaxRAMPercentage=75 -XX:+UseG1GC"]), ("TZ", ["UTC"]),
             ("LANG", ["C.UTF-8"]), ("REQUEST_TIMEOUT_MS", ["2500", "5000"]), ("WORKERS", ["4", "8", "16"]),
             ("UPSTREAM_URL", ["http://{app}-upstream.{ns}.svc.cluster.local:8080"]),
             ("CORS_ALLOWED_ORIGINS", ["https://{app}.example.com,https://admin.example.com"]),
             ("SENTRY_ENVIRONMENT", ["production", "staging"]), ("GOMAXPROCS", ["2", "4"]),
             ("DB_PASSWORD_FILE", ["/run/secrets/db/password"]), ("TOKEN_URL", ["https://auth.example.com/oauth/token"]),
             ("DB_SECRET_NAME", ["{app}-db"]), ("NODE_ENV", ["production"]), ("RUST_LOG", ["info,hyper=warn"])]


def literal_str(dumper, s):
    """Multi-line strings as block scalars, as charts write them."""
    if "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


Dumper.add_representer(str, literal_str)


def dump(obj):
    return yaml.dump(obj, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=4096)


def load_shapes():
    shapes = {}
    with open(os.path.join(SHAPES, "kubectl.yaml")) as f:
        for doc in yaml.safe_load_all(f):
            if doc:
                shapes[doc["kind"]] = doc
    renders = {}
    for name, (release, ns) in CHART_RENDERS.items():
        with open(os.path.join(SHAPES, name)) as f:
            text = f.read()
        docs = [d for d in re.split(r"(?m)^---\n", text) if d.strip()]
        renders[name] = (release, ns, [d for d in docs if yaml.safe_load(d)])
    return shapes, renders


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.shapes, self.renders = load_shapes()
        self.docs = []        # (text, object, leaky: bool, release number)
        self.seq = 0
        self.versions = {}    # (chart, release) -> (chart version, app version), one per release

    # ---- pieces -------------------------------------------------------------------------
    def labels(self, chart, release, component=None):
        if (chart, release) not in self.versions:
            self.versions[(chart, release)] = (
                "%d.%d.%d" % (self.r.randint(0, 4), self.r.randint(0, 20), self.r.randint(0, 9)),
                "%d.%d.%d" % (self.r.randint(1, 9), self.r.randint(0, 30), self.r.randint(0, 9)))
        chart_version, app_version = self.versions[(chart, release)]
        lab = {"helm.sh/chart": "%s-%s" % (chart, chart_version),
               "app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release,
               "app.kubernetes.io/version": app_version, "app.kubernetes.io/managed-by": "Helm"}
        if component:
            lab["app.kubernetes.io/component"] = component
        return lab

    def meta(self, name, ns, chart, release, component=None, with_ns=True):
        m = {"name": name}
        if ns and with_ns:
            m["namespace"] = ns
        m["labels"] = self.labels(chart, release, component)
        if self.r.random() < 0.3:
            m["annotations"] = {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": ns or "default"}
        return m

    def env_list(self, app, ns, n, secret):
        env, used = [], set()
        for _ in range(n):
            k = self.r.random()
            if k < 0.12:
                name = self.r.choice(CRED_ENV)
                if name in used:
                    continue
                env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": name.lower().replace("_", "-")}}})
            elif k < 0.2:
                env.append({"name": "POD_%s" % self.r.choice(["NAME", "NAMESPACE", "IP"]) + ("_%d" % len(env)),
                            "valueFrom": {"fieldRef": {"fieldPath": self.r.choice(["metadata.name", "metadata.namespace", "status.podIP"])}}})
                name = env[-1]["name"]
            elif k < 0.27:
                name = "SETTING_%02d" % len(env)
                env.append({"name": name, "valueFrom": {"configMapKeyRef": {"name": "%s-config" % app, "key": name.lower()}}})
            else:
                base, values = self.r.choice(PLAIN_ENV)
                name = base if base not in used else "C%d_%s" % (len(env), base)   # keeps _FILE, _URL, ...
                env.append({"name": name, "value": self.r.choice(values).format(app=app, ns=ns)})
            used.add(name)
        return env

    def container(self, app, ns, image, secret, env_n, port=8080):
        c = {"name": app if len(app) < 40 else app[:40], "image": image, "imagePullPolicy": "IfNotPresent"}
        if self.r.random() < 0.4:
            c["args"] = ["--port=%d" % port, "--log-format=json", "--config=/etc/%s/config.yaml" % app]
            if self.r.random() < 0.3:
                c["args"].append("--db-password=$(DB_PASSWORD)")
                env = self.env_list(app, ns, env_n, secret)
                env = [e for e in env if e["name"] != "DB_PASSWORD"]
                env.insert(0, {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}})
                c["env"] = env
        if "env" not in c and env_n:
            c["env"] = self.env_list(app, ns, env_n, secret)
        if self.r.random() < 0.3:
            c["envFrom"] = [{"secretRef": {"name": secret}}, {"configMapRef": {"name": "%s-config" % app}}]
        c["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        if self.r.random() < 0.8:
            c["readinessProbe"] = {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5, "failureThreshold": 3}
            c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10, "failureThreshold": 3}
        c["resources"] = {"requests": {"cpu": "%dm" % self.r.choice([50, 100, 250, 500]),
                                       "memory": "%dMi" % self.r.choice([64, 128, 256, 512])},
                          "limits": {"memory": "%dMi" % self.r.choice([256, 512, 1024, 2048])}}
        c["securityContext"] = {"runAsNonRoot": True, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]}}
        c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/%s" % app, "readOnly": True},
                             {"name": "tmp", "mountPath": "/tmp"}]
        return c

    def pod_spec(self, app, ns, secret, sa, containers, env_max):
        cs = []
        names = [app, "envoy", "otel-agent", "log-shipper"]
        images = ["%s/%s/%s:%d.%d.%d" % (REGISTRY, self.r.choice(TEAMS), app, self.r.randint(1, 5), self.r.randint(0, 40), self.r.randint(0, 9)),
                  "%s/platform/envoy:1.28.0" % REGISTRY, "%s/platform/otel-agent:0.91.0" % REGISTRY,
                  "%s/platform/fluent-bit:2.2.1" % REGISTRY]
        for i in range(containers):
            c = self.container(names[i], ns, images[i], secret, self.r.randint(2 if i == 0 else 0, env_max if i == 0 else 8),
                               8080 + i)
            if i == 0:
                c["name"] = app[:63]
            cs.append(c)
        spec = {"serviceAccountName": sa, "securityContext": {"runAsNonRoot": True, "fsGroup": 2000,
                                                             "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": cs,
                "volumes": [{"name": "config", "configMap": {"name": "%s-config" % app}}, {"name": "tmp", "emptyDir": {}}]}
        if self.r.random() < 0.35:
            spec["initContainers"] = [{"name": "wait-for-db", "image": "%s/platform/wait-for:1.2.0" % REGISTRY,
                                       "args": ["--host=%s-db.%s.svc" % (app, ns), "--port=5432", "--timeout=120s"],
                                       "env": self.env_list(app, ns, self.r.randint(1, 4), secret)}]
        if self.r.random() < 0.3:
            spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                    "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app}}}}]}}
        if self.r.random() < 0.2:
            spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": app, "effect": "NoSchedule"}]
        return spec

    def plant_leak(self, spec):
        """One literal credential in a container of spec, of a form both checks flag."""
        value = "".join(self.r.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(self.r.randint(12, 24)))
        lists = ["containers"] * 6 + (["initContainers"] * 2 if spec.get("initContainers") else []) + ["ephemeralContainers"]
        where = self.r.choice(lists)
        if where == "ephemeralContainers":
            spec["ephemeralContainers"] = [{"name": "debugger", "image": "%s/platform/debug:1.0" % REGISTRY,
                                            "targetContainerName": spec["containers"][0]["name"]}]
        c = self.r.choice(spec[where])
        form = self.r.random()
        if form < 0.6:
            c.setdefault("env", [])
            names = {e["name"] for e in c["env"]}
            name = self.r.choice([n for n in CRED_ENV if n not in names] or ["LEAKED_PASSWORD"])
            c["env"].insert(self.r.randint(0, len(c["env"])), {"name": name, "value": value})
        elif form < 0.85:
            c.setdefault("args", []).append("%s=%s" % (self.r.choice(CRED_FLAGS), value))
        else:
            c["command"] = ["/app/%s" % c["name"], "%s=%s" % (self.r.choice(CRED_FLAGS), value)]

    # ---- objects --------------------------------------------------------------------------
    def emit(self, chart, file, obj, leaky=False):
        text = "---\n# Source: %s/templates/%s\n%s" % (chart, file, dump(obj))
        self.docs.append((text, obj, leaky, self.seq))

    def workload(self, kind, chart, release, app, ns, secret, sa, containers=None, env_max=30, with_ns=True):
        containers = containers or self.r.choice([1, 1, 1, 2, 2, 3, 4])
        spec = self.pod_spec(app, ns, secret, sa, containers, env_max)
        leaky = self.r.random() < LEAK_RATE
        if leaky:
            self.plant_leak(spec)
        meta = self.meta(app, ns, chart, release, "server", with_ns)
        sel = {"matchLabels": {"app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release}}
        tmeta = {"labels": dict(sel["matchLabels"])}
        if self.r.random() < 0.5:
            tmeta["annotations"] = {"checksum/config": "%064x" % self.r.getrandbits(256)}
        template = {"metadata": tmeta, "spec": spec}
        if kind == "Deployment":
            obj = copy.deepcopy(self.shapes["Deployment"])
            del obj["status"]
            obj["metadata"] = meta
            obj["spec"] = {"replicas": self.r.choice([1, 2, 3, 5]), "selector": sel,
                           "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
                           "template": template}
        elif kind == "StatefulSet":
            obj = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
                   "spec": {"serviceName": "%s-headless" % app, "replicas": self.r.choice([1, 3]), "selector": sel,
                            "template": template,
                            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "%dGi" % self.r.choice([8, 20, 100])}}}}]}}
        elif kind == "DaemonSet":
            obj = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
                   "spec": {"selector": sel, "updateStrategy": {"type": "RollingUpdate"}, "template": template}}
        elif kind == "Job":
            obj = copy.deepcopy(self.shapes["Job"])
            obj["metadata"] = meta
            obj["metadata"].setdefault("annotations", {}).update({"helm.sh/hook": "pre-install,pre-upgrade",
                                                                   "helm.sh/hook-weight": "-5",
                                                                   "helm.sh/hook-delete-policy": "before-hook-creation"})
            spec["restartPolicy"] = "Never"
            obj["spec"] = {"backoffLimit": 1, "activeDeadlineSeconds": 900, "ttlSecondsAfterFinished": 3600,
                           "template": template}
            del obj["status"]
        elif kind == "CronJob":
            obj = copy.deepcopy(self.shapes["CronJob"])
            obj["metadata"] = meta
            spec["restartPolicy"] = "OnFailure"
            obj["spec"] = {"schedule": "%d %d * * *" % (self.r.randint(0, 59), self.r.randint(0, 23)),
                           "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                           "jobTemplate": {"spec": {"backoffLimit": 2, "activeDeadlineSeconds": 3600, "template": template}}}
            del obj["status"]
        else:   # Pod
            obj = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": dict(spec, restartPolicy="Never")}
        return obj, leaky

    def service(self, app, ns, chart, release, headless=False):
        obj = copy.deepcopy(self.shapes["Service"])
        obj["metadata"] = self.meta(app + ("-headless" if headless else ""), ns, chart, release)
        obj["spec"] = {"type": "ClusterIP", "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
                       "selector": {"app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release}}
        if headless:
            obj["spec"]["clusterIP"] = "None"
        obj.pop("status", None)
        return obj

    def configmap(self, app, ns, chart, release, size):
        obj = copy.deepcopy(self.shapes["ConfigMap"])
        obj["metadata"] = self.meta("%s-config" % app, ns, chart, release)
        lines = ["# %s configuration, rendered by Helm" % app, "server:", "  port: 8080", "  readTimeout: 5s",
                 "logging:", "  level: info", "  format: json", "features:"]
        while sum(len(x) + 1 for x in lines) < size:
            lines.append("  flag_%03d: %s" % (len(lines), self.r.choice(["true", "false", "\"canary\"", "42"])))
        obj["data"] = {"config.yaml": "\n".join(lines) + "\n", "LOG_LEVEL": "info", "HTTP_PORT": "8080"}
        return obj

    def secret(self, app, ns, chart, release):
        obj = copy.deepcopy(self.shapes["Secret"])
        obj["metadata"] = self.meta("%s-credentials" % app, ns, chart, release)
        obj["type"] = "Opaque"
        obj["data"] = {"username": "YXBw", "password": "%032x" % self.r.getrandbits(128)}
        return obj

    def rbac(self, app, ns, chart, release, cluster=False):
        sa = copy.deepcopy(self.shapes["ServiceAccount"])
        sa["metadata"] = self.meta(app, ns, chart, release)
        out = [("serviceaccount.yaml", sa)]
        role_kind = "ClusterRole" if cluster else "Role"
        rules = [{"apiGroups": [""], "resources": self.r.sample(["pods", "configmaps", "services", "endpoints", "secrets", "nodes"], 3),
                  "verbs": ["get", "list", "watch"]}]
        role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": role_kind,
                "metadata": self.meta(app, ns, chart, release, with_ns=not cluster), "rules": rules}
        binding = copy.deepcopy(self.shapes["ClusterRoleBinding" if cluster else "RoleBinding"])
        binding["metadata"] = self.meta(app, ns, chart, release, with_ns=not cluster)
        binding["roleRef"]["name"] = app
        binding["roleRef"]["kind"] = role_kind
        binding["subjects"] = [{"kind": "ServiceAccount", "name": app, "namespace": ns}]
        out += [("rbac.yaml", role), ("rbac.yaml", binding)]
        return out

    def ingress(self, app, ns, chart, release):
        obj = copy.deepcopy(self.shapes["Ingress"])
        obj["metadata"] = self.meta(app, ns, chart, release)
        obj["metadata"]["annotations"] = {"cert-manager.io/cluster-issuer": "letsencrypt",
                                          "nginx.ingress.kubernetes.io/proxy-body-size": "8m"}
        rule = obj["spec"]["rules"][0]
        rule["host"] = "%s.%s.example.com" % (app, ns)
        rule["http"]["paths"][0]["backend"]["service"]["name"] = app
        obj["spec"]["tls"] = [{"hosts": [rule["host"]], "secretName": "%s-tls" % app}]
        obj.pop("status", None)
        return obj

    def pdb(self, app, ns, chart, release):
        obj = copy.deepcopy(self.shapes["PodDisruptionBudget"])
        obj["metadata"] = self.meta(app, ns, chart, release)
        obj["spec"]["selector"] = {"matchLabels": {"app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release}}
        obj.pop("status", None)
        return obj

    def crd(self, group, kind, plural, scope):
        props = {("field%02d" % i): {"type": self.r.choice(["string", "integer", "boolean"]),
                                      "description": "Field %d of the %s spec." % (i, kind)} for i in range(self.r.randint(8, 40))}
        return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "%s.%s" % (plural, group), "annotations": {"controller-gen.kubebuilder.io/version": "v0.14.0"}},
                "spec": {"group": group, "scope": scope, "names": {"kind": kind, "listKind": kind + "List", "plural": plural,
                                                                   "singular": kind.lower()},
                         "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                             "type": "object", "properties": {"spec": {"type": "object", "properties": props}}}}}]}}

    # ---- charts (one release each) -------------------------------------------------------------
    def release(self):
        self.seq += 1
        team = self.r.choice(TEAMS)
        app = "%s-%s" % (self.r.choice(APPS), self.seq)
        ns = "%s-%s" % (team, self.r.choice(["prod", "staging", "dev"]))
        rel = app
        chart = self.r.choices(["web-api", "worker", "postgresql", "redis", "kafka", "ingress-nginx", "fluent-bit",
                                "node-exporter", "backup", "migrations", "operator", "debug", "schemagate", "kubectl"],
                               weights=[22, 14, 6, 6, 3, 3, 3, 3, 8, 8, 4, 3, 3, 4])[0]
        secret = "%s-credentials" % app
        e = lambda f, o, leaky=False: self.emit(chart, f, o, leaky)   # noqa: E731
        if chart == "schemagate":
            name = self.r.choice(sorted(self.renders))
            old_rel, old_ns, docs = self.renders[name]
            for d in docs:
                text = (d.replace("%s-schemagate" % old_rel, "%s-schemagate" % rel)
                         .replace("instance: %s\n" % old_rel, "instance: %s\n" % rel)
                         .replace("namespace: %s\n" % old_ns, "namespace: %s\n" % ns)
                         .replace(".%s.svc" % old_ns, ".%s.svc" % ns))
                self.docs.append(("---\n" + text, yaml.safe_load(text), False, self.seq))
            return
        if chart == "kubectl":   # plain `kubectl create` output, as some pipelines keep it
            for kind in ["Deployment", "Job", "CronJob", "Service", "ConfigMap", "ServiceAccount", "RoleBinding", "Ingress",
                         "ResourceQuota", "PodDisruptionBudget"]:
                obj = copy.deepcopy(self.shapes[kind])
                obj["metadata"]["name"] = "%s-%s" % (app, kind.lower())
                obj["metadata"]["namespace"] = ns
                e("%s.yaml" % kind.lower(), obj)
            return
        if chart in ("web-api", "worker"):
            for f, o in self.rbac(app, ns, chart, rel):
                e(f, o)
            e("configmap.yaml", self.configmap(app, ns, chart, rel, self.r.choice([50, 400, 1500, 4000])))
            e("secret.yaml", self.secret(app, ns, chart, rel))
            obj, leaky = self.workload("Deployment", chart, rel, app, ns, secret, app, env_max=60 if chart == "worker" else 30)
            e("deployment.yaml", obj, leaky)
            if chart == "web-api":
                e("service.yaml", self.service(app, ns, chart, rel))
                e("ingress.yaml", self.ingress(app, ns, chart, rel))
                e("pdb.yaml", self.pdb(app, ns, chart, rel))
                e("hpa.yaml", {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                               "metadata": self.meta(app, ns, chart, rel),
                               "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                                        "minReplicas": 2, "maxReplicas": 20,
                                        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                                            "type": "Utilization", "averageUtilization": 70}}}]}})
                e("servicemonitor.yaml", {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
                                          "metadata": self.meta(app, ns, chart, rel),
                                          "spec": {"selector": {"matchLabels": {"app.kubernetes.io/instance": rel}},
                                                   "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}]}})
        elif chart in ("postgresql", "redis", "kafka"):
            e("secret.yaml", self.secret(app, ns, chart, rel))
            e("configmap.yaml", self.configmap(app, ns, chart, rel, self.r.choice([800, 3000, 8000])))
            e("svc-headless.yaml", self.service(app, ns, chart, rel, headless=True))
            e("svc.yaml", self.service(app, ns, chart, rel))
            obj, leaky = self.workload("StatefulSet", chart, rel, app, ns, secret, "default",
                                       containers=self.r.choice([1, 2]), env_max=40 if chart == "kafka" else 15)
            e("statefulset.yaml", obj, leaky)
            e("networkpolicy.yaml", {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                     "metadata": self.meta(app, ns, chart, rel),
                                     "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": rel}},
                                              "policyTypes": ["Ingress"],
                                              "ingress": [{"ports": [{"port": 5432 if chart == "postgresql" else 6379}]}]}})
            if chart == "kafka":
                e("pdb.yaml", self.pdb(app, ns, chart, rel))
        elif chart in ("ingress-nginx", "fluent-bit", "node-exporter"):
            for f, o in self.rbac(app, ns, chart, rel, cluster=chart != "node-exporter"):
                e(f, o)
            if chart != "node-exporter":
                e("configmap.yaml", self.configmap(app, ns, chart, rel, self.r.choice([1000, 6000])))
            kind = "Deployment" if chart == "ingress-nginx" else "DaemonSet"
            obj, leaky = self.workload(kind, chart, rel, app, ns, secret, app, containers=1, env_max=12)
            e("controller.yaml" if kind == "Deployment" else "daemonset.yaml", obj, leaky)
            e("service.yaml", self.service(app, ns, chart, rel))
            if chart == "ingress-nginx":
                e("ingressclass.yaml", {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                                        "metadata": self.meta(app, None, chart, rel),
                                        "spec": {"controller": "k8s.io/ingress-nginx"}})
                e("admission-webhooks/validating-webhook.yaml", {
                    "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                    "metadata": self.meta(app + "-admission", None, chart, rel),
                    "webhooks": [{"name": "validate.nginx.ingress.kubernetes.io", "sideEffects": "None",
                                  "admissionReviewVersions": ["v1"], "failurePolicy": "Fail", "matchPolicy": "Equivalent",
                                  "clientConfig": {"service": {"name": app + "-admission", "namespace": ns,
                                                               "path": "/networking/v1/ingresses"}},
                                  "rules": [{"apiGroups": ["networking.k8s.io"], "apiVersions": ["v1"],
                                             "operations": ["CREATE", "UPDATE"], "resources": ["ingresses"]}]}]})
                obj, leaky = self.workload("Job", chart, rel, app + "-admission-create", ns, secret, app, containers=1, env_max=4)
                e("admission-webhooks/job-createSecret.yaml", obj, leaky)
        elif chart == "backup":
            e("serviceaccount.yaml", self.rbac(app, ns, chart, rel)[0][1])
            e("secret.yaml", self.secret(app, ns, chart, rel))
            obj, leaky = self.workload("CronJob", chart, rel, app, ns, secret, app, containers=1, env_max=20)
            e("cronjob.yaml", obj, leaky)
        elif chart == "migrations":
            e("configmap.yaml", self.configmap(app, ns, chart, rel, self.r.choice([300, 2000])))
            obj, leaky = self.workload("Job", chart, rel, app, ns, secret, "default", containers=1, env_max=15)
            e("job.yaml", obj, leaky)
        elif chart == "operator":
            kind = self.r.choice(["Widget", "Pipeline", "Tenant", "Backup", "Cluster"])
            scope = "Cluster" if kind in ("Tenant", "Cluster") else "Namespaced"
            group = "%s.example.com" % app.split("-")[0]
            plural = kind.lower() + "s"
            e("crds/%s.yaml" % plural, self.crd(group, kind, plural, scope))
            for f, o in self.rbac(app, ns, chart, rel, cluster=True):
                e(f, o)
            obj, leaky = self.workload("Deployment", chart, rel, app, ns, secret, app, containers=1, env_max=10)
            e("deployment.yaml", obj, leaky)
            for i in range(self.r.randint(1, 4)):
                cr = {"apiVersion": "%s/v1" % group, "kind": kind,
                      "metadata": self.meta("%s-%d" % (plural[:-1], i), ns if scope == "Namespaced" else None, chart, rel),
                      "spec": {"field%02d" % j: "value-%d" % j for j in range(self.r.randint(2, 8))}}
                e("samples/%s.yaml" % plural, cr)
        else:   # debug
            obj, leaky = self.workload("Pod", chart, rel, app, ns, secret, "default", containers=1, env_max=6)
            e("pod.yaml", obj, leaky)


def identity(obj):
    """ "Kind namespace/name" of a (namespaced) workload, as schemagate review names it."""
    meta = obj.get("metadata") or {}
    return "%s %s/%s" % (obj["kind"], meta.get("namespace") or "default", meta.get("name", ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--sizes", default="1000,2000,4000,8000", help="object counts (default 1000,2000,4000,8000)")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    g = Gen(args.seed)
    while len(g.docs) < sizes[-1]:
        g.release()
    os.makedirs(args.outdir, exist_ok=True)
    for n in sizes:
        docs = g.docs[:n]
        yaml_path = os.path.join(args.outdir, "stream-%d.yaml" % n)
        with open(yaml_path, "w") as f:
            for text, _, _, _ in docs:
                f.write(text if text.endswith("\n") else text + "\n")
        json_path = os.path.join(args.outdir, "list-%d.json" % n)
        with open(json_path, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                       "items": [o for _, o, _, _ in docs]}, f, indent=4)
            f.write("\n")
        kinds = {}
        for _, o, _, _ in docs:
            kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
        truth = {"objects": n, "seed": args.seed, "yaml_bytes": os.path.getsize(yaml_path),
                 "json_bytes": os.path.getsize(json_path),
                 "releases": docs[-1][3], "workloads": sum(1 for _, o, _, _ in docs if o["kind"] in WORKLOAD_KINDS),
                 "leaky": sorted(identity(o) for _, o, leaky, _ in docs if leaky), "kinds": kinds}
        with open(os.path.join(args.outdir, "truth-%d.json" % n), "w") as f:
            json.dump(truth, f, indent=1)
        print("make-stream: %d objects of %d releases (%d workloads, %d leaky), %.1f MB YAML, %.1f MB JSON" % (
            n, truth["releases"], truth["workloads"], len(truth["leaky"]), truth["yaml_bytes"] / 1e6, truth["json_bytes"] / 1e6),
            file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
