"""review_cli.py - `schemagate review` as CI and audits use it: our own Helm chart rendered and
piped in; YAML streams mixing documents, a List, comments and empty documents; JSON streams;
directories with nested folders (sorted, only *.yaml/*.yml/*.json); every output format parsed
(text, json, SARIF 2.1.0, JUnit XML, wgpolicyk8s.io PolicyReport); the exit code of each class
(0 allowed, 1 denied, 2 unusable input, 3 database unreachable); each object's answer in a
stream equal to its answer alone; no secret value in any output. Workloads are written by
`kubectl create ... --dry-run=client -o json` (helm and kubectl from scripts/install-helm.sh).
Env: SCHEMAGATE_BIN_DIR, SCHEMAGATE_ROOT, TEST_TMP."""
import json
import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import sgtest  # noqa: E402

report = sgtest.Report()
SG = os.path.join(sgtest.BIN, "schemagate")
TOOLS = os.path.join(sgtest.ROOT, ".tools", "helm")
HELM = os.path.join(TOOLS, "helm")
KUBECTL = os.path.join(TOOLS, "kubectl")
if not os.access(KUBECTL, os.X_OK):
    KUBECTL = "kubectl"
TMP = sgtest.TMP
SECRET = "Zq7-hunter2-NotInAnyOutput-91"   # a planted credential value


def run(args, stdin=None):
    p = subprocess.run([SG, "review"] + args, input=stdin, capture_output=True, text=True, timeout=120)
    if "Sanitizer" in p.stderr:
        report.check(False, "no sanitizer report: review " + " ".join(args), p.stderr[-3000:])
    return p


def review_json(args, stdin=None):
    p = run(["-o", "json"] + args, stdin)
    try:
        return p, json.loads(p.stdout)
    except ValueError:
        return p, None


