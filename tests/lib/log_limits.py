"""tests/lib/log_limits.py - bounded log volume, run by tests/e2e/log_limits.sh once PostgreSQL
runs (PGHOST/PGPORT/PGUSER, PG_BINDIR). The rates are webhook/log.h's: LOG_BURST lines of a kind
at once, LOG_RATE_PER_S a second after that, one log_lines_dropped line per LOG_DROP_REPORT_S."""
import copy
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["SCHEMAGATE_ROOT"], "tests", "e2e", "lib"))
import sgtest  # noqa: E402

report = sgtest.Report()
PG_BIN = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
LOG_H = open(os.path.join(sgtest.ROOT, "webhook", "log.h")).read()
BURST = int(re.search(r"#define LOG_BURST (\d+)", LOG_H).group(1))
RATE = int(re.search(r"#define LOG_RATE_PER_S (\d+)", LOG_H).group(1))
REPORT_S = int(re.search(r"#define LOG_DROP_REPORT_S (\d+)", LOG_H).group(1))


def psql(db, sql):
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL, env=env)


FLYWAY_DDL = open(os.path.join(sgtest.ROOT, "tests", "cases", "schema", "fixtures", "flyway-ddl.sql")).read()
ROWS = ("INSERT INTO public.flyway_schema_history VALUES (1, '1.10', 'add orders', 'SQL', 'V1_10__b.sql', 2, "
        "'flyway', now(), 1, true)")
# The history table is a view whose rows come through a function that raises a NOTICE and a
# WARNING each time it is read: the server sends both to schemagate during the gate's query.
NOISY = """
CREATE FUNCTION public.noisy_history() RETURNS SETOF public.flyway_schema_history LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'schemagate-notice-test: reading the history';
  RAISE WARNING 'schemagate-warning-test: this view is deprecated';
  RETURN QUERY SELECT * FROM public.flyway_schema_history;
END $$;
CREATE VIEW public.noisy_flyway_history AS SELECT * FROM public.noisy_history();
"""
psql("postgres", "DROP DATABASE IF EXISTS notices")
psql("postgres", "CREATE DATABASE notices")
psql("notices", FLYWAY_DDL + ";" + ROWS + ";" + NOISY)
conninfo = os.path.join(sgtest.TMP, "orders.conninfo")
with open(conninfo, "w") as f:
    f.write(f"host=127.0.0.1 port={os.environ['PGPORT']} user={os.environ['PGUSER']} dbname=notices "
            "sslmode=disable gssencmode=disable\n")
config = {"schema": {"timeout_ms": 3000, "cache_satisfied_ms": 0, "cache_unsatisfied_ms": 0},
          "databases": {"orders": {"tool": "flyway", "conninfo_file": conninfo, "namespaces": ["shop"],
                                   "table": "public.noisy_flyway_history"}}}
DEPLOYMENT = json.loads(subprocess.run(["kubectl", "create", "deployment", "api", "-n", "shop",
                                        "--image=registry.example/api:2", "--dry-run=client", "-o", "json"],
                                       check=True, capture_output=True, text=True).stdout)


def log_lines(server):
    lines = [line for line in server.read_log().splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            parsed.append(None)
    return lines, parsed


def metric(server, name, labels):
    _, text = server.get_metrics_port("/metrics")
    m = re.search(re.escape(name + "{" + labels + "}") + r" (\d+)", text)
    return int(m.group(1)) if m else None


server = sgtest.Server(config, name="log-limits")
try:
    # --- libpq notices are JSON log lines --------------------------------------------------------
    obj = copy.deepcopy(DEPLOYMENT)
    obj["metadata"]["annotations"] = {"schemagate.io/requires": "orders@1.10"}
    status, text = server.post(json.dumps(sgtest.case_review({"object": obj, "namespace": "shop"}, uid="notice")))
    report.check(status == 200 and json.loads(text)["response"]["allowed"] is True,
                 "the gate reads the history through the noisy view", f"{status} {text[:300]}")
    lines, parsed = log_lines(server)
    report.check(all(p is not None for p in parsed), "every stderr line is JSON (no raw libpq notice text)",
                 "\n    ".join(line for line, p in zip(lines, parsed) if p is None)[:600])
    notices = [p for p in parsed if p and p.get("event") == "db_notice"]
    report.check(any(p.get("database") == "orders" and p.get("level") == "info" and
                     p.get("msg", "").startswith("NOTICE:") and "schemagate-notice-test" in p["msg"] for p in notices),
                 "the server's NOTICE is a db_notice line (level info, database orders)", json.dumps(notices)[:600])
    report.check(any(p.get("level") == "warn" and "schemagate-warning-test" in p.get("msg", "") for p in notices),
                 "the server's WARNING is a db_notice line at level warn")

    # --- a flood of malformed requests -----------------------------------------------------------
    flood = 400
    body = os.path.join(server.dir, "bad.json")
    with open(body, "w") as f:
        f.write("{not json")
    start = time.monotonic()
    urls = [arg for _ in range(flood) for arg in ("-o", "/dev/null", server.url("/validate"))]
    out = subprocess.run(["curl", "-sS", "-w", "%{http_code}\n", "--cacert",
                          os.path.join(server.certs, "ca.crt"), "-H", "Content-Type: application/json",
                          "--data-binary", f"@{body}", *urls],
                         capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    codes = out.stdout.split()
    report.check(len(codes) == flood and set(codes) == {"400"}, f"{flood} malformed requests answered 400 in {elapsed:.1f}s",
                 out.stderr[:300])
    lines, parsed = log_lines(server)
    written = sum(1 for p in parsed if p and p.get("event") == "bad_request")
    allowed = BURST + RATE * (elapsed + 1)
    report.check(0 < written <= allowed, f"{written} bad_request lines written (at most {allowed:.0f}: a burst of "
                 f"{BURST}, then {RATE}/s)")
    dropped = metric(server, "schemagate_log_lines_dropped_total", 'event="bad_request"')
    report.check(dropped == flood - written, f"schemagate_log_lines_dropped_total{{event=\"bad_request\"}} is {dropped} "
                 f"({flood} - {written})")
    deadline = time.monotonic() + REPORT_S + 5
    reports = []
    while time.monotonic() < deadline and not reports:
        time.sleep(0.5)
        reports = [p for p in log_lines(server)[1] if p and p.get("event") == "log_lines_dropped"]
    report.check(len(reports) == 1 and reports[0].get("kind") == "bad_request" and reports[0].get("dropped") == dropped,
                 f"one log_lines_dropped line within {REPORT_S}s says how many were dropped", json.dumps(reports)[:400])
    status, text = server.post(json.dumps(sgtest.case_review({"object": obj, "namespace": "shop"}, uid="after")))
    report.check(status == 200, "the server answers normally after the flood")
finally:
    server.stop()
report.finish()
