#!/usr/bin/env bash
# Log volume is bounded (tests/lib/log_limits.py) against a real `schemagate serve` and a real
# PostgreSQL: a flood of malformed requests writes a burst of lines and then a count of the
# rest (a log_lines_dropped line and schemagate_log_lines_dropped_total), and the notices the
# database server sends during the gate's query arrive as JSON log lines, not libpq's raw text.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_ROOT=$root SCHEMAGATE_BIN_DIR=${SCHEMAGATE_BIN_DIR:-$root/bin}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"
pg_start "$TEST_TMP/pg" || { echo "not ok - PostgreSQL did not start"; exit 1; }
export PG_DIR PG_BINDIR
/usr/bin/python3 "$root/tests/lib/log_limits.py"
