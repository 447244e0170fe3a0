-- manifests/db/grants/sqitch.sql - lets the schemagate role read sqitch's history, nothing else.
-- Run in the application's database, after sqitch created its table(s) (the registry schema, "sqitch" by default):
--   psql -d APPDB -v role=schemagate -f manifests/db/grants/sqitch.sql
-- Tables in another schema or under another name: edit the names (the webhook config's
-- "table" must name the same table).

\if :{?role}
\else
  \set role schemagate
\endif

GRANT USAGE ON SCHEMA sqitch TO :"role";
GRANT SELECT ON TABLE sqitch.changes TO :"role";
GRANT SELECT ON TABLE sqitch.tags TO :"role";
GRANT SELECT ON TABLE sqitch.events TO :"role";
