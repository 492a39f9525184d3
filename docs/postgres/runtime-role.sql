-- Optare's PostgreSQL runtime role: data rights only, no DDL (ASVS 13.2.2).
--
-- Two roles: optare_owner owns the database and its schema and is used only by
-- `npm run db:migrate`; optare_app is what the servers connect as (OPTARE_MIGRATE_ON_START=false).
-- Create them, and the database, as a superuser (or a role with CREATEROLE and CREATEDB):
--
--   CREATE ROLE optare_owner LOGIN;
--   CREATE ROLE optare_app LOGIN;
--   CREATE DATABASE optare OWNER optare_owner;
--
-- then run this file in the optare database as optare_owner, before or after the first migration:
--
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -f docs/postgres/runtime-role.sql
--
-- tests/postgres/database-least-privilege.test.ts runs exactly this file.

REVOKE ALL ON DATABASE optare FROM PUBLIC;
GRANT CONNECT ON DATABASE optare TO optare_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO optare_app;

-- The tables that exist now, and those later migrations create (as optare_owner).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO optare_app;
ALTER DEFAULT PRIVILEGES FOR ROLE optare_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO optare_app;
-- No migration uses a sequence today; should one, the runtime role may draw from it.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO optare_app;
ALTER DEFAULT PRIVILEGES FOR ROLE optare_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO optare_app;
