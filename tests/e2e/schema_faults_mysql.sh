#!/usr/bin/env bash
# Database faults on MariaDB against the real server over HTTPS (tests/lib/schema_faults_mysql.py):
# MariaDB stopped, a statement slower than the budget (SLEEP in a view), a LOCK TABLES held by
# a "migration", MariaDB restarted mid-run; answers within the budget, on_unreachable honoured,
# recovery without restarting schemagate, the password nowhere in logs or metrics.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_ROOT=$root SCHEMAGATE_BIN_DIR=${SCHEMAGATE_BIN_DIR:-$root/bin}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/mariadb.sh"
my_start "$TEST_TMP/mariadb" || { echo "not ok - MariaDB did not start"; exit 1; }
export MY_DIR
/usr/bin/python3 "$root/tests/lib/schema_faults_mysql.py"
