#!/usr/bin/env bash
# sanitizer-build: not needed
# End-to-end check of the test PostgreSQL harness (tests/lib/pg.sh): start in a root-owned 0700
# scratch directory, query, restart keeps data and port, stop twice, and no server outlives its
# shell (normal exit via the trap, SIGKILL via the watchdog).
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"

failures=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
check()  { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

postmaster_pid() { head -n 1 "$1/data/postmaster.pid" 2>/dev/null; }
alive()          { local pid; pid=$(postmaster_pid "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
wait_dead()      { local pid=$1; for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; return 1; }

private=$(mktemp -d "$tmp/private.XXXXXX")   # 0700, owned by whoever runs the suite
chmod 700 "$private"
dir=$private/pg

start=$(date +%s%N)
check "pg_start in a 0700 scratch directory" pg_start "$dir"
echo "# start-up took $(( ($(date +%s%N) - start) / 1000000 )) ms"
check "exports PGHOST=127.0.0.1 PGUSER=postgres and a numeric PGPORT" \
  test "$PGHOST" = 127.0.0.1 -a "$PGUSER" = postgres -a -n "${PGPORT//[^0-9]/}"
check "server listens on loopback only" \
  test "$(pg_psql -tAc 'SHOW listen_addresses')" = 127.0.0.1
check "query returns the server version 15" \
  test "$(pg_psql -tAc 'SHOW server_version_num' | cut -c1-2)" = 15
check "fsync is off" test "$(pg_psql -tAc 'SHOW fsync')" = off
check "pg_createdb a second time is harmless" eval "pg_createdb demo && pg_createdb demo"
check "database demo exists once" test "$(pg_psql -tAc "SELECT count(*) FROM pg_database WHERE datname='demo'")" = 1
pg_psql -d demo -c 'CREATE TABLE t(x int); INSERT INTO t VALUES (42)'

port_before=$PGPORT pid_before=$(postmaster_pid "$dir")
check "pg_restart" pg_restart
check "restart gives a new postmaster on the same port" \
  test "$(postmaster_pid "$dir")" != "$pid_before" -a "$PGPORT" = "$port_before"
check "data survives the restart" test "$(pg_psql -d demo -tAc 'SELECT x FROM t')" = 42
check "pg_conninfo connects" \
  test "$(psql -X -tA "$(pg_conninfo demo)" -c 'SELECT x FROM t')" = 42

pid=$(postmaster_pid "$dir")
check "pg_stop" pg_stop "$dir"
check "server is gone after pg_stop" wait_dead "$pid"
check "pg_stop a second time is harmless" pg_stop "$dir"
check "queries fail once stopped" bash -c "! psql -X -tA '$(pg_conninfo)' -c 'SELECT 1' 2>/dev/null"
check "pg_start again reuses the cluster" pg_start "$dir"
check "data survives stop and start" test "$(pg_psql -d demo -tAc 'SELECT x FROM t')" = 42
pg_stop "$dir"

# A script that starts a server and simply exits: the EXIT trap must stop it.
cat >"$tmp/child.sh" <<EOF
source "$root/tests/lib/pg.sh"
pg_start "\$1" || exit 1
pg_psql -tAc 'SELECT 1' >/dev/null
exit 0
EOF
bash "$tmp/child.sh" "$tmp/trap-pg"
pid=$(postmaster_pid "$tmp/trap-pg")
if [ -z "$pid" ]; then ok "exit trap stopped the server (no postmaster.pid)"
else check "exit trap stopped the server" wait_dead "$pid"; fi

# A script killed with SIGKILL runs no trap: the watchdog must stop its server.
cat >"$tmp/killed.sh" <<EOF
source "$root/tests/lib/pg.sh"
pg_start "\$1" || exit 1
echo started
sleep 60
EOF
bash "$tmp/killed.sh" "$tmp/kill-pg" >"$tmp/killed.out" &
child=$!
for _ in $(seq 100); do grep -q started "$tmp/killed.out" 2>/dev/null && break; sleep 0.1; done
pid=$(postmaster_pid "$tmp/kill-pg")
check "child started a server" alive "$tmp/kill-pg"
kill -KILL "$child"; wait "$child" 2>/dev/null
check "watchdog stopped the server of a SIGKILLed shell" wait_dead "$pid"

[ "$failures" -eq 0 ]
