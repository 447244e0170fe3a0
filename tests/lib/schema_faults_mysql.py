"""tests/lib/schema_faults_mysql.py - the schema gate's fault tests on MariaDB, run by
tests/e2e/schema_faults_mysql.sh once tests/lib/mariadb.sh has started the server (MY_DIR,
MYPORT, MYSOCK, MYUSER, MYPASSWORD).

The MySQL counterpart of schema_faults.py: a real `schemagate serve` with a 1000 ms database
budget and no caching, databases with engine "mysql" and a SELECT-only user, answering while
MariaDB is stopped, slow (SLEEP in a view), locked (LOCK TABLES ... WRITE held by a
"migration") and restarted in the middle of a burst; then the cache.
"""
import concurrent.futures
import copy
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["SCHEMAGATE_ROOT"], "tests", "e2e", "lib"))
import sgtest  # noqa: E402

report = sgtest.Report()
ROOT = os.environ["SCHEMAGATE_ROOT"]
MY_DIR = os.environ["MY_DIR"]
PORT = os.environ["MYPORT"]
BUDGET_S = 1.0
SLACK_S = 0.6
READER_PW = "sg-fault-my-pw-4e7b"
HARNESS = os.path.join(ROOT, "tests", "lib", "mariadb.sh")


def server_ctl(action):
    """mariadb.sh's my_stop / my_restart / a start on the same port, from a fresh shell."""
    launch = {"stop": "my_stop \"$1\"", "restart": "my_restart \"$1\"",
              "start": "my__launch \"$1\" \"$(cat \"$1/port\")\""}[action]
    subprocess.run(["bash", "-c", f"source {HARNESS}; {launch}", "ctl", MY_DIR], check=True)


def client(db=None):
    return ["mariadb", "--no-defaults", "-S", os.environ["MYSOCK"], "-u", os.environ["MYUSER"],
            "-p" + os.environ["MYPASSWORD"]] + ([db] if db else [])


def sql(db, text):
    subprocess.run(client(db), input=text.encode(), check=True, stdout=subprocess.DEVNULL)


FLYWAY_DDL = open(os.path.join(ROOT, "tests", "cases", "schema", "fixtures", "flyway-ddl-mysql.sql")).read()
ROWS = ("INSERT INTO flyway_schema_history VALUES (1, '1.9', 'add email index', 'SQL', 'V1_9__a.sql', 1, "
        "'flyway', now(), 1, true), (2, '1.10', 'add orders', 'SQL', 'V1_10__b.sql', 2, 'flyway', now(), 1, true);")
sql(None, "DROP DATABASE IF EXISTS faults; CREATE DATABASE faults; DROP DATABASE IF EXISTS slow; CREATE DATABASE slow;")
sql("faults", FLYWAY_DDL + ROWS + "CREATE TABLE customers (email varchar(100)); INSERT INTO customers VALUES ('a@b.c');")
# "slow": the history table is a view that sleeps 3 s per row, longer than any budget.
sql("slow", FLYWAY_DDL.replace("flyway_schema_history", "history_rows") + ROWS.replace("flyway_schema_history", "history_rows")
    + "CREATE VIEW flyway_schema_history AS SELECT h.* FROM history_rows h WHERE SLEEP(3) = 0;")
# The gate's user exactly as README "Databases" creates it: manifests/db/mysql/user.sql, then
# grants.sql per database (the flyway table; the view in "slow").
MANIFESTS = os.path.join(ROOT, "manifests", "db", "mysql")
sql(None, f"SET @user = 'sg_reader', @host = '%', @password = '{READER_PW}';\n"
          f"SOURCE {os.path.join(MANIFESTS, 'user.sql')};\n"
          f"SET @db = 'faults', @tool = 'flyway'; SOURCE {os.path.join(MANIFESTS, 'grants.sql')};\n"
          f"SET @db = 'slow'; SOURCE {os.path.join(MANIFESTS, 'grants.sql')};\n")
