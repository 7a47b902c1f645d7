#!/usr/bin/env bash
# `make prod`: the hub as a deployment runs it, on this machine's loopback:
#   PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379), which must already be running;
#   two gunicorn "app servers" (127.0.0.1:$APP_PORT_1 and :$APP_PORT_2, $APP_WORKERS each);
#   the huey worker on Redis; the SMTP mail sink (unless MAIL_SERVER is set);
#   nginx in front: TLS on https://127.0.0.1:$HTTPS_PORT, load balancing, a short cache of
#   anonymous pages, gzip and brotli, static files from disk.
# HUB_ENV=production: secure cookies, HSTS, no demo data. Ctrl+C stops everything it started.
#
#   scripts/prod.sh            serve until Ctrl+C
#   scripts/prod.sh --check    start, answer one anonymous request through nginx, stop
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${VENV:-.venv}
export PROD_DIR=${PROD_DIR:-$ROOT/instance/prod}
export APP_DIR=$ROOT
export HTTPS_PORT=${HTTPS_PORT:-8443} HTTP_PORT=${HTTP_PORT:-8080}
export APP_PORT_1=${APP_PORT_1:-8001} APP_PORT_2=${APP_PORT_2:-8002}
APP_WORKERS=${APP_WORKERS:-2}
export NGINX_WORKERS=${NGINX_WORKERS:-1} PAGE_CACHE_SECONDS=${PAGE_CACHE_SECONDS:-10}
PG_HOST=${PG_HOST:-127.0.0.1} PG_PORT=${PG_PORT:-5432} PG_DATABASE=${PG_DATABASE:-victim_care_hub}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { echo "prod: $*" >&2; exit 2; }
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

answers "$PG_HOST" "$PG_PORT" || fail "PostgreSQL does not answer on $PG_HOST:$PG_PORT. Start it, then run make prod again."
answers 127.0.0.1 6379 || fail "Redis does not answer on 127.0.0.1:6379. Start it (redis-server --daemonize yes), then run make prod again."
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || fail "nginx is missing: run scripts/install.sh prod"

mkdir -p "$PROD_DIR/tls" "$PROD_DIR/cache"
chmod 755 "$PROD_DIR"; chmod 700 "$PROD_DIR/tls"
# Started as root, nginx's workers run as www-data: they need the cache, nothing else here.
NGINX_USER=""
if [ "$(id -u)" = 0 ]; then
  NGINX_USER="user www-data;"
  for dir in cache client_body proxy_temp fastcgi_temp uwsgi_temp scgi_temp; do
    mkdir -p "$PROD_DIR/$dir" && chown www-data "$PROD_DIR/$dir"
  done
fi
export NGINX_USER
# A deployment takes SECRET_KEY and DATA_KEY from its secret store; here, each kept in
# instance/ (0600). DATA_KEY encrypts victims' words at rest; SECRET_KEY signs sessions.
for key in secret_key data_key; do
  [ -s "$PROD_DIR/$key" ] || (umask 077; "$VENV/bin/python" -c "import secrets; print(secrets.token_hex(32))" > "$PROD_DIR/$key")
