# tests/lib/tools.sh - drive the REAL migration tools against the pg.sh test cluster, or with
# TOOLS_ENGINE=mysql against the mariadb.sh server; source it.
# Each tool gets a project with two migrations (step 1, step 2, and a failing variant of step 2)
# so a gate test can say: before step N deny, apply it with the tool, after it allow.
#
#   tools_install NAME...          scripts/install-tools.sh for those tools (stamped: cheap again)
#   tool_<t>_init DB WORKDIR       create database DB and the tool's project in WORKDIR
#   tool_<t>_migrate_to STEP       apply migrations up to STEP (1 or 2) with the real tool
#   tool_<t>_fail                  apply step 1, then a failing step 2: returns 0 iff the tool failed
#   tool_<t>_ref STEP              the <ref> for schemagate.io/requires: "<database>@<ref>"
#   tools_applied NAME STEP        "t"/"f": the webhook's question in SQL on the tool's table (PostgreSQL)
#   tools_config_tool NAME         the webhook config's "tool" value (activerecord -> rails, ...)
#   tools_table NAME               the history table the tool writes (schema-qualified on PostgreSQL,
#                                  in the project's database on MySQL unless qualified)
#   tools_names                    the tools that run on TOOLS_ENGINE
#   tools_log NAME                 the tool's output so far (WORKDIR/tool.log)
# <t> is the NAME with '-' as '_': dbmate knex node_pg_migrate sequelize liquibase sqitch alembic
# django activerecord (NAME: dbmate knex node-pg-migrate sequelize-cli ... activerecord).
# Needs pg.sh's pg_start first (PGHOST/PGPORT/PGUSER), or with TOOLS_ENGINE=mysql mariadb.sh's
# my_start (MYPORT/MYUSER/MYPASSWORD; node-pg-migrate has no MySQL). One project per tool name at a time.

TOOLS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS_DIR_CACHE=${SCHEMAGATE_TOOLS_DIR:-$TOOLS_ROOT/.tools}
TOOLS_NAMES=(dbmate knex node-pg-migrate sequelize-cli liquibase sqitch alembic django activerecord)
TOOLS_ENGINE=${TOOLS_ENGINE:-postgresql}
declare -gA TOOLS_DB=() TOOLS_WORKDIR=()

# The annotation <ref> per step, and what each tool's history table holds for it. Names with an
# extension (knex, sequelize) are matched by the webhook with or without it.
declare -gA TOOLS_REF=(
  [dbmate:1]=20240101000001                [dbmate:2]=20240101000002
  [knex:1]=20240101000001_step1.js         [knex:2]=20240101000002_step2.js
  [node-pg-migrate:1]=20240101000001_step1 [node-pg-migrate:2]=20240101000002_step2
  [sequelize-cli:1]=20240101000001-step1.js [sequelize-cli:2]=20240101000002-step2.js
  [liquibase:1]=tag:v1                     [liquibase:2]=tag:v2
  [sqitch:1]=@v1                           [sqitch:2]=@v2
  [alembic:1]=aa0000000001                 [alembic:2]=aa0000000002
  [django:1]=shop:0001_step1               [django:2]=shop:0002_step2
  [activerecord:1]=20240101000001          [activerecord:2]=20240101000002
)
declare -gA TOOLS_CONFIG_TOOL=(
  [dbmate]=dbmate [knex]=knex [node-pg-migrate]=node-pg-migrate [sequelize-cli]=sequelize
  [liquibase]=liquibase [sqitch]=sqitch [alembic]=alembic [django]=django [activerecord]=rails
)
declare -gA TOOLS_TABLE=(
  [dbmate]=public.schema_migrations [knex]=public.knex_migrations [node-pg-migrate]=public.pgmigrations
  [sequelize-cli]='public."SequelizeMeta"' [liquibase]=public.databasechangelog [sqitch]=sqitch.tags
  [alembic]=public.alembic_version [django]=public.django_migrations [activerecord]=public.schema_migrations
)
# On MySQL each tool writes into the connection's database (sqitch: its registry database "sqitch").
declare -gA TOOLS_TABLE_MYSQL=(
  [dbmate]=schema_migrations [knex]=knex_migrations [sequelize-cli]=SequelizeMeta
  [liquibase]=DATABASECHANGELOG [sqitch]=sqitch.tags [alembic]=alembic_version
  [django]=django_migrations [activerecord]=schema_migrations
)

