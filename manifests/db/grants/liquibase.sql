-- manifests/db/grants/liquibase.sql - lets the schemagate role read liquibase's history, nothing else.
-- Run in the application's database, after liquibase created its table(s) (the lock table tells "migration running"):
--   psql -d APPDB -v role=schemagate -f manifests/db/grants/liquibase.sql
-- Tables in another schema or under another name: edit the names (the webhook config's
-- "table" must name the same table).

\if :{?role}
\else
  \set role schemagate
\endif

GRANT USAGE ON SCHEMA public TO :"role";
GRANT SELECT ON TABLE public.databasechangelog TO :"role";
GRANT SELECT ON TABLE public.databasechangeloglock TO :"role";