reader = ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", PORT, "-u", "sg_reader", "-p" + READER_PW, "-N", "-e"]
got = subprocess.run(reader + ["SELECT count(*) FROM faults.flyway_schema_history"], capture_output=True, text=True)
report.check(got.returncode == 0 and got.stdout.strip() == "2", "grants.sql: the user reads the history table",
             got.stderr[-200:])
for what, stmt in (("another table", "SELECT * FROM faults.customers"),
                   ("a write", "INSERT INTO faults.flyway_schema_history (installed_rank) VALUES (99)"),
                   ("DDL", "CREATE TABLE faults.x (id int)")):
    got = subprocess.run(reader + [stmt], capture_output=True, text=True)
    report.check(got.returncode != 0 and "denied" in got.stderr, f"grants.sql: the user cannot do {what}",
                 got.stdout + got.stderr[-200:])


# A "server" that accepts connections and never speaks (a hung host, a black-holing proxy).
hung = socket.socket()
hung.bind(("127.0.0.1", 0))
hung.listen(64)
HUNG_PORT = hung.getsockname()[1]


def status(name):
    """A server status counter (e.g. Com_stmt_prepare), server-wide."""
    out = subprocess.run(client() + ["-N", "-e", f"SHOW GLOBAL STATUS LIKE '{name}'"], capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[1])


def conninfo(db, name):
    path = os.path.join(sgtest.TMP, name)
    with open(path, "w") as f:
        f.write(f"mysql://sg_reader:{READER_PW}@127.0.0.1:{PORT}/{db}\n")
    return path


def database(db, name, on_unreachable, text=None):
    path = conninfo(db, name)
    if text:
        with open(path, "w") as f:
            f.write(text)
    return {"tool": "flyway", "engine": "mysql", "conninfo_file": path, "namespaces": ["shop"],
            "on_unreachable": on_unreachable}


config = {
    "schema": {"timeout_ms": int(BUDGET_S * 1000), "cache_satisfied_ms": 0, "cache_unsatisfied_ms": 0,
               "pool_size": 2},
    "databases": {"orders": database("faults", "orders.conninfo", "deny"),
                  "legacy": database("faults", "legacy.conninfo", "allow"),
                  "slow": database("slow", "slow.conninfo", "deny"),
                  # key=value form, a wrong password; a database that does not exist
                  "badpw": database("faults", "badpw.conninfo", "deny",
                                    f"host=localhost port={PORT} user=sg_reader password='{READER_PW}x' dbname=faults\n"),
                  "nodb": database("nosuchdb", "nodb.conninfo", "deny"),
                  "hung": database("faults", "hung.conninfo", "deny",
                                   f"mysql://sg_reader:{READER_PW}@127.0.0.1:{HUNG_PORT}/faults\n")},
}
cached_config = copy.deepcopy(config)
cached_config["schema"].update(cache_satisfied_ms=60000, cache_unsatisfied_ms=500)
# Both engines in one server: a PostgreSQL database (nothing listens on its port) beside the
# MySQL ones, each answered by its own driver.
PG_PORT = HUNG_PORT + 1 if HUNG_PORT < 65535 else HUNG_PORT - 1
with open(os.path.join(sgtest.TMP, "pgdown.conninfo"), "w") as f:
    f.write(f"host=127.0.0.1 port={PG_PORT} dbname=x user=u password={READER_PW}\n")
cached_config["databases"]["pgdown"] = {"tool": "flyway", "conninfo_file": os.path.join(sgtest.TMP, "pgdown.conninfo"),
                                        "namespaces": ["shop"], "on_unreachable": "deny"}

DEPLOYMENT = json.loads(subprocess.run(["kubectl", "create", "deployment", "api", "-n", "shop",
                                        "--image=registry.example/api:2", "--dry-run=client", "-o", "json"],
                                       check=True, capture_output=True, text=True).stdout)


