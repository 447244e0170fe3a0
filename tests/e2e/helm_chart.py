#!/usr/bin/env python3
"""helm_chart.py - the Helm chart renders what a production webhook needs, in every mode.

`helm lint` and `helm template` (helm and kubectl from scripts/install-helm.sh) for each
certificate mode and several value combinations; the rendered YAML is read through
`kubectl annotate --local -o json` (kubectl's own parser, offline). Asserts the webhook rules,
selectors, failure policies, timeouts, probes, security context, the config schemagate loads,
the generated caBundle against the certificate it signed (and its reuse and renewal on
upgrade), refusals of unusable values, and that manifests/install.yaml is a fresh render.
Env: SCHEMAGATE_ROOT, SCHEMAGATE_BIN_DIR, TEST_TMP.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from sgtest import Report, Server, make_certs  # noqa: E402  (ok/not ok reporting, a local schemagate serve)

ROOT = os.environ["SCHEMAGATE_ROOT"]
BIN = os.environ["SCHEMAGATE_BIN_DIR"]
TMP = os.environ["TEST_TMP"]
CHART = os.path.join(ROOT, "manifests", "helm", "schemagate")
TOOLS = os.path.join(ROOT, ".tools", "helm")
HELM = os.path.join(TOOLS, "helm")
KUBECTL = os.path.join(TOOLS, "kubectl")
NS = "sg-test"
IMAGE_SET = "image.repository=registry.example.com/schemagate"  # required: there is no default image
REPORT = Report()
ENV = dict(os.environ, HELM_CONFIG_HOME=os.path.join(TMP, "helm-config"),
           HELM_CACHE_HOME=os.path.join(TMP, "helm-cache"), HELM_DATA_HOME=os.path.join(TMP, "helm-data"),
           KUBECONFIG=os.devnull)


def check(what, cond, detail=""):
    return REPORT.check(bool(cond), what, str(detail)[:2000])


def not_ok(what, detail=""):
    return check(what, False, detail)


def sh(args, input_text=None):
    return subprocess.run(args, input=input_text, capture_output=True, text=True, env=ENV, timeout=120)


def helm_template(*sets, chart=CHART, kube="1.30.0", values_file=None):
    args = [HELM, "template", "schemagate", chart, "--namespace", NS, "--kube-version", kube, "--set", IMAGE_SET]
    if values_file:
        args += ["--values", values_file]
    for s in sets:
        if s.startswith("--"):
            args.append(s)
        else:
            args += ["--set-json" if s.startswith("json:") else "--set", s.removeprefix("json:")]
    return sh(args)


def parse(yaml_text):
    """YAML documents -> list of objects, parsed by kubectl offline."""
    out = sh([KUBECTL, "annotate", "--local", "-f", "-", "-o", "json", "schemagate-test-none-"], yaml_text)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    dec, text, i, objs = json.JSONDecoder(), out.stdout, 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return objs
        obj, i = dec.raw_decode(text, i)
        objs.extend(obj["items"] if obj.get("kind") == "List" else [obj])


def render(*sets, **kw):
    r = helm_template(*sets, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"helm template {' '.join(sets)} failed: {r.stderr}")
    return parse(r.stdout)


def one(objs, kind, name=None):
    found = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} {name or ''}, found {len(found)}")
    return found[0]


def kinds(objs):
    return sorted(o["kind"] for o in objs)


def webhooks(objs):
    return {w["name"]: w for w in one(objs, "ValidatingWebhookConfiguration")["webhooks"]}


def excluded_namespaces(hook):
    terms = hook["namespaceSelector"]["matchExpressions"]
    return [v for t in terms if t["key"] == "kubernetes.io/metadata.name" and t["operator"] == "NotIn"
            for v in t["values"]]


def resources(hook):
    return sorted(f"{g or 'core'}/{r}" for rule in hook["rules"] for g in rule["apiGroups"] for r in rule["resources"])


def write(name, data, mode="w"):
    path = os.path.join(TMP, name)
    with open(path, mode) as f:
        f.write(data)
    return path


def openssl(*args, input_text=None):
    return subprocess.run(["openssl", *args], input=input_text, capture_output=True, text=True, timeout=30)


def pem_certs(text):
    return re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n?", text, re.S)


def verifies(bundle_pem, cert_pem):
    bundle, cert = write("bundle.pem", bundle_pem), write("cert.pem", cert_pem)
    return openssl("verify", "-CAfile", bundle, cert).returncode == 0


def pubkey_of(kind, pem):
    path = write("key-or-cert.pem", pem)
    r = openssl("x509", "-in", path, "-noout", "-pubkey") if kind == "cert" else openssl("pkey", "-in", path, "-pubout")
    return r.stdout


# ---------------------------------------------------------------- checks ----------------

def test_lint():
    for mode, extra in (("generate", []), ("cert-manager", []), ("secret", ["certificates.secret.caBundle=Zm9v"])):
        args = [HELM, "lint", "--strict", CHART, "--namespace", NS, "--set", f"certificates.mode={mode}", "--set", IMAGE_SET]
        for e in extra:
            args += ["--set", e]
        r = sh(args)
        check(f"helm lint --strict passes in the {mode} certificate mode", r.returncode == 0, r.stdout + r.stderr)
    r = sh([HELM, "lint", "--strict", CHART, "--values", os.path.join(CHART, "ci", "default-values.yaml")])
    check("helm lint --strict passes with ci/default-values.yaml (chart-testing's values)", r.returncode == 0,
          r.stdout + r.stderr)


def test_default_render():
    objs = render()
    check("default render has every object of the install (and the helm test Pod)",
          kinds(objs) == sorted(["ConfigMap", "Deployment", "NetworkPolicy", "Pod", "PodDisruptionBudget", "ResourceQuota",
                                 "Secret", "Service", "ServiceAccount", "ValidatingWebhookConfiguration"]), kinds(objs))
    dep = one(objs, "Deployment")
    pod = dep["spec"]["template"]["spec"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    c = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    check("three replicas, rolling update never below them",
          dep["spec"]["replicas"] == 3 and dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0)
    anti = pod.get("affinity", {}).get("podAntiAffinity", {})
    pref = anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])
    check("pod anti-affinity spreads the replicas over nodes",
          pref and pref[0]["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
          and pref[0]["podAffinityTerm"]["labelSelector"]["matchLabels"].items() <= labels.items(), anti)
    check("container ports: https 8443 and metrics 9090", ports == {"https": 8443, "metrics": 9090}, ports)
    probes_ok = all(c[p]["httpGet"]["port"] in ("metrics", 9090) for p in ("livenessProbe", "readinessProbe"))
    check("liveness probes /healthz and readiness probes /readyz on the plain HTTP port",
          probes_ok and c["livenessProbe"]["httpGet"]["path"] == "/healthz"
          and c["readinessProbe"]["httpGet"]["path"] == "/readyz" and "scheme" not in c["readinessProbe"]["httpGet"])
    res = c.get("resources", {})
    check("resource requests and limits for cpu and memory",
          {"cpu", "memory"} <= res.get("requests", {}).keys() and {"cpu", "memory"} <= res.get("limits", {}).keys(), res)
    psc, csc = pod["securityContext"], c["securityContext"]
    check("pod runs as non-root with the RuntimeDefault seccomp profile",
          psc["runAsNonRoot"] is True and psc["runAsUser"] > 0 and psc["seccompProfile"]["type"] == "RuntimeDefault", psc)
    check("container: read-only root filesystem, no privilege escalation, all capabilities dropped",
          csc["readOnlyRootFilesystem"] is True and csc["allowPrivilegeEscalation"] is False
          and csc["capabilities"]["drop"] == ["ALL"] and csc["runAsNonRoot"] is True
          and csc["seccompProfile"]["type"] == "RuntimeDefault", csc)
    pre = c["lifecycle"]["preStop"]["exec"]["command"]
    drain = next(int(a.split("=", 1)[1]) for a in c["args"] if a.startswith("--drain-timeout="))
    check("preStop pauses before SIGTERM, and the grace period covers pause + drain",
          pre[0] == "sleep" and int(pre[1]) >= 5 and pod["terminationGracePeriodSeconds"] > int(pre[1]) + drain,
          f"{pre} drain {drain} grace {pod['terminationGracePeriodSeconds']}")
    check("the pod mounts no service account token (schemagate never calls the API)",
          pod["automountServiceAccountToken"] is False and one(objs, "ServiceAccount")["automountServiceAccountToken"] is False)
    args = c["args"]
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    check("serve reads config and certificate from the mounted volumes",
          args[0] == "serve" and "--config=/etc/schemagate/config/config.json" in args
          and "--tls-cert-file=/etc/schemagate/tls/tls.crt" in args
          and "--tls-private-key-file=/etc/schemagate/tls/tls.key" in args
          and mounts.get("config") == "/etc/schemagate/config" and mounts.get("tls") == "/etc/schemagate/tls", args)
    tls_vol = next(v for v in pod["volumes"] if v["name"] == "tls")
    check("no subPath mounts (they would never see a rotated Secret)",
          all("subPath" not in m for m in c["volumeMounts"]))
    secret = one(objs, "Secret")
    check("the TLS volume is the chart's generated Secret", tls_vol["secret"]["secretName"] == secret["metadata"]["name"])

    svc = one(objs, "Service")
    svc_ports = {p["name"]: (p["port"], p["targetPort"]) for p in svc["spec"]["ports"]}
    check("Service 443 -> the https port (8443)", svc_ports.get("https") == (443, "https"), svc_ports)
    check("Service selects the pods", svc["spec"]["selector"].items() <= labels.items())
    pdb = one(objs, "PodDisruptionBudget")
    check("PodDisruptionBudget lets drains evict one pod at a time (maxUnavailable 1: never blocks a drain)",
          pdb["spec"].get("maxUnavailable") == 1 and "minAvailable" not in pdb["spec"]
          and pdb["spec"]["selector"]["matchLabels"].items() <= labels.items(), pdb["spec"])
    np = one(objs, "NetworkPolicy")
    np_ports = sorted(p["port"] for rule in np["spec"]["ingress"] for p in rule["ports"])
    check("NetworkPolicy admits only the webhook and metrics ports",
          np["spec"]["policyTypes"] == ["Ingress"] and np_ports == ["https", "metrics"]
          and np["spec"]["podSelector"]["matchLabels"].items() <= labels.items(), np["spec"])

    hooks = webhooks(objs)
    check("two webhooks: secrets.schemagate.io and schema.schemagate.io",
          sorted(hooks) == ["schema.schemagate.io", "secrets.schemagate.io"], sorted(hooks))
    sec, sch = hooks["secrets.schemagate.io"], hooks["schema.schemagate.io"]
    check("secrets -> /validate/secrets, schema -> /validate/schema, both on the Service's port 443",
          sec["clientConfig"]["service"]["path"] == "/validate/secrets"
          and sch["clientConfig"]["service"]["path"] == "/validate/schema"
          and all(h["clientConfig"]["service"]["name"] == svc["metadata"]["name"]
                  and h["clientConfig"]["service"]["namespace"] == NS
                  and h["clientConfig"]["service"]["port"] == 443 for h in hooks.values()))
    check("failurePolicy: secrets Fail, schema Fail by default",
          sec["failurePolicy"] == "Fail" and sch["failurePolicy"] == "Fail")
    check("both: sideEffects None, admissionReviewVersions [v1], timeoutSeconds 5, matchPolicy Equivalent",
          all(h["sideEffects"] == "None" and h["admissionReviewVersions"] == ["v1"] and h["timeoutSeconds"] == 5
              and h["matchPolicy"] == "Equivalent" for h in hooks.values()))
    check("rules name no subresource (scale and status writes never reach schemagate)",
          all("/" not in r and "*" not in r for h in hooks.values() for rule in h["rules"] for r in rule["resources"]))
    check("rules are for CREATE and UPDATE only",
          all(sorted(rule["operations"]) == ["CREATE", "UPDATE"] for h in hooks.values() for rule in h["rules"]))
    check("secrets webhook: pods, workloads, configmaps",
          resources(sec) == sorted(["core/pods", "core/replicationcontrollers", "core/configmaps", "apps/deployments",
                                    "apps/replicasets", "apps/statefulsets", "apps/daemonsets", "batch/jobs",
                                    "batch/cronjobs", "argoproj.io/rollouts"]), resources(sec))
    check("schema webhook: only the workloads that may declare schemagate.io/requires (no pods, no replicasets)",
          resources(sch) == sorted(["apps/deployments", "apps/statefulsets", "apps/daemonsets", "batch/jobs",
                                    "batch/cronjobs", "argoproj.io/rollouts"]), resources(sch))
    check("namespaceSelector excludes kube-system and the release namespace",
          all(sorted(excluded_namespaces(h)) == sorted(["kube-system", NS]) for h in hooks.values()))
    conds = {c["name"]: c["expression"] for c in sch.get("matchConditions", [])}
    check("schema webhook only sees objects that carry schemagate.io/requires (matchConditions)",
          any("schemagate.io/requires" in e for e in conds.values()), conds)

    # The generated certificate: the caBundle is the CA that signed the serving certificate.
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    bundles = {base64.b64decode(h["clientConfig"]["caBundle"]).decode() for h in hooks.values()}
    check("generated mode: both webhooks carry the same caBundle, which is the Secret's ca.crt",
          bundles == {data["ca.crt"]}, bundles)
    check("generated mode: the caBundle verifies the serving certificate", verifies(data["ca.crt"], data["tls.crt"]))
    check("generated mode: the private key belongs to the serving certificate",
          pubkey_of("cert", data["tls.crt"]) == pubkey_of("key", data["tls.key"]) != "")
    sans = openssl("x509", "-in", write("tls.crt", data["tls.crt"]), "-noout", "-ext", "subjectAltName").stdout
    name = svc["metadata"]["name"]
    check("generated mode: the certificate names the Service (name.ns.svc and .cluster.local)",
          f"DNS:{name}.{NS}.svc," in sans and f"DNS:{name}.{NS}.svc.cluster.local" in sans, sans)
    check("generated mode: Secret type kubernetes.io/tls with its expiry annotated",
          secret["type"] == "kubernetes.io/tls" and int(secret["metadata"]["annotations"]["schemagate.io/not-after"]) > 0)

    cm = json.loads(one(objs, "ConfigMap")["data"]["config.json"])
    check("config exempts kube-system and the release namespace",
          {"kube-system", NS} <= set(cm["exempt_namespaces"]), cm)
    pod_file = write("pod.json", json.dumps({"apiVersion": "v1", "kind": "Pod",
                                             "metadata": {"name": "p", "namespace": "shop"},
                                             "spec": {"containers": [{"name": "c", "image": "nginx"}]}}))
    r = subprocess.run([os.path.join(BIN, "schemagate"), "review", "--config", write("config.json", json.dumps(cm)),
                        pod_file], capture_output=True, text=True, timeout=60)
    check("schemagate loads the rendered config", r.returncode == 0, r.stderr)
    check("the pod template rolls when the config changes",
          "checksum/config" in dep["spec"]["template"]["metadata"]["annotations"])


def test_value_combinations():
    objs = render("webhook.timeoutSeconds=10", "webhook.schema.failurePolicy=Ignore",
                  "json:webhook.excludeNamespaces=[\"monitoring\"]", "podAntiAffinity=hard",
                  "json:databases={\"orders\":{\"tool\":\"flyway\",\"namespaces\":[\"shop\",\"shop-*\"],"
                  "\"conninfoSecret\":{\"name\":\"orders-db\",\"key\":\"dsn\"}},"
                  "\"billing\":{\"tool\":\"liquibase\",\"table\":\"billing.databasechangelog\","
                  "\"onUnreachable\":\"allow\",\"namespaces\":[\"billing\"],"
                  "\"conninfoSecret\":{\"name\":\"billing-db\"}}}")
    hooks = webhooks(objs)
    check("timeoutSeconds is a value (10)", all(h["timeoutSeconds"] == 10 for h in hooks.values()))
    check("schema failurePolicy is a value (Ignore); secrets stays Fail",
          hooks["schema.schemagate.io"]["failurePolicy"] == "Ignore"
          and hooks["secrets.schemagate.io"]["failurePolicy"] == "Fail")
    check("extra excluded namespaces reach both the selector and the config",
          all("monitoring" in excluded_namespaces(h) for h in hooks.values())
          and "monitoring" in json.loads(one(objs, "ConfigMap")["data"]["config.json"])["exempt_namespaces"])
    pod = one(objs, "Deployment")["spec"]["template"]["spec"]
    check("podAntiAffinity=hard requires one pod per node",
          "requiredDuringSchedulingIgnoredDuringExecution" in pod["affinity"]["podAntiAffinity"])
    cm = json.loads(one(objs, "ConfigMap")["data"]["config.json"])
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    vols = {v["name"]: v for v in pod["volumes"]}
    good = True
    for name, secret_name, key in (("orders", "orders-db", "dsn"), ("billing", "billing-db", "conninfo")):
        db = cm["databases"].get(name, {})
        vol = next((n for n, p in mounts.items() if db.get("conninfo_file", "").startswith(p + "/")), None)
        good &= vol is not None and vols[vol]["secret"]["secretName"] == secret_name \
            and vols[vol]["secret"]["items"] == [{"key": key, "path": os.path.basename(db["conninfo_file"])}]
    check("each database's conninfo_file is a file of a volume from the Secret named in values", good, cm["databases"])
    check("database settings reach the config",
          cm["databases"]["orders"] == {"tool": "flyway", "namespaces": ["shop", "shop-*"], "on_unreachable": "deny",
                                        "conninfo_file": "/etc/schemagate/db/orders/conninfo"}
          and cm["databases"]["billing"]["table"] == "billing.databasechangelog"
          and cm["databases"]["billing"]["on_unreachable"] == "allow", cm["databases"])
    r = subprocess.run([os.path.join(BIN, "schemagate"), "review", "--config", write("config2.json", json.dumps(cm)),
                        os.path.join(TMP, "pod.json")], capture_output=True, text=True, timeout=60)
    check("schemagate loads the rendered config with databases", r.returncode == 0, r.stderr)

    old = webhooks(render(kube="1.27.0"))
    check("on Kubernetes < 1.28 no matchConditions are rendered",
          all("matchConditions" not in h for h in old.values()))
    objs = render("networkPolicy.enabled=false", "podDisruptionBudget.enabled=false", "webhook.argoRollouts=false",
                  "serviceMonitor.enabled=true")
    check("networkPolicy/podDisruptionBudget can be disabled, a ServiceMonitor enabled",
          "NetworkPolicy" not in kinds(objs) and "PodDisruptionBudget" not in kinds(objs)
          and one(objs, "ServiceMonitor")["spec"]["endpoints"][0]["port"] == "metrics")
    check("argoRollouts=false drops the rollouts rules",
          all("argoproj.io" not in rule["apiGroups"] for h in webhooks(objs).values() for rule in h["rules"]))


def test_kube_versions():
    """matchConditions only where the apiserver has them (1.28+); every claimed version renders."""
    bundle = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()
    modes = {"generate": [], "cert-manager": ["certificates.mode=cert-manager"],
             "secret": ["certificates.mode=secret", f"certificates.secret.caBundle={bundle}"]}
    for kube, has_mc in (("1.25.0", False), ("1.27.3", False), ("1.28.0", True), ("1.30.0", True)):
        for mode, sets in modes.items():
            hooks = webhooks(render(*sets, kube=kube))
            sec, sch = hooks["secrets.schemagate.io"], hooks["schema.schemagate.io"]
            if has_mc:
                ok = ([c["name"] for c in sec.get("matchConditions", [])] == ["not-made-by-a-workload-controller"]
                      and [c["name"] for c in sch.get("matchConditions", [])] == ["declares-schemagate-requires"])
            else:
                ok = all("matchConditions" not in h for h in hooks.values())
            ok = ok and all(("caBundle" in h["clientConfig"]) == (mode != "cert-manager") for h in hooks.values())
            check(f"Kubernetes {kube}, {mode} mode: matchConditions {'on both webhooks' if has_mc else 'absent'}, "
                  f"caBundle {'absent (cainjector)' if mode == 'cert-manager' else 'present'}", ok,
                  {n: sorted(h) for n, h in hooks.items()})
    hooks = webhooks(render("webhook.secrets.skipControllerOwned=false", kube="1.30.0"))
    check("skipControllerOwned=false drops only the secrets webhook's matchCondition",
          "matchConditions" not in hooks["secrets.schemagate.io"] and "matchConditions" in hooks["schema.schemagate.io"])
    r = helm_template(kube="1.24.9")
    check("Kubernetes 1.24 is refused by the chart's kubeVersion (>= 1.25)",
          r.returncode != 0 and "kubeVersion" in r.stderr, r.stderr)
    with open(os.path.join(ROOT, "manifests", "install.yaml")) as f:
        objs = parse(f.read())
    check("manifests/install.yaml has no matchConditions (every claimed version takes it)",
          all("matchConditions" not in h for h in webhooks(objs).values()))
    r = sh([os.path.join(ROOT, "scripts", "render-install.sh"), "--kube-version", "1.30.0"])
    hooks = webhooks(parse(r.stdout)) if r.returncode == 0 else {}
    check("render-install.sh --kube-version 1.30.0 gives the 1.28+ form with matchConditions",
          hooks and all("matchConditions" in h for h in hooks.values()), r.stderr)


TOOLS_ALL = ["flyway", "liquibase", "golang-migrate", "goose", "dbmate", "rails", "atlas", "alembic", "django",
             "sqitch", "prisma", "knex", "node-pg-migrate", "sequelize"]


def config_combinations():
    """(label, --set arguments) for many value combinations that reach the rendered config."""
    combos = [("defaults", [])]
    for action in ("off", "warn", "deny"):
        combos.append((f"secrets+schema {action}", [f"config.secrets.action={action}", f"config.schema.action={action}",
                                                    f"config.schema.dry_run_action={action}"]))
    combos.append(("hygiene off", ["config.hygiene.action=off"]))
    combos.append(("exemptions", ["json:config.exempt_namespaces=[\"sandbox-*\"]",
                                  "json:config.secrets.exempt_namespaces=[\"legacy\"]",
                                  "json:config.secrets.exempt_workloads=[\"monitoring/datadog-*\"]",
                                  "json:webhook.excludeNamespaces=[\"monitoring\"]"]))
    combos.append(("schema tuning", ["config.schema.timeout_ms=3000", "webhook.timeoutSeconds=10",
                                     "config.schema.cache_satisfied_ms=0", "config.schema.cache_unsatisfied_ms=10000",
                                     "config.schema.pool_size=64"]))
    dbs = {f"db-{t}": {"tool": t, "namespaces": [f"ns-{i}", "shared-*"], "conninfoSecret": {"name": f"s{i}"}}
           for i, t in enumerate(TOOLS_ALL)}
    combos.append(("one database per tool", [f"json:databases={json.dumps(dbs)}"]))
    extra = {"orders": {"tool": "flyway", "table": "app.flyway_schema_history", "onUnreachable": "allow",
                        "namespaces": ["shop"], "conninfoSecret": {"name": "o", "key": "dsn"}},
             "reg": {"tool": "sqitch", "project": "shop", "table": "sqitch.changes", "namespaces": ["shop"],
                     "conninfoSecret": {"name": "r"}},
             "web": {"tool": "django", "project": "shop", "namespaces": [], "conninfoSecret": {"name": "w"}},
             "app": {"tool": "alembic", "on_unreachable": "allow", "namespaces": ["app"],
                     "alembicDownRevisions": {"a2": "a1", "m1": ["a2", "b1"], "b1": "a1", "a1": None},
                     "conninfoSecret": {"name": "a"}},
             "meta": {"tool": "sequelize", "table": 'public."SequelizeMeta"', "namespaces": ["a", "b"],
                      "conninfoSecret": {"name": "m"}}}
    combos.append(("tables, projects, on_unreachable", [f"json:databases={json.dumps(extra)}"]))
    return combos


def rendered_config(sets, kube="1.30.0"):
    args = [HELM, "template", "schemagate", CHART, "--namespace", NS, "--kube-version", kube,
            "--show-only", "templates/configmap.yaml", "--set", IMAGE_SET]
    for s_ in sets:
        args += ["--set-json" if s_.startswith("json:") else "--set", s_.removeprefix("json:")]
    r = sh(args)
    if r.returncode != 0:
        raise RuntimeError(f"helm template {' '.join(sets)} failed: {r.stderr}")
    return one(parse(r.stdout), "ConfigMap")["data"]["config.json"]


def test_rendered_configs_pass_config_check():
    """Every value combination renders a config that `schemagate config check` accepts."""
    paths = []
    for i, (label, sets) in enumerate(config_combinations()):
        try:
            text = rendered_config(sets)
        except Exception as err:  # noqa: BLE001 - reported per combination
            not_ok(f"rendered config for {label}", err)
            continue
        path = write(f"rendered-{i}.json", text)
        paths.append(path)
        r = subprocess.run([os.path.join(BIN, "schemagate"), "config", "check", path],
                           capture_output=True, text=True, timeout=60)
        check(f"schemagate config check accepts the rendered config: {label}", r.returncode == 0, r.stdout + r.stderr)
    r = subprocess.run([os.path.join(BIN, "schemagate"), "config", "check", "--quiet", *paths],
                       capture_output=True, text=True, timeout=60)
    check(f"schemagate config check accepts all {len(paths)} rendered configs at once",
          r.returncode == 0 and r.stdout == "", r.stdout + r.stderr)


def test_cert_manager_mode():
    objs = render("certificates.mode=cert-manager")
    certs = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Certificate"}
    serving = certs.get("schemagate-serving")
    dep = one(objs, "Deployment")
    tls_vol = next(v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == "tls")
    check("cert-manager mode: a serving Certificate for the Service, written to the pods' TLS Secret",
          serving is not None and serving["spec"]["secretName"] == tls_vol["secret"]["secretName"]
          and "schemagate.sg-test.svc" in serving["spec"]["dnsNames"], certs)
    vwc = one(objs, "ValidatingWebhookConfiguration")
    check("cert-manager mode: cainjector fills the caBundle from that Certificate",
          vwc["metadata"]["annotations"].get("cert-manager.io/inject-ca-from") == f"{NS}/schemagate-serving"
          and all("caBundle" not in h["clientConfig"] for h in vwc["webhooks"]))
    check("cert-manager mode: a self-signed CA chain when no issuer is given",
          sorted(o["metadata"]["name"] for o in objs if o["kind"] == "Issuer") == ["schemagate-ca", "schemagate-selfsigned"]
          and certs.get("schemagate-ca", {}).get("spec", {}).get("isCA") is True and "Secret" not in kinds(objs))
    check("cert-manager mode: renewal before schemagate's 30-day warning",
          serving["spec"]["renewBefore"] == "1080h" and serving["spec"]["duration"] == "2160h")
    objs = render("certificates.mode=cert-manager", "certificates.certManager.issuerRef.name=corp-ca",
                  "certificates.certManager.issuerRef.kind=ClusterIssuer")
    serving = one(objs, "Certificate")
    check("cert-manager mode: an existing issuer is used as given",
          serving["spec"]["issuerRef"] == {"name": "corp-ca", "kind": "ClusterIssuer"} and "Issuer" not in kinds(objs))


def test_secret_mode():
    bundle = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()
    objs = render("certificates.mode=secret", "certificates.secret.name=my-tls", f"certificates.secret.caBundle={bundle}")
    dep = one(objs, "Deployment")
    tls_vol = next(v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == "tls")
    check("secret mode: the pods mount the named Secret, the chart makes none",
          tls_vol["secret"]["secretName"] == "my-tls" and "Secret" not in kinds(objs) and "Certificate" not in kinds(objs))
    check("secret mode: both webhooks carry the given caBundle",
          all(h["clientConfig"]["caBundle"] == bundle for h in webhooks(objs).values()))
    r = helm_template("certificates.mode=secret")
    check("secret mode without caBundle is refused, naming schemagate-certs",
          r.returncode != 0 and "schemagate-certs" in r.stderr, r.stderr)


def test_refusals():
    cases = [
        (["certificates.mode=bogus"], "certificates.mode must be one of"),
        (["webhook.schema.failurePolicy=Maybe"], "failurePolicy must be one of"),
        (["webhook.timeoutSeconds=31"], "webhook.timeoutSeconds: Must be less than or equal to 30"),
        (["webhook.timeoutSeconds=3", "config.schema.timeout_ms=2500"], "timeout_ms (2500) must be at least 1000 ms below"),
        (["json:databases={\"orders\":{\"tool\":\"flyway\"}}"], "conninfoSecret is required"),
        (["json:databases={\"bad name\":{\"tool\":\"flyway\",\"conninfoSecret\":{\"name\":\"x\"}}}"],
         'Property name of "bad name" does not match'),
    ]
    for sets, message in cases:
        r = helm_template(*sets)
        check(f"refused with a clear message: {' '.join(sets)}", r.returncode != 0 and message in r.stderr, r.stderr)

    # What the binary refuses at start-up is refused at render time, twice: by values.schema.json
    # (first message) and, for renders that skip the schema (--skip-schema-validation, charts
    # that vendor this one), by the templates (second message).
    def db(**kw):
        entry = {"tool": "flyway", "namespaces": ["shop"], "conninfoSecret": {"name": "orders-db"}}
        entry.update(kw)
        return "json:databases=" + json.dumps({"orders": entry})
    cases = [
        (["config.schema.action=block"], 'config.schema.action must be one of the following: "off", "warn", "deny"',
         'config.schema.action must be one of off, warn, deny; got "block"'),
        (["config.secrets.action=block"], "config.secrets.action must be one of the following",
         'config.secrets.action must be one of off, warn, deny; got "block"'),
        (["config.schema.dry_run_action=allow"], "config.schema.dry_run_action must be one of the following",
         "config.schema.dry_run_action must be one of off, warn, deny"),
        (["config.hygiene.action=deny"], 'config.hygiene.action must be one of the following: "off", "warn"',
         "config.hygiene.action (hygiene never denies) must be one of off, warn"),
        (["config.schema.acton=deny"], "config.schema: Additional property acton is not allowed",
         "config.schema.acton is not a setting the chart knows (a typo?)"),
        (["config.secrest.action=deny"], "config: Additional property secrest is not allowed",
         "config.secrest is not a setting the chart knows"),
        (["config.schema.timeout_ms=10"], "config.schema.timeout_ms: Must be greater than or equal to 50",
         "config.schema.timeout_ms must be a whole number from 50 to 9000; got 10"),
        (["config.schema.pool_size=100"], "config.schema.pool_size: Must be less than or equal to 64",
         "config.schema.pool_size must be a whole number from 1 to 64"),
        (["json:config.secrets.exempt_workloads=[\"datadog\"]"], "Does not match pattern",
         "exempt_workloads entries are namespace/name globs"),
        (["json:config.databases={}"], "config: Additional property databases is not allowed",
         "config.databases: databases are configured in the top-level databases value"),
        ([db(tool="flyaway")], "databases.orders.tool must be one of the following: \"flyway\"",
         'databases.orders.tool must be one of flyway, liquibase'),
        ([db(onUnreachable="maybe")], "databases.orders.onUnreachable must be one of the following",
         'databases.orders.onUnreachable must be one of deny, allow; got "maybe"'),
        ([db(onUnreachible="allow")], "databases.orders: Additional property onUnreachible is not allowed",
         "databases.orders.onUnreachible is not a setting the chart knows"),
        ([db(table="flyway_schema_history")], "databases.orders.table: Does not match pattern",
         "databases.orders.table must be schema-qualified"),
        ([db(alembicDownRevisions={"a2": "a1"})], None,
         "databases.orders.alembicDownRevisions only applies to tool alembic"),
        (["json:databases=" + json.dumps({"Orders": {"tool": "flyway", "conninfoSecret": {"name": "x"}}})],
         'Property name of "Orders" does not match', '"Orders" is not a usable database name: 1-63 characters of a-z'),
        (["json:databases=" + json.dumps({"orders.v2": {"tool": "flyway", "conninfoSecret": {"name": "x"}}})],
         'Property name of "orders.v2" does not match', '"orders.v2" is not a usable database name'),
        (["replicaCount=3"], "replicaCount was renamed replicas", "replicaCount was renamed replicas"),
        (["repliacs=3"], "(root): Additional property repliacs is not allowed", None),
    ]
    for sets, schema_message, template_message in cases:
        r = helm_template(*sets)
        if schema_message:
            check(f"refused by values.schema.json: {' '.join(sets)}", r.returncode != 0 and schema_message in r.stderr,
                  r.stderr)
        if template_message:
            r = helm_template(*sets, "--skip-schema-validation")
            check(f"refused by the templates too: {' '.join(sets)}",
                  r.returncode != 0 and template_message in r.stderr, r.stderr)


def test_values_reach_the_config():
    objs = render("replicas=5", "json:databases=" + json.dumps({
        "orders": {"tool": "flyway", "namespaces": ["shop"], "on_unreachable": "allow", "conninfoSecret": {"name": "o"}},
        "billing": {"tool": "flyway", "namespaces": ["b"], "onUnreachable": "allow", "conninfoSecret": {"name": "b"}},
        "plain": {"tool": "flyway", "namespaces": ["p"], "conninfoSecret": {"name": "p"}}}))
    check("replicas is honoured", one(objs, "Deployment")["spec"]["replicas"] == 5)
    dbs = json.loads(one(objs, "ConfigMap")["data"]["config.json"])["databases"]
    check("on_unreachable: allow (the config file's spelling) reaches the rendered config, as onUnreachable does",
          dbs["orders"]["on_unreachable"] == "allow" and dbs["billing"]["on_unreachable"] == "allow"
          and dbs["plain"]["on_unreachable"] == "deny", dbs)
    values = write("alembic-values.yaml", "databases:\n  app:\n    tool: alembic\n    namespaces: [app]\n"
                   "    conninfoSecret: {name: app-db}\n    alembicDownRevisions:\n      a2: a1\n"
                   "      m1: [a2, b1]\n      b1: a1\n      a1: null\n")
    objs = render(values_file=values)
    text = one(objs, "ConfigMap")["data"]["config.json"]
    graph = json.loads(text)["databases"]["app"].get("alembic_down_revisions")
    check("alembicDownRevisions (a values file, with a null base) reaches the config as alembic_down_revisions",
          graph == {"a2": "a1", "m1": ["a2", "b1"], "b1": "a1", "a1": None}, text)
    r = subprocess.run([os.path.join(BIN, "schemagate"), "config", "check", write("alembic.json", text)],
                       capture_output=True, text=True, timeout=60)
    check("schemagate config check accepts the alembic config the chart renders", r.returncode == 0, r.stderr)
    r = helm_template("json:databases=" + json.dumps({"o": {"tool": "flyway", "onUnreachable": "deny",
                      "on_unreachable": "allow", "conninfoSecret": {"name": "o"}}}))
    check("onUnreachable and on_unreachable that disagree are refused",
          r.returncode != 0 and "onUnreachable and on_unreachable disagree" in r.stderr, r.stderr)


def notes(*sets, kube="1.30.0"):
    """NOTES.txt as rendered: a copy of the chart wraps it in a ConfigMap (helm template skips NOTES)."""
    copy = os.path.join(TMP, "chart-notes")
    if not os.path.isdir(copy):
        shutil.copytree(CHART, copy)
        with open(os.path.join(copy, "templates", "NOTES.txt")) as f:
            text = f.read()
        with open(os.path.join(copy, "templates", "notes-as-configmap.yaml"), "w") as f:
            f.write('{{- define "test.notes" }}' + text + '{{ end }}\napiVersion: v1\nkind: ConfigMap\n'
                    'metadata: {name: notes}\ndata:\n  notes: {{ include "test.notes" . | quote }}\n')
    r = helm_template(*sets, "--show-only=templates/notes-as-configmap.yaml", chart=copy, kube=kube)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return one(parse(r.stdout), "ConfigMap")["data"]["notes"]


def test_high_availability():
    objs = render()
    pod = one(objs, "Deployment")["spec"]["template"]["spec"]
    quota = one(objs, "ResourceQuota")
    check("priorityClassName system-cluster-critical by default", pod.get("priorityClassName") == "system-cluster-critical")
    check("a ResourceQuota admits that priority class outside kube-system (pods >= replicas + surge)",
          quota["metadata"]["namespace"] == NS
          and quota["spec"]["scopeSelector"]["matchExpressions"] == [
              {"scopeName": "PriorityClass", "operator": "In", "values": ["system-cluster-critical"]}]
          and int(quota["spec"]["hard"]["pods"]) >= 4, quota["spec"])
    r = sh([HELM, "template", "schemagate", CHART, "--namespace", "kube-system", "--kube-version", "1.30.0",
            "--set", IMAGE_SET])
    check("no ResourceQuota in kube-system (the class is allowed there)",
          r.returncode == 0 and "ResourceQuota" not in kinds(parse(r.stdout)), r.stderr)
    objs = render("priorityClassName=")
    check("priorityClassName empty: no priority class, no quota",
          "priorityClassName" not in one(objs, "Deployment")["spec"]["template"]["spec"] and "ResourceQuota" not in kinds(objs))
    check("another priority class: no quota", "ResourceQuota" not in kinds(render("priorityClassName=platform-high")))
    r = helm_template("priorityClassQuota.pods=3")
    check("a quota too small for the rolling update is refused",
          r.returncode != 0 and "priorityClassQuota.pods (3) must be at least replicas + 1 (4)" in r.stderr, r.stderr)
    pdb = one(render("podDisruptionBudget.minAvailable=2"), "PodDisruptionBudget")["spec"]
    check("podDisruptionBudget.minAvailable replaces maxUnavailable", pdb.get("minAvailable") == 2
          and "maxUnavailable" not in pdb, pdb)
    r = helm_template("replicas=2", "podDisruptionBudget.minAvailable=2")
    check("a PodDisruptionBudget that would block every drain (minAvailable >= replicas) is refused",
          r.returncode != 0 and "must be below replicas (2)" in r.stderr, r.stderr)
    check("replicas=1 renders (with maxUnavailable: drains are not blocked)",
          one(render("replicas=1"), "PodDisruptionBudget")["spec"].get("maxUnavailable") == 1)
    text = notes("replicas=1")
    check("NOTES.txt warns when replicas=1", "WARNING: replicas is 1" in text, text)
    text = notes()
    check("NOTES.txt has no warning with the defaults", "WARNING" not in text and "NOTE:" not in text, text)
    check("NOTES.txt warns when the PodDisruptionBudget is disabled",
          "WARNING: the PodDisruptionBudget is disabled" in notes("podDisruptionBudget.enabled=false"))
    check("NOTES.txt notes the missing matchConditions below 1.28", "has no matchConditions" in notes(kube="1.27.0"))

    c = one(render("json:readinessProbe={\"httpGet\":{\"path\":\"/readyz\",\"port\":\"metrics\"},\"periodSeconds\":2}",
                   "livenessProbe=null",
                   "json:startupProbe={\"httpGet\":{\"path\":\"/healthz\",\"port\":\"metrics\"},\"failureThreshold\":30}"),
            "Deployment")["spec"]["template"]["spec"]["containers"][0]
    check("probes are values: tuned (Helm merges the fields), removed (null), added (startupProbe)",
          c["readinessProbe"]["periodSeconds"] == 2 and c["readinessProbe"]["failureThreshold"] == 2
          and "livenessProbe" not in c and c["startupProbe"]["failureThreshold"] == 30, c)

    openshift = write("openshift.yaml", "podSecurityContext:\n  runAsUser: null\n  runAsGroup: null\n  fsGroup: null\n"
                      "securityContext:\n  runAsUser: null\n  runAsGroup: null\n")
    pod = one(render(values_file=openshift), "Deployment")["spec"]["template"]["spec"]
    psc, csc = pod["securityContext"], pod["containers"][0]["securityContext"]
    check("OpenShift restricted SCC: runAsUser/runAsGroup/fsGroup can be left to the platform (null), the rest stays",
          not {"runAsUser", "runAsGroup", "fsGroup"} & (psc.keys() | csc.keys())
          and psc["runAsNonRoot"] is True and csc["readOnlyRootFilesystem"] is True
          and csc["capabilities"]["drop"] == ["ALL"] and csc["allowPrivilegeEscalation"] is False, (psc, csc))
    pod = one(render("securityContext.runAsUser=1000700000", "podSecurityContext.fsGroup=1000700000"),
              "Deployment")["spec"]["template"]["spec"]
    check("securityContext values override single fields",
          pod["containers"][0]["securityContext"]["runAsUser"] == 1000700000 and pod["securityContext"]["fsGroup"] == 1000700000
          and pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True)

    ca = write("db-ca.yaml", "extraVolumes:\n  - name: db-ca\n    secret: {secretName: db-ca, items: [{key: ca.crt, path: ca.crt}]}\n"
               "extraVolumeMounts:\n  - {name: db-ca, mountPath: /etc/schemagate/db-ca, readOnly: true}\n"
               "extraEnv:\n  - {name: PGSSLROOTCERT, value: /etc/schemagate/db-ca/ca.crt}\n")
    pod = one(render(values_file=ca), "Deployment")["spec"]["template"]["spec"]
    c = pod["containers"][0]
    check("extraEnv/extraVolumes/extraVolumeMounts: the database CA for sslmode=verify-full",
          {"name": "PGSSLROOTCERT", "value": "/etc/schemagate/db-ca/ca.crt"} in c.get("env", [])
          and {"name": "db-ca", "mountPath": "/etc/schemagate/db-ca", "readOnly": True} in c["volumeMounts"]
          and any(v["name"] == "db-ca" and v["secret"]["secretName"] == "db-ca" for v in pod["volumes"])
          and {"config", "tls"} <= {v["name"] for v in pod["volumes"]}, c)
    r = helm_template("json:extraVolumes=[{\"name\":\"tls\",\"emptyDir\":{}}]")
    check("an extra volume named like the chart's own is refused", r.returncode != 0 and "is the chart's own" in r.stderr,
          r.stderr)
    r = helm_template("json:extraVolumeMounts=[{\"name\":\"x\",\"mountPath\":\"/etc/schemagate/tls\"}]")
    check("an extra mount over the chart's config/certificate/conninfo paths is refused",
          r.returncode != 0 and "mount elsewhere" in r.stderr, r.stderr)


def test_image():
    with open(os.path.join(CHART, "Chart.yaml")) as f:
        app_version = re.search(r'^appVersion: "?([^"\n]+)"?$', f.read(), re.M).group(1)
    image = lambda objs: one(objs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]  # noqa: E731
    r = sh([HELM, "template", "schemagate", CHART, "--namespace", NS])
    check("no default image: a render without image.repository is refused, saying how to build one",
          r.returncode != 0 and "image.repository is required" in r.stderr and "docker build" in r.stderr, r.stderr)
    r = helm_template("image.repository=")
    check("--set image.repository= (empty) is refused the same way",
          r.returncode != 0 and "image.repository is required" in r.stderr, r.stderr)
    check("image.repository with an empty tag renders the chart's appVersion as the tag",
          image(render("image.repository=r.example/sg", "image.tag=")) == f"r.example/sg:{app_version}")
    check("a registry with a port and a tag given as a string",
          image(render("image.repository=r.example:5000/team/sg", "--set-string=image.tag=1.0")) == "r.example:5000/team/sg:1.0")
    digest = "sha256:" + "ab" * 32
    check("image.digest pins the image instead of the tag",
          image(render("image.repository=r.example/sg", f"image.digest={digest}")) == f"r.example/sg@{digest}")
    r = helm_template("image.repository=r.example/sg:1.0")
    check("a tag inside image.repository is refused by the schema", r.returncode != 0 and "image.repository" in r.stderr,
          r.stderr)


def readme_alerts():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    section = text[text.index("## Metrics and alerts"):text.index("## Troubleshooting")]
    return re.findall(r"- alert: (\w+)", section)


def test_operations():
    objs = render()
    check("no PrometheusRule and no dashboard by default",
          "PrometheusRule" not in kinds(objs) and not any(o["metadata"]["name"].endswith("-dashboard") for o in objs))
    objs = render("prometheusRule.enabled=true", "json:prometheusRule.labels={\"release\":\"kps\"}",
                  "prometheusRule.slowSeconds=1.5")
    rule = one(objs, "PrometheusRule")
    rules = [r for g in rule["spec"]["groups"] for r in g["rules"]]
    names = [r["alert"] for r in rules]
    alerts = readme_alerts()
    check("PrometheusRule: the alerts README \"Metrics and alerts\" lists, in its order",
          alerts and names == alerts, (names, alerts))
    check("PrometheusRule: every alert is scoped to this release's Service and has for, severity, summary",
          all(f'namespace="{NS}", service="schemagate"' in r["expr"] and r.get("for") and r["labels"].get("severity")
              and r["annotations"].get("summary") for r in rules), rules)
    check("PrometheusRule: labels for the Prometheus rule selector, slowSeconds a value",
          rule["metadata"]["labels"].get("release") == "kps"
          and any(r["alert"] == "SchemagateSlow" and r["expr"].endswith("> 1.5") for r in rules))
    check("PrometheusRule: Prometheus template placeholders survive Helm ({{ $labels.database }})",
          any("{{ $labels.database }}" in r["annotations"]["summary"] for r in rules))
    metrics = set(re.findall(r'"(schemagate_[a-z_]+)', open(os.path.join(ROOT, "webhook", "metrics.c")).read()))
    used = {m.removesuffix("_bucket") for r in rules for m in re.findall(r"schemagate_[a-z_]+", r["expr"])}
    check("PrometheusRule: every metric in an expression is one schemagate exports", used and used <= metrics,
          used - metrics)

    objs = render("grafanaDashboard.enabled=true", "grafanaDashboard.namespace=monitoring")
    cm = next((o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "schemagate-dashboard"), None)
    dash = json.loads(cm["data"]["schemagate.json"]) if cm else {}
    exprs = [t["expr"] for p in dash.get("panels", []) for t in p.get("targets", [])]
    check("Grafana dashboard: a ConfigMap labelled grafana_dashboard: \"1\", in grafanaDashboard.namespace",
          cm is not None and cm["metadata"]["labels"].get("grafana_dashboard") == "1"
          and cm["metadata"]["namespace"] == "monitoring", cm and cm["metadata"])
    used = {m.removesuffix("_bucket") for e in exprs for m in re.findall(r"schemagate_[a-z_]+", e)}
    check("Grafana dashboard: valid JSON whose panels query every schemagate metric and no other",
          dash.get("uid") == "schemagate" and used == metrics, (used ^ metrics))
    check("Grafana dashboard: every panel selects by the namespace/service variables",
          exprs and all('namespace="$namespace"' in e or "namespace=\"$namespace\"" in e for e in exprs if "schemagate_" in e or "up{" in e))


def test_helm_test_hook():
    objs = render()
    pods = [o for o in objs if o["kind"] == "Pod"]
    pod = pods[0] if len(pods) == 1 else None
    check("helm test: one hook Pod", pod is not None and pod["metadata"]["annotations"].get("helm.sh/hook") == "test",
          kinds(objs))
    if pod is None:
        return
    dep = one(objs, "Deployment")
    sel = dep["spec"]["selector"]["matchLabels"]
    check("helm test: the Pod does not carry the selector labels (never a Service endpoint, nor in the PDB)",
          not sel.items() <= pod["metadata"]["labels"].items(), pod["metadata"]["labels"])
    c = pod["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in c["env"]}
    check("helm test: curl image is a value; posts to /validate/secrets through the Service's DNS name",
          c["image"] == "curlimages/curl:8.10.1" and env["URL"] == f"https://schemagate.{NS}.svc:443/validate/secrets")
    check("helm test: restricted pod (non-root, no token, read-only root, no capabilities)",
          pod["spec"]["automountServiceAccountToken"] is False and pod["spec"]["securityContext"]["runAsNonRoot"] is True
          and c["securityContext"]["readOnlyRootFilesystem"] is True and c["securityContext"]["capabilities"]["drop"] == ["ALL"])
    ca_vol = pod["spec"]["volumes"][0]
    check("helm test: verifies TLS with the CA of the serving Secret (generate mode)",
          ca_vol["secret"]["secretName"] == one(objs, "Secret")["metadata"]["name"]
          and ca_vol["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}])
    image = render("helmTest.image.repository=registry.example.com/curl", "helmTest.image.tag=8")
    check("helm test: the curl image can be replaced (air-gapped registries)",
          one(image, "Pod")["spec"]["containers"][0]["image"] == "registry.example.com/curl:8")
    check("helm test: helmTest.enabled=false renders no test Pod", "Pod" not in kinds(render("helmTest.enabled=false")))
    bundle_pem = open(os.path.join(make_certs(os.path.join(TMP, "certs")), "ca.crt")).read()
    sec = render("certificates.mode=secret", "certificates.secret.caBundle=" + base64.b64encode(bundle_pem.encode()).decode())
    ca_cm = next((o for o in sec if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "schemagate-test-ca"), None)
    check("helm test, secret mode: the CA comes from certificates.secret.caBundle (a test-hook ConfigMap)",
          ca_cm is not None and ca_cm["data"]["ca.crt"] == bundle_pem
          and ca_cm["metadata"]["annotations"]["helm.sh/hook"] == "test"
          and one(sec, "Pod")["spec"]["volumes"][0]["configMap"]["name"] == "schemagate-test-ca")
    r = sh([os.path.join(ROOT, "scripts", "render-install.sh")])
    check("manifests/install.yaml has no helm test objects", r.returncode == 0 and "helm.sh/hook" not in r.stdout)

    # The Pod's script, run here against a real schemagate serve with the config the chart renders.
    for action, expect in (("deny", "denied"), ("warn", "allowed")):
        objs = render(f"config.secrets.action={action}")
        c = one(objs, "Pod")["spec"]["containers"][0]
        env = {e["name"]: e["value"] for e in c["env"]}
        server = Server(config=json.loads(one(objs, "ConfigMap")["data"]["config.json"]), name=f"helm-test-{action}")
        try:
            run_env = dict(os.environ, URL=server.url("/validate/secrets"),
                           CA_FILE=os.path.join(server.certs, "ca.crt"), EXPECT_LEAK=env["EXPECT_LEAK"])
            r = subprocess.run(["/bin/sh", "-c", c["args"][0]], capture_output=True, text=True, env=run_env, timeout=120)
        finally:
            server.stop()
        check(f"helm test script passes against schemagate with secrets.action={action} (the leak {expect})",
              r.returncode == 0 and env["EXPECT_LEAK"] == expect and "ok - schemagate answers" in r.stdout,
              r.stdout + r.stderr)
        bad = subprocess.run(["/bin/sh", "-c", c["args"][0]], capture_output=True, text=True, timeout=120,
                             env=dict(run_env, EXPECT_LEAK="allowed" if expect == "denied" else "denied",
                                      URL=run_env["URL"]))
        check(f"helm test script fails when the answer is not the expected one (secrets.action={action})",
              bad.returncode != 0, bad.stdout + bad.stderr)


def test_install_yaml():
    path = os.path.join(ROOT, "manifests", "install.yaml")
    fresh = sh([os.path.join(ROOT, "scripts", "render-install.sh")])
    with open(path) as f:
        committed = f.read()
    check("manifests/install.yaml equals a fresh render (run `make manifests`)",
          fresh.returncode == 0 and fresh.stdout == committed,
          fresh.stderr or "".join(l for l in __import__("difflib").unified_diff(
              committed.splitlines(True), fresh.stdout.splitlines(True), "install.yaml", "fresh", n=1))[:3000])
    objs = parse(committed)
    check("install.yaml creates its namespace and uses the schemagate-tls Secret",
          one(objs, "Namespace")["metadata"]["name"] == "schemagate-system"
          and "Secret" not in kinds(objs)
          and next(v for v in one(objs, "Deployment")["spec"]["template"]["spec"]["volumes"]
                   if v["name"] == "tls")["secret"]["secretName"] == "schemagate-tls")
    check("install.yaml's caBundle is the ${CA_BUNDLE} placeholder (refused by the apiserver until replaced)",
          all(h["clientConfig"]["caBundle"] == "${CA_BUNDLE}" for h in webhooks(objs).values()))

    # The documented procedure: schemagate-certs makes the Secret and the bundle.
    certs = os.path.join(TMP, "certs")
    certs_bin = os.path.join(BIN, "schemagate-certs")
    gen = subprocess.run([certs_bin, "--out", certs, "--service", "schemagate", "--namespace", "schemagate-system"],
                         capture_output=True, text=True, timeout=60)
    manifest = subprocess.run([certs_bin, "--out", certs, "--secret-manifest", "schemagate-tls",
                               "--namespace", "schemagate-system"], capture_output=True, text=True, timeout=60)
    bundle = subprocess.run([certs_bin, "--out", certs, "--ca-bundle"], capture_output=True, text=True, timeout=60)
    if gen.returncode or manifest.returncode or bundle.returncode:
        not_ok("schemagate-certs makes the Secret manifest and the caBundle", gen.stderr + manifest.stderr + bundle.stderr)
        return
    sed = subprocess.run(["sed", f"s|\\${{CA_BUNDLE}}|{bundle.stdout.strip()}|", path], capture_output=True, text=True)
    objs = parse(sed.stdout)
    secret = one(parse(manifest.stdout), "Secret")
    crt = base64.b64decode(secret["data"]["tls.crt"]).decode()
    ca = {base64.b64decode(h["clientConfig"]["caBundle"]).decode() for h in webhooks(objs).values()}
    check("the README's sed substitution yields a caBundle that verifies the Secret's certificate",
          len(ca) == 1 and verifies(ca.pop(), crt) and secret["metadata"]["name"] == "schemagate-tls"
          and secret["metadata"]["namespace"] == "schemagate-system")


def test_generated_upgrade():
    """The lookup of the existing Secret only works against a cluster; a copy of the chart reads
    it from a value instead, so reuse and renewal are checked offline."""
    copy = os.path.join(TMP, "chart-copy")
    shutil.copytree(CHART, copy)
    os.remove(os.path.join(copy, "values.schema.json"))  # the copy takes an extra value
    webhook_tpl = os.path.join(copy, "templates", "webhook.yaml")
    with open(webhook_tpl) as f:
        text = f.read()
    needle = 'lookup "v1" "Secret" .Release.Namespace $secretName'
    check("webhook.yaml looks the existing Secret up", needle in text)
    with open(webhook_tpl, "w") as f:
        f.write(text.replace(needle, "(.Values.testExistingSecret | default dict)"))
    first = render(chart=copy)
    old = one(first, "Secret")
    old_ca = base64.b64decode(old["data"]["ca.crt"]).decode()
    old_crt = base64.b64decode(old["data"]["tls.crt"]).decode()
    import time
    for label, not_after, reuse in (("far from expiry", int(time.time()) + 300 * 86400, True),
                                    ("within renewBeforeDays", int(time.time()) + 10 * 86400, False)):
        existing = {"metadata": {"annotations": {"schemagate.io/not-after": str(not_after)}}, "data": old["data"]}
        values = write("existing.json", json.dumps({"testExistingSecret": existing}))
        objs = render(chart=copy, values_file=values)
        secret = one(objs, "Secret")
        crt = base64.b64decode(secret["data"]["tls.crt"]).decode()
        bundle = base64.b64decode(webhooks(objs)["secrets.schemagate.io"]["clientConfig"]["caBundle"]).decode()
        if reuse:
            check(f"upgrade {label}: the Secret and caBundle are reused, not regenerated",
                  secret["data"] == old["data"] and bundle == old_ca)
        else:
            check(f"upgrade {label}: a new certificate, and a caBundle trusting both old and new",
                  crt != old_crt and len(pem_certs(bundle)) == 2 and verifies(bundle, crt) and verifies(bundle, old_crt)
                  and int(secret["metadata"]["annotations"]["schemagate.io/not-after"]) > not_after)


def main():
    r = subprocess.run([os.path.join(ROOT, "scripts", "install-helm.sh")], capture_output=True, text=True)
    if r.returncode != 0 or not os.access(HELM, os.X_OK) or not os.access(KUBECTL, os.X_OK):
        not_ok("helm and kubectl are installed by scripts/install-helm.sh", r.stderr)
        return
    for test in (test_lint, test_default_render, test_value_combinations, test_kube_versions,
                 test_rendered_configs_pass_config_check, test_cert_manager_mode,
                 test_secret_mode, test_refusals, test_values_reach_the_config, test_image,
                 test_high_availability, test_operations, test_helm_test_hook, test_install_yaml, test_generated_upgrade):
        try:
            test()
        except Exception as err:  # a render that fails or lacks an object fails that group
            not_ok(f"{test.__name__} ran to the end", f"{type(err).__name__}: {err}")


if __name__ == "__main__":
    main()
    REPORT.finish()
