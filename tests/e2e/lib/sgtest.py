"""sgtest - shared pieces of the Python end-to-end tests: TAP-like reporting, certificates from
schemagate-certs, a `schemagate serve` on free loopback ports, requests over real HTTPS with
curl, and the wrapping of test cases (tests/cases/README.md) into AdmissionReviews."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = os.environ.get("SCHEMAGATE_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../../bin"))
ROOT = os.environ.get("SCHEMAGATE_ROOT", os.path.join(os.path.dirname(__file__), "../../.."))
TMP = os.environ.get("TEST_TMP") or tempfile.mkdtemp(prefix="schemagate-e2e.")


class Report:
    """Prints one `ok - ...` / `not ok - ...` line per check; exit status reflects failures."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print(f"ok - {what}")
        else:
            self.failed += 1
            print(f"not ok - {what}" + (f"\n    {detail}" if detail else ""))
        sys.stdout.flush()
        return cond

    def finish(self):
        print(f"checks: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certs(directory):
    if not os.path.exists(os.path.join(directory, "tls.crt")):
        subprocess.run([os.path.join(BIN, "schemagate-certs"), "--out", directory, "--dns", "localhost",
                        "--ip", "127.0.0.1"], check=True, capture_output=True)
    return directory


class Server:
    """A `schemagate serve` on free ports; stderr (the JSON log) goes to a file."""

    def __init__(self, config=None, name="server", extra_args=()):
        self.dir = os.path.join(TMP, name)
        os.makedirs(self.dir, exist_ok=True)
        self.certs = make_certs(os.path.join(TMP, "certs"))
        self.port = free_port()
        self.metrics_port = free_port()
        self.log_path = os.path.join(self.dir, "server.log")
        args = [os.path.join(BIN, "schemagate"), "serve",
                "--tls-cert-file", os.path.join(self.certs, "tls.crt"),
                "--tls-private-key-file", os.path.join(self.certs, "tls.key"),
                "--listen", f"127.0.0.1:{self.port}",
                "--metrics-listen", f"127.0.0.1:{self.metrics_port}", *extra_args]
        if config is not None:
            path = os.path.join(self.dir, "config.json")
            with open(path, "w") as f:
                json.dump(config, f)
            args += ["--config", path]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        self.wait_ready()

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"schemagate serve exited {self.proc.returncode}: {self.read_log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("schemagate serve did not become ready: " + self.read_log())

    def url(self, path="/validate"):
        return f"https://localhost:{self.port}{path}"

    def post(self, body, path="/validate?timeout=10s", content_type="application/json", extra=()):
        """POSTs over HTTPS with curl; returns (http_status, body_text)."""
        body_path = os.path.join(self.dir, "body.json")
        with open(body_path, "wb") as f:
            f.write(body if isinstance(body, bytes) else body.encode())
        out = subprocess.run(["curl", "-sS", "--cacert", os.path.join(self.certs, "ca.crt"),
                              "-H", f"Content-Type: {content_type}", "--data-binary", f"@{body_path}",
                              "-w", "\n%{http_code}", *extra, self.url(path)],
                             capture_output=True, text=True, timeout=30)
        text, _, code = out.stdout.rpartition("\n")
        return int(code or 0), text

    def get_metrics_port(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}{path}", timeout=5) as r:
            return r.status, r.read().decode()

    def read_log(self):
        if self.proc.poll() is None:
            time.sleep(0.3)   # a running server flushes decision lines every 100 ms (log.h)
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=15, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def case_review(case, uid="case-0000"):
    """The AdmissionReview a case describes (same wrapping as tests/unit/test_cases.c)."""
    if "review" in case:
        return case["review"]
    obj = case["object"]
    meta = obj.get("metadata", {})
    api = obj["apiVersion"]
    group, _, version = api.rpartition("/")
    return {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": obj["kind"]},
            "name": meta.get("name", ""),
            "namespace": case.get("namespace", meta.get("namespace", "default")),
            "operation": case.get("operation", "CREATE"),
            "dryRun": bool(case.get("dry_run", False)),
            "object": obj,
            "oldObject": case.get("old_object"),
        },
    }


def check_case_response(report, name, case, response, via):
    """Applies a case's `expect` to an AdmissionReview response; reports each finding."""
    exp = case["expect"]
    resp = response.get("response", {})
    ok = report.check(response.get("apiVersion") == "admission.k8s.io/v1" and
                      response.get("kind") == "AdmissionReview", f"{via} {name}: envelope")
    message = resp.get("status", {}).get("message", "")
    warnings = resp.get("warnings", [])
    problems = []
    if resp.get("allowed") is not exp["allowed"]:
        problems.append(f"allowed={resp.get('allowed')} expected {exp['allowed']}")
    for p in exp.get("paths", []):
        if p not in message and not any(p in w for w in warnings):
            problems.append(f"path {p} not reported")
    for m in exp.get("message", []):
        if m not in message:
            problems.append(f"message lacks {m!r}")
    for w in exp.get("warnings", []):
        if not any(w in x for x in warnings):
            problems.append(f"no warning contains {w!r}")
    if exp.get("no_warnings") and warnings:
        problems.append(f"unexpected warnings {warnings}")
    if not exp["allowed"] and resp.get("status", {}).get("code") != 403:
        problems.append("denial without status.code 403")
    return report.check(ok and not problems, f"{via} {name}: expectations", "; ".join(problems) +
                        f"\n    response: {json.dumps(response)[:1500]}")
