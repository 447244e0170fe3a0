"""cases.py - every test case under tests/cases (without "needs") through `schemagate review`
and through the HTTPS server, wrapped and checked against its `expect` by sgcase (the shared case
runner, tests/unit/lib/casefile.c). Planted secret values (`expect.secrets`) must appear
nowhere: not in stdout, stderr, the response, the server log or /metrics."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import sgtest  # noqa: E402

report = sgtest.Report()
files = sorted(glob.glob(os.path.join(sgtest.ROOT, "tests/cases/**/*.json"), recursive=True))
cases = []
for path in files:
    with open(path) as f:
        case = json.load(f)
    if "needs" not in case:
        cases.append((os.path.relpath(path, os.path.join(sgtest.ROOT, "tests/cases")), path, case))
report.check(len(cases) > 0, f"found {len(cases)} cases")

# 1. Offline: `schemagate review` with the case's config. sgcase (tests/unit/sgcase.c) wraps the
# case and checks the response, with the same code tests/unit/test_cases.c runs in-process.
outputs = {}
for name, path, case in cases:
    args = [os.path.join(sgtest.BIN, "schemagate"), "review"]
    if "config" in case:
        cfg_path = os.path.join(sgtest.TMP, "review-config.json")
        with open(cfg_path, "w") as f:
            json.dump(case["config"], f)
        args += ["--config", cfg_path]
    proc = subprocess.run(args + ["-o", "json", "-"], input=sgtest.case_review_text(path), capture_output=True,
                          text=True, timeout=60)
    want_rc = 0 if case["expect"]["allowed"] else 1
    report.check(proc.returncode == want_rc, f"review {name}: exit {want_rc}",
                 f"exit {proc.returncode}; stderr: {proc.stderr[:800]}")
    try:
        response = json.dumps(json.loads(proc.stdout)[0]["review"])
    except (ValueError, KeyError, IndexError):
        report.check(False, f"review {name}: stdout is an AdmissionReview", proc.stdout[:500])
        continue
    sgtest.check_case_response(report, name, path, response, "review")
    outputs[name] = proc.stdout + proc.stderr

# 2. Over HTTPS: one server per distinct config, every case posted to /validate.
by_config = {}
for name, path, case in cases:
    by_config.setdefault(json.dumps(case.get("config"), sort_keys=True), []).append((name, path))
logs_and_metrics = ""
for index, (config_key, group) in enumerate(by_config.items()):
    server = sgtest.Server(config=json.loads(config_key), name=f"server{index}")
    try:
        for name, path in group:
            review = sgtest.case_review_text(path, uid=f"uid-{abs(hash(name)) % 10**12}")
            uid = json.loads(review)["request"]["uid"]   # a case's own review keeps its uid
            status, text = server.post(review)
            if not report.check(status == 200, f"https {name}: HTTP 200", f"got {status}: {text[:500]}"):
                continue
            try:
                echoed = json.loads(text).get("response", {}).get("uid")
            except (ValueError, AttributeError):
                echoed = None
            report.check(echoed == uid, f"https {name}: uid echoed")
            sgtest.check_case_response(report, name, path, text, "https")
            outputs[name] = outputs.get(name, "") + text
        logs_and_metrics += server.get_metrics_port("/metrics")[1]
    finally:
        code = server.stop()
        log = server.read_log()
        report.check(code == 0 and "Sanitizer" not in log, f"server{index} exits 0 with a clean log", log[-2000:])
        logs_and_metrics += log

# 3. Planted secrets: nowhere in any output, log or metric.
planted = [(name, s) for name, _, case in cases for s in case["expect"].get("secrets", [])]
everything = "".join(outputs.values()) + logs_and_metrics
for name, secret in planted:
    report.check(secret not in everything, f"secret of {name} appears nowhere (response, stderr, log, metrics)")
report.check(len(set(s for _, s in planted)) == len(planted), "planted secret values are distinct")
report.finish()
