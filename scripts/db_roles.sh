#!/usr/bin/env bash
# The hub's two PostgreSQL roles and its database, made by a superuser (run by `make prod`; a
# deployment runs it once, or does the same by hand). Safe to run again.
#
#   PG_OWNER=hub_owner PG_APP_ROLE=hub_app PG_DATABASE=victim_care_hub \
#     scripts/db_roles.sh [host] [port]        (connects as PG_SUPERUSER, default postgres)
#
# - $PG_OWNER (LOGIN) owns the database, its public schema and every table, sequence and function
#   in it (objects an earlier run made as another role are handed over). Migrations run as it:
#   MIGRATION_DATABASE_URL.
# - $PG_APP_ROLE (LOGIN, no other attribute) is the role the app servers and the worker connect
#   as: DATABASE_URL. Its rights on the tables are granted by `flask db upgrade` after each
#   migration (app/core/db_roles.py): audit_event INSERT and SELECT only. It may not create
#   anything in the schema.
# Passwords: none here (this machine's loopback trusts); set them with ALTER ROLE … PASSWORD.
set -euo pipefail
HOST=${1:-127.0.0.1} PORT=${2:-5432}
: "${PG_OWNER:?set PG_OWNER}" "${PG_APP_ROLE:?set PG_APP_ROLE}" "${PG_DATABASE:?set PG_DATABASE}"
[[ "$PG_OWNER" != "$PG_APP_ROLE" ]] || { echo "db_roles: the owner and the app role must differ" >&2; exit 2; }
run() {  # run SQL from stdin against database $1, with the names as psql variables
  psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "${PG_SUPERUSER:-postgres}" -d "$1" \
    -v owner="$PG_OWNER" -v app="$PG_APP_ROLE" -v database="$PG_DATABASE" >/dev/null
}

run postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'database', :'owner') \gexec
SQL

run "$PG_DATABASE" <<'SQL'
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Tables first: each takes its own sequences and indexes with it.
SELECT format('ALTER TABLE public.%I OWNER TO %I', c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'S'
    AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public'
    AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = :'owner')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') \gexec
SQL
