#!/usr/bin/env bash
# How long PostgreSQL takes to delete N expired rows with the periodic clean-up's own predicates
# (lib/db/sessions.ts, lib/db/grants.ts), against OPTARE_DATABASE_STATEMENT_TIMEOUT (30 s).
# Applies the migrations to a scratch database on BENCH_DATABASE_URL's server, fills it with
# generate_series, prints psql's timings and drops the database. Needs psql.
#   N=1000000 bash bench/cleanup-deletes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
server=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
n=${N:-1000000}
name="optare_cleanup_$(date +%s)_$$"
scratch="${server%/*}/$name"
psql -q "$server" -c "CREATE DATABASE \"$name\""
trap 'psql -q "$server" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"' EXIT
for migration in prisma/migrations/*/migration.sql; do
  psql -q "$scratch" -v ON_ERROR_STOP=1 -f "$migration" > /dev/null
done
psql "$scratch" -v ON_ERROR_STOP=1 <<SQL
INSERT INTO users (id, email, name, password_hash, updated_at)
  VALUES ('00000000-0000-0000-0000-000000000001', 'cleanup@example.test', 'Clean-up', 'x', now());
INSERT INTO sessions (id, token_hash, user_id, idle_expires_at, absolute_expires_at, amr)
  SELECT gen_random_uuid(), sha256(i::text::bytea), '00000000-0000-0000-0000-000000000001',
         now() - interval '1 hour', now() + interval '1 day', '{pwd}'
  FROM generate_series(1, $n) i;
INSERT INTO revoked_access_tokens (jti, expires_at)
  SELECT 'jti-' || i, now() - interval '1 hour' FROM generate_series(1, $n) i;
VACUUM ANALYZE;
\timing on
\echo expired sessions ($n):
DELETE FROM sessions WHERE idle_expires_at <= now() OR absolute_expires_at <= now();
\echo denylisted access-token jtis past their expiry ($n):
DELETE FROM revoked_access_tokens WHERE expires_at <= now();
SQL
