"""tests/lib/schema_cases.py - runs tests/cases/schema/*.json against a real PostgreSQL, or
with --engine mysql against a real MariaDB, with the same expected answers.

Called by tests/e2e/schema_cases.sh (PostgreSQL: PGHOST/PGPORT/PGUSER in the environment) and
tests/e2e/schema_cases_mysql.sh (MariaDB: MYPORT/MYSOCK/MYUSER/MYPASSWORD from
tests/lib/mariadb.sh) once the harness has started the server. Each case gets a fresh database
holding its history fixture and history_sql, a conninfo file pointing at it (with a password
that must never be echoed), and goes through `schemagate review --config` exactly as CI would
run it. The case is wrapped and its response checked by sgcase (through tests/e2e/lib/sgtest.py),
as every case runner does.

On MySQL a fixture is fixtures/<name>-mysql.sql (the tool's own MySQL DDL) when there is one,
otherwise the PostgreSQL file translated by to_mysql(); history_sql is translated the same way.
PostgreSQL's `public` schema is the case's own database there, so "public." is dropped from
SQL and from the expected messages; each database gets "engine": "mysql".
"""
import json
import os
import re
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
ENGINE = "mysql" if "--engine" in sys.argv and sys.argv[sys.argv.index("--engine") + 1] == "mysql" else "postgresql"
READER = "sg_case_reader"     # MySQL: the read-only user the gate connects as


def to_mysql(sql):
    """PostgreSQL test SQL as MariaDB reads it: outside string literals "ident" becomes `ident`
    and the public schema goes; inside them a '+00' UTC offset on a timestamp goes."""
    out, i = [], 0
    while i < len(sql):
        c = sql[i]
        if c == "'":
            j = i + 1
            while j < len(sql) and not (sql[j] == "'" and sql[j + 1:j + 2] != "'"):
                j += 2 if sql[j] == "'" else 1
            lit = sql[i:j + 1]
            out.append(re.sub(r"^('\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\+00'$", r"\1'", lit))
            i = j + 1
        elif c == "-" and sql[i:i + 2] == "--":
            j = sql.find("\n", i)
            j = len(sql) if j < 0 else j
            out.append(sql[i:j])
            i = j
        else:
            j = i
            while j < len(sql) and sql[j] != "'" and sql[j:j + 2] != "--":
                j += 1
            part = re.sub(r'(?i)"public"\.|\bpublic\.', "", sql[i:j])
            out.append(re.sub(r'"([^"]*)"', r"`\1`", part))
            i = j
    return "".join(out)


def mysql(db, sql):
    args = ["mariadb", "--no-defaults", "-S", os.environ["MYSOCK"], "-u", os.environ["MYUSER"],
            "-p" + os.environ["MYPASSWORD"]]
    subprocess.run(args + ([db] if db else []), input=sql.encode(), check=True, stdout=subprocess.DEVNULL)


def mysql_reset(db):
    """A fresh database for one case, and no database left from another case (a case's
    history_sql may create one, e.g. app)."""
    p = subprocess.run(["mariadb", "--no-defaults", "-N", "-S", os.environ["MYSOCK"], "-u", os.environ["MYUSER"],
                        "-p" + os.environ["MYPASSWORD"], "-e", "SHOW DATABASES"], capture_output=True, text=True,
                       check=True)
    keep = {"mysql", "information_schema", "performance_schema", "sys"}
    drops = ["DROP DATABASE `%s`;" % d for d in p.stdout.split() if d not in keep]
    mysql(None, "\n".join(drops) + "CREATE DATABASE `%s`;\n"
          "CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s';\n"
          "GRANT SELECT ON *.* TO '%s'@'%%';\n" % (db, READER, PASSWORD, READER))


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
    my = ENGINE == "mysql"
    if my:
        mysql_reset(db)
    else:
        psql("postgres", 'DROP DATABASE IF EXISTS "%s"; CREATE DATABASE "%s";' % (db, db))
    sql = []
    if case.get("history_fixture"):
        # A fixture's table may live in <name>-ddl.sql, shared with `make run` and the bench.
        for part in (case["history_fixture"] + "-ddl", case["history_fixture"]):
            sql_path = os.path.join(CASES, "fixtures", part + ".sql")
            mypath = os.path.join(CASES, "fixtures", part + "-mysql.sql")
            if my and os.path.exists(mypath):
                sql.append(open(mypath).read())
            elif os.path.exists(sql_path):
                sql.append(to_mysql(open(sql_path).read()) if my else open(sql_path).read())
    sql.extend(to_mysql(q) if my else q for q in case.get("history_sql", []))
    if sql:
        if my:
            mysql(db, ";\n".join(x.rstrip().rstrip(";") for x in sql) + ";\n")
        else:
            psql(db, ";\n".join(sql) + ";\n")
    conninfo = os.path.join(TMP, "conninfo-%d" % index)
    if my:
        port = closed_port() if case.get("unreachable") else os.environ["MYPORT"]
        # Both conninfo forms, by case: a URI for even cases, key=value for odd ones.
        text = ("mysql://%s:%s@127.0.0.1:%s/%s\n" % (READER, PASSWORD, port, db) if index % 2 == 0 else
                "host=127.0.0.1 port=%s user=%s password='%s' dbname=%s\n" % (port, READER, PASSWORD, db))
    else:
        port = closed_port() if case.get("unreachable") else os.environ["PGPORT"]
        text = ("host=127.0.0.1 port=%s user=%s dbname=%s password=%s connect_timeout=1\n"
                % (port, os.environ["PGUSER"], db, PASSWORD))
    with open(conninfo, "w") as f:
        f.write(text)
    config = case.get("config", {})
    for d in config.get("databases", {}).values():
        d["conninfo_file"] = conninfo
        if my:
            d["engine"] = "mysql"
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
    # The expectations by the shared checker (sgcase); on MySQL the `public` schema is the case's
    # own database, so expected texts lose "public.". The exit status, the unreachable flag and
    # the conninfo are this runner's own.
    checked = json.loads(json.dumps(case).replace("public.", "")) if my else path
    problems, excerpt = sgtest.case_problems(checked, review_text)
    # exit 3 when the answer depended on an unreachable database, whatever it was
    unreachable = any(f["rule"] == "schema.unreachable" for f in entry["denials"] + entry["warnings"])
    if bool(case.get("unreachable")) != unreachable:
        problems.append("schema.unreachable %s, the case says %s" % (unreachable, bool(case.get("unreachable"))))
    if entry["unreachable"] != unreachable:
        problems.append("unreachable is %s, findings say %s" % (entry["unreachable"], unreachable))
    if p.returncode != (3 if unreachable else 0 if case["expect"]["allowed"] else 1):
        problems.append("exit status %d (stderr: %s)" % (p.returncode, p.stderr[-500:]))
    if PASSWORD in p.stdout + p.stderr or "user=" in p.stdout + p.stderr or READER in p.stdout + p.stderr:
        problems.append("conninfo leaked into the output")
    if problems:
        problems.append("response: %s" % (excerpt or p.stdout[:2000].replace(PASSWORD, "<withheld>")))
    return problems


def main():
    if ENGINE == "mysql":
        # Leaves nothing of a failed earlier run; one database per case from here on.
        mysql(None, "DROP USER IF EXISTS '%s'@'%%';" % READER)
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
    print("# %d schema cases on %s, %d failed" % (len(files), ENGINE, failures))
    return 1 if failures or not files else 0


if __name__ == "__main__":
    sys.exit(main())
