#!/usr/bin/env bash
# Installs the real migration tools the schema-gate tests drive: npm packages into the ignored
# .tools/ cache (one prefix per tool, linked into .tools/bin), Debian packages system-wide.
# Idempotent: a stamp per tool records what was installed, so a second run does nothing.
#
#   scripts/install-tools.sh            install every tool
#   scripts/install-tools.sh dbmate ... install only the named tools
#   scripts/install-tools.sh --list     list the tool names
#
# Exit status is non-zero if any requested tool could not be installed; the others still are.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools_dir=${SCHEMAGATE_TOOLS_DIR:-$root/.tools}
stamps=$tools_dir/stamps

# name | kind | packages (npm specs or Debian package names) | the executable that proves it works
catalog=(
  "dbmate|npm|dbmate@2.36.0|node_modules/.bin/dbmate"
  "knex|npm|knex@3.3.0 pg@8.23.1 mysql2@3.11.5|node_modules/.bin/knex"
  "node-pg-migrate|npm|node-pg-migrate@9.0.0 pg@8.23.1|node_modules/.bin/node-pg-migrate"
  "sequelize-cli|npm|sequelize-cli@6.6.5 sequelize@6.37.8 pg@8.23.1 mysql2@3.11.5|node_modules/.bin/sequelize"
  "liquibase|npm|liquibase@4.28.1|node_modules/liquibase/dist/liquibase/liquibase"
  "sqitch|apt|sqitch libdbd-pg-perl libdbd-mariadb-perl mariadb-client|/usr/bin/sqitch"
  "alembic|apt|python3-alembic python3-psycopg2 python3-mysqldb|/usr/bin/python3"
  "django|apt|python3-django python3-psycopg2 python3-mysqldb|/usr/bin/python3"
  "activerecord|apt|ruby-activerecord ruby-pg ruby-mysql2|/usr/bin/ruby"
)

say()  { echo "install-tools: $*" >&2; }
fail() { say "ERROR: $*"; return 1; }

entry() {
  local e
  for e in "${catalog[@]}"; do [ "${e%%|*}" = "$1" ] && { echo "$e"; return 0; }; done
  return 1
}

stamp_ok() {   # name spec
  [ "$(cat "$stamps/$1" 2>/dev/null)" = "$2" ]
}

install_npm() {   # name specs exe
  local name=$1 specs=$2 exe=$3 prefix=$tools_dir/npm/$1
  command -v npm >/dev/null || { fail "$name: npm is not installed (apt-get install npm)"; return 1; }
  mkdir -p "$prefix" "$tools_dir/bin"
  [ -f "$prefix/package.json" ] || echo '{"private": true}' >"$prefix/package.json"
  say "$name: npm install $specs"
  # dbmate's binary is an optional dependency (@dbmate/linux-x64) that needs no install script;
  # --include=optional keeps it even where npm is configured to omit optional packages.
  # shellcheck disable=SC2086
  if ! (cd "$prefix" && npm install --no-audit --no-fund --loglevel=error --include=optional \
          --save-exact $specs) >"$prefix/install.log" 2>&1; then
    fail "$name: npm install failed; log: $prefix/install.log"; tail -n 15 "$prefix/install.log" >&2
    return 1
  fi
  [ -x "$prefix/$exe" ] || { fail "$name: $prefix/$exe missing after npm install"; return 1; }
  ln -sfn "$prefix/$exe" "$tools_dir/bin/$(basename "$exe")"
}

apt_missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

