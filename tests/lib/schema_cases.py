"""tests/lib/schema_cases.py - runs tests/cases/schema/*.json against a real PostgreSQL.

Called by tests/e2e/schema_cases.sh once the harness has started the server (PGHOST/PGPORT/
PGUSER in the environment). Each case gets a fresh database holding its history fixture and
history_sql, a conninfo file pointing at it (with a password that must never be echoed), and
goes through `schemagate review --config` exactly as CI would run it. The case is wrapped and
its response checked by sgcase (through tests/e2e/lib/sgtest.py), as every case runner does.
"""
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e", "lib"))
import sgtest  # noqa: E402

ROOT = os.environ["SCHEMAGATE_ROOT"]
BIN = os.environ["SCHEMAGATE_BIN_DIR"]
TMP = os.environ["TEST_TMP"]
PSQL = os.path.join(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"), "psql")
CASES = os.path.join(ROOT, "tests", "cases", "schema")
PASSWORD = "sg-case-pw-7f3a"


def psql(db, sql):
    env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-"], input=sql.encode(),
                   check=True, stdout=subprocess.DEVNULL, env=env)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_case(index, path):
    case = json.load(open(path))
    name = os.path.relpath(path, CASES)
    db = "case_%d" % index
    psql("postgres", 'DROP DATABASE IF EXISTS "%s"; CREATE DATABASE "%s";' % (db, db))
    sql = []
    if case.get("history_fixture"):
        # A fixture's table may live in <name>-ddl.sql, shared with `make run` and the bench.
        for part in (case["history_fixture"] + "-ddl", case["history_fixture"]):
            sql_path = os.path.join(CASES, "fixtures", part + ".sql")
            if os.path.exists(sql_path):
                sql.append(open(sql_path).read())
    sql.extend(case.get("history_sql", []))
    if sql:
        psql(db, ";\n".join(sql) + ";\n")
    port = closed_port() if case.get("unreachable") else os.environ["PGPORT"]
    conninfo = os.path.join(TMP, "conninfo-%d" % index)
    with open(conninfo, "w") as f:
        f.write("host=127.0.0.1 port=%s user=%s dbname=%s password=%s connect_timeout=1\n"
                % (port, os.environ["PGUSER"], db, PASSWORD))
    config = case.get("config", {})
    for d in config.get("databases", {}).values():
        d["conninfo_file"] = conninfo
    cfg_path = os.path.join(TMP, "config-%d.json" % index)
    json.dump(config, open(cfg_path, "w"))
    in_path = os.path.join(TMP, "review-%d.json" % index)
    with open(in_path, "w") as f:
        f.write(sgtest.case_review_text(path))
    p = subprocess.run([os.path.join(BIN, "schemagate"), "review", "-o", "json", "--config", cfg_path, in_path],
                       capture_output=True, text=True, timeout=30)
    try:
        entry = json.loads(p.stdout)[0]
        review_text = json.dumps(entry["review"])
    except (ValueError, KeyError, IndexError):
        return ["no AdmissionReview on stdout (exit %d): %s" % (p.returncode, p.stderr[-500:])]
    # The expectations by the shared checker (sgcase); the exit status, the unreachable flag and
    # the conninfo are this runner's own.
    problems, excerpt = sgtest.case_problems(path, review_text)
    # exit 3 when the answer depended on an unreachable database, whatever it was
    unreachable = any(f["rule"] == "schema.unreachable" for f in entry["denials"] + entry["warnings"])
    if bool(case.get("unreachable")) != unreachable:
        problems.append("schema.unreachable %s, the case says %s" % (unreachable, bool(case.get("unreachable"))))
    if entry["unreachable"] != unreachable:
        problems.append("unreachable is %s, findings say %s" % (entry["unreachable"], unreachable))
    if p.returncode != (3 if unreachable else 0 if case["expect"]["allowed"] else 1):
        problems.append("exit status %d (stderr: %s)" % (p.returncode, p.stderr[-500:]))
    if PASSWORD in p.stdout + p.stderr or "user=" in p.stdout + p.stderr:
        problems.append("conninfo leaked into the output")
    if problems:
        problems.append("response: %s" % (excerpt or p.stdout[:2000].replace(PASSWORD, "<withheld>")))
    return problems


def main():
    files = sorted(os.path.join(CASES, f) for f in os.listdir(CASES) if f.endswith(".json"))
    failures = 0
    for i, path in enumerate(files):
        name = os.path.basename(path)
        try:
            problems = run_case(i, path)
        except Exception as e:  # a broken case is a failure, not a crash of the suite
            problems = ["%s: %s" % (type(e).__name__, e)]
        if problems:
            failures += 1
            print("not ok - %s: %s" % (name, "; ".join(problems)))
        else:
            print("ok - %s" % name)
    print("# %d schema cases, %d failed" % (len(files), failures))
    return 1 if failures or not files else 0


if __name__ == "__main__":
    sys.exit(main())
