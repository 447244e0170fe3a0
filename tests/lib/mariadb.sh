# tests/lib/mariadb.sh - a throwaway MariaDB server for tests, the counterpart of pg.sh; source
# it, do not run it. my_start DIR installs (first time) or reuses a data directory in DIR and
# runs mariadbd as the mysql user on 127.0.0.1, a free port and a socket in DIR, with grants on;
# it creates an admin user for the fixtures and exports MYHOST/MYPORT/MYUSER/MYPASSWORD/MYSOCK.
#
#   my_start DIR      install (first time) + start; exports the variables above; sets MY_DIR
#   my_stop [DIR]     shutdown; safe to call twice or on a server that never started
#   my_restart [DIR]  stop and start on the same port (connections are dropped)
#   my_sql ARGS...    the mariadb client as the admin user over the socket (reads SQL on stdin)
#   my_conninfo [DB]  a key=value conninfo for the admin user (password included)
#   my_running DIR    true if a server is running on DIR
#
# Do not call my_start inside $( ) or ( ): the cleanup trap belongs to the shell that calls it.

MY_DIRS=()
MY_DIR=
MY__TRAP_SET=
MYUSER=sgadmin
MYPASSWORD=sg-admin-pw-5c1e

my__as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u mysql -- "$@"; else "$@"; fi
}

my__free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

my__prepare_dir() {
  local dir=$1
  mkdir -p "$dir" || return 1
  [ "$(id -u)" = 0 ] || return 0
  chown mysql: "$dir" && chmod 700 "$dir" || return 1
  local d=$dir
  while d=$(dirname "$d") && [ "$d" != / ]; do
    runuser -u mysql -- test -x "$d" 2>/dev/null && continue
    chmod o+x "$d" || return 1
  done
}

my__install() {
  local dir=$1
  my__as_owner mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=socket \
      --skip-test-db >"$dir/install.log" 2>&1 || {
    echo "mariadb.sh: mariadb-install-db failed in $dir/data:" >&2; tail -n 20 "$dir/install.log" >&2; return 1; }
}

my__on_exit() {
  local d
  for d in "${MY_DIRS[@]}"; do my_stop "$d" 2>/dev/null; done
}

my__install_trap() {
  [ -n "$MY__TRAP_SET" ] && return 0
  MY__TRAP_SET=1
  local prev; prev=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  trap "${prev:+$prev;} my__on_exit" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Stops the server if the calling shell dies without running its traps (SIGKILL).
my__watchdog() {
  local dir=$1 owner=$$
  ( trap '' INT TERM HUP
    while kill -0 "$owner" 2>/dev/null; do sleep 1; done
    [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")"
  ) >/dev/null 2>&1 </dev/null &
  disown $! 2>/dev/null || true
}

# Starts mariadbd on $dir/port and waits until its socket answers: 0, or 1 after 30 s.
my__launch() {
  local dir=$1 port=$2 i
  rm -f "$dir/sock" "$dir/pid"
  my__as_owner /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$dir/data" --port="$port" \
      --socket="$dir/sock" --bind-address=127.0.0.1 --pid-file="$dir/pid" --log-error="$dir/server.log" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=32M --innodb-flush-log-at-trx-commit=0 \
      --innodb-doublewrite=0 --max-connections=100 --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_general_ci </dev/null >/dev/null 2>&1 &
  for i in $(seq 1 300); do
    [ -S "$dir/sock" ] && mariadb --no-defaults -S "$dir/sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

my_start() {
  local dir=${1:?usage: my_start DIR}
  dir=$(realpath -m "$dir")
  my__prepare_dir "$dir" || { echo "mariadb.sh: cannot prepare $dir for the mysql user" >&2; return 1; }
  [ -d "$dir/data/mysql" ] || my__install "$dir" || return 1
  my__install_trap
  local port attempt
  for attempt in 1 2 3; do
    port=$(cat "$dir/port" 2>/dev/null) || port=
    [ -n "$port" ] && [ "$attempt" = 1 ] || port=$(my__free_port) || return 1
    echo "$port" >"$dir/port"
    if my__launch "$dir" "$port"; then
      MY_DIRS+=("$dir"); MY_DIR=$dir
      export MYHOST=127.0.0.1 MYPORT=$port MYSOCK=$dir/sock MYUSER MYPASSWORD
      my__watchdog "$dir"
      mariadb --no-defaults -S "$dir/sock" -u root <<SQL || return 1
CREATE USER IF NOT EXISTS '$MYUSER'@'%' IDENTIFIED BY '$MYPASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$MYUSER'@'%' WITH GRANT OPTION;
SQL
      return 0
    fi
  done
  echo "mariadb.sh: MariaDB did not start in $dir; server log:" >&2
  tail -n 20 "$dir/server.log" >&2
  return 1
}

my_stop() {
  local dir=${1:-$MY_DIR} pid i
  [ -n "$dir" ] && [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid") || return 0
  kill "$pid" 2>/dev/null
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 0; }
    sleep 0.1
  done
  echo "mariadb.sh: mariadbd $pid did not stop; killing it" >&2
  kill -9 "$pid" 2>/dev/null
  rm -f "$dir/pid"
}

my_restart() {
  local dir=${1:-$MY_DIR}
  [ -n "$dir" ] || { echo "mariadb.sh: my_restart: no server" >&2; return 1; }
  my_stop "$dir" && my__launch "$dir" "$(cat "$dir/port")"
}

my_running() {
  local dir=${1:?usage: my_running DIR}
  [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null
}

my_sql() {
  mariadb --no-defaults -S "${MYSOCK:?my_start first}" -u "$MYUSER" -p"$MYPASSWORD" "$@"
}

my_conninfo() {
  echo "host=${MYHOST:-127.0.0.1} port=${MYPORT:?my_start first} user=$MYUSER password=$MYPASSWORD dbname=${1:-mysql}"
}
