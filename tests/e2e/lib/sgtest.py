"""sgtest - shared pieces of the Python end-to-end tests: TAP-like reporting, certificates from
schemagate-certs, a `schemagate serve` on free loopback ports, requests over real HTTPS with
curl, and test cases (tests/cases/README.md) wrapped into AdmissionReviews and their responses
checked, both by sgcase (tests/unit/sgcase.c, the same code test_cases.c runs in-process)."""
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
# Wraps and checks test cases (tests/unit/sgcase.c); tests/run.sh points it at the build under test.
CASE_TOOL = os.environ.get("SCHEMAGATE_CASE_TOOL", os.path.join(ROOT, "build/release/tests/sgcase"))
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


def _case_file(case):
    """A path to the case: the case itself when it is a path, else a file holding the dict."""
    if isinstance(case, str):
        return case
    fd, path = tempfile.mkstemp(dir=TMP, prefix="case-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(case, f)
    return path


def _case_tool(case, *args, stdin=None):
    """Runs `sgcase COMMAND CASE ARGS...`; exit 0 or 1 is an answer, anything else an error."""
    path = _case_file(case)
    try:
        proc = subprocess.run([CASE_TOOL, args[0], path, *args[1:]], input=stdin, capture_output=True,
                              text=True, timeout=60)
    finally:
        if path is not case:
            os.unlink(path)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"sgcase {args[0]} {case if isinstance(case, str) else '(case)'}: exit "
                           f"{proc.returncode}: {proc.stderr.strip()}")
    return proc


def case_review_text(case, uid=None):
    """The AdmissionReview a case (a file path or a dict) describes, as sgcase writes it: the one
    wrapping, shared with tests/unit/test_cases.c (tests/unit/lib/casefile.c)."""
    return _case_tool(case, "review", *(["--uid", uid] if uid is not None else [])).stdout


def case_review(case, uid=None):
    """case_review_text, parsed."""
    return json.loads(case_review_text(case, uid))


def case_problems(case, response_text):
    """The shared checker's findings on a response (text) against the case's `expect`: a list of
    problem lines and, when there are any, the response with planted secrets withheld."""
    out = _case_tool(case, "check", "-", stdin=response_text).stdout
    problems, _, excerpt = out.partition("\nresponse: ")   # problem lines hold no newline
    return problems.splitlines(), excerpt.rstrip("\n")


def check_case_response(report, name, case, response_text, via):
    """Reports whether a response (text) meets the case's `expect`, by the shared checker."""
    problems, excerpt = case_problems(case, response_text)
    return report.check(not problems, f"{via} {name}: expectations",
                        "; ".join(problems) + f"\n    response: {excerpt}")


def check_restart_mid_run(report, results, slowest_allowed_s):
    """The checks on requests sent while the gate's database restarted; each result is
    (seconds, allowed or None when no AdmissionReview came back, message)."""
    slowest = max(r[0] for r in results)
    report.check(all(r[1] is not None for r in results), "restart mid-run: every request got an AdmissionReview",
                 str([r for r in results if r[1] is None][:2]))
    report.check(sum(1 for r in results if r[1]) > 0, "restart mid-run: requests before/after it were admitted")
    report.check(slowest <= slowest_allowed_s, f"restart mid-run: slowest answer {slowest:.2f}s")
    bad = [r for r in results if r[1] is False and "unreachable" not in r[2]]
    report.check(not bad, "restart mid-run: every denial says the database was unreachable", str(bad[:2]))


def check_db_metrics(report, metrics, database):
    """/metrics text counts database errors and query durations for `database`."""
    for name, what in (("schemagate_db_errors_total", "db errors counted"),
                       ("schemagate_db_query_duration_seconds_count", "query durations recorded")):
        series = f'{name}{{database="{database}"}}'
        report.check(series in metrics and f"{series} 0" not in metrics, f"metrics: {what} for {database}")
