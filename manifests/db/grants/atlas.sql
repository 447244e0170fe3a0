-- manifests/db/grants/atlas.sql - lets the schemagate role read atlas's history, nothing else.
-- Run in the application's database, after atlas created its table(s):
--   psql -d APPDB -v role=schemagate -f manifests/db/grants/atlas.sql
-- Tables in another schema or under another name: edit the names (the webhook config's
-- "table" must name the same table).

\if :{?role}
\else
  \set role schemagate
\endif

GRANT USAGE ON SCHEMA atlas_schema_revisions TO :"role";
GRANT SELECT ON TABLE atlas_schema_revisions.atlas_schema_revisions TO :"role";
