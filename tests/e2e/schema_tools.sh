#!/usr/bin/env bash
# The schema gate against the nine migration tools that run here, for real (tests/lib/tools.sh):
# for each, `schemagate review` denies before the migration, denies after a failed migration
# with the right words, and admits once the tool has applied it. A tool that cannot be
# installed or run is a "not ok", never a skip. With TOOLS_ENGINE=mysql (schema_tools_mysql.sh)
# the same against MariaDB, for the eight tools that run there, with a read-only user whose
# password must never show in the gate's output.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SCHEMAGATE_BIN_DIR:-$root/bin}
tmp=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"
source "$root/tests/lib/mariadb.sh"
source "$root/tests/lib/tools.sh"
reader_pw=sg-reader-pw-91d2

failures=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

# A Deployment from kubectl carrying the requirement.
kubectl create deployment api --image=registry.example/api:2.0.0 -n shop --dry-run=client -o json \
  >"$tmp/deployment.json" || { echo "not ok - kubectl create deployment"; exit 1; }

config_for() {   # NAME -> writes $tmp/NAME.config.json for database "app"
  local name=$1 extra=""
  local engine=""
  if tools__mysql; then
    echo "mysql://sg_reader:$reader_pw@127.0.0.1:$MYPORT/${TOOLS_DB[$name]}" >"$tmp/$name.conninfo"
    engine='"engine": "mysql", '
  else
    pg_conninfo "${TOOLS_DB[$name]}" >"$tmp/$name.conninfo"
  fi
  case $name in
    sqitch)  extra=', "project": "sg"' ;;
    alembic) extra=', "alembic_down_revisions": {"aa0000000002": "aa0000000001", "aa0000000001": null}' ;;
  esac
  cat >"$tmp/$name.config.json" <<JSON
{"databases": {"app": {${engine}"tool": "$(tools_config_tool "$name")", "table": "$(tools_table "$name" | sed 's/"/\\"/g')",
  "conninfo_file": "$tmp/$name.conninfo", "namespaces": ["shop"]$extra}}}
JSON
  # sqitch's table setting names the registry schema; its default (sqitch.changes) is the same.
  [ "$name" = sqitch ] && sed -i 's/"table": "[^"]*", //' "$tmp/$name.config.json"
  return 0
}

# review NAME STEP -> sets $decision (allowed/denied/error) and $message
review() {
  local name=$1 ref; ref=$(tools_ref "$1" "$2")
  /usr/bin/python3 - "$tmp/deployment.json" "app@$ref" >"$tmp/object.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o["metadata"]["annotations"] = {"schemagate.io/requires": sys.argv[2]}
print(json.dumps(o))
PY
  "$bin/schemagate" review -o json --config "$tmp/$name.config.json" "$tmp/object.json" >"$tmp/out.json" 2>"$tmp/err.txt"
  case $? in 0) decision=allowed ;; 1) decision=denied ;; *) decision=error ;; esac
  if grep -q -e "$reader_pw" "$tmp/out.json" "$tmp/err.txt"; then decision=leaked; fi
  message=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["review"]["response"].get("status",{}).get("message",""))' "$tmp/out.json" 2>/dev/null)
}

expect() {   # NAME WHAT STEP WANT [SUBSTRING...]
  local name=$1 what=$2 step=$3 want=$4; shift 4
  review "$name" "$step"
  if [ "$decision" != "$want" ]; then
    not_ok "$name: $what: requires $(tools_ref "$name" "$step") -> $decision, expected $want ($message $(head -c 300 "$tmp/err.txt"))"
    return 1
  fi
  local s
  for s in "$@"; do
    [[ $message == *"$s"* ]] || { not_ok "$name: $what: message lacks \"$s\": $message"; return 1; }
  done
  return 0
}

# What a denial after the failed step 2 must say: sqitch records the failure, the others
# leave no row for it, so the gate names the last good migration and the migration Job.
fail_words() {
  case $1 in
    sqitch) echo "migration step2 failed|sqitch deploy" ;;
    *) echo "the latest successful migration is $(tools_ref "$1" 1)|run the migration Job first" ;;
  esac
}

gate_tool() {
  local name=$1 u=${1//-/_}
  tools_install "$name" 2>"$tmp/install-$name.log" ||
    { not_ok "$name: install: $(tail -n 3 "$tmp/install-$name.log" | tr '\n' ' ')"; return; }
  "tool_${u}_init" "gate_$u" "$tmp/$name" 2>"$tmp/init-$name.log" ||
    { not_ok "$name: init: $(tail -n 3 "$tmp/init-$name.log" | tr '\n' ' ')"; return; }
  config_for "$name"
  expect "$name" "before any migration" 1 denied "requires app@" "run the migration Job first" || return
  "tool_${u}_fail" 2>>"$tmp/init-$name.log" || { not_ok "$name: the tool reports the failing step 2"; return; }
  expect "$name" "step 1 applied" 1 allowed || return
  local words; IFS='|' read -ra words <<<"$(fail_words "$name")"
  expect "$name" "after the failed step 2" 2 denied "${words[@]}" || return
  "tool_${u}_migrate_to" 2 2>>"$tmp/init-$name.log" || { not_ok "$name: migrate to step 2"; return; }
  expect "$name" "after step 2" 2 allowed || return
  expect "$name" "step 1 still counts after step 2" 1 allowed || return
  ok "$name: denied before, denied after the failed migration (${words[0]}), admitted after it"
}

if tools__mysql; then
  my_start "$tmp/mariadb" || { echo "not ok - MariaDB harness did not start"; exit 1; }
  # The gate's user: SELECT only, as manifests/db/ grants it.
  my_sql <<SQL || { echo "not ok - create the read-only user"; exit 1; }
CREATE USER IF NOT EXISTS 'sg_reader'@'%' IDENTIFIED BY '$reader_pw';
GRANT SELECT ON *.* TO 'sg_reader'@'%';
SQL
else
  pg_start "$tmp/pg" || { echo "not ok - PostgreSQL harness did not start"; exit 1; }
fi
for name in $(tools_names); do
  start=$SECONDS
  gate_tool "$name"
  echo "# $name took $((SECONDS - start)) s"
done
[ "$failures" -eq 0 ]