# ------------------------------------------------------------------------------ common ----

tools_install() {
  "$TOOLS_ROOT/scripts/install-tools.sh" "$@"
}

tools_config_tool() { echo "${TOOLS_CONFIG_TOOL[$1]:?unknown tool $1}"; }
tools_table() {
  if [ "$TOOLS_ENGINE" = mysql ]; then echo "${TOOLS_TABLE_MYSQL[$1]:?tool $1 has no MySQL table}"
  else echo "${TOOLS_TABLE[$1]:?unknown tool $1}"; fi
}
tools_names() {
  local n
  for n in "${TOOLS_NAMES[@]}"; do
    [ "$TOOLS_ENGINE" = mysql ] && [ -z "${TOOLS_TABLE_MYSQL[$n]:-}" ] && continue
    echo "$n"
  done
}
tools__mysql() { [ "$TOOLS_ENGINE" = mysql ]; }
tools_ref()         { echo "${TOOLS_REF[$1:$2]:?no ref for tool $1 step $2}"; }
tools_log()         { cat "${TOOLS_WORKDIR[$1]:?tool $1 not initialised}/tool.log" 2>/dev/null; }

tools__url() {   # DB: a libpq URL (MySQL: mysql://) for the tools that take one
  if tools__mysql; then
    echo "mysql://$MYUSER:$MYPASSWORD@127.0.0.1:${MYPORT:?my_start first}/$1"
  else
    echo "postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:?pg_start first}/$1?sslmode=disable"
  fi
}

# Every tool project starts the same way: its database (created if missing; use a new name per
# project), a work directory, and .steps/ with the files each step adds (1/, 2/) and the
# failing variant of step 2 (2-bad/).
tools__init() {   # NAME DB WORKDIR
  local name=$1 db=$2 dir=$3
  [ -n "$db" ] && [ -n "$dir" ] || { echo "tools.sh: usage: tool_${name//-/_}_init DB WORKDIR" >&2; return 1; }
  if tools__mysql; then
    my_sql -e "CREATE DATABASE IF NOT EXISTS \`$db\`" || return 1
  else
    pg_createdb "$db" >/dev/null || return 1
  fi
  mkdir -p "$dir/.steps/1" "$dir/.steps/2" "$dir/.steps/2-bad" || return 1
  TOOLS_DB[$name]=$db
  TOOLS_WORKDIR[$name]=$(cd "$dir" && pwd)
}

# Copy the files of steps 1..STEP into the project (step 2 good, or its failing variant).
tools__stage() {   # NAME STEP [bad]
  local dir=${TOOLS_WORKDIR[$1]:?tool $1 not initialised} n src
  for ((n = 1; n <= $2; n++)); do
    src=$dir/.steps/$n
    [ "$n" = 2 ] && [ "${3:-}" = bad ] && src=$dir/.steps/2-bad
    cp -R "$src/." "$dir/" || return 1
  done
}

# For tools that pick up whatever files are in a folder: write step 1, step 2 and the failing
# step 2 into .steps/ with WRITER FILE SQL... (one statement per SQL argument).
tools__write_steps() {   # NAME SUBDIR WRITER FILE1 FILE2
  local d=${TOOLS_WORKDIR[$1]}/.steps sub=$2 writer=$3
  mkdir -p "$d/1/$sub" "$d/2/$sub" "$d/2-bad/$sub" &&
  "$writer" "$d/1/$sub/$4" "$TOOLS_SQL_STEP1" &&
  "$writer" "$d/2/$sub/$5" "$TOOLS_SQL_STEP2" &&
  "$writer" "$d/2-bad/$sub/$5" "$TOOLS_SQL_STEP2" "$TOOLS_SQL_BAD"
}

# Run a tool command in the project directory; its output goes to tool.log.
tools__run() {   # NAME CMD...
  local name=$1; shift
  local dir=${TOOLS_WORKDIR[$name]}
  echo "\$ $*" >>"$dir/tool.log"
  (cd "$dir" && "$@") >>"$dir/tool.log" 2>&1
}

