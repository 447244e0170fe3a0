#!/usr/bin/python3
"""make-bodies.py - writes the benchmark's AdmissionReview request bodies into bench/bodies/.

Each body is a real Deployment from `kubectl create deployment ... --dry-run=client -o json`,
filled out the way production manifests are (labels, annotations, probes, resources, volume
mounts, env from ConfigMaps and Secrets, sidecars) until the whole AdmissionReview reaches its
size target, then wrapped the way the kube-apiserver sends it (compact JSON, CREATE, userInfo,
oldObject null, dryRun false). No body carries a literal credential, so every one is allowed,
except the leak row. Extra rows:
- deployment-heavy: a payments service as big deployments are (about 20 KB): a JVM container
  with 50 long command-line flags and, over three containers, 150 env entries: literal values,
  ConfigMap/Secret key references, the downward API, and $(VAR) references to other entries
  (DATABASE_URL built from $(DB_USER), $(DB_PASSWORD) from a Secret, ...); allowed;
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


# deployment-heavy: a JVM payments service with an Envoy sidecar and an OpenTelemetry agent.
HEAVY_IMAGES = ["registry.example.com/payments/payments-gateway:4.31.0",
                "registry.example.com/platform/envoy:1.28.0",
                "registry.example.com/platform/otel-collector:0.91.0"]

# The JVM's 50 flags, as a tuned production service starts.
HEAVY_ARGS = [
    "-server", "-XX:+UseContainerSupport", "-XX:MaxRAMPercentage=75.0", "-XX:InitialRAMPercentage=50.0",
    "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=200", "-XX:G1HeapRegionSize=16m",
    "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ParallelRefProcEnabled", "-XX:+AlwaysPreTouch",
    "-XX:+ExitOnOutOfMemoryError", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=/var/dumps",
    "-XX:MaxMetaspaceSize=256m", "-XX:ReservedCodeCacheSize=240m",
    "-Xss512k", "-Xlog:gc*,safepoint:file=/var/log/gc/gc.log:time,uptime,level,tags:filecount=5,filesize=20m",
    "-Djava.security.egd=file:/dev/./urandom", "-Djava.net.preferIPv4Stack=true",
    "-Dfile.encoding=UTF-8", "-Duser.timezone=UTC", "-Dnetworkaddress.cache.ttl=30",
    "-Dcom.sun.management.jmxremote=false", "-Djdk.tls.client.protocols=TLSv1.3,TLSv1.2",
    "-Dlogging.config=/etc/payments/logback.xml", "-Dotel.javaagent.enabled=true",
    "-javaagent:/opt/otel/opentelemetry-javaagent.jar", "-Dotel.service.name=$(OTEL_SERVICE_NAME)",
    "-Dotel.resource.attributes=k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE)",
    "-jar", "/app/payments-gateway.jar",
    "--spring.profiles.active=production,kubernetes", "--server.port=$(HTTP_PORT)",
    "--server.shutdown=graceful", "--spring.lifecycle.timeout-per-shutdown-phase=25s",
    "--management.server.port=$(MANAGEMENT_PORT)", "--management.endpoints.web.exposure.include=health,info,prometheus",
    "--management.endpoint.health.probes.enabled=true",
    "--spring.datasource.url=jdbc:postgresql://$(DB_HOST):$(DB_PORT)/$(DB_NAME)?sslmode=verify-full",
    "--spring.datasource.username=$(DB_USER)", "--spring.datasource.password=$(DB_PASSWORD)",
    "--spring.datasource.hikari.maximum-pool-size=$(DB_POOL_MAX)",
    "--spring.datasource.hikari.connection-timeout=3000", "--spring.kafka.bootstrap-servers=$(KAFKA_BROKERS)",
    "--spring.kafka.properties.sasl.jaas.config=$(KAFKA_JAAS_CONFIG)", "--spring.redis.url=$(CACHE_URL)",
    "--payments.psp.endpoint=https://api.psp.example.com/v2", "--payments.psp.api-key=$(PSP_API_KEY)",
    "--payments.webhook.signing-secret=$(PSP_WEBHOOK_SECRET)", "--payments.fraud.score-threshold=0.82",
]

# The app's own environment: (name, kind, value) with kind "v" (literal), "s"/"c" (Secret /
# ConfigMap key), "f" (downward API field), "r" (a literal with $(VAR) references).
HEAVY_APP_ENV = [
    ("POD_NAME", "f", "metadata.name"), ("POD_NAMESPACE", "f", "metadata.namespace"),
    ("POD_IP", "f", "status.podIP"), ("NODE_NAME", "f", "spec.nodeName"),
    ("HTTP_PORT", "v", "8080"), ("MANAGEMENT_PORT", "v", "8081"), ("GRPC_PORT", "v", "9000"),
    ("DB_HOST", "c", "payments-db:host"), ("DB_PORT", "c", "payments-db:port"), ("DB_NAME", "v", "payments"),
    ("DB_USER", "s", "payments-db-credentials:username"), ("DB_PASSWORD", "s", "payments-db-credentials:password"),
    ("DB_POOL_MAX", "v", "32"), ("DB_POOL_MIN", "v", "4"), ("DB_SSLMODE", "v", "verify-full"),
    ("DATABASE_URL", "r", "postgresql://$(DB_USER):$(DB_PASSWORD)@$(DB_HOST):$(DB_PORT)/$(DB_NAME)?sslmode=$(DB_SSLMODE)"),
    ("CACHE_HOST", "v", "payments-cache.payments.svc.cluster.local"), ("CACHE_PORT", "v", "6379"),
    ("CACHE_PASSWORD", "s", "payments-cache-auth:password"),
    ("CACHE_URL", "r", "rediss://:$(CACHE_PASSWORD)@$(CACHE_HOST):$(CACHE_PORT)/0"),
    ("KAFKA_BROKERS", "v", "kafka-0.kafka.payments.svc:9093,kafka-1.kafka.payments.svc:9093,kafka-2.kafka.payments.svc:9093"),
    ("KAFKA_USER", "s", "payments-kafka:username"), ("KAFKA_PASSWORD", "s", "payments-kafka:password"),
    ("KAFKA_JAAS_CONFIG", "r", 'org.apache.kafka.common.security.scram.ScramLoginModule required '
                               'username="$(KAFKA_USER)" password="$(KAFKA_PASSWORD)";'),
    ("KAFKA_TOPIC_PAYMENTS", "v", "payments.v3"), ("KAFKA_TOPIC_REFUNDS", "v", "refunds.v1"),
    ("KAFKA_CONSUMER_GROUP", "v", "payments-gateway"), ("PSP_API_KEY", "s", "payments-psp:api-key"),
    ("PSP_WEBHOOK_SECRET", "s", "payments-psp:webhook-signing-secret"),
    ("PSP_TIMEOUT_MS", "c", "payments-settings:psp-timeout-ms"),
    ("OTEL_SERVICE_NAME", "v", "payments-gateway"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "v", "http://$(NODE_NAME):4317"),
    ("OTEL_RESOURCE_ATTRIBUTES", "r", "k8s.pod.ip=$(POD_IP),k8s.node.name=$(NODE_NAME),deployment.environment=production"),
    ("OTEL_TRACES_SAMPLER", "v", "parentbased_traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "v", "0.02"),
    ("JAVA_TOOL_OPTIONS", "v", "-XX:+PrintCommandLineFlags"), ("TZ", "v", "UTC"), ("LANG", "v", "C.UTF-8"),
    ("SPRING_MAIN_BANNER_MODE", "v", "off"), ("LOGGING_LEVEL_ROOT", "c", "payments-settings:log-level"),
    ("FRAUD_SERVICE_URL", "v", "http://fraud.payments.svc.cluster.local:8080"),
    ("LEDGER_SERVICE_URL", "v", "http://ledger.payments.svc.cluster.local:8080"),
    ("CALLBACK_BASE_URL", "r", "https://payments.example.com/callbacks/$(POD_NAMESPACE)"),
]

# More settings of the same kinds, numbered, as configuration grows: feature flags, per-PSP
# and per-currency limits, timeouts, retries (one in five read from the settings ConfigMap).
HEAVY_SETTINGS = ["FEATURE_%s" % f for f in (
    "3DS2", "APPLE_PAY", "GOOGLE_PAY", "SEPA", "IDEAL", "KLARNA", "PAYPAL", "RECURRING", "PARTIAL_REFUNDS",
    "NETWORK_TOKENS", "SCA_EXEMPTIONS", "DYNAMIC_DESCRIPTORS")] + [
    "LIMIT_%s_MAX_MINOR" % c for c in ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "HUF", "RON", "BGN", "AUD", "CAD",
                                  "NZD", "SGD", "HKD")] + [
    "PSP_%s_%s" % (p, k) for p in ("ADYEN", "STRIPE", "WORLDPAY", "CHECKOUT")
    for k in ("TIMEOUT_MS", "RETRIES", "WEIGHT", "REGION")] + [
    "CIRCUIT_%s_%s" % (s, k) for s in ("FRAUD", "LEDGER", "PSP") for k in ("FAILURE_RATE", "WAIT_OPEN_MS", "WINDOW")] + [
    "RETRY_%s" % k for k in ("MAX_ATTEMPTS", "BACKOFF_MS", "BACKOFF_MAX_MS", "JITTER")] + [
    "HTTP_CLIENT_%s" % k for k in ("CONNECT_TIMEOUT_MS", "READ_TIMEOUT_MS", "POOL_MAX", "POOL_IDLE_S")] + [
    "SCHEDULER_%s_CRON" % k for k in ("SETTLEMENT", "RECONCILIATION", "PAYOUT", "CLEANUP")]


def heavy_env(name, kind, value):
    if kind in ("v", "r"):
        return {"name": name, "value": value}
    if kind == "f":
        return {"name": name, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": value}}}
    ref, key = value.split(":")
    return {"name": name, "valueFrom": {("secretKeyRef" if kind == "s" else "configMapKeyRef"):
                                        {"name": ref, "key": key}}}


def heavy_settings():
    values = ["true", "false", "250000", "2500", "3", "0.5", "0 */15 * * * *"]
    out = []
    for i, name in enumerate(HEAVY_SETTINGS):
        if i % 5 == 4:
            out.append(heavy_env(name, "c", "payments-settings:" + name.lower().replace("_", "-")))
        elif name.startswith("SCHEDULER_"):
            out.append(heavy_env(name, "v", values[6]))
        else:
            out.append(heavy_env(name, "v", values[i % 6]))
    return out


def build_heavy(name):
    """deployment-heavy: about 150 env entries over three containers, the JVM's 50 flags."""
    args = ["kubectl", "create", "deployment", "payments-gateway", "--namespace", "payments", "--replicas", "6",
            "--port", "8080", "--dry-run=client", "-o", "json"]
    for image in HEAVY_IMAGES:
        args += ["--image", image]
    obj = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    fill_out(obj)
    meta = obj["metadata"]
    meta["labels"].update({"app.kubernetes.io/name": "payments-gateway", "app.kubernetes.io/part-of": "payments",
                           "app.kubernetes.io/version": "4.31.0", "team": "payments"})
    meta["annotations"].update({"owner": "payments-team@example.com",
                                "example.com/runbook": "https://runbooks.example.com/payments/gateway"})
    pod = obj["spec"]["template"]["spec"]
    pod["serviceAccountName"] = "payments-gateway"
    app, envoy, otel = pod["containers"]
    app["command"] = ["java"]
    app["args"] = list(HEAVY_ARGS)
    app["env"] = [heavy_env(*e) for e in HEAVY_APP_ENV] + heavy_settings()
    app["resources"] = {"requests": {"cpu": "2", "memory": "3Gi"}, "limits": {"memory": "3Gi"}}
    app["ports"] += [{"name": "management", "containerPort": 8081, "protocol": "TCP"},
                     {"name": "grpc", "containerPort": 9000, "protocol": "TCP"}]
    app["readinessProbe"] = {"httpGet": {"path": "/actuator/health/readiness", "port": 8081, "scheme": "HTTP"},
                             "periodSeconds": 5, "timeoutSeconds": 2, "failureThreshold": 3}
    app["livenessProbe"] = {"httpGet": {"path": "/actuator/health/liveness", "port": 8081, "scheme": "HTTP"},
                            "initialDelaySeconds": 60, "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3}
    app["volumeMounts"] = [{"name": "config", "mountPath": "/etc/payments", "readOnly": True},
                           {"name": "dumps", "mountPath": "/var/dumps"}, {"name": "gc-logs", "mountPath": "/var/log/gc"}]
    envoy["env"] = [heavy_env(*e) for e in HEAVY_APP_ENV[:4]] + [
        heavy_env("ENVOY_%s" % k, "v", v) for k, v in (
            ("LOG_LEVEL", "warn"), ("CONCURRENCY", "2"), ("ADMIN_PORT", "9901"), ("LISTENER_PORT", "15001"),
            ("UPSTREAM_PORT", "8080"), ("DRAIN_TIME_S", "20"), ("PARENT_SHUTDOWN_S", "30"),
            ("XDS_ADDRESS", "xds.mesh-system.svc.cluster.local:15010"), ("CLUSTER", "payments-gateway"),
            ("ZONE", "eu-west-1a"))] + [
        heavy_env("ENVOY_NODE_ID", "r", "sidecar~$(POD_IP)~$(POD_NAME).$(POD_NAMESPACE)~payments.svc.cluster.local"),
        heavy_env("ENVOY_TLS_KEY_PASSPHRASE", "s", "payments-mesh-tls:passphrase")] + [
        heavy_env("ENVOY_STATS_%s" % k, "v", v) for k, v in (
            ("FLUSH_INTERVAL_MS", "5000"), ("PREFIX", "payments"), ("TAGS", "true"), ("SINK", "statsd"),
            ("SINK_ADDRESS", "$(NODE_NAME):8125"))]
    envoy["args"] = ["--config-path", "/etc/envoy/envoy.yaml", "--service-cluster", "$(ENVOY_CLUSTER)",
                     "--service-node", "$(ENVOY_NODE_ID)", "--log-level", "$(ENVOY_LOG_LEVEL)",
                     "--concurrency", "$(ENVOY_CONCURRENCY)", "--drain-time-s", "$(ENVOY_DRAIN_TIME_S)"]
    otel["env"] = [heavy_env(*e) for e in HEAVY_APP_ENV[:4]] + [
        heavy_env("OTEL_%s" % k, "v", v) for k, v in (
            ("RESOURCE_ATTRIBUTES", "service.namespace=payments"), ("EXPORTER", "otlp"),
            ("EXPORTER_OTLP_ENDPOINT", "https://otlp.observability.example.com:4317"),
            ("EXPORTER_OTLP_COMPRESSION", "gzip"), ("BATCH_SIZE", "512"), ("BATCH_TIMEOUT", "5s"),
            ("MEMORY_LIMIT_MIB", "200"), ("MEMORY_SPIKE_MIB", "50"))] + [
        heavy_env("OTEL_EXPORTER_OTLP_HEADERS", "r", "x-tenant=payments,authorization=Bearer $(OTEL_TOKEN)"),
        heavy_env("OTEL_TOKEN", "s", "payments-otel:token")]
    otel["args"] = ["--config=/etc/otelcol/config.yaml", "--feature-gates=-component.UseLocalHostAsDefaultHost"]
    obj["spec"]["template"]["metadata"]["annotations"] = {
        "prometheus.io/scrape": "true", "prometheus.io/port": "8081", "prometheus.io/path": "/actuator/prometheus",
        "kubectl.kubernetes.io/default-container": "payments-gateway"}
    pod["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {
            "matchLabels": {"app": "payments-gateway"}}}}]}}
    pod["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                         "whenUnsatisfiable": "ScheduleAnyway",
                                         "labelSelector": {"matchLabels": {"app": "payments-gateway"}}}]
    pod["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "payments", "effect": "NoSchedule"}]
    pod["volumes"] = [{"name": "config", "configMap": {"name": "payments-gateway-config", "defaultMode": 420}},
                      {"name": "dumps", "emptyDir": {"sizeLimit": "4Gi"}}, {"name": "gc-logs", "emptyDir": {}}]
    return encode(review(name, obj))


EXTRA = {"deployment-16k-leak": build_leak, "gate-orders": build_gate, "deployment-heavy": build_heavy}


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
        spec = json.loads(text)["request"]["object"]["spec"]["template"]["spec"]["containers"]
        print("%s: %d bytes, %d container(s), %d env entries, %d args" % (
            path, len(text), containers, sum(len(c.get("env", [])) for c in spec),
            sum(len(c.get("args", [])) for c in spec)))


if __name__ == "__main__":
    main()
