#!/usr/bin/env bash
# scripts/run-local.sh - what `make run` runs: a local schemagate with everything it needs, in
# the ignored .run/ folder: certificates, a throwaway PostgreSQL whose `orders` database has a
# Flyway history at 1.9, a config naming it, then the server in the foreground until Ctrl-C.
# Overrides (tests use them): SCHEMAGATE_RUN_DIR (.run), SCHEMAGATE_BIN_DIR (bin),
# SCHEMAGATE_LISTEN (127.0.0.1:8443), SCHEMAGATE_METRICS_LISTEN (127.0.0.1:9090).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
run=${SCHEMAGATE_RUN_DIR:-$root/.run}
listen=${SCHEMAGATE_LISTEN:-127.0.0.1:8443}
metrics=${SCHEMAGATE_METRICS_LISTEN:-127.0.0.1:9090}
bin=${SCHEMAGATE_BIN_DIR:-$root/bin}

say() { echo "run-local: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ -x "$bin/schemagate" ] && [ -x "$bin/schemagate-certs" ] || die "build first: make"
mkdir -p "$run"

# ---------------------------------------------------------------------------- certificates
"$bin/schemagate-certs" --out "$run/certs" --dns localhost --ip 127.0.0.1 >/dev/null ||
  die "schemagate-certs could not write $run/certs"

# ---------------------------------------------------------------------------- PostgreSQL
source "$root/tests/lib/pg.sh"
if pg_running "$run/pg"; then
  die "a PostgreSQL is already running in $run/pg (another make run?); stop that one first"
fi
pg_start "$run/pg" || die "PostgreSQL did not start; see $run/pg/server.log"

# A fresh `orders` database on every run, so the demo always starts at 1.9. The table is
# Flyway's own DDL for PostgreSQL (as `flyway migrate` creates it; tests/cases/schema/fixtures/flyway-ddl.sql).
PGOPTIONS='-c client_min_messages=warning' pg_psql -d postgres \
  -c 'DROP DATABASE IF EXISTS orders' -c 'CREATE DATABASE orders' >/dev/null
pg_psql -d orders -f "$root/tests/cases/schema/fixtures/flyway-ddl.sql" >/dev/null
pg_psql -d orders >/dev/null <<'EOF'
INSERT INTO public.flyway_schema_history
    (installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success)
VALUES
    (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'flyway', now() - interval '9 days', 0, true),
    (2, '1.1', 'create orders',        'SQL', 'V1_1__create_orders.sql',        -1623147432, 'flyway', now() - interval '8 days', 38, true),
    (3, '1.2', 'create order items',   'SQL', 'V1_2__create_order_items.sql',     412853960, 'flyway', now() - interval '7 days', 25, true),
    (4, '1.3', 'add customer id',      'SQL', 'V1_3__add_customer_id.sql',       1093325217, 'flyway', now() - interval '6 days', 12, true),
    (5, '1.4', 'create payments',      'SQL', 'V1_4__create_payments.sql',       -874120565, 'flyway', now() - interval '5 days', 31, true),
    (6, '1.5', 'add order totals',     'SQL', 'V1_5__add_order_totals.sql',        27731904, 'flyway', now() - interval '4 days', 17, true),
    (7, '1.6', 'create shipments',     'SQL', 'V1_6__create_shipments.sql',     -1990358312, 'flyway', now() - interval '3 days', 29, true),
    (8, '1.7', 'add payment status',   'SQL', 'V1_7__add_payment_status.sql',     708447126, 'flyway', now() - interval '2 days', 14, true),
    (9, '1.8', 'create order events',  'SQL', 'V1_8__create_order_events.sql',   -55039911, 'flyway', now() - interval '1 day',  22, true),
    (10, '1.9', 'add email index',     'SQL', 'V1_9__add_email_index.sql',       1470532608, 'flyway', now() - interval '2 hours', 63, true);

-- The webhook reads with a role that can only SELECT the history table.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schemagate_ro') THEN
    CREATE ROLE schemagate_ro LOGIN;
  END IF;
END $$;
GRANT SELECT ON public.flyway_schema_history TO schemagate_ro;
EOF

umask 077
echo "host=$PGHOST port=$PGPORT user=schemagate_ro dbname=orders connect_timeout=2 application_name=schemagate" \
  >"$run/conninfo-orders"
chmod 600 "$run/conninfo-orders"
umask 022

cat >"$run/config.json" <<EOF
{
  "exempt_namespaces": ["kube-system", "schemagate-system"],
  "secrets": { "action": "deny" },
  "hygiene": { "action": "warn" },
  "schema":  { "action": "deny", "dry_run_action": "warn" },
  "databases": {
    "orders": {
      "tool": "flyway",
      "table": "public.flyway_schema_history",
      "conninfo_file": "$run/conninfo-orders",
      "namespaces": ["default", "shop", "shop-*"],
      "on_unreachable": "deny"
    }
  }
}
EOF

# ---------------------------------------------------------------------------- requests
# The server takes AdmissionReviews, as the apiserver sends them: wrap each example object.
mkdir -p "$run/review"
/usr/bin/python3 - "$root/examples" "$run/review" <<'EOF'
import json, os, sys, uuid
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    if not name.endswith(".json"):
        continue
    obj = json.load(open(os.path.join(src, name)))
    group, _, version = obj["apiVersion"].rpartition("/")
    kind = {"group": group, "version": version, "kind": obj["kind"]}
    resource = dict(kind, resource=obj["kind"].lower() + "s")
    del resource["kind"]
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": str(uuid.uuid4()), "kind": kind, "resource": resource,
        "requestKind": kind, "requestResource": resource,
        "name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace", "default"),
        "operation": "CREATE", "userInfo": {"username": "make-run", "groups": ["system:authenticated"]},
        "object": obj, "oldObject": None, "dryRun": False,
        "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}}}
    with open(os.path.join(dst, name), "w") as f:
        json.dump(review, f, indent=2)
        f.write("\n")
