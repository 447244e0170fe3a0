"""tests/lib/schema_faults.py - the schema gate's fault tests, run by tests/e2e/schema_faults.sh
once the harness has started PostgreSQL (PGHOST/PGPORT/PGUSER, PG_DIR, PG_BINDIR).

A real `schemagate serve` (HTTPS, certificates from schemagate-certs) with a 1000 ms database
budget and no caching answers Deployments that require orders@1.10 (on_unreachable deny) and
legacy@1.10 (on_unreachable allow) while the database is stopped, slow, locked and restarted.
"""
import concurrent.futures
import copy
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["SCHEMAGATE_ROOT"], "tests", "e2e", "lib"))
import sgtest  # noqa: E402

report = sgtest.Report()
PG_DIR = os.environ["PG_DIR"]
PG_BIN = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
PORT = os.environ["PGPORT"]
BUDGET_S = 1.0
SLACK_S = 0.6          # TLS, process scheduling, the sanitizer build
PASSWORD = "sg-fault-pw-91c2"


def as_owner(args):
    return (["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []) + args


def pg_ctl(*args):
    subprocess.run(as_owner([os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(PG_DIR, "data"), "-l",
                             os.path.join(PG_DIR, "server.log"), "-w", "-t", "30", *args]),
                   check=True, stdout=subprocess.DEVNULL)


def psql(db, sql):
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL, env=env)


FLYWAY_DDL = open(os.path.join(os.environ["SCHEMAGATE_ROOT"], "tests", "cases", "schema", "fixtures",
                               "flyway-ddl.sql")).read()
ROWS = ("INSERT INTO public.flyway_schema_history VALUES (1, '1.9', 'add email index', 'SQL', 'V1_9__a.sql', 1, "
        "'flyway', now(), 1, true), (2, '1.10', 'add orders', 'SQL', 'V1_10__b.sql', 2, 'flyway', now(), 1, true)")
for db in ("faults", "slow"):
    psql("postgres", f'DROP DATABASE IF EXISTS {db}')
    psql("postgres", f'CREATE DATABASE {db}')
psql("faults", FLYWAY_DDL + ";" + ROWS)
# "slow": the history table is a view that takes 3 s, longer than any budget.
psql("slow", FLYWAY_DDL.replace('"public"."flyway_schema_history"', '"public"."history_rows"')
     .replace('"flyway_schema_history_', '"history_rows_') + ";" + ROWS.replace("flyway_schema_history", "history_rows")
     + "; CREATE VIEW public.flyway_schema_history AS SELECT h.* FROM public.history_rows h, pg_sleep(3)")


def conninfo(db, name):
    path = os.path.join(sgtest.TMP, name)
    with open(path, "w") as f:
        f.write(f"postgresql://{os.environ['PGUSER']}:{PASSWORD}@127.0.0.1:{PORT}/{db}?connect_timeout=5\n")
    return path


def database(db, name, on_unreachable):
    return {"tool": "flyway", "conninfo_file": conninfo(db, name), "namespaces": ["shop"],
            "on_unreachable": on_unreachable}


config = {
    "schema": {"timeout_ms": int(BUDGET_S * 1000), "cache_satisfied_ms": 0, "cache_unsatisfied_ms": 0,
               "pool_size": 2},
    "databases": {"orders": database("faults", "orders.conninfo", "deny"),
                  "legacy": database("faults", "legacy.conninfo", "allow"),
                  "slow": database("slow", "slow.conninfo", "deny")},
}
cached_config = copy.deepcopy(config)
cached_config["schema"].update(cache_satisfied_ms=60000, cache_unsatisfied_ms=500)

DEPLOYMENT = json.loads(subprocess.run(["kubectl", "create", "deployment", "api", "-n", "shop",
                                        "--image=registry.example/api:2", "--dry-run=client", "-o", "json"],
                                       check=True, capture_output=True, text=True).stdout)


def review(requires):
    obj = copy.deepcopy(DEPLOYMENT)
    obj["metadata"]["annotations"] = {"schemagate.io/requires": requires}
    return json.dumps(sgtest.case_review({"object": obj, "namespace": "shop"}, uid="fault-uid"))


def post(server, body):
    """Like sgtest.Server.post, with a body file per call so threads do not share one."""
    fd, path = tempfile.mkstemp(dir=server.dir, suffix=".json")
    with os.fdopen(fd, "w") as f:
        f.write(body)
    out = subprocess.run(["curl", "-sS", "--cacert", os.path.join(server.certs, "ca.crt"),
                          "-H", "Content-Type: application/json", "--data-binary", f"@{path}",
                          "-w", "\n%{http_code}", server.url("/validate?timeout=10s")],
                         capture_output=True, text=True, timeout=30)
    os.unlink(path)
    text, _, code = out.stdout.rpartition("\n")
    return int(code or 0), text


def ask(server, requires):
    """(seconds, allowed, message, warnings); allowed is None when the answer was unusable."""
    start = time.monotonic()
    status, text = post(server, review(requires))
    took = time.monotonic() - start
    try:
        resp = json.loads(text)["response"]
    except (ValueError, KeyError):
        return took, None, f"HTTP {status}: {text[:200]}", []
    return took, resp["allowed"], resp.get("status", {}).get("message", ""), resp.get("warnings", [])


def expect(server, requires, allowed, words, what):
    took, got, message, warnings = ask(server, requires)
    text = message + " | " + " ".join(warnings)
    report.check(got is allowed and all(w in text for w in words),
                 f"{what}: {requires} {'allowed' if allowed else 'denied'}", f"took {took:.2f}s, allowed={got}: {text}")
    report.check(took <= BUDGET_S + SLACK_S, f"{what}: answered within the budget ({took:.2f}s)")
    return text


server = sgtest.Server(config, name="faults")
try:
    expect(server, "orders@1.10", True, [], "database up")
    expect(server, "orders@1.11", False, ["the latest successful migration is 1.10 (add orders"], "database up")

    # 1. PostgreSQL stopped.
    pg_ctl("-m", "fast", "stop")
    expect(server, "orders@1.10", False, [f"database orders unreachable (connection refused at 127.0.0.1:{PORT})",
                                          "on_unreachable: deny"], "stopped")
    expect(server, "legacy@1.10", True, ["database legacy unreachable", "allowed without checking legacy@1.10"],
           "stopped")
    pg_ctl("-o", f"-p {PORT}", "start")
    expect(server, "orders@1.10", True, [], "started again, same schemagate process")

    # 2. A statement slower than the budget: the history "table" takes 3 s.
    expect(server, "slow@1.10", False, ["database slow unreachable (no answer within the 1000 ms budget)"],
           "pg_sleep(3) view")
    expect(server, "orders@1.10", True, [], "a slow database does not hold up another")

    # 3. A lock held by a running "migration" on the history table.
    holder = subprocess.Popen([os.path.join(PG_BIN, "psql"), "-X", "-q", "-d", "faults", "-c",
                               "BEGIN; LOCK TABLE public.flyway_schema_history IN ACCESS EXCLUSIVE MODE; "
                               "SELECT pg_sleep(4); COMMIT;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    text = expect(server, "orders@1.10", False, ["database orders unreachable", "on_unreachable: deny"], "history table locked")
    report.check("locked" in text or "budget" in text or "timeout" in text, "locked: the reason is a lock or the budget", text)
    expect(server, "legacy@1.10", True, ["allowed without checking legacy@1.10 (on_unreachable: allow)"], "history table locked")
    holder.wait(timeout=15)
    expect(server, "orders@1.10", True, [], "lock released")

    # 4. PostgreSQL restarted in the middle of a burst of requests.
    def one(i):
        return ask(server, "orders@1.10" if i % 2 else "legacy@1.10")
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(one, i) for i in range(120)]
        time.sleep(0.3)
        pg_ctl("-m", "fast", "-o", f"-p {PORT}", "restart")
        results = [f.result() for f in futures]
    sgtest.check_restart_mid_run(report, results, BUDGET_S + SLACK_S + 1.0)
    expect(server, "orders@1.10", True, [], "after the restart, same schemagate process")
    expect(server, "orders@1.10", True, [], "after the restart, pooled connection reused")

    status, metrics = server.get_metrics_port("/metrics")
    sgtest.check_db_metrics(report, metrics, "orders")
    log = server.read_log()
    report.check(PASSWORD not in log and PASSWORD not in metrics, "the conninfo password is in no log line or metric")
finally:
    server.stop()

# 5. The cache: a satisfied answer is reused (and counted); a fresh migration is seen quickly.
server = sgtest.Server(cached_config, name="cached")
try:
    expect(server, "orders@1.10", True, [], "cached")
    expect(server, "orders@1.10", True, [], "cached, second time")
    _, metrics = server.get_metrics_port("/metrics")
    report.check('schemagate_history_cache_hits_total{database="orders"} 1' in metrics, "metrics: one cache hit",
                 [l for l in metrics.splitlines() if "cache_hits" in l])
    expect(server, "orders@1.11", False, ["1.10"], "cached: 1.11 not yet applied")
    psql("faults", "INSERT INTO public.flyway_schema_history VALUES (3, '1.11', 'x', 'SQL', 'V1_11__x.sql', 3, "
                   "'flyway', now(), 1, true)")
    time.sleep(0.6)
    expect(server, "orders@1.11", True, [], "cached: the finished migration is seen within a second")
finally:
    server.stop()
report.finish()
