#!/usr/bin/env bash
# Data cases for the schema gate (tests/cases/schema/*.json) against a real PostgreSQL 15:
# each case's history rows go into a fresh database and the object goes through
# `schemagate review --config` (tests/lib/schema_cases.py does the per-case work).
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_ROOT=$root SCHEMAGATE_BIN_DIR=${SCHEMAGATE_BIN_DIR:-$root/bin}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"
pg_start "$TEST_TMP/pg" || { echo "not ok - PostgreSQL did not start"; exit 1; }
/usr/bin/python3 "$root/tests/lib/schema_cases.py"