EOF

# ---------------------------------------------------------------------------- server
port=${listen##*:}
rel=${run#"$root"/}
curl_cmd="curl -sS --cacert $rel/certs/ca.crt -H 'Content-Type: application/json' https://localhost:$port/validate"
cat >&2 <<EOF

schemagate on https://$listen (metrics on http://$metrics), PostgreSQL on 127.0.0.1:$PGPORT.
Database "orders" (Flyway) is at 1.9; examples/ objects, wrapped as AdmissionReviews, are in $rel/review/.

  # denied: the Deployment requires orders@1.10, the history ends at 1.9
  $curl_cmd --data @$rel/review/deployment-requires-1.10.json
  # record migration 1.10 the way Flyway does, then ask again: allowed
  psql "host=127.0.0.1 port=$PGPORT user=postgres dbname=orders" -f examples/flyway-1.10.sql
  $curl_cmd --data @$rel/review/deployment-requires-1.10.json
  # denied: a literal FLYWAY_PASSWORD; allowed: the same Job with a secretKeyRef
  $curl_cmd --data @$rel/review/job-plaintext-password.json
  $curl_cmd --data @$rel/review/job-secret-ref.json
  # the same decisions offline, as CI runs them
  bin/schemagate review --config $rel/config.json examples/deployment-requires-1.10.json
  curl -s http://$metrics/metrics | grep ^schemagate_

Ctrl-C stops the server and the database.

EOF

"$bin/schemagate" serve --config "$run/config.json" \
  --tls-cert-file "$run/certs/tls.crt" --tls-private-key-file "$run/certs/tls.key" \
  --listen "$listen" --metrics-listen "$metrics" &
server=$!
# Ctrl-C or SIGTERM: let the server drain, then pg.sh's EXIT trap stops PostgreSQL.
stop_server() { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap 'stop_server; exit 130' INT
trap 'stop_server; exit 143' TERM
status=0
wait "$server" || status=$?
[ "$status" = 0 ] || say "schemagate exited with status $status"
exit "$status"