tools_migrate_to() {   # NAME STEP
  local name=$1 step=${2:?usage: tools_migrate_to NAME STEP}
  tools__stage "$name" "$step" || return 1
  if ! "tool_${name//-/_}__apply" "$step"; then
    echo "tools.sh: $name could not migrate to step $step; last output:" >&2
    tail -n 20 "${TOOLS_WORKDIR[$name]}/tool.log" >&2
    return 1
  fi
}

# Step 1 applied, then the failing step 2: the tool must report the failure.
tools_fail() {   # NAME
  local name=$1
  tools_migrate_to "$name" 1 || return 1
  tools__stage "$name" 2 bad || return 1
  if "tool_${name//-/_}__apply" 2; then
    echo "tools.sh: $name applied the failing step 2 without an error" >&2
    return 1
  fi
  return 0
}

# The question the webhook asks, in SQL, for one step's ref.
tools_applied() {   # NAME STEP
  local name=$1 step=$2 ref table query
  ref=$(tools_ref "$name" "$step") || return 1
  table=$(tools_table "$name")
  case $name in
    dbmate)          query="SELECT EXISTS (SELECT 1 FROM $table WHERE version = :'ref')" ;;
    knex)            query="SELECT EXISTS (SELECT 1 FROM $table WHERE name = :'ref'
                              OR regexp_replace(name, '\.(c|m)?(js|ts)$', '') = :'ref')" ;;
    node-pg-migrate) query="SELECT EXISTS (SELECT 1 FROM $table WHERE name = :'ref')" ;;
    sequelize-cli)   query="SELECT EXISTS (SELECT 1 FROM $table WHERE name = :'ref'
                              OR regexp_replace(name, '\.(c|m)?(js|ts)$', '') = :'ref')" ;;
    liquibase)       ref=${ref#tag:}
                     query="SELECT EXISTS (SELECT 1 FROM $table WHERE tag = :'ref')" ;;
    sqitch)          query="SELECT EXISTS (SELECT 1 FROM $table WHERE project = 'sg' AND tag = :'ref')" ;;
    # alembic keeps only the head: a step is applied when the head is it or a later step.
    alembic)         query="SELECT EXISTS (SELECT 1 FROM $table WHERE version_num >= :'ref'
                              AND version_num IN ('aa0000000001', 'aa0000000002'))" ;;
    django)          query="SELECT EXISTS (SELECT 1 FROM $table
                              WHERE app = split_part(:'ref', ':', 1) AND name = split_part(:'ref', ':', 2))" ;;
    activerecord)    query="SELECT EXISTS (SELECT 1 FROM $table
                              WHERE version ~ '^[0-9]+\$' AND version::numeric = :'ref'::numeric)" ;;
    *) echo "tools.sh: unknown tool $name" >&2; return 1 ;;
  esac
  local db=${TOOLS_DB[$name]:?tool $name not initialised}
  # A missing table means nothing is applied.
  if [ "$(pg_psql -d "$db" -tAc "SELECT to_regclass('$table') IS NOT NULL")" != t ]; then
    echo f; return 0
  fi
  pg_psql -d "$db" -tA -v ref="$ref" <<<"$query"
}

