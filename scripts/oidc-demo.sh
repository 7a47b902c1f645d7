#!/usr/bin/env bash
# `make run` with OIDC_DEMO=1: sign in through a local OpenID provider (panva's oidc-provider, run
# by e2e/oidc/provider.mjs) as if it were GOV.UK One Login.
#
#   scripts/oidc-demo.sh COMMAND [ARG...]
#
# Starts the provider in the background on 127.0.0.1:$OIDC_DEMO_PORT (default: PORT + 1), with a
# client key pair made once under instance/oidc-demo/, runs COMMAND with the OIDC_* settings that
# point the hub at it, and stops the provider when COMMAND ends. At the provider, any name and any
# password sign in; a name starting with "unverified" has an unconfirmed e-mail address.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
port=${PORT:-5000}
provider_port=${OIDC_DEMO_PORT:-$((port + 1))}
base=${BASE_URL:-http://127.0.0.1:$port}
issuer="http://127.0.0.1:$provider_port"
keys=instance/oidc-demo
client_id=victim-care-hub-demo

command -v node >/dev/null || { echo "oidc-demo: Node.js is missing (run make install)" >&2; exit 1; }
"$VENV/bin/python" -m e2e.oidc.keys "$keys" >/dev/null  # keeps an existing key pair

node e2e/oidc/provider.mjs --port "$provider_port" --client-id "$client_id" \
  --client-jwks "$keys/client-jwks.json" \
  --redirect-uri "$base/account/sign-in/provider/callback" \
  --post-logout-redirect-uri "$base/account/signed-out/provider" &
provider=$!
trap 'kill "$provider" 2>/dev/null || true' EXIT

up() {
  "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "$issuer/.well-known/openid-configuration" 2>/dev/null
}
for _ in $(seq 100); do
  up && break
  kill -0 "$provider" 2>/dev/null || { echo "oidc-demo: the provider did not start" >&2; exit 1; }
  sleep 0.1
done
up || { echo "oidc-demo: the provider does not answer on $issuer" >&2; exit 1; }

export OIDC_ISSUER="$issuer" OIDC_CLIENT_ID="$client_id" BASE_URL="$base"
export OIDC_PRIVATE_KEY="$PWD/$keys/client-key.pem"
export OIDC_PROVIDER_NAME="${OIDC_PROVIDER_NAME:-the demo provider}"
echo "Demo OpenID provider on $issuer: sign in there with any name and any password"
"$@"
