#!/usr/bin/env bash
# db_role.sh - the least-privilege role of manifests/db/ on a real PostgreSQL 15: role.sql and
# every grants/<tool>.sql apply (twice: idempotent) to each tool's default history table; the
# role reads those tables and nothing else, cannot write, create or escape its settings
# (read-only default, statement_timeout), and the schema gate works connected as that role
# (`schemagate review` against Flyway, golang-migrate and sqitch histories). The harness trusts
# loopback logins, so the password is set but not what is tested here.
# Env: SCHEMAGATE_ROOT, SCHEMAGATE_BIN_DIR, TEST_TMP.
set -uo pipefail
: "${SCHEMAGATE_ROOT:?}" "${SCHEMAGATE_BIN_DIR:?}" "${TEST_TMP:?}"
source "$SCHEMAGATE_ROOT/tests/lib/pg.sh"
DB_SQL=$SCHEMAGATE_ROOT/manifests/db
ROLE=schemagate_ro
failures=0
ok()     { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); [ -n "${2:-}" ] && sed 's/^/#   /' <<<"$2" | head -10; }

pg_start "$TEST_TMP/pg" || { not_ok "PostgreSQL starts"; exit 1; }
pg_createdb app >/dev/null

# Each tool's default history table, created as the owner (the migration tool's role). The
# tables the gate queries below get the columns its queries read; the rest one column.
PGDATABASE=app pg_psql <<'SQL' || not_ok "history tables are created"
CREATE TABLE public.flyway_schema_history (
  installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
  type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int,
  installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(),
  execution_time int NOT NULL, success boolean NOT NULL);
INSERT INTO public.flyway_schema_history VALUES
  (1, '1', 'init', 'SQL', 'V1__init.sql', 1, 'flyway', now(), 5, true),
  (2, '1.1', 'add email', 'SQL', 'V1_1__add_email.sql', 2, 'flyway', now(), 5, true);
