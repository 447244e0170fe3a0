"""tests/lib/schema_prepared.py - the prepared-statement path of the schema gate, run by
tests/e2e/schema_faults.sh once PostgreSQL runs (PGHOST/PGPORT/PGUSER, PG_DIR, PG_BINDIR).

A real `schemagate serve` (one pooled connection, no cache) reaches PostgreSQL through
tests/lib/pgproxy.py, which counts Parse messages per session and can run DEALLOCATE ALL inside
schemagate's session, as a pooler could."""
import copy
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["SCHEMAGATE_ROOT"], "tests", "e2e", "lib"))
sys.path.insert(0, os.path.join(os.environ["SCHEMAGATE_ROOT"], "tests", "lib"))
import pgproxy  # noqa: E402
import sgtest  # noqa: E402

report = sgtest.Report()
PG_DIR = os.environ["PG_DIR"]
PG_BIN = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
PORT = os.environ["PGPORT"]


def psql(db, sql):
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL, env=env)


def pg_ctl(*args):
    subprocess.run((["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []) +
                   [os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(PG_DIR, "data"), "-l",
                    os.path.join(PG_DIR, "server.log"), "-w", "-t", "30", *args], check=True, stdout=subprocess.DEVNULL)


FLYWAY_DDL = open(os.path.join(os.environ["SCHEMAGATE_ROOT"], "tests", "cases", "schema", "fixtures",
                               "flyway-ddl.sql")).read()
ROWS = ("INSERT INTO public.flyway_schema_history VALUES (1, '1.9', 'add email index', 'SQL', 'V1_9__a.sql', 1, "
        "'flyway', now(), 1, true), (2, '1.10', 'add orders', 'SQL', 'V1_10__b.sql', 2, 'flyway', now(), 1, true)")
psql("postgres", "DROP DATABASE IF EXISTS prepared")
psql("postgres", "CREATE DATABASE prepared")
psql("prepared", FLYWAY_DDL + ";" + ROWS)

proxy = pgproxy.PgProxy(PORT)
conninfo = os.path.join(sgtest.TMP, "orders.conninfo")
with open(conninfo, "w") as f:
    f.write(f"host=127.0.0.1 port={proxy.port} user={os.environ['PGUSER']} dbname=prepared "
            "sslmode=disable gssencmode=disable\n")
config = {"schema": {"timeout_ms": 2000, "cache_satisfied_ms": 0, "cache_unsatisfied_ms": 0, "pool_size": 1},
          "databases": {"orders": {"tool": "flyway", "conninfo_file": conninfo, "namespaces": ["shop"]}}}
DEPLOYMENT = json.loads(subprocess.run(["kubectl", "create", "deployment", "api", "-n", "shop",
                                        "--image=registry.example/api:2", "--dry-run=client", "-o", "json"],
                                       check=True, capture_output=True, text=True).stdout)


def ask(server, requires):
    obj = copy.deepcopy(DEPLOYMENT)
    obj["metadata"]["annotations"] = {"schemagate.io/requires": requires}
    status, text = server.post(json.dumps(sgtest.case_review({"object": obj, "namespace": "shop"}, uid="prep")))
    try:
        resp = json.loads(text)["response"]
    except (ValueError, KeyError):
        return None, f"HTTP {status}: {text[:200]}"
    return resp["allowed"], resp.get("status", {}).get("message", "")


def expect(server, requires, allowed, words, what):
    got, message = ask(server, requires)
    report.check(got is allowed and all(w in message for w in words),
                 f"{what}: {requires} {'allowed' if allowed else 'denied'}", f"allowed={got}: {message}")


server = sgtest.Server(config, name="prepared")
try:
    for i in range(5):
        expect(server, "orders@1.10", True, [], f"lookup {i + 1}")
    expect(server, "orders@1.11", False, ["the latest successful migration is 1.10 (add orders"], "lookup 6")
    report.check(proxy.parses() == [1], "six lookups on one connection prepare the statement once",
                 f"Parse messages per session: {proxy.parses()}")

    # DEALLOCATE ALL inside schemagate's session (as a pooler's reset could do).
    proxy.inject("DEALLOCATE ALL")
    expect(server, "orders@1.10", True, [], "after DEALLOCATE ALL")
    expect(server, "orders@1.11", False, ["1.10"], "after DEALLOCATE ALL, again")
    report.check(proxy.parses() == [2], "after DEALLOCATE ALL: prepared again on the same connection",
                 f"Parse messages per session: {proxy.parses()}")

    # The server restarts: a new connection, prepared again.
    pg_ctl("-m", "fast", "-o", f"-p {PORT}", "restart")
    expect(server, "orders@1.10", True, [], "after a restart")
    expect(server, "orders@1.10", True, [], "after a restart, again")
    report.check(proxy.parses()[-1] == 1 and len(proxy.parses()) == 2,
                 "after a restart: one new connection, prepared once", f"Parse messages per session: {proxy.parses()}")

    # The table dropped (nothing applied) and recreated with the rows (applied again).
    psql("prepared", "DROP TABLE public.flyway_schema_history")
    expect(server, "orders@1.10", False, ["orders@1.10"], "history table dropped")
    psql("prepared", FLYWAY_DDL + ";" + ROWS)
    expect(server, "orders@1.10", True, [], "history table recreated")
    expect(server, "orders@1.11", False, ["the latest successful migration is 1.10 (add orders"],
           "history table recreated, 1.11")
    report.check(proxy.parses() == [2, 1], "dropped and recreated table: the statement is kept (re-planned)",
                 f"Parse messages per session: {proxy.parses()}")

    # A column's type changes (the statement's result type with it): dropped and prepared again.
    psql("prepared", "ALTER TABLE public.flyway_schema_history ALTER COLUMN installed_rank TYPE bigint, "
                     "ALTER COLUMN version TYPE varchar(100)")
    expect(server, "orders@1.10", True, [], "column types changed")
    psql("prepared", "INSERT INTO public.flyway_schema_history VALUES (3, '1.11', 'x', 'SQL', 'V1_11__x.sql', 3, "
                     "'flyway', now(), 1, true)")
    expect(server, "orders@1.11", True, [], "column types changed, a new row")
    report.check(proxy.parses() == [2, 2], "type change: prepared again on the same connection",
                 f"Parse messages per session: {proxy.parses()}")
finally:
    server.stop()
report.finish()
