#!/usr/bin/env bash
# config_check.sh - `schemagate config check FILE...` validates config files as serve loads them
# (README "Configure"): exit 0 when all are good, 1 when one is not, 2 on a usage error; every
# independent error of a file is reported, each as FILE:LINE: message, in line order; stdin
# with "-". Env: SCHEMAGATE_BIN_DIR, TEST_TMP.
set -euo pipefail

: "${SCHEMAGATE_BIN_DIR:?set SCHEMAGATE_BIN_DIR to the directory holding schemagate}"
: "${TEST_TMP:?set TEST_TMP to a scratch directory}"
SG="$SCHEMAGATE_BIN_DIR/schemagate"
[ -x "$SG" ] || { echo "not ok - $SG is not an executable; build it first"; exit 1; }
W=$(mktemp -d "$TEST_TMP/config_check.XXXXXX")
cd "$W"

failures=0
ok()     { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; sed 's/^/#   /' err | head -30; fi; }

# run ARGS...: schemagate config check ARGS; leaves out, err and rc.
run() {
  rc=0
  "$SG" config check "$@" <"${IN:-/dev/null}" >out 2>err || rc=$?
  if grep -q "Sanitizer" err; then not_ok "no sanitizer report for: config check $*"; sed 's/^/#   /' err | head -40; fi
}
has() { grep -qF -- "$1" err; }

cat >bad.json <<'JSON'
{
  "exempt_namespaces": ["kube-system"],
  "secrets": { "action": "block" },
  "hygeine": { "action": "warn" },
  "schema": {
    "action": "deny",
    "timeout_ms": 1,
    "pool_size": 100
  },
  "databases": {
    "orders": { "tool": "flyaway", "conninfo_file": "/x", "namespaces": ["shop"] },
    "Bad Name": { "tool": "flyway", "conninfo_file": "/x", "namespaces": ["shop"] },
    "billing": { "tool": "flyway", "conninfo_file": "/x", "namespaces": ["b"], "on_unreachable": "maybe" },
    "good": { "tool": "flyway", "conninfo_file": "/x", "namespaces": ["b"] }
  }
}
JSON
cat >good.json <<'JSON'
{
  "secrets": { "action": "warn", "exempt_workloads": ["monitoring/datadog-*"] },
  "schema": { "action": "deny", "dry_run_action": "warn", "timeout_ms": 2000 },
  "databases": {
    "orders": { "tool": "alembic", "conninfo_file": "/etc/schemagate/db/orders/conninfo", "namespaces": ["shop"],
                "on_unreachable": "allow", "alembic_down_revisions": {"a2": "a1", "a1": null} }
  }
}
JSON
printf '{\n  "secrets": {"action": "deny"},\n  "schema": [1,\n' >broken.json
cat >dup.json <<'JSON'
{"databases": {
  "a": {"tool": "flyway", "conninfo_file": "/x", "namespaces": ["s"]},
  "a": {"tool": "flyway", "conninfo_file": "/x", "namespaces": ["s"]}}}
JSON

run good.json
check "a good file: exit 0, reported ok" test "$rc" = 0 -a -n "$(grep -F 'good.json: ok (1 database)' out)"
run --quiet good.json
check "--quiet prints nothing for good files" test "$rc" = 0 -a ! -s out -a ! -s err
IN=good.json run -
check "- reads stdin, named <stdin>" test "$rc" = 0 -a -n "$(grep -F '<stdin>: ok' out)"

run bad.json
check "a bad file: exit 1" test "$rc" = 1
check "every independent error of the file, each with its line" eval \
  'has "bad.json:3: \"action\" must be \"deny\", \"warn\" or \"off\"" &&
   has "bad.json:4: unknown key \"hygeine\"" &&
   has "bad.json:7: \"timeout_ms\" must be a whole number from 50 to 9000" &&
   has "bad.json:8: \"pool_size\" must be a whole number from 1 to 64" &&
   has "bad.json:11: unknown tool \"flyaway\"" &&
   has "bad.json:12: database name \"Bad Name\"" &&
   has "bad.json:13: \"on_unreachable\" must be \"deny\" or \"allow\""'
check "errors in line order, one line each, and a summary" eval \
  '[ "$(grep -c "^schemagate: bad.json:" err)" = 7 ] &&
   [ "$(grep -o "^schemagate: bad.json:[0-9]*" err | cut -d: -f3 | paste -sd,)" = "3,4,7,8,11,12,13" ] &&
   has "configuration check failed: 7 errors in 1 of 1 file"'

run good.json bad.json broken.json dup.json missing.json
check "several files: exit 1, each file's errors, good files still reported ok" eval \
  '[ "$rc" = 1 ] && grep -qF "good.json: ok" out && has "broken.json:4: not valid JSON" &&
   has "dup.json:1: database \"a\" is defined twice" && has "missing.json: cannot read config" &&
   has "10 errors in 4 of 5 files"'

: >empty.json
run empty.json
check "an empty file is an error with its line" test "$rc" = 1 -a -n "$(grep -F 'empty.json:1: not valid JSON' err)"
echo '["not", "an", "object"]' >array.json
run array.json
check "a JSON array is an error" test "$rc" = 1 -a -n "$(grep -F 'array.json:1: the config must be a JSON object' err)"

python3 -c 'import json; print(json.dumps({"schema": {f"k{i}": i for i in range(100)}}, indent=1))' >many.json
run many.json
check "a file with very many errors: the first 64, then a note, and no false total" eval \
  '[ "$rc" = 1 ] && [ "$(grep -c "unknown key" err)" = 64 ] && has "more errors not shown" &&
   has "failed: more than 64 errors in 1 of 1 file"'
printf '{"sec\\"rets": {"a": 1}, "schema": {"pool_size": [1, {"a": "}"}]},\n "databases": {"x": 5, "y": []}}' >odd.json
run odd.json
check "escaped keys, brackets inside strings, non-object databases" eval \
  '[ "$rc" = 1 ] && has "odd.json:1: unknown key" && has "odd.json:1: \"pool_size\" must be a whole number" &&
   has "odd.json:2: database \"x\" must be an object" && has "odd.json:2: database \"y\" must be an object"'

run
check "no file: usage, exit 2" test "$rc" = 2 -a -n "$(grep -F 'usage: schemagate config check' err)"
run --bogus good.json
check "unknown option: exit 2" test "$rc" = 2
rc=0; "$SG" config >out 2>err || rc=$?
check "schemagate config without check: exit 2" test "$rc" = 2

# Whatever check accepts, serve's loader accepts: review --config loads the same way.
echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"x"},"data":{}}' >cm.json
rc=0; "$SG" review --config good.json cm.json >out 2>err || rc=$?
check "a file config check accepts loads in schemagate review --config" test "$rc" = 0
rc=0; "$SG" review --config bad.json cm.json >out 2>err || rc=$?
check "a file config check refuses is refused by the loader too (exit 2)" test "$rc" = 2

echo "checks: $failures failed"
[ "$failures" -eq 0 ]
