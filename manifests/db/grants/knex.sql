-- manifests/db/grants/knex.sql - lets the schemagate role read knex's history, nothing else.
-- Run in the application's database, after knex created its table(s) (the lock table tells "migration running"):
--   psql -d APPDB -v role=schemagate -f manifests/db/grants/knex.sql
-- Tables in another schema or under another name: edit the names (the webhook config's
-- "table" must name the same table).

\if :{?role}
\else
  \set role schemagate
\endif

GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT ON TABLE public.knex_migrations TO :"role";
GRANT SELECT ON TABLE public.knex_migrations_lock TO :"role";
