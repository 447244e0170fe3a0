-- manifests/db/role.sql - the least-privilege login role schemagate connects as. Run it once per
-- PostgreSQL cluster as a role with CREATEROLE, then manifests/db/grants/<tool>.sql in each
-- database whose history schemagate reads. Idempotent: running it again only resets settings.
--
--   psql -v role=schemagate -v password="$(openssl rand -base64 24)" -f manifests/db/role.sql
--
-- The role can log in and read what it is granted, nothing else: no superuser, no CREATEDB or
-- CREATEROLE, no replication, no inherited privileges, a connection limit covering the pool
-- (pool_size per database x replicas, plus a rollout's surge pod). Each session starts read-only
-- and every statement is cut off well inside the webhook's 5 s timeout. Privileges are the
-- guard (the role could turn read-only off for its session); the settings are the backstop.

\if :{?role}
\else
  \set role schemagate
\endif
\if :{?statement_timeout}
\else
  \set statement_timeout 2s
\endif
\if :{?connection_limit}
\else
  \set connection_limit 20
\endif

SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') AS schemagate_role_missing \gset
\if :schemagate_role_missing
  CREATE ROLE :"role" LOGIN;
\endif
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
  CONNECTION LIMIT :connection_limit;
\if :{?password}
  ALTER ROLE :"role" WITH PASSWORD :'password';
\endif

ALTER ROLE :"role" SET default_transaction_read_only = on;
ALTER ROLE :"role" SET statement_timeout = :'statement_timeout';
ALTER ROLE :"role" SET lock_timeout = '1s';
ALTER ROLE :"role" SET idle_in_transaction_session_timeout = '10s';
ALTER ROLE :"role" SET application_name = 'schemagate';