CREATE TABLE public.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO public.schema_migrations VALUES (20240101000002, false);
CREATE SCHEMA sqitch;
CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, change text NOT NULL, project text NOT NULL,
  note text NOT NULL DEFAULT '', committed_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE sqitch.tags (tag_id text PRIMARY KEY, tag text NOT NULL, project text NOT NULL,
  change_id text NOT NULL, note text NOT NULL DEFAULT '', committed_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE sqitch.events (event text NOT NULL, change_id text NOT NULL, change text NOT NULL,
  project text NOT NULL, committed_at timestamptz NOT NULL DEFAULT clock_timestamp());
INSERT INTO sqitch.changes (change_id, change, project) VALUES ('c1', 'step1', 'sg');
INSERT INTO sqitch.tags (tag_id, tag, project, change_id) VALUES ('t1', '@v1', 'sg', 'c1');
INSERT INTO sqitch.events (event, change_id, change, project) VALUES ('deploy', 'c1', 'step1', 'sg');
CREATE TABLE public.databasechangelog (id int); CREATE TABLE public.databasechangeloglock (id int);
CREATE TABLE public.goose_db_version (id int);
CREATE SCHEMA atlas_schema_revisions; CREATE TABLE atlas_schema_revisions.atlas_schema_revisions (id int);
CREATE TABLE public.alembic_version (id int); CREATE TABLE public.django_migrations (id int);
CREATE TABLE public._prisma_migrations (id int);
CREATE TABLE public.knex_migrations (id int); CREATE TABLE public.knex_migrations_lock (id int);
CREATE TABLE public.pgmigrations (id int); CREATE TABLE public."SequelizeMeta" (id int);
-- Application data the webhook must never see.
CREATE TABLE public.customers (id int, email text);
INSERT INTO public.customers VALUES (1, 'a@example.com');
SQL

# role.sql and all grants, twice: the second run must succeed too (idempotent).
for round in 1 2; do
  out=$(pg_psql -v role=$ROLE -v password=s3cret-role-pw -f "$DB_SQL/role.sql" 2>&1) \
    && ok "role.sql applies (run $round)" || not_ok "role.sql applies (run $round)" "$out"
  bad=
  for f in "$DB_SQL"/grants/*.sql; do
    out=$(PGDATABASE=app pg_psql -v role=$ROLE -f "$f" 2>&1) || bad+="$(basename "$f"): $out"$'\n'
  done
  [ -z "$bad" ] && ok "every grants/<tool>.sql applies to the tool's default table (run $round)" \
    || not_ok "every grants/<tool>.sql applies (run $round)" "$bad"
done
n=$(ls "$DB_SQL"/grants/*.sql | wc -l)
[ "$n" -eq 14 ] && ok "a grants file for each of the 14 tools" || not_ok "a grants file for each of the 14 tools ($n)"

as_role() { PGUSER=$ROLE PGDATABASE=app pg_psql -tA "$@" 2>&1; }

attrs=$(pg_psql -tA -c "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit, rolconnlimit FROM pg_roles WHERE rolname = '$ROLE'")
[ "$attrs" = "t|f|f|f|f|f|f|20" ] && ok "role: login only, no superuser/createdb/createrole/replication/bypassrls/inherit, 20 connections" \
  || not_ok "role attributes" "$attrs"

settings=$(as_role -c "SHOW default_transaction_read_only" -c "SHOW statement_timeout")
[ "$settings" = $'on\n2s' ] && ok "sessions start read-only with a 2s statement_timeout" || not_ok "role settings" "$settings"

# Reads: every tool's table; nothing else.
bad=
for t in public.flyway_schema_history public.schema_migrations sqitch.changes sqitch.tags sqitch.events \
         public.databasechangelog public.databasechangeloglock public.goose_db_version \
         atlas_schema_revisions.atlas_schema_revisions public.alembic_version public.django_migrations \
         public._prisma_migrations public.knex_migrations public.knex_migrations_lock public.pgmigrations \
         'public."SequelizeMeta"'; do
  out=$(as_role -c "SELECT count(*) FROM $t") || bad+="$t: $out"$'\n'
done
[ -z "$bad" ] && ok "the role can SELECT each tool's history table" || not_ok "SELECT on history tables" "$bad"
out=$(as_role -c "SELECT * FROM public.customers")
grep -q "permission denied" <<<"$out" && ok "the role cannot read application tables" || not_ok "application table readable" "$out"

# Writes fail on privileges alone, even after the role turns read-only off for its session.
expect_denied() {
  local what=$1 sql=$2 out
  out=$(as_role -c "SET default_transaction_read_only = off" -c "$sql")
  if grep -Eq "permission denied|must be owner" <<<"$out"; then ok "the role cannot $what"; else not_ok "the role cannot $what" "$out"; fi
}
expect_denied "INSERT into a history table" \
  "INSERT INTO public.flyway_schema_history VALUES (9, '9', 'x', 'SQL', 'x', 0, 'x', now(), 0, true)"
expect_denied "UPDATE a history table" "UPDATE public.schema_migrations SET dirty = true"
expect_denied "DELETE from a history table" "DELETE FROM sqitch.tags"
expect_denied "TRUNCATE a history table" "TRUNCATE public.flyway_schema_history"
expect_denied "CREATE a table in public" "CREATE TABLE public.evil (id int)"
expect_denied "CREATE a schema" "CREATE SCHEMA evil"
expect_denied "ALTER a history table" "ALTER TABLE public.flyway_schema_history ADD COLUMN x int"
out=$(as_role -c "UPDATE public.schema_migrations SET dirty = true")
grep -q "read-only transaction" <<<"$out" && ok "by default a write is refused as read-only before privileges are checked" \
  || not_ok "read-only default" "$out"
rows=$(pg_psql -d app -tA -c "SELECT (SELECT count(*) FROM public.flyway_schema_history) || ',' || (SELECT bool_or(dirty)::text FROM public.schema_migrations) || ',' || (SELECT count(*) FROM sqitch.tags)")
[ "$rows" = "2,false,1" ] && ok "the history tables are unchanged" || not_ok "history tables changed" "$rows"

start=$SECONDS
out=$(as_role -c "SELECT pg_sleep(10)")
if grep -q "statement timeout" <<<"$out" && [ $((SECONDS - start)) -lt 8 ]; then
  ok "a long statement is cancelled by the role's statement_timeout"
else
  not_ok "statement_timeout cancels a long statement" "$out"
fi

# The gate itself, connected as the role.
conninfo=$TEST_TMP/conninfo
echo "host=$PGHOST port=$PGPORT user=$ROLE password=s3cret-role-pw dbname=app connect_timeout=3" >"$conninfo"
cat >"$TEST_TMP/config.json" <<EOF
{ "databases": {
  "orders":  {"tool": "flyway", "conninfo_file": "$conninfo", "namespaces": ["shop"]},
  "billing": {"tool": "golang-migrate", "conninfo_file": "$conninfo", "namespaces": ["shop"]},
  "catalog": {"tool": "sqitch", "project": "sg", "conninfo_file": "$conninfo", "namespaces": ["shop"]} } }
EOF
review() {   # review REQUIRES EXPECTED_EXIT WHAT
  local requires=$1 want=$2 what=$3 rc out
  kubectl create deployment api --image=nginx:1.27 -n shop --dry-run=client -o json 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; o=json.load(sys.stdin); o["metadata"]["annotations"]={"schemagate.io/requires": sys.argv[1]}; print(json.dumps(o))' \
    "$requires" >"$TEST_TMP/deploy.json"
  out=$("$SCHEMAGATE_BIN_DIR/schemagate" review --config "$TEST_TMP/config.json" "$TEST_TMP/deploy.json" 2>&1)
  rc=$?
  if [ "$rc" = "$want" ] && ! grep -q "Sanitizer" <<<"$out"; then ok "as the role: $what"; else not_ok "as the role: $what (exit $rc, wanted $want)" "$out"; fi
  LAST_OUT=$out
}
review "orders@1.1" 0 "flyway 1.1 applied -> allowed"
review "orders@1.2" 1 "flyway 1.2 missing -> denied"
grep -q "orders@1.2" <<<"$LAST_OUT" && ok "the denial names the requirement" || not_ok "denial names the requirement" "$LAST_OUT"
review "billing@20240101000002" 0 "golang-migrate version applied -> allowed"
review "catalog@@v1" 0 "sqitch tag in a non-public registry schema -> allowed"
review "catalog@@v2" 1 "sqitch tag missing -> denied"
review "orders@1.1, billing@20240101000002, catalog@@v1" 0 "three databases at once -> allowed"
if grep -qi "permission denied\|unreachable" <<<"$LAST_OUT"; then not_ok "no permission error as the role" "$LAST_OUT"; else ok "no permission error as the role"; fi

pg_stop
echo "db_role: $failures failure(s)"
[ "$failures" -eq 0 ]
