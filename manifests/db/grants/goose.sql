-- manifests/db/grants/goose.sql - lets the schemagate role read goose's history, nothing else.
-- Run in the application's database, after goose created its table(s):
--   psql -d APPDB -v role=schemagate -f manifests/db/grants/goose.sql
-- Tables in another schema or under another name: edit the names (the webhook config's
-- "table" must name the same table).

\if :{?role}
\else
  \set role schemagate
\endif

GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT ON TABLE public.goose_db_version TO :"role";
