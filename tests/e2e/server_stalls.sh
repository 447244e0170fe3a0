#!/usr/bin/env bash
# Nothing stalls the server (tests/lib/server_stalls.py): a database whose port accepts and
# never answers, a host name whose resolver never answers, half-open TLS handshakes, a
# slowloris client, a burst of new connections; beside them a real PostgreSQL keeps answering.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export SCHEMAGATE_ROOT=$root SCHEMAGATE_BIN_DIR=${SCHEMAGATE_BIN_DIR:-$root/bin}
export TEST_TMP=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"
pg_start "$TEST_TMP/pg" || { echo "not ok - PostgreSQL did not start"; exit 1; }
/usr/bin/python3 "$root/tests/lib/server_stalls.py"
