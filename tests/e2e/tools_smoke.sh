#!/usr/bin/env bash
# sanitizer-build: not needed
# Every runnable migration tool, for real, against a throwaway PostgreSQL (tests/lib/tools.sh):
# install, make a two-step project, apply step 1, fail step 2, apply step 2; after each stage the
# the webhook's question in SQL must agree, and the rows must be spelled as documented.
# A tool that cannot be installed or run is a "not ok", never a skip.
set -uo pipefail
root=${SCHEMAGATE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=${TEST_TMP:-$(mktemp -d)}
source "$root/tests/lib/pg.sh"
source "$root/tests/lib/tools.sh"

failures=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

# "t"/"f" for steps 1 and 2, e.g. "tf" = step 1 applied, step 2 not.
applied_pair() { echo "$(tools_applied "$1" 1)$(tools_applied "$1" 2)"; }

# What the history table holds after both steps, one key per line, in the tool's own spelling.
stored_rows() {   # NAME
  local db=${TOOLS_DB[$1]} q
  case $1 in
    dbmate|activerecord) q='SELECT version FROM public.schema_migrations ORDER BY version' ;;
    knex)            q='SELECT name FROM public.knex_migrations ORDER BY id' ;;
    node-pg-migrate) q='SELECT name FROM public.pgmigrations ORDER BY id' ;;
    sequelize-cli)   q='SELECT name FROM public."SequelizeMeta" ORDER BY name' ;;
    liquibase)       q="SELECT id || ' ' || exectype || ' ' || coalesce(tag, '-') FROM public.databasechangelog
                        ORDER BY dateexecuted, orderexecuted" ;;
    sqitch)          q="SELECT tag FROM sqitch.tags WHERE project = 'sg' ORDER BY committed_at" ;;
    alembic)         q='SELECT version_num FROM public.alembic_version' ;;
    django)          q="SELECT app || ':' || name FROM public.django_migrations ORDER BY id" ;;
  esac
  pg_psql -d "$db" -tAc "$q"
}

declare -A expected_rows=(
  [dbmate]=$'20240101000001\n20240101000002'
  [activerecord]=$'20240101000001\n20240101000002'
  [knex]=$'20240101000001_step1.js\n20240101000002_step2.js'
  [node-pg-migrate]=$'20240101000001_step1\n20240101000002_step2'
  [sequelize-cli]=$'20240101000001-step1.js\n20240101000002-step2.js'
  [liquibase]=$'step1 EXECUTED -\ntag-v1 EXECUTED v1\nstep2 EXECUTED -\ntag-v2 EXECUTED v2'
  [sqitch]=$'@v1\n@v2'
  [alembic]=aa0000000002
  [django]=$'shop:0001_step1\nshop:0002_step2'
)

# Phases of one tool; the first that fails ends that tool's run (the rest would only cascade).
smoke_tool() {   # NAME
  local name=$1 u=${1//-/_} got
  if ! tools_install "$name" 2>"$tmp/install-$name.log"; then
    not_ok "$name: install (scripts/install-tools.sh $name): $(tail -n 3 "$tmp/install-$name.log" | tr '\n' ' ')"
    return
  fi
  if ! "tool_${u}_init" "sg_$u" "$tmp/$name" 2>"$tmp/init-$name.log"; then
    not_ok "$name: init: $(tail -n 3 "$tmp/init-$name.log" | tr '\n' ' ')"; return
  fi
  got=$(applied_pair "$name")
  [ "$got" = ff ] || { not_ok "$name: nothing applied before the first migration (got $got)"; return; }

  "tool_${u}_migrate_to" 1 || { not_ok "$name: migrate to step 1"; return; }
  got=$(applied_pair "$name")
  [ "$got" = tf ] || { not_ok "$name: after step 1, $(tools_ref "$name" 1) applied and $(tools_ref "$name" 2) not (got $got)"; return; }

  "tool_${u}_fail" || { not_ok "$name: the failing step 2 is reported as a failure by the tool"; return; }
  got=$(applied_pair "$name")
  [ "$got" = tf ] || { not_ok "$name: a failed step 2 is not recorded as applied (got $got)"; return; }

  "tool_${u}_migrate_to" 2 || { not_ok "$name: migrate to step 2 after fixing it"; return; }
  got=$(applied_pair "$name")
  [ "$got" = tt ] || { not_ok "$name: after step 2 both refs applied (got $got)"; return; }

  got=$(stored_rows "$name")
  [ "$got" = "${expected_rows[$name]}" ] ||
    { not_ok "$name: history rows spelled as documented (got: ${got//$'\n'/, })"; return; }
  ok "$name $(tool_version "$name"): none, step 1, failed step 2, step 2 as expected in $(tools_table "$name"); refs $(tools_ref "$name" 1), $(tools_ref "$name" 2)"
}

tool_version() {   # the npm spec installed, or the Debian package's version
  local pkg
  case $1 in
    sqitch) pkg=sqitch ;; alembic) pkg=python3-alembic ;; django) pkg=python3-django ;;
    activerecord) pkg=ruby-activerecord ;;
    *) awk '{print $1}' "${SCHEMAGATE_TOOLS_DIR:-$root/.tools}/stamps/$1" 2>/dev/null; return ;;
  esac
  echo "$pkg=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null)"
}

pg_start "$tmp/pg" || { echo "not ok - PostgreSQL harness did not start"; exit 1; }

for name in "${TOOLS_NAMES[@]}"; do
  start=$SECONDS
  smoke_tool "$name"
  echo "# $name took $((SECONDS - start)) s"
done

# Extra facts the gate relies on, seen with the real tools above.
if [ "$(pg_psql -d sg_sqitch -tAc "SELECT count(*) FROM sqitch.events WHERE event = 'fail' AND change = 'step2'")" = 1 ]; then
  ok "sqitch: the failed deploy left a 'fail' event and no change row"
else
  not_ok "sqitch: the failed deploy left a 'fail' event"
fi

[ "$failures" -eq 0 ]
