#!/usr/bin/env bash
# The schema data cases (tests/cases/schema/*.json) against a real MariaDB, with the answers
# the PostgreSQL run expects: tests/lib/schema_cases.py --engine mysql does the per-case work
# (fixtures/<name>-mysql.sql or a translation of the PostgreSQL one; a read-only user).
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_ROOT=$root SCHEMAGATE_BIN_DIR=${SCHEMAGATE_BIN_DIR:-$root/bin}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/mariadb.sh"
my_start "$TEST_TMP/mariadb" || { echo "not ok - MariaDB did not start"; exit 1; }
/usr/bin/python3 "$root/tests/lib/schema_cases.py" --engine mysql