done
SECRET_KEY=${SECRET_KEY:-$(cat "$PROD_DIR/secret_key")}
DATA_KEY=${DATA_KEY:-$(cat "$PROD_DIR/data_key")}
# A self-signed certificate for 127.0.0.1 (a deployment has a real one).
if [ ! -s "$PROD_DIR/tls/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$PROD_DIR/tls/key.pem" -out "$PROD_DIR/tls/cert.pem" 2>/dev/null
fi

export SECRET_KEY DATA_KEY HUB_ENV=production
# Two database roles (app/core/db_roles.py): $PG_OWNER owns the database and its tables and runs
# the migrations; the app servers and the worker connect as $PG_APP_ROLE, which can add and read
# audit rows but not alter, drop, empty or unguard the audit log. Both are made here (by the
# superuser `postgres`) unless DATABASE_URL is given, when that is used as it is.
PG_OWNER=${PG_OWNER:-hub_owner} PG_APP_ROLE=${PG_APP_ROLE:-hub_app}
if [[ -z "${DATABASE_URL:-}" ]]; then
  export DATABASE_URL=postgresql+psycopg://$PG_APP_ROLE@$PG_HOST:$PG_PORT/$PG_DATABASE
  export MIGRATION_DATABASE_URL=${MIGRATION_DATABASE_URL:-postgresql+psycopg://$PG_OWNER@$PG_HOST:$PG_PORT/$PG_DATABASE}
  TWO_ROLES=1
fi
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export BASE_URL=${BASE_URL:-https://127.0.0.1:$HTTPS_PORT}
export PROXY_COUNT=1 LOG_REQUESTS=${LOG_REQUESTS:-1}
# nginx, on this machine's loopback, is the only proxy whose forwarded headers are believed
# (gunicorn reads the same variable for the scheme).
export FORWARDED_ALLOW_IPS=127.0.0.1

if [[ -n "${TWO_ROLES:-}" ]]; then
  say "PostgreSQL: roles $PG_OWNER (owner, migrations) and $PG_APP_ROLE (the app)"
  PG_OWNER=$PG_OWNER PG_APP_ROLE=$PG_APP_ROLE PG_DATABASE=$PG_DATABASE \
    scripts/db_roles.sh "$PG_HOST" "$PG_PORT" || fail "could not set up the database roles"
elif [[ "$DATABASE_URL" == *"/$PG_DATABASE" ]] && ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$PG_DATABASE" -c "select 1" >/dev/null 2>&1; then
  say "PostgreSQL: creating database $PG_DATABASE"
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE $PG_DATABASE" >/dev/null \
    || fail "could not create database $PG_DATABASE (set DATABASE_URL to one that exists)"
fi
say "migrating $PG_DATABASE"
"$VENV/bin/flask" --app app db upgrade >/dev/null
# Migrations only: the app servers and the worker never see the owner's URL.
unset MIGRATION_DATABASE_URL

# nginx's configuration from the template; brotli where Debian's modules are installed.
BROTLI_MODULES="" BROTLI_SETTINGS=""
for module in ngx_http_brotli_filter_module ngx_http_brotli_static_module; do
  [ -f "/usr/lib/nginx/modules/$module.so" ] && BROTLI_MODULES+="load_module /usr/lib/nginx/modules/$module.so;"$'\n'
done
if [ -n "$BROTLI_MODULES" ]; then
  BROTLI_SETTINGS="brotli on; brotli_comp_level 5; brotli_types text/css application/javascript application/json image/svg+xml text/plain application/xml;"
fi
export BROTLI_MODULES BROTLI_SETTINGS LISTEN_HOST=127.0.0.1
export APP_SERVER_1=127.0.0.1:$APP_PORT_1 APP_SERVER_2=127.0.0.1:$APP_PORT_2
"$VENV/bin/python" - <<'PY'
import os, string
from pathlib import Path
template = Path("deploy/nginx.conf.template").read_text()
names = ("NGINX_USER", "BROTLI_MODULES", "BROTLI_SETTINGS", "NGINX_WORKERS", "PROD_DIR", "APP_DIR",
         "APP_SERVER_1", "APP_SERVER_2", "LISTEN_HOST", "HTTP_PORT", "HTTPS_PORT",
         "PAGE_CACHE_SECONDS")
out = string.Template(template).safe_substitute({name: os.environ[name] for name in names})
(Path(os.environ["PROD_DIR"]) / "nginx.conf").write_text(out)
PY
"$NGINX" -t -q -p "$PROD_DIR" -c "$PROD_DIR/nginx.conf" -e "$PROD_DIR/nginx-error.log" \
  || fail "nginx does not accept $PROD_DIR/nginx.conf"

children=()
stop() {
  trap - EXIT INT TERM
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  for file in "$PROD_DIR"/app-*.pid; do [ -f "$file" ] && kill "$(cat "$file")" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [[ -z "${MAIL_SERVER:-}" ]]; then
  export MAIL_SERVER=127.0.0.1 MAIL_PORT=${MAIL_SINK_PORT:-2525}
  "$VENV/bin/flask" --app app notify sink --port "$MAIL_PORT" >/dev/null 2>&1 &
  children+=($!)
fi
"$VENV/bin/huey_consumer" app.worker.huey --workers 2 --worker-type thread --logfile /dev/null >/dev/null 2>&1 &
children+=($!)
start_app() {  # one app server; its pid in a file (the fault tests stop one by it)
  "$VENV/bin/gunicorn" --workers "$APP_WORKERS" --bind "127.0.0.1:$1" \
    --access-logfile - --error-logfile "$PROD_DIR/gunicorn-$1.log" \
    'app:create_app()' >/dev/null &
  echo $! > "$PROD_DIR/app-$1.pid"
}
for port in "$APP_PORT_1" "$APP_PORT_2"; do start_app "$port"; done
# nginx only once both answer: a refused connection marks a server down for a few seconds.
for port in "$APP_PORT_1" "$APP_PORT_2"; do
  for _ in $(seq 1 150); do answers 127.0.0.1 "$port" && break; sleep 0.2; done
  answers 127.0.0.1 "$port" || fail "the app server on $port did not start; see $PROD_DIR/gunicorn-$port.log"
done
"$NGINX" -p "$PROD_DIR" -c "$PROD_DIR/nginx.conf" -e "$PROD_DIR/nginx-error.log" -g "daemon off;" &
nginx_pid=$!
children+=("$nginx_pid")

for _ in $(seq 1 100); do
  curl -fsk -o /dev/null "https://127.0.0.1:$HTTPS_PORT/healthz" && break
  sleep 0.2
done
curl -fsk -o /dev/null "https://127.0.0.1:$HTTPS_PORT/healthz" || fail "the hub did not answer through nginx; see $PROD_DIR/*.log"
say "Victim Care Hub (production mode) on https://127.0.0.1:$HTTPS_PORT (self-signed certificate)"
echo "    app servers 127.0.0.1:$APP_PORT_1 and :$APP_PORT_2 ($APP_WORKERS workers each), worker on Redis, PostgreSQL $PG_DATABASE"
if [[ "${1:-}" == "--check" ]]; then
  curl -fsk -o /dev/null -w "    anonymous page through nginx: %{http_code}\n" "https://127.0.0.1:$HTTPS_PORT/"
  exit 0
fi
echo "    Ctrl+C stops everything"
# As a service manager would: an app server that stops is started again (nginx sends its
# traffic to the other meanwhile). Everything stops when nginx does, or on Ctrl+C.
while kill -0 "$nginx_pid" 2>/dev/null; do
  for port in "$APP_PORT_1" "$APP_PORT_2"; do
    if ! kill -0 "$(cat "$PROD_DIR/app-$port.pid")" 2>/dev/null; then
      echo "prod: the app server on $port stopped; starting it again" >&2
      start_app "$port"
    fi
  done
  sleep 1 & wait $! || true
done
