#!/usr/bin/env bash
# What `make run` serves: the web app (gunicorn), the background worker that sends messages
# (huey's consumer) and, unless MAIL_SERVER points at a real one, the local SMTP mail sink on
# loopback whose messages are kept under instance/mail/ as .eml files. Ctrl+C stops all three.
#
#   scripts/serve.sh PORT
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
port=${1:-5000}
export BASE_URL=${BASE_URL:-http://127.0.0.1:$port}
children=()
stop() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [[ -z "${MAIL_SERVER:-}" ]]; then
  export MAIL_SERVER=127.0.0.1 MAIL_PORT=${MAIL_SINK_PORT:-2525}
  "$VENV/bin/flask" --app app notify sink --port "$MAIL_PORT" &
  children+=($!)
  echo "Mail sink: SMTP on 127.0.0.1:$MAIL_PORT; messages in ${MAIL_SINK_DIR:-instance/mail}/"
fi
"$VENV/bin/huey_consumer" app.worker.huey --workers 2 --worker-type thread --logfile /dev/null &
children+=($!)
echo "Worker: sending messages from the outbox (huey, ${REDIS_URL:+Redis}${REDIS_URL:-SQLite})"
"$VENV/bin/gunicorn" --workers 2 --bind "127.0.0.1:$port" 'app:create_app()' &
children+=($!)
wait -n "${children[@]}"  # if any of them stops, stop the others
