# tests/lib/pg.sh - a throwaway PostgreSQL 15 for tests and `make run`; source it, do not run it.
# pg_start DIR creates (initdb) or reuses a cluster in DIR, listening on 127.0.0.1 on a free port
# with trust auth on loopback only, and exports PGHOST/PGPORT/PGUSER; an EXIT trap stops it.
#
#   pg_start DIR      initdb (first time) + start; exports PGHOST PGPORT PGUSER; sets PG_DIR
#   pg_stop [DIR]     fast shutdown; safe to call twice or on a cluster that never started
#   pg_restart [DIR]  fast restart on the same port (connections are dropped)
#   pg_psql ARGS...   psql -X -v ON_ERROR_STOP=1 against the last started cluster (db postgres)
#   pg_conninfo [DB]  libpq conninfo string for the last started cluster
#   pg_createdb DB    create a database (no error if it exists)
#   pg_running DIR    true if a server is running on the cluster in DIR (from any shell)
#
# Do not call pg_start inside $( ) or ( ): the cleanup trap belongs to the shell that calls it.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_DIRS=()            # every cluster this shell started, for the exit trap
PG_DIR=               # the last cluster started
PG__TRAP_SET=

# Run a PostgreSQL binary as its owner: the postgres user when we are root, ourselves otherwise.
pg__as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Ports: ask the kernel for a free one by binding port 0 on loopback.
pg__free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# When root, the postgres user must own DIR and be able to reach it through every parent
# directory (mktemp -d makes 0700 directories owned by root).
pg__prepare_dir() {
  local dir=$1
  mkdir -p "$dir" || return 1
  [ "$(id -u)" = 0 ] || return 0
  chown postgres: "$dir" && chmod 700 "$dir" || return 1
  local d=$dir
  while d=$(dirname "$d") && [ "$d" != / ]; do
    runuser -u postgres -- test -x "$d" 2>/dev/null && continue
    chmod o+x "$d" || return 1
  done
}

pg__initdb() {
  local dir=$1 port
  pg__as_owner "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
      --no-sync --no-instructions >"$dir/initdb.log" 2>&1 || {
    echo "pg.sh: initdb failed in $dir/data:" >&2; cat "$dir/initdb.log" >&2; return 1; }
  # Trust only over loopback TCP and the private socket directory; nothing listens elsewhere.
  pg__as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<'EOF'
local all all trust
host  all all 127.0.0.1/32 trust
EOF
  pg__as_owner mkdir -p "$dir/sock"
  pg__as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
# pg.sh: throwaway test cluster; durability is not wanted here, speed is.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 50
log_min_messages = warning
EOF
}

pg__pg_ctl() {
  local dir=$1; shift
  pg__as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 "$@" >/dev/null
}

pg__on_exit() {
  local d
  for d in "${PG_DIRS[@]}"; do pg_stop "$d" 2>/dev/null; done
}

pg__install_trap() {
  [ -n "$PG__TRAP_SET" ] && return 0
  PG__TRAP_SET=1
  # Keep whatever EXIT trap the caller already had, and run ours after it.
  local prev; prev=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  trap "${prev:+$prev;} pg__on_exit" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# A watchdog that stops the cluster if the calling shell dies without running its traps
# (SIGKILL): it polls the shell's pid once a second.
pg__watchdog() {
  local dir=$1 owner=$$
  ( trap '' INT TERM HUP
    while kill -0 "$owner" 2>/dev/null; do sleep 1; done
    [ -f "$dir/data/postmaster.pid" ] && pg__as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate stop
  ) >/dev/null 2>&1 </dev/null &
  disown $! 2>/dev/null || true
}

pg_start() {
  local dir=${1:?usage: pg_start DIR}
  dir=$(realpath -m "$dir")
  pg__prepare_dir "$dir" || { echo "pg.sh: cannot prepare $dir for the postgres user" >&2; return 1; }
  [ -f "$dir/data/PG_VERSION" ] || pg__initdb "$dir" || return 1
  pg__install_trap
  local port attempt
  for attempt in 1 2 3; do
    # Reuse the port a previous start chose, so a stopped cluster comes back where it was.
    port=$(cat "$dir/port" 2>/dev/null) || port=
    [ -n "$port" ] && [ "$attempt" = 1 ] || port=$(pg__free_port) || return 1
    echo "$port" >"$dir/port"
    if pg__pg_ctl "$dir" -o "-p $port" start; then
      PG_DIRS+=("$dir"); PG_DIR=$dir
      export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
      pg__watchdog "$dir"
      return 0
    fi
  done
  echo "pg.sh: PostgreSQL did not start in $dir; server log:" >&2
  tail -n 20 "$dir/server.log" >&2
  return 1
}

pg_stop() {
  local dir=${1:-$PG_DIR}
  [ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ] || return 0
  pg__pg_ctl "$dir" -m fast stop || {
    echo "pg.sh: fast stop failed in $dir; using immediate" >&2
    pg__pg_ctl "$dir" -m immediate stop
  }
}

pg_restart() {
  local dir=${1:-$PG_DIR}
  [ -n "$dir" ] || { echo "pg.sh: pg_restart: no cluster" >&2; return 1; }
  pg__pg_ctl "$dir" -m fast -o "-p $(cat "$dir/port")" restart
}

pg_running() {
  local dir=${1:?usage: pg_running DIR}
  [ -f "$dir/data/postmaster.pid" ] && pg__as_owner "$PG_BINDIR/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

pg_psql() {
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:?pg_start first}" \
      -U "${PGUSER:-postgres}" -d "${PGDATABASE:-postgres}" "$@"
}

pg_conninfo() {
  echo "host=${PGHOST:-127.0.0.1} port=${PGPORT:?pg_start first} user=${PGUSER:-postgres} dbname=${1:-postgres}"
}

pg_createdb() {
  local db=${1:?usage: pg_createdb DB}
  [ "$(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ] && return 0
  pg_psql -d postgres -c "CREATE DATABASE \"$db\""
}
