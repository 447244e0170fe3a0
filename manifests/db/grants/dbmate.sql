-- manifests/db/grants/dbmate.sql - lets the schemagate role read dbmate's history, nothing else.
-- Run in the application's database, after dbmate created its table(s):
--   psql -d APPDB -v role=schemagate -f manifests/db/grants/dbmate.sql
-- Tables in another schema or under another name: edit the names (the webhook config's
-- "table" must name the same table).

\if :{?role}
\else
  \set role schemagate
\endif

GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT ON TABLE public.schema_migrations TO :"role";