install_apt() {   # name packages exe
  local name=$1 exe=$3 missing
  # shellcheck disable=SC2086
  missing=$(apt_missing $2 | tr '\n' ' ')
  if [ -n "${missing// }" ]; then
    if [ "$(id -u)" != 0 ]; then
      fail "$name: missing Debian packages: $missing(run as root, or: sudo apt-get install $missing)"
      return 1
    fi
    # Update the package lists only when a package is missing, and only once per run.
    if [ -z "${apt_updated:-}" ]; then
      say "apt-get update"
      apt-get update -qq >/dev/null 2>&1 || say "warning: apt-get update failed; trying the old lists"
      apt_updated=1
    fi
    say "$name: apt-get install $missing"
    # shellcheck disable=SC2086
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
          >"$tools_dir/apt-$name.log" 2>&1; then
      fail "$name: apt-get install failed; log: $tools_dir/apt-$name.log"
      tail -n 15 "$tools_dir/apt-$name.log" >&2
      return 1
    fi
  fi
  [ -x "$exe" ] || { fail "$name: $exe missing"; return 1; }
}

# Each tool's own smoke command: the stamp is written only after it ran.
verify() {   # name
  local b=$tools_dir/bin
  case $1 in
    dbmate)          "$b/dbmate" --version ;;
    knex)            (cd "$tools_dir/npm/knex" && node -e 'require("mysql2")' && "$b/knex" --version) ;;
    node-pg-migrate) (cd "$tools_dir/npm/node-pg-migrate" && node -e 'require("pg")' &&
                      echo "node-pg-migrate $(node -p 'require("./node_modules/node-pg-migrate/package.json").version')" &&
                      "$b/node-pg-migrate" --help >/dev/null) ;;
    sequelize-cli)   (cd "$tools_dir/npm/sequelize-cli" && node -e 'require("mysql2")' && "$b/sequelize" --version) ;;
    liquibase)       command -v java >/dev/null || { echo "liquibase needs Java 17: apt-get install openjdk-17-jre-headless"; return 1; }
                     "$b/liquibase" --version | grep -m1 'Liquibase Version' ;;
    sqitch)          sqitch --version && perl -MDBD::Pg -e 1 && perl -MDBD::MariaDB -e 1 ;;
    alembic)         /usr/bin/python3 -c 'import alembic, psycopg2, MySQLdb; print("alembic", alembic.__version__)' ;;
    django)          /usr/bin/python3 -c 'import django, psycopg2, MySQLdb; print("django", django.get_version())' ;;
    activerecord)    ruby -e 'require "active_record"; require "pg"; require "mysql2"; puts "activerecord #{ActiveRecord::VERSION::STRING}"' ;;
  esac
}

install_one() {   # name
  local e kind spec exe
  e=$(entry "$1") || { fail "unknown tool '$1' (see --list)"; return 1; }
  IFS='|' read -r _ kind spec exe <<<"$e"
  # The stamp says what was installed; the package check catches a removal since then.
  if stamp_ok "$1" "$spec"; then
    case $kind in
      npm) [ -x "$tools_dir/npm/$1/$exe" ] && return 0 ;;
      apt) [ -z "$(apt_missing $spec)" ] && return 0 ;;  # word splitting wanted: a package list
    esac
  fi
  case $kind in
    npm) install_npm "$1" "$spec" "$exe" || return 1 ;;
    apt) install_apt "$1" "$spec" "$exe" || return 1 ;;
  esac
  local out
  if ! out=$(verify "$1" 2>&1); then
    fail "$1: installed, but its smoke command failed:"; echo "$out" | tail -n 15 >&2
    return 1
  fi
  say "$1: ok ($(echo "$out" | grep -m1 -iE '[0-9]+\.[0-9]+' | tr -s ' ' | cut -c1-60))"
  mkdir -p "$stamps" && echo "$spec" >"$stamps/$1"
}

if [ "${1:-}" = --list ]; then
  for e in "${catalog[@]}"; do echo "${e%%|*}"; done
  exit 0
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || for e in "${catalog[@]}"; do names+=("${e%%|*}"); done

mkdir -p "$tools_dir"
failed=()
for n in "${names[@]}"; do install_one "$n" || failed+=("$n"); done
if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED: ${failed[*]}"
  exit 1
fi