# Generate the public per-tool wrappers tool_<t>_migrate_to / _fail / _ref.
for _t in "${TOOLS_NAMES[@]}"; do
  eval "tool_${_t//-/_}_migrate_to() { tools_migrate_to $_t \"\$@\"; }
        tool_${_t//-/_}_fail()       { tools_fail $_t; }
        tool_${_t//-/_}_ref()        { tools_ref $_t \"\$@\"; }"
done
unset _t

# Every step creates one table; the failing step 2 creates its table, then hits an error, so a
# tool that does not roll back leaves the table behind (sequelize-cli); step 2 tolerates that.
TOOLS_SQL_STEP1='CREATE TABLE sg_step1 (id int)'
TOOLS_SQL_STEP2='CREATE TABLE IF NOT EXISTS sg_step2 (id int)'
TOOLS_SQL_BAD='INSERT INTO sg_no_such_table VALUES (1)'

# ------------------------------------------------------------------------------ dbmate ----
# Version = the file name's leading digits, exact string (schema_migrations.version).

tools__dbmate_migration() {   # FILE SQL...
  local file=$1; shift
  { echo '-- migrate:up'
    printf '%s;\n' "$@"
    echo '-- migrate:down'; } >"$file"
}

tool_dbmate_init() {
  tools__init dbmate "$1" "$2" &&
  tools__write_steps dbmate db/migrations tools__dbmate_migration 20240101000001_step1.sql 20240101000002_step2.sql
}

tool_dbmate__apply() {
  tools__run dbmate "$TOOLS_DIR_CACHE/bin/dbmate" --url "$(tools__url "${TOOLS_DB[dbmate]}")" \
    --migrations-dir db/migrations --no-dump-schema migrate
}

# A JavaScript migration: HEAD, one line per SQL statement (FORMAT gets the quoted SQL), TAIL.
tools__js_migration() {   # FILE FORMAT HEAD TAIL SQL...
  local file=$1 format=$2 head=$3 tail=$4 sql; shift 4
  { echo "$head"
    for sql in "$@"; do printf "$format\n" "'$sql'"; done
    echo "$tail"; } >"$file"
}

# ------------------------------------------------------------------------------ knex ------
# knex_migrations.name = the file name with its extension.

tools__knex_migration() {   # FILE SQL...
  tools__js_migration "$1" '  await knex.raw(%s);' 'exports.up = async (knex) => {' \
    $'};\nexports.down = async () => {};' "${@:2}"
}

tool_knex_init() {
  tools__init knex "$1" "$2" || return 1
  cat >"${TOOLS_WORKDIR[knex]}/knexfile.js" <<'EOF'
const my = process.env.TOOLS_ENGINE === 'mysql';
module.exports = {
  client: my ? 'mysql2' : 'pg',
  connection: my ? { host: '127.0.0.1', port: Number(process.env.MYPORT), user: process.env.MYUSER,
                     password: process.env.MYPASSWORD, database: process.env.SG_DB }
                 : { host: process.env.PGHOST, port: Number(process.env.PGPORT),
                     user: process.env.PGUSER, database: process.env.SG_DB },
  migrations: { directory: './migrations' },
};
EOF
  tools__write_steps knex migrations tools__knex_migration 20240101000001_step1.js 20240101000002_step2.js
}

tool_knex__apply() {
  SG_DB=${TOOLS_DB[knex]} TOOLS_ENGINE=$TOOLS_ENGINE NODE_PATH=$TOOLS_DIR_CACHE/npm/knex/node_modules \
    tools__run knex "$TOOLS_DIR_CACHE/bin/knex" --knexfile knexfile.js migrate:latest
}

# ------------------------------------------------------------------------------ node-pg-migrate
# pgmigrations.name = the file name without its extension.

tools__pgm_migration() {   # FILE SQL...
  tools__js_migration "$1" '  pgm.sql(%s);' 'exports.up = (pgm) => {' $'};\nexports.down = false;' "${@:2}"
}

tool_node_pg_migrate_init() {
  tools__init node-pg-migrate "$1" "$2" &&
  tools__write_steps node-pg-migrate migrations tools__pgm_migration 20240101000001_step1.js 20240101000002_step2.js
}

tool_node_pg_migrate__apply() {
  DATABASE_URL=$(tools__url "${TOOLS_DB[node-pg-migrate]}") \
    tools__run node-pg-migrate "$TOOLS_DIR_CACHE/bin/node-pg-migrate" up --migrations-dir migrations
}

# ------------------------------------------------------------------------------ sequelize-cli
# "SequelizeMeta".name = the file name with its extension. Not transactional by default.

tools__sequelize_migration() {   # FILE SQL...
  tools__js_migration "$1" '    await queryInterface.sequelize.query(%s);' \
    $'module.exports = {\n  async up(queryInterface) {' $'  },\n  async down() {},\n};' "${@:2}"
}

tool_sequelize_cli_init() {
  tools__init sequelize-cli "$1" "$2" &&
  tools__write_steps sequelize-cli migrations tools__sequelize_migration 20240101000001-step1.js 20240101000002-step2.js
}

tool_sequelize_cli__apply() {
  NODE_PATH=$TOOLS_DIR_CACHE/npm/sequelize-cli/node_modules \
    tools__run sequelize-cli "$TOOLS_DIR_CACHE/bin/sequelize" db:migrate \
      --url "$(tools__url "${TOOLS_DB[sequelize-cli]}")" --migrations-path migrations
}

# ------------------------------------------------------------------------------ liquibase -
# Each step ends with a tagDatabase changeset: databasechangelog.tag = v1 / v2 on its own row.
# The changeset form of the ref also works: changeset:step1::schemagate::changelog.xml.

tool_liquibase_init() {
  tools__init liquibase "$1" "$2" || return 1
  local w=${TOOLS_WORKDIR[liquibase]} d=${TOOLS_WORKDIR[liquibase]}/.steps
  cat >"$w/changelog.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
        http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">
  <changeSet id="step1" author="schemagate">
    <sqlFile path="step1.sql" relativeToChangelogFile="true"/>
  </changeSet>
  <changeSet id="tag-v1" author="schemagate">
    <tagDatabase tag="v1"/>
  </changeSet>
  <changeSet id="step2" author="schemagate">
    <sqlFile path="step2.sql" relativeToChangelogFile="true"/>
  </changeSet>
  <changeSet id="tag-v2" author="schemagate">
    <tagDatabase tag="v2"/>
  </changeSet>
</databaseChangeLog>
EOF
  echo "$TOOLS_SQL_STEP1;" >"$w/step1.sql"
  echo "$TOOLS_SQL_STEP2;" >"$d/2/step2.sql"
  printf '%s;\n%s;\n' "$TOOLS_SQL_STEP2" "$TOOLS_SQL_BAD" >"$d/2-bad/step2.sql"
  cp "$d/2/step2.sql" "$w/step2.sql"
}

tool_liquibase__apply() {   # STEP
  local url=jdbc:postgresql://${PGHOST:-127.0.0.1}:${PGPORT:-}/${TOOLS_DB[liquibase]} user=${PGUSER:-postgres} pw=
  tools__mysql && { url=jdbc:mariadb://127.0.0.1:$MYPORT/${TOOLS_DB[liquibase]}; user=$MYUSER; pw=$MYPASSWORD; }
  LIQUIBASE_SHOW_BANNER=false JAVA_OPTS="${JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}" \
    tools__run liquibase "$TOOLS_DIR_CACHE/bin/liquibase" --log-level=WARNING --url="$url" \
      --username="$user" ${pw:+--password="$pw"} --changelog-file=changelog.xml update-to-tag --tag="v$1"
}

# ------------------------------------------------------------------------------ sqitch ----
# Project "sg", made with sqitch init/add/tag: changes step1, step2; tags @v1 after step1 and
# @v2 after step2 (sqitch.tags.tag keeps the '@'). A change name (step1) works as a ref too.

tools__sqitch() {
  SQITCH_USER_CONFIG=${TOOLS_WORKDIR[sqitch]}/user.conf SQITCH_FULLNAME=schemagate \
    SQITCH_EMAIL=schemagate@example.invalid tools__run sqitch sqitch "$@"
}

tool_sqitch_init() {
  tools__init sqitch "$1" "$2" || return 1
  local w=${TOOLS_WORKDIR[sqitch]} d=${TOOLS_WORKDIR[sqitch]}/.steps
  : >"$w/user.conf"
  tools__sqitch init sg --engine "$(tools__mysql && echo mysql || echo pg)" &&
  tools__sqitch add step1 -n 'step 1' &&
  tools__sqitch tag v1 -n 'release v1' &&
  tools__sqitch add step2 -n 'step 2' &&
  tools__sqitch tag v2 -n 'release v2' || { echo "tools.sh: sqitch init failed:" >&2; tail "$w/tool.log" >&2; return 1; }
  printf 'BEGIN;\n%s;\nCOMMIT;\n' "$TOOLS_SQL_STEP1" >"$w/deploy/step1.sql"
  mkdir -p "$d/2/deploy" "$d/2-bad/deploy"
  printf 'BEGIN;\n%s;\nCOMMIT;\n' "$TOOLS_SQL_STEP2" >"$d/2/deploy/step2.sql"
  printf 'BEGIN;\n%s;\n%s;\nCOMMIT;\n' "$TOOLS_SQL_STEP2" "$TOOLS_SQL_BAD" >"$d/2-bad/deploy/step2.sql"
  cp "$d/2/deploy/step2.sql" "$w/deploy/step2.sql"
}

tool_sqitch__apply() {   # STEP
  local target=db:pg://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-}/${TOOLS_DB[sqitch]}
  tools__mysql && target=db:mysql://$MYUSER:$MYPASSWORD@127.0.0.1:$MYPORT/${TOOLS_DB[sqitch]}
  tools__sqitch deploy --target "$target" --to "@v$1"
}

# ------------------------------------------------------------------------------ alembic ---
# Revisions made with `alembic revision --rev-id`: aa0000000001 <- aa0000000002.
# alembic_version holds only the head, so step 1 counts as applied while step 2 is the head
# only through the revision graph (the webhook needs the ancestors list for that).

tools__alembic() {
  tools__run alembic /usr/bin/python3 -m alembic -c alembic.ini "$@"
}

tools__alembic_body() {   # FILE SQL... : replace the generated upgrade() body
  local file=$1; shift
  /usr/bin/python3 - "$file" "$@" <<'EOF'
import re, sys
path, stmts = sys.argv[1], sys.argv[2:]
src = open(path).read()
body = "".join("    op.execute(%r)\n" % s for s in stmts)
src, n = re.subn(r"(def upgrade\(\)[^:]*:\n)(    .*\n)+?(?=\n|def )", lambda m: m.group(1) + body, src, count=1)
assert n == 1, "no upgrade() in " + path
open(path, "w").write(src)
EOF
}

tool_alembic_init() {
  tools__init alembic "$1" "$2" || return 1
  local w=${TOOLS_WORKDIR[alembic]} d=${TOOLS_WORKDIR[alembic]}/.steps v=alembic/versions
  (cd "$w" && /usr/bin/python3 -m alembic init --template generic alembic) >>"$w/tool.log" 2>&1 &&
  tools__alembic revision -m step1 --rev-id aa0000000001 &&
  tools__alembic revision -m step2 --rev-id aa0000000002 ||
    { echo "tools.sh: alembic init failed:" >&2; tail "$w/tool.log" >&2; return 1; }
  tools__alembic_body "$w/$v/aa0000000001_step1.py" "$TOOLS_SQL_STEP1" || return 1
  mkdir -p "$d/2/$v" "$d/2-bad/$v"
  cp "$w/$v/aa0000000002_step2.py" "$d/2/$v/" && cp "$w/$v/aa0000000002_step2.py" "$d/2-bad/$v/"
  tools__alembic_body "$d/2/$v/aa0000000002_step2.py" "$TOOLS_SQL_STEP2" &&
  tools__alembic_body "$d/2-bad/$v/aa0000000002_step2.py" "$TOOLS_SQL_STEP2" "$TOOLS_SQL_BAD" &&
  cp "$d/2/$v/aa0000000002_step2.py" "$w/$v/"
}

tool_alembic__apply() {   # STEP
  local url="postgresql+psycopg2://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-}/${TOOLS_DB[alembic]}"
  tools__mysql && url="mysql+mysqldb://$MYUSER:$MYPASSWORD@127.0.0.1:$MYPORT/${TOOLS_DB[alembic]}"
  sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = $url|" "${TOOLS_WORKDIR[alembic]}/alembic.ini" &&
  tools__alembic upgrade "aa000000000$1"
}

# ------------------------------------------------------------------------------ django ----
# App "shop"; migrations made by makemigrations: 0001_step1, 0002_step2 (django_migrations
# rows app='shop', name='0001_step1').

tools__django() {
  PYTHONPATH=${TOOLS_WORKDIR[django]} DJANGO_SETTINGS_MODULE=sgsettings SG_DB=${TOOLS_DB[django]} TOOLS_ENGINE=$TOOLS_ENGINE \
    tools__run django /usr/bin/python3 -m django "$@"
}

tool_django_init() {
  tools__init django "$1" "$2" || return 1
  local w=${TOOLS_WORKDIR[django]} d=${TOOLS_WORKDIR[django]}/.steps m=shop/migrations
  mkdir -p "$w/$m"
  : >"$w/shop/__init__.py"; : >"$w/$m/__init__.py"
  cat >"$w/sgsettings.py" <<'EOF'
import os
SECRET_KEY = "test-only-not-secret"
INSTALLED_APPS = ["shop"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["SG_DB"],
    "HOST": os.environ.get("PGHOST", "127.0.0.1"), "PORT": os.environ.get("PGPORT"),
    "USER": os.environ.get("PGUSER", "postgres"),
}}
if os.environ.get("TOOLS_ENGINE") == "mysql":
    DATABASES["default"].update(ENGINE="django.db.backends.mysql", HOST="127.0.0.1", PORT=os.environ["MYPORT"],
                                USER=os.environ["MYUSER"], PASSWORD=os.environ["MYPASSWORD"])
EOF
  printf 'from django.db import models\n\nclass Step1(models.Model):\n    name = models.TextField()\n' \
    >"$w/shop/models.py"
  tools__django makemigrations shop --name step1 || { tail "$w/tool.log" >&2; return 1; }
  printf '\nclass Step2(models.Model):\n    name = models.TextField()\n' >>"$w/shop/models.py"
  tools__django makemigrations shop --name step2 || { tail "$w/tool.log" >&2; return 1; }
  mkdir -p "$d/2/$m" "$d/2-bad/$m"
  cp "$w/$m/0002_step2.py" "$d/2/$m/"
  # The failing variant: the same migration, with SQL that errors after creating the table.
  sed "s|^    operations = \[|    operations = [\n        migrations.RunSQL(\"$TOOLS_SQL_BAD\"),|" \
    "$w/$m/0002_step2.py" >"$d/2-bad/$m/0002_step2.py"
  grep -q RunSQL "$d/2-bad/$m/0002_step2.py" || { echo "tools.sh: django: could not make the failing step" >&2; return 1; }
}

tool_django__apply() {   # STEP
  local name; name=$(tools_ref django "$1") || return 1
  tools__django migrate shop "${name#shop:}"
}

# ------------------------------------------------------------------------------ activerecord
# ActiveRecord::MigrationContext (what `rails db:migrate` runs): schema_migrations.version =
# the file name's leading digits. The webhook's tool name is "rails".

tools__ar_migration() {   # FILE SQL... : the class name comes from the file name, as Rails wants
  local file=$1 class; shift
  class=$(basename "$file" .rb | sed -E 's/^[0-9]+_//; s/(^|_)([a-z0-9])/\U\2/g')
  { echo "class $class < ActiveRecord::Migration[6.1]"
    echo '  def up'
    local s; for s in "$@"; do printf '    execute %s\n' "\"$s\""; done
    echo '  end'
    echo 'end'; } >"$file"
}

tool_activerecord_init() {
  tools__init activerecord "$1" "$2" || return 1
  cat >"${TOOLS_WORKDIR[activerecord]}/migrate.rb" <<'EOF'
require "active_record"
if ENV["TOOLS_ENGINE"] == "mysql"
  ActiveRecord::Base.establish_connection(adapter: "mysql2", host: "127.0.0.1", port: ENV["MYPORT"].to_i,
    username: ENV["MYUSER"], password: ENV["MYPASSWORD"], database: ARGV[0])
else
  ActiveRecord::Base.establish_connection(adapter: "postgresql", host: ENV["PGHOST"],
    port: ENV["PGPORT"], username: ENV["PGUSER"], database: ARGV[0])
end
ActiveRecord::Migration.verbose = true
ActiveRecord::MigrationContext.new(ARGV[1], ActiveRecord::SchemaMigration).migrate
EOF
  tools__write_steps activerecord db/migrate tools__ar_migration 20240101000001_create_step1.rb 20240101000002_create_step2.rb
}

tool_activerecord__apply() {
  TOOLS_ENGINE=$TOOLS_ENGINE tools__run activerecord ruby migrate.rb "${TOOLS_DB[activerecord]}" db/migrate
}
