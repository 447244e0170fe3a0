#!/usr/bin/env bash
# Database faults against the real server over HTTPS (tests/lib/schema_faults.py): PostgreSQL
# stopped, a statement slower than the budget (pg_sleep, and a lock held by a "migration"),
# PostgreSQL restarted mid-run. Every request is answered within the budget, on_unreachable
# is honoured, and the gate recovers without restarting schemagate. Then the prepared-statement
# path (tests/lib/schema_prepared.py): prepared once per connection, right answers after
# DEALLOCATE ALL in schemagate's session, a restart, a dropped and recreated table, a type change.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_ROOT=$root SCHEMAGATE_BIN_DIR=${SCHEMAGATE_BIN_DIR:-$root/bin}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"
pg_start "$TEST_TMP/pg" || { echo "not ok - PostgreSQL did not start"; exit 1; }
export PG_DIR PG_BINDIR
/usr/bin/python3 "$root/tests/lib/schema_faults.py" || status=1
/usr/bin/python3 "$root/tests/lib/schema_prepared.py" || status=1
exit "${status:-0}"
