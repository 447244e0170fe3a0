#!/usr/bin/env bash
# `make run` end to end: scripts/run-local.sh in a scratch run directory on free ports must bring
# up certificates, PostgreSQL with the Flyway demo history, a config the server accepts, and
# answer the examples/ requests over HTTPS; SIGTERM must stop the server and the database.
# Then the deny -> insert 1.10 -> allow flow of the gate, and the literal-password denial.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=${TEST_TMP:-$(mktemp -d)}
bin=${SCHEMAGATE_BIN_DIR:-$root/bin}

failures=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
check()  { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

free_port() { /usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

run=$tmp/run
https_port=$(free_port) metrics_port=$(free_port)
SCHEMAGATE_RUN_DIR=$run SCHEMAGATE_BIN_DIR=$bin \
SCHEMAGATE_LISTEN=127.0.0.1:$https_port SCHEMAGATE_METRICS_LISTEN=127.0.0.1:$metrics_port \
  "$root/scripts/run-local.sh" >"$tmp/server.out" 2>"$tmp/run-local.err" &
script=$!
cleanup() { kill -TERM "$script" 2>/dev/null; wait "$script" 2>/dev/null; }
trap cleanup EXIT

ready=
for _ in $(seq 300); do
  curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null 2>&1 && { ready=1; break; }
  kill -0 "$script" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  not_ok "run-local.sh brought the server up"; sed 's/^/# /' "$tmp/run-local.err"; exit 1
fi
ok "run-local.sh brought the server up (ready on the metrics port)"

check "certificates in run/certs" test -s "$run/certs/ca.crt" -a -s "$run/certs/tls.crt" -a -s "$run/certs/tls.key"
check "conninfo file is mode 0600" test "$(stat -c %a "$run/conninfo-orders")" = 600
check "config.json names database orders (flyway, namespaces default/shop/shop-*)" /usr/bin/python3 -c '
import json, sys
db = json.load(open(sys.argv[1]))["databases"]["orders"]
assert db["tool"] == "flyway" and db["namespaces"] == ["default", "shop", "shop-*"], db' "$run/config.json"

conninfo=$(cat "$run/conninfo-orders")
history() { psql -X -tA "$conninfo" -c "$1" 2>&1; }
check "the read-only role sees the demo history: baseline 1 then 1.1 .. 1.9, all successful" \
  test "$(history "SELECT string_agg(version, ',' ORDER BY installed_rank) || ' ' || bool_and(success)
                   FROM public.flyway_schema_history")" = "1,1.1,1.2,1.3,1.4,1.5,1.6,1.7,1.8,1.9 true"
check "the read-only role cannot write the history" \
  bash -c "! psql -X -tA '$conninfo' -c 'DELETE FROM public.flyway_schema_history' >/dev/null 2>&1"

post() {   # FILE -> response body
  curl -sS --cacert "$run/certs/ca.crt" -H 'Content-Type: application/json' \
    "https://localhost:$https_port/validate" --data @"$run/review/$1.json"
}
allowed() { /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["response"]["allowed"])'; }
message() { /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["response"].get("status", {}).get("message", ""))'; }

for f in deployment-requires-1.10 job-plaintext-password job-secret-ref; do
  uid=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["request"]["uid"])' "$run/review/$f.json")
  resp=$(post "$f")
  check "HTTPS answer for examples/$f.json is an AdmissionReview with the request's uid" \
    test "$(/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["response"]["uid"])' <<<"$resp" 2>/dev/null)" = "$uid"
done
check "the printed instructions show the curl and psql commands" \
  grep -q "psql \"host=127.0.0.1 port=$(cat "$run/pg/port") user=postgres dbname=orders\" -f examples/flyway-1.10.sql" "$tmp/run-local.err"

resp=$(post deployment-requires-1.10)
check "gate: Deployment requiring orders@1.10 is denied at 1.9" test "$(allowed <<<"$resp")" = False
check "gate: the denial names orders@1.10 and 1.9" bash -c '[[ "$1" == *orders@1.10* && "$1" == *1.9* ]]' _ "$(message <<<"$resp")"
check "examples/flyway-1.10.sql records 1.10 as Flyway does (rank 11, success)" \
  psql -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$(cat "$run/pg/port") user=postgres dbname=orders" \
    -f "$root/examples/flyway-1.10.sql"
check "the history now ends with a successful 1.10" test "$(history "SELECT installed_rank || ' ' || version || ' ' || success
  FROM public.flyway_schema_history ORDER BY installed_rank DESC LIMIT 1")" = "11 1.10 true"
sleep 1   # past the unsatisfied-answer cache (500 ms by default)
check "gate: allowed once examples/flyway-1.10.sql recorded 1.10" test "$(post deployment-requires-1.10 | allowed)" = True
resp=$(post job-plaintext-password)
check "secrets: the Job with a literal FLYWAY_PASSWORD is denied" test "$(allowed <<<"$resp")" = False
check "secrets: the response does not contain the password" bash -c '[[ "$1" != *Tr0ub4dor* ]]' _ "$resp"
check "secrets: the Job with a secretKeyRef is allowed" test "$(post job-secret-ref | allowed)" = True

pid=$(head -n 1 "$run/pg/data/postmaster.pid" 2>/dev/null)
kill -TERM "$script"
wait "$script"; status=$?
trap - EXIT
check "SIGTERM ends run-local.sh (status 143)" test "$status" = 143
check "the server log says it drained and stopped" grep -q '"event":"stopped"' "$tmp/server.out" "$tmp/run-local.err"
check "the HTTPS port is closed" bash -c "! curl -s --max-time 2 --cacert '$run/certs/ca.crt' https://localhost:$https_port/ >/dev/null"
gone=
for _ in $(seq 50); do [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && { gone=1; break; }; sleep 0.1; done
check "PostgreSQL stopped with it" test -n "$gone"

[ "$failures" -eq 0 ]
