#!/usr/bin/env bash
# tests/lib/with_pg.sh SCRIPT.py... - runs each Python test script against a throwaway PostgreSQL
# 15 (tests/lib/pg.sh: a free port on 127.0.0.1, in $TEST_TMP/pg, stopped on exit), with
# SCHEMAGATE_ROOT, SCHEMAGATE_BIN_DIR, TEST_TMP, PGHOST/PGPORT/PGUSER, PG_DIR and PG_BINDIR set.
# Scripts are paths relative to the repository root. Fails when any script fails.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_ROOT=$root SCHEMAGATE_BIN_DIR=${SCHEMAGATE_BIN_DIR:-$root/bin}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"
pg_start "$TEST_TMP/pg" || { echo "not ok - PostgreSQL did not start"; exit 1; }
export PG_DIR PG_BINDIR
status=0
for script in "$@"; do
  /usr/bin/python3 "$root/$script" || status=1
done
exit "$status"