def write(rel, text):
    path = os.path.join(TMP, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def kubectl(*args):
    p = subprocess.run([KUBECTL, "create", "--dry-run=client", "-o", "json"] + list(args),
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"kubectl create {' '.join(args)}: {p.stderr}")
    return json.loads(p.stdout)


def to_yaml(obj, indent=0):
    """Block YAML for a JSON value (every string double-quoted, as JSON escapes it)."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        out = []
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{json.dumps(k)}:\n{to_yaml(v, indent + 2)}")
            else:
                out.append(f"{pad}{json.dumps(k)}: {to_yaml(v)}")
        return "\n".join(out)
    if isinstance(obj, list):
        if not obj:
            return "[]"
        out = []
        for v in obj:
            if isinstance(v, (dict, list)) and v:
                inner = to_yaml(v, indent + 2)
                out.append(f"{pad}- {inner.lstrip()}")
            else:
                out.append(f"{pad}- {to_yaml(v)}")
        return "\n".join(out)
    return json.dumps(obj)


# ---- objects, from kubectl ------------------------------------------------------------------
job_leak = kubectl("job", "migrate", "--image=flyway/flyway:10", "-n", "shop", "--", "flyway", "migrate")
job_leak["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "FLYWAY_PASSWORD", "value": SECRET}]
job_ok = kubectl("job", "report", "--image=busybox:1.36", "-n", "shop", "--", "true")
job_ok["spec"].update({"backoffLimit": 1, "activeDeadlineSeconds": 600, "ttlSecondsAfterFinished": 600})
cm = kubectl("configmap", "settings", "--from-literal=mode=fast")          # no namespace
deploy = kubectl("deployment", "api", "--image=nginx:1.27", "-n", "shop")
deploy_requires = json.loads(json.dumps(deploy))
deploy_requires["metadata"]["annotations"] = {"schemagate.io/requires": "orders@1.10"}
ns_obj = kubectl("namespace", "team-a")
svc = kubectl("service", "clusterip", "web", "--tcp=80:8080", "-n", "shop")

# ---- 1. our own chart, rendered by helm, piped in -------------------------------------------
if os.access(HELM, os.X_OK):
    env = dict(os.environ, HELM_CONFIG_HOME=os.path.join(TMP, "hc"), HELM_CACHE_HOME=os.path.join(TMP, "hk"),
               HELM_DATA_HOME=os.path.join(TMP, "hd"))
    h = subprocess.run([HELM, "template", "sg", os.path.join(sgtest.ROOT, "manifests", "helm", "schemagate"),
                        "-n", "schemagate", "--set", "image.repository=registry.example/schemagate"],
                       capture_output=True, text=True, env=env, timeout=120)
    report.check(h.returncode == 0, "helm template of manifests/helm/schemagate renders", h.stderr[-500:])
    kinds = [line[len("kind: "):].strip() for line in h.stdout.splitlines() if line.startswith("kind: ")]
    p, out = review_json(["-"], h.stdout)
    report.check(p.returncode == 0 and out is not None, "our chart, piped in: every object allowed (exit 0)",
                 f"exit {p.returncode}: {p.stderr[-800:]}")
    if out is not None:
        report.check([r["kind"] for r in out] == kinds, f"our chart: each of the {len(kinds)} rendered objects "
                     "reviewed on its own, in order", [r["kind"] for r in out])
        report.check(all(r["source"] == "-" and r["document"] == i for i, r in enumerate(out)),
                     "our chart: objects named by source and document index")
        dep = [r for r in out if r["kind"] == "Deployment"]
        report.check(len(dep) == 1 and dep[0]["namespace"] == "schemagate" and dep[0]["name"] == "sg-schemagate",
                     "our chart: the Deployment is schemagate/sg-schemagate", dep)
        lines = h.stdout.splitlines()
        report.check(all(lines[r["line"] - 1].startswith(("apiVersion:", "kind:")) for r in out),
                     "our chart: each object's line is where its first key is", [r["line"] for r in out])
    p = run(["-"], h.stdout)
    report.check(p.returncode == 0 and p.stdout.splitlines()[-1].startswith(f"{len(kinds)} objects: {len(kinds)} allowed"),
                 "our chart: text output ends with the summary line", p.stdout[-300:])
else:
    report.check(False, f"helm is installed in {TOOLS} (make deps)")

# ---- 2. a stream: YAML documents, a List, comments, empty documents -------------------------
cm_list = {"apiVersion": "v1", "kind": "List", "metadata": {},
           "items": [job_ok, svc]}
stream = ("# rendered by hand\n---\n---\n# only a comment\n---\n" + to_yaml(cm) + "\n---\n"
          + to_yaml(cm_list) + "\n...\n---\n\n---\n" + to_yaml(job_leak) + "\n# trailing comment\n")
stream_path = write("stream/mixed.yaml", stream)
p, out = review_json([stream_path])
report.check(p.returncode == 1, "mixed stream: a denial exits 1", f"{p.returncode} {p.stderr[-500:]}")
want = [("ConfigMap", "default", "settings", 0, None), ("Job", "shop", "report", 1, 0),
        ("Service", "shop", "web", 1, 1), ("Job", "shop", "migrate", 2, None)]
got = [(r["kind"], r["namespace"], r["name"], r["document"], r["item"]) for r in out or []]
report.check(got == want, "mixed stream: empty documents skipped, the List's items reviewed one by one, "
             "each named by document and item", got)
stream_lines = stream.splitlines()
report.check(out is not None and all(stream_lines[r["line"] - 1].lstrip("- ").startswith('"') for r in out),
             "mixed stream: lines point at the objects", [r["line"] for r in out or []])
report.check(out is not None and [r["result"] for r in out] == ["allowed", "allowed", "allowed", "denied"],
             "mixed stream: only the Job with a literal password is denied", [r["result"] for r in out or []])
report.check(out is not None and out[3]["denials"][0]["rule"] == "secrets.env-literal",
             "mixed stream: the denial carries its rule id", out and out[3]["denials"])
value_line = [i + 1 for i, l in enumerate(stream_lines) if '"name": "FLYWAY_PASSWORD"' in l][0] + 1
report.check(out is not None and out[3]["denials"][0]["line"] == value_line and out[1]["line"] != out[2]["line"],
             "mixed stream: the denial points at the line of the offending value; List items at their own lines",
             out and (out[3]["denials"], value_line, out[1]["line"], out[2]["line"]))

# The per-object answers equal those of reviewing each object alone.
alone = []
for i, obj in enumerate([cm, job_ok, svc, job_leak]):
    _, one = review_json([write(f"alone/{i}.json", json.dumps(obj))])
    alone.append(one[0]["review"] if one else None)
report.check(out is not None and [r["review"] for r in out] == alone,
             "mixed stream: each object's AdmissionReview response equals its response reviewed alone")

# A JSON stream as `kubectl get -o json | jq -c '.items[]'` prints, and a kubectl -o json List.
jstream = "".join(json.dumps(o) + "\n" for o in (cm, job_ok, job_leak))
p, out = review_json(["-"], jstream)
report.check(p.returncode == 1 and out is not None and [r["name"] for r in out] == ["settings", "report", "migrate"]
             and [r["line"] for r in out] == [1, 2, 3], "JSON stream on stdin: one object a line, each reviewed",
             p.stderr[-300:])
report.check(out is not None and [r["review"] for r in out] == [alone[0], alone[1], alone[3]],
             "JSON stream: answers equal those of each object alone")
p, out = review_json(["-"], json.dumps({"apiVersion": "v1", "kind": "List", "items": [cm, deploy]}, indent=2))
report.check(p.returncode == 0 and out is not None and [r["item"] for r in out] == [0, 1],
             "kubectl-style List in JSON: items reviewed", p.stderr[-300:])
p, out = review_json(["-"], json.dumps({"apiVersion": "apps/v1", "kind": "DeploymentList", "items": [deploy]}))
report.check(p.returncode == 0 and out is not None and len(out) == 1 and out[0]["kind"] == "Deployment",
             "a DeploymentList's items are reviewed as Deployments", out)

# --namespace for objects without metadata.namespace; cluster-scoped kinds get none.
p, out = review_json(["-n", "team-b", write("ns/two.yaml", to_yaml(cm) + "\n---\n" + to_yaml(ns_obj) + "\n")])
report.check(out is not None and [r["namespace"] for r in out] == ["team-b", ""],
             "--namespace applies to objects without one; a Namespace stays cluster-scoped", out and [r["object"] for r in out])

# JSON as `kubectl get -o json` prints it (a List, 4-space indents) and a stream of pretty-printed
# values: findings point at the offending value's line, as for YAML, in every format.
jlist = json.dumps({"apiVersion": "v1", "kind": "List", "items": [cm, job_leak, svc]}, indent=4)
jlist_path = write("json/list.json", jlist + "\n")
jlines = jlist.splitlines()
leak_line = [i + 1 for i, l in enumerate(jlines) if '"name": "FLYWAY_PASSWORD"' in l][0] + 1
p, out = review_json([jlist_path])
report.check(p.returncode == 1 and out is not None and [r["item"] for r in out] == [0, 1, 2]
             and out[1]["denials"][0]["line"] == leak_line and SECRET in jlines[leak_line - 1]
             and jlines[out[1]["line"] - 1].strip() == "{" and out[0]["line"] < out[1]["line"] < out[2]["line"],
             "JSON List: the denial points at the line of the offending value, each item at its own line",
             out and [(r["line"], r["denials"]) for r in out])
p = run(["-o", "sarif", jlist_path])
sarif = json.loads(p.stdout) if p.stdout else {}
leaks = [r for r in sarif.get("runs", [{}])[0].get("results", []) if r["ruleId"] == "secrets.env-literal"]
report.check(len(leaks) == 1 and leaks[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == leak_line,
             "JSON List, -o sarif: the finding's startLine is the offending value's line", leaks)
p = run(["-o", "text", jlist_path])
report.check(any(l.startswith("  - ") and "[secrets.env-literal]" in l and l.endswith(f"(line {leak_line})")
                 for l in p.stdout.splitlines()),
             "JSON List, -o text: the denial ends with the offending value's line", p.stdout)
jstream2 = json.dumps(cm, indent=2) + "\n" + json.dumps(job_leak, indent=2) + "\n"
p, out = review_json(["-"], jstream2)
s2 = jstream2.splitlines()
leak2 = [i + 1 for i, l in enumerate(s2) if '"name": "FLYWAY_PASSWORD"' in l][0] + 1
report.check(out is not None and len(out) == 2 and out[1]["line"] == len(json.dumps(cm, indent=2).splitlines()) + 1
             and out[1]["denials"][0]["line"] == leak2,
             "JSON stream of pretty-printed values: each value's line, the denial at its value's line",
             out and [(r["line"], r["denials"]) for r in out])

# A stream that breaks off: the objects before the break are reviewed, the break is exit 2.
broken = to_yaml(cm) + "\n---\n" + to_yaml(job_leak) + "\n---\nkind: [broken\n"
broken_line = broken.splitlines().index("kind: [broken") + 1
p, out = review_json(["-"], broken)
report.check(p.returncode == 2 and out is not None and [r["result"] for r in out] == ["allowed", "denied", "error"]
             and f"starts on line {broken_line}" in out[2]["error"] if out and len(out) == 3 else False,
             "a stream with a syntax error: the objects before it reviewed, then the error (exit 2)",
             f"{p.returncode} {out and [(r['result'], r.get('error')) for r in out]}")

# A List of more values than one webhook request may hold (262144) is reviewed, quickly.
big = {"apiVersion": "v1", "kind": "List",
       "items": [dict(cm, metadata={"name": f"c{i}", "namespace": "big"}, data={f"k{j}": "v" for j in range(20)})
                 for i in range(8000)]}
p = run(["-q", "-"], json.dumps(big, indent=4))
report.check(p.returncode == 0 and p.stderr == "", "a JSON List of 8000 objects (360k values) is reviewed",
             f"{p.returncode} {p.stderr[-300:]}")

# Scope: cluster-scoped kinds by API group go to the ClusterPolicyReport, whatever their
# metadata.namespace says (the apiserver clears it); a custom kind's scope comes from its
# CustomResourceDefinition earlier in the inputs; an unknown custom kind without a namespace is
# reviewed as namespaced (--namespace, default "default") with a note on stderr.
def crd(group, kind, scope):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{kind.lower()}s.{group}"},
            "spec": {"group": group, "scope": scope, "names": {"kind": kind, "plural": f"{kind.lower()}s"},
                     "versions": [{"name": "v1", "served": True, "storage": True}]}}


def obj(api, kind, name, ns=None):
    meta = {"name": name}
    if ns:
        meta["namespace"] = ns
    return {"apiVersion": api, "kind": kind, "metadata": meta}


scoped = [obj("rbac.authorization.k8s.io/v1", "ClusterRole", "reader", "oops"),
          obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "reader"),
          obj("scheduling.k8s.io/v1", "PriorityClass", "low"), obj("storage.k8s.io/v1", "StorageClass", "fast"),
          obj("v1", "PersistentVolume", "pv1"), obj("v1", "Node", "n1"),
          obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "vwc"),
          obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mwc"),
          crd("example.com", "Tenant", "Cluster"), crd("example.com", "Widget", "Namespaced"),
          obj("example.com/v1", "Tenant", "t1"), obj("example.com/v1", "Widget", "w1"),
          obj("kyverno.io/v1", "ClusterPolicy", "cp"), obj("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", "rl"),
          obj("rbac.authorization.k8s.io/v1", "Role", "r", "team"), obj("other.example.org/v1", "Gadget", "g1"),
          obj("example.com/v1", "Widget", "w2", "team")]
scoped_path = write("scope/objects.json", "".join(json.dumps(o) + "\n" for o in scoped))
p = run(["-o", "policyreport", scoped_path])
doc = json.loads(p.stdout) if p.returncode == 0 else {"items": []}
by_report = {(i["kind"], i["metadata"].get("namespace")): sorted(r["resources"][0]["name"] for r in i["results"])
             for i in doc["items"]}
want = {("ClusterPolicyReport", None): sorted(["reader", "reader", "low", "fast", "pv1", "n1", "vwc", "mwc",
                                               "tenants.example.com", "widgets.example.com", "t1", "cp", "rl"]),
        ("PolicyReport", "default"): ["g1", "w1"], ("PolicyReport", "team"): ["r", "w2"]}
report.check(by_report == want, "policyreport: cluster-scoped kinds (by API group, and custom kinds by their CRD "
             "earlier in the input) in the ClusterPolicyReport, the rest per namespace", by_report)
report.check("note: 1 object of custom kinds without metadata.namespace (the first: Gadget g1" in p.stderr,
             "an unknown custom kind without a namespace: reviewed in default, with a note on stderr", p.stderr)
p, out = review_json(["-n", "apps", scoped_path])
report.check(out is not None and [r["namespace"] for r in out if r["name"] in ("g1", "w1", "t1", "reader")]
             == ["", "", "", "apps", "apps"] and "note:" not in p.stderr,
             "with -n: unknown and namespaced custom kinds go there, cluster-scoped ones nowhere; no note",
             out and [(r["name"], r["namespace"]) for r in out])

# ---- 3. directories with nested folders ------------------------------------------------------
tree = os.path.join(TMP, "tree")
write("tree/b/z.yaml", to_yaml(cm) + "\n")
write("tree/b/a/deep/one.yml", to_yaml(svc) + "\n")
write("tree/a.json", json.dumps(job_ok))
write("tree/c/list.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": [deploy]}))
write("tree/README.md", "not a manifest\n")
write("tree/b/notes.txt", "kind: nothing\n")
write("tree/.hidden/x.yaml", "not: [valid\n")
p, out = review_json([tree])
sources = [os.path.relpath(r["source"], tree) for r in out or []]
report.check(p.returncode == 0 and sources == ["a.json", "b/a/deep/one.yml", "b/z.yaml", "c/list.json"],
             "a directory: nested *.yaml, *.yml and *.json in sorted order; other and hidden files skipped",
             f"{p.returncode} {sources} {p.stderr[-300:]}")
p2, out2 = review_json([os.path.join(tree, "b"), os.path.join(tree, "a.json")])
report.check(p2.returncode == 0 and out2 is not None and len(out2) == 3 and out2[2]["kind"] == "Job",
             "files and directories mix, in the order given", p2.stderr[-300:])

# ---- 4. every output format, parsed --------------------------------------------------------
inputs = [stream_path, write("ns/namespace.json", json.dumps(ns_obj))]
outputs = {}
for fmt in ("text", "json", "sarif", "junit", "policyreport"):
    p = run(["-o", fmt] + inputs)
    outputs[fmt] = p.stdout + p.stderr
    report.check(p.returncode == 1, f"-o {fmt}: exit 1 (one denial)", f"{p.returncode} {p.stderr[-300:]}")
    report.check(SECRET not in p.stdout + p.stderr, f"-o {fmt}: the planted secret value appears nowhere")
    if fmt == "text":
        lines = p.stdout.splitlines()
        report.check(lines[0].startswith("ALLOWED ") and any(l.startswith("DENIED ") and "Job shop/migrate" in l for l in lines)
                     and any(l.startswith("  - ") and "[secrets.env-literal]" in l for l in lines)
                     and lines[-1] == "5 objects: 4 allowed, 1 denied, 1 with warnings",
                     "text: a line per object, findings indented with rule ids, a summary line", p.stdout)
    elif fmt == "json":
        doc = json.loads(p.stdout)
        report.check(isinstance(doc, list) and len(doc) == 5 and all(
            r["review"]["kind"] == "AdmissionReview" and "allowed" in r["review"]["response"] for r in doc),
            "json: an array of per-object results with the AdmissionReview response inside")
    elif fmt == "sarif":
        doc = json.loads(p.stdout)
        run0 = doc["runs"][0]
        rules = [r["id"] for r in run0["tool"]["driver"]["rules"]]
        ok = (doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
              and run0["tool"]["driver"]["name"] == "schemagate" and len(rules) == len(set(rules)))
        results = run0["results"]
        ok = ok and len(results) >= 1 and all(
            r["ruleId"] in rules and r["message"]["text"] and r["level"] in ("error", "warning")
            and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            and r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)
        leak = [r for r in results if r["ruleId"] == "secrets.env-literal"]
        ok = ok and len(leak) == 1 and leak[0]["level"] == "error" and \
            leak[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file://" + stream_path and \
            leak[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == value_line
        report.check(ok, "sarif: 2.1.0 with version, $schema, runs[].tool.driver.name/rules, results[].ruleId/"
                     "message.text/locations at the file and line of the offending value", json.dumps(doc)[:1500])
    elif fmt == "junit":
        root = ET.fromstring(p.stdout)
        cases = root.findall(".//testcase")
        fails = root.findall(".//testcase/failure")
        report.check(root.tag == "testsuites" and len(cases) == 5 and len(fails) == 1
                     and root.get("tests") == "5" and root.get("failures") == "1"
                     and "Job shop/migrate" in cases[[i for i, c in enumerate(cases) if c.find("failure") is not None][0]].get("name")
                     and fails[0].get("type") == "secrets.env-literal",
                     "junit: parses as XML, one testcase per object, a failure for the denial", p.stdout[:1500])
    elif fmt == "policyreport":
        doc = json.loads(p.stdout)
        items = doc["items"]
        kinds = [(i["kind"], i["metadata"].get("namespace")) for i in items]
        ok = doc["kind"] == "List" and kinds == [("ClusterPolicyReport", None), ("PolicyReport", "default"),
                                                  ("PolicyReport", "shop")]
        ok = ok and all(i["apiVersion"] == "wgpolicyk8s.io/v1alpha2" and set(i["summary"]) >= {"pass", "fail", "warn", "error", "skip"}
                        and all(r["policy"] and r["rule"] and r["result"] in ("pass", "fail", "warn") and r["source"] == "schemagate"
                                and r["resources"][0]["kind"] for r in i["results"]) for i in items)
        shop = items[2]
        ok = ok and shop["summary"]["fail"] == 1 and shop["summary"]["pass"] == 2 and \
            any(r["result"] == "fail" and r["rule"] == "secrets.env-literal" and r["resources"][0]["name"] == "migrate"
                and r["resources"][0]["namespace"] == "shop" for r in shop["results"])
        ok = ok and items[0]["results"][0]["resources"][0] == {"apiVersion": "v1", "kind": "Namespace", "name": "team-a"}
        report.check(ok, "policyreport: a ClusterPolicyReport for cluster-scoped objects, a PolicyReport per namespace, "
                     "results and summary as wgpolicyk8s.io/v1alpha2 has them", json.dumps(kinds))

# PolicyReport size is bounded; the summary counts everything.
many = "".join(json.dumps(dict(cm, metadata={"name": f"c{i}", "namespace": "big"})) + "\n" for i in range(1100))
p = run(["-o", "policyreport", "-"], many)
doc = json.loads(p.stdout) if p.returncode == 0 else None
report.check(doc is not None and len(doc["items"][0]["results"]) == 1000 and doc["items"][0]["summary"]["pass"] == 1100
             and doc["items"][0]["metadata"]["annotations"]["schemagate.io/results-omitted"] == "100",
             "policyreport: at most 1000 results per report, the rest counted and noted", p.stderr[-300:])

# ---- 5. exit codes ---------------------------------------------------------------------------
p = run([write("codes/ok.json", json.dumps(job_ok))])
report.check(p.returncode == 0, "exit 0: everything allowed", p.stdout)
job_warn = kubectl("job", "w", "--image=flyway/flyway:10", "-n", "shop", "--", "flyway", "migrate")
p = run([write("codes/warn.json", json.dumps(job_warn))])
report.check(p.returncode == 0 and "warning:" in p.stdout, "exit 0: warnings alone are allowed", p.stdout)
p = run(["--fail-on", "warning", os.path.join(TMP, "codes/warn.json")])
report.check(p.returncode == 1, "--fail-on warning: a warning exits 1", p.stdout)
p = run(["--quiet", stream_path])
report.check(p.returncode == 1 and p.stdout == "", "--quiet: nothing on stdout, the exit code still 1")
for name, text, want in (("bad-yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   namespace: y\n", "line 5"),
                         ("dup-json", '{"apiVersion": "v1", "kind": "ConfigMap",\n "metadata": {"name": "a", "name": "b"}}', "twice"),
                         ("no-kind", "metadata:\n  name: x\n", "no \"kind\""),
                         ("empty", "# nothing\n---\n", "no object")):
    path = write(f"codes/{name}.yaml", text)
    p = run([path])
    report.check(p.returncode == 2 and want in p.stderr and path in p.stderr, f"exit 2: unusable input ({name}) "
                 "names the file and what is wrong", f"{p.returncode} {p.stderr}")
p = run([os.path.join(TMP, "codes/ok.json"), os.path.join(TMP, "codes/bad-yaml.yaml")])
report.check(p.returncode == 2 and "1 object: 1 allowed" in p.stdout, "exit 2 wins, and the usable files are "
             "still reviewed", p.stdout + p.stderr)
p = run(["/nonexistent/x.yaml"])
report.check(p.returncode == 2 and "cannot open /nonexistent/x.yaml" in p.stderr, "exit 2: a missing file", p.stderr)
p = run(["-o", "xml", stream_path])
report.check(p.returncode == 2 and "--output is text, json, sarif, junit or policyreport" in p.stderr,
             "exit 2: an unknown --output", p.stderr)

# Without --config an annotated workload's denial says how to give the config or run the
# secrets checks only.
deploy_path = write("codes/requires.json", json.dumps(deploy_requires))
p, out = review_json([deploy_path])
msg = out[0]["review"]["response"]["status"]["message"] if out else ""
report.check(p.returncode == 1 and "--config FILE" in msg and "--check secrets" in msg,
             "without --config: the denial names --config FILE and --check secrets", msg)
p = run(["--check", "secrets", deploy_path])
report.check(p.returncode == 0, "--check secrets: the annotated workload is allowed", p.stdout)

# Exit 3: the config's database is a closed port on 127.0.0.1.
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
conninfo = write("codes/conninfo", f"host=127.0.0.1 port={closed} dbname=orders user=reader connect_timeout=2\n")
cfg = write("codes/config.json", json.dumps({"databases": {"orders": {
    "tool": "flyway", "conninfo_file": conninfo, "namespaces": ["shop"]}}}))
p, out = review_json(["--config", cfg, deploy_path, os.path.join(TMP, "codes/ok.json")])
report.check(p.returncode == 3 and out is not None and out[0]["unreachable"] is True and out[1]["unreachable"] is False,
             "exit 3: an answer depended on a database that could not be reached", f"{p.returncode} {p.stderr[-500:]}")
report.check(out is not None and any(d["rule"] == "schema.unreachable" for d in out[0]["denials"])
             and "--config FILE" not in json.dumps(out[0]),
             "exit 3: the finding is schema.unreachable (and no --config hint with a config)", out and out[0]["denials"])
p = run(["--config", cfg, deploy_path, stream_path])
report.check(p.returncode == 3, "exit 3 wins over a denial", str(p.returncode))

# ---- 6. help and version ---------------------------------------------------------------------
p = subprocess.run([SG, "review", "--help"], capture_output=True, text=True)
flags = ["--config FILE", "--check all|secrets|schema", "-n, --namespace NS", "-o, --output FORMAT",
         "--fail-on denial|warning", "-q, --quiet", "-h, --help", "--version"]
report.check(p.returncode == 0 and all(f in p.stdout for f in flags) and p.stdout.count("(default:") >= 5,
             "review --help lists every flag and its default", p.stdout)
p = subprocess.run([SG, "review", "--version"], capture_output=True, text=True)
report.check(p.returncode == 0 and p.stdout.startswith("schemagate "), "review --version", p.stdout)
p = subprocess.run([SG, "serve", "--help"], capture_output=True, text=True)
report.check(p.returncode == 0 and "--tls-cert-file" in p.stdout, "serve --help", p.stdout)

report.finish()
