#!/usr/bin/env bash
# review_yaml.sh - `schemagate review` reads YAML as it reads JSON: every tests/data/yaml/X.yaml
# (kubectl- and Helm-style objects) gives the same answer and exit code as X.json, from a file
# and from stdin; bad YAML (and an alias bomb) exits 2 with a message naming the line. Env: SCHEMAGATE_BIN_DIR,
# SCHEMAGATE_ROOT, TEST_TMP.
set -euo pipefail

: "${SCHEMAGATE_BIN_DIR:?set SCHEMAGATE_BIN_DIR to the directory holding schemagate}"
: "${SCHEMAGATE_ROOT:?set SCHEMAGATE_ROOT to the repository root}"
: "${TEST_TMP:?set TEST_TMP to a scratch directory}"
SG="$SCHEMAGATE_BIN_DIR/schemagate"
[ -x "$SG" ] || { echo "not ok - $SG is not an executable; build it first"; exit 1; }
DATA="$SCHEMAGATE_ROOT/tests/data/yaml"
WORK=$(mktemp -d "$TEST_TMP/review_yaml.XXXXXX")

failures=0
ok()     { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failures=$((failures + 1)); }

# review NAME ARGS...: runs `schemagate review -o json ARGS` (stdin from $IN if set); leaves
# $WORK/NAME.out (the AdmissionReview responses of the objects, one a line), $WORK/NAME.err and
# $WORK/NAME.rc. A sanitizer report is always a failure.
review() {
  local name=$1; shift
  local rc=0
  "$SG" review -o json "$@" <"${IN:-/dev/null}" >"$WORK/$name.json" 2>"$WORK/$name.err" || rc=$?
  echo "$rc" >"$WORK/$name.rc"
  /usr/bin/python3 -c 'import json,sys
for r in json.load(open(sys.argv[1])):
    if "review" in r: print(json.dumps(r["review"], sort_keys=True))' "$WORK/$name.json" >"$WORK/$name.out" 2>/dev/null || true
  if grep -q "Sanitizer" "$WORK/$name.err"; then
    not_ok "no sanitizer report for: schemagate review $*"
    sed 's/^/#   /' "$WORK/$name.err" | head -40
  fi
}

pairs=0
for yaml in "$DATA"/*.yaml; do
  base=$(basename "$yaml" .yaml)
  json="$DATA/$base.json"
  [ -f "$json" ] || { not_ok "$base.yaml has a JSON twin"; continue; }
  pairs=$((pairs + 1))
  review "$base.json" "$json"
  review "$base.yaml" "$yaml"
  IN=$yaml review "$base.stdin" -
  rc_json=$(cat "$WORK/$base.json.rc")
  rc_yaml=$(cat "$WORK/$base.yaml.rc")
  if [ "$rc_json" != 2 ] && [ "$rc_json" = "$rc_yaml" ] && cmp -s "$WORK/$base.json.out" "$WORK/$base.yaml.out"; then
    ok "$base: YAML gives the JSON's stdout and exit code ($rc_yaml)"
  else
    not_ok "$base: YAML gives the JSON's stdout and exit code (json $rc_json, yaml $rc_yaml)"
    diff "$WORK/$base.json.out" "$WORK/$base.yaml.out" | sed 's/^/#   /' | head -20
    sed 's/^/#   /' "$WORK/$base.yaml.err" | head -5
  fi
  if [ "$(cat "$WORK/$base.stdin.rc")" = "$rc_yaml" ] && cmp -s "$WORK/$base.stdin.out" "$WORK/$base.yaml.out"; then
    ok "$base: YAML on stdin gives the same"
  else
    not_ok "$base: YAML on stdin gives the same"
  fi
done
[ "$pairs" -ge 10 ] && ok "$pairs YAML/JSON pairs checked" || not_ok "at least 10 YAML/JSON pairs (found $pairs)"

# bad NAME WANT...: $WORK/NAME.yaml must exit 2 with every WANT in its message.
bad() {
  local name=$1; shift
  review "$name" "$WORK/$name.yaml"
  local rc; rc=$(cat "$WORK/$name.rc")
  local missing=""
  for want in "$@"; do grep -qF -- "$want" "$WORK/$name.err" || missing="$missing [$want]"; done
  if [ "$rc" = 2 ] && [ -z "$missing" ] && [ ! -s "$WORK/$name.out" ] && grep -q '"result":.*"error"' "$WORK/$name.json"; then
    ok "bad YAML ($name) exits 2 naming the line"
  else
    not_ok "bad YAML ($name) exits 2 naming the line (rc $rc, missing:$missing)"
    sed 's/^/#   /' "$WORK/$name.err" | head -5
  fi
}

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n   namespace: shop\n' >"$WORK/indent.yaml"
bad indent "$WORK/indent.yaml: line 5, column 13" "check the indentation"

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: settings\n' >"$WORK/tab.yaml"
bad tab "line 4" "tab"

{ cat "$DATA/configmap.yaml"; echo "---"; cat "$DATA/secret.yaml"; } >"$WORK/two.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n' >"$WORK/bomb.yaml"
for i in 1 2 3 4 5 6 7 8 9; do
  printf '  a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n' $i $i $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) $((i-1)) >>"$WORK/bomb.yaml"
done
bad bomb "$WORK/bomb.yaml: line 11" "alias bomb"

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "1"\n  a: "2"\n' >"$WORK/duplicate.yaml"
bad duplicate "line 7" "duplicate key \"a\""

printf 'apiVersion: v1\nkind: ConfigMap\ndata:\n  script: "unterminated\n' >"$WORK/quote.yaml"
bad quote "starts on line 4" "never closed"

echo "# $failures failure(s)"
[ "$failures" -eq 0 ]