def ask(server, requires):
    """(seconds, allowed, message, warnings); allowed is None when the answer was unusable."""
    obj = copy.deepcopy(DEPLOYMENT)
    obj["metadata"]["annotations"] = {"schemagate.io/requires": requires}
    fd, path = tempfile.mkstemp(dir=server.dir, suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(sgtest.case_review({"object": obj, "namespace": "shop"}, uid="fault-uid"), f)
    start = time.monotonic()
    out = subprocess.run(["curl", "-sS", "--cacert", os.path.join(server.certs, "ca.crt"),
                          "-H", "Content-Type: application/json", "--data-binary", f"@{path}",
                          server.url("/validate?timeout=10s")], capture_output=True, text=True, timeout=30)
    took = time.monotonic() - start
    os.unlink(path)
    try:
        resp = json.loads(out.stdout)["response"]
    except (ValueError, KeyError):
        return took, None, f"no AdmissionReview: {out.stdout[:200]} {out.stderr[:200]}", []
    return took, resp["allowed"], resp.get("status", {}).get("message", ""), resp.get("warnings", [])


def expect(server, requires, allowed, words, what):
    took, got, message, warnings = ask(server, requires)
    text = message + " | " + " ".join(warnings)
    report.check(got is allowed and all(w in text for w in words),
                 f"{what}: {requires} {'allowed' if allowed else 'denied'}", f"took {took:.2f}s, allowed={got}: {text}")
    report.check(took <= BUDGET_S + SLACK_S, f"{what}: answered within the budget ({took:.2f}s)")
    return text


server = sgtest.Server(config, name="faults-mysql")
try:
    expect(server, "orders@1.10", True, [], "MariaDB up")
    expect(server, "orders@1.11", False, ["the latest successful migration is 1.10 (add orders"], "MariaDB up")

    # Errors mapped to short reasons, never the server's text (which names the user).
    text = expect(server, "badpw@1.10", False, ["database badpw unreachable (access denied: check user and password"],
                  "wrong password (key=value conninfo, localhost over TCP)")
    report.check(READER_PW not in text and "sg_reader" not in text, "wrong password: neither user nor password shown", text)
    expect(server, "nodb@1.10", False, ["database nodb unreachable (access denied to the database"],
           "a database the user may not see")
    expect(server, "hung@1.10", False, [f"database hung unreachable (connect timed out within the 1000 ms budget "
                                        f"at 127.0.0.1:{HUNG_PORT})"], "a server that never answers the handshake")
    with open(f"/proc/{server.proc.pid}/maps") as f:
        maps = f.read()
    report.check("libmariadb" in maps and "libpq" not in maps,
                 "MySQL databases only: libmariadb is loaded, libpq is not")

    # Prepared once per connection, then only executed, the values bound (pool_size 2).
    prepares, executes = status("Com_stmt_prepare"), status("Com_stmt_execute")
    for i in range(20):
        ask(server, "orders@1.10" if i % 2 else "orders@1.9")
    prepares, executes = status("Com_stmt_prepare") - prepares, status("Com_stmt_execute") - executes
    report.check(prepares <= 2 and executes >= 20, "prepared statements: 20 lookups, at most one prepare per "
                 "pooled connection (2), every lookup executed", f"{prepares} prepares, {executes} executes")
    # The history table dropped and made again under the prepared statement.
    sql("faults", "RENAME TABLE flyway_schema_history TO flyway_kept")
    expect(server, "orders@1.10", False, ["the history table flyway_schema_history does not exist yet"],
           "table dropped under the prepared statement")
    sql("faults", "RENAME TABLE flyway_kept TO flyway_schema_history")
    expect(server, "orders@1.10", True, [], "table back under the prepared statement")

    # 1. MariaDB stopped.
    server_ctl("stop")
    expect(server, "orders@1.10", False, [f"database orders unreachable (connection refused at 127.0.0.1:{PORT})",
                                          "on_unreachable: deny"], "stopped")
    expect(server, "legacy@1.10", True, ["database legacy unreachable", "allowed without checking legacy@1.10"],
           "stopped")
    server_ctl("start")
    expect(server, "orders@1.10", True, [], "started again, same schemagate process")

    # 2. A statement slower than the budget: the history "table" sleeps.
    text = expect(server, "slow@1.10", False, ["database slow unreachable"], "SLEEP(3) view")
    report.check("budget" in text or "statement timeout" in text, "SLEEP(3) view: the reason is the time limit", text)
    expect(server, "orders@1.10", True, [], "a slow database does not hold up another")

    # 3. A "migration" holding the history table with LOCK TABLES ... WRITE.
    holder = subprocess.Popen(client("faults") + ["-e", "LOCK TABLES flyway_schema_history WRITE; SELECT SLEEP(4); "
                                                          "UNLOCK TABLES;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    text = expect(server, "orders@1.10", False, ["database orders unreachable", "on_unreachable: deny"],
                  "history table locked")
    report.check("locked" in text or "budget" in text or "timeout" in text, "locked: the reason is a lock or the budget",
                 text)
    expect(server, "legacy@1.10", True, ["allowed without checking legacy@1.10 (on_unreachable: allow)"],
           "history table locked")
    holder.wait(timeout=15)
    expect(server, "orders@1.10", True, [], "lock released")

    # 4. MariaDB restarted in the middle of a burst of requests.
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(ask, server, "orders@1.10" if i % 2 else "legacy@1.10") for i in range(120)]
        time.sleep(0.3)
        server_ctl("restart")
        results = [f.result() for f in futures]
    sgtest.check_restart_mid_run(report, results, BUDGET_S + SLACK_S + 1.0)
    expect(server, "orders@1.10", True, [], "after the restart, same schemagate process")
    expect(server, "orders@1.10", True, [], "after the restart, pooled connection reused")

    status, metrics = server.get_metrics_port("/metrics")
    sgtest.check_db_metrics(report, metrics, "orders")
    log = server.read_log()
    report.check(READER_PW not in log and READER_PW not in metrics and "sg_reader" not in log,
                 "the conninfo password and user are in no log line or metric")
finally:
    code = server.stop()
# Under make check-asan a leak or an error report makes the server exit non-zero.
report.check(code == 0, "the server exits cleanly after the faults", f"exit status {code}: {server.read_log()[-1500:]}")

# 5. The cache: a satisfied answer is reused (and counted); a fresh migration is seen quickly.
server = sgtest.Server(cached_config, name="cached-mysql")
try:
    expect(server, "orders@1.10", True, [], "cached")
    expect(server, "orders@1.10", True, [], "cached, second time")
    _, metrics = server.get_metrics_port("/metrics")
    report.check('schemagate_history_cache_hits_total{database="orders"} 1' in metrics, "metrics: one cache hit",
                 [line for line in metrics.splitlines() if "cache_hits" in line])
    expect(server, "orders@1.11", False, ["1.10"], "cached: 1.11 not yet applied")
    sql("faults", "INSERT INTO flyway_schema_history VALUES (3, '1.11', 'x', 'SQL', 'V1_11__x.sql', 3, "
                  "'flyway', now(), 1, true)")
    time.sleep(0.6)
    expect(server, "orders@1.11", True, [], "cached: the finished migration is seen within a second")
    expect(server, "pgdown@1.10", False, ["database pgdown unreachable (", f"127.0.0.1:{PG_PORT}"],
           "a PostgreSQL database beside the MySQL ones")
    expect(server, "orders@1.11", True, [], "the MySQL database still answers beside it")
    with open(f"/proc/{server.proc.pid}/maps") as f:
        maps = f.read()
    report.check("libmariadb" in maps and "libpq" in maps, "both engines configured: both drivers loaded")
finally:
    code = server.stop()
report.check(code == 0, "the cached server exits cleanly", f"exit status {code}: {server.read_log()[-1500:]}")
report.finish()
