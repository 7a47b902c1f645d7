#!/usr/bin/env bash
# Installs whatever this checkout still lacks, and nothing it already has.
# Used by `make run`, `make test` and the Dockerfile alike, so a fresh machine, CI and the image
# are all set up by the same steps.
#   scripts/install.sh run    system libraries + Python (runtime) + assets + translations
#   scripts/install.sh test   the same, plus dev tools, Debian's Chromium (e2e) and nginx (fault tests)
#   scripts/install.sh bench  the same as test, plus wrk and nginx for the benchmarks
#   scripts/install.sh prod   the same as run, plus nginx (with brotli) for `make prod`
#   scripts/install.sh image  for the Dockerfile: runtime only, installed into the system Python
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# WeasyPrint needs Pango/HarfBuzz; the Noto fonts shape Arabic, Urdu (Nastaliq) and Bengali in PDFs.
apt_packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-core"
case "$mode" in
  run|image) ;;
  test) apt_packages="$apt_packages chromium poppler-utils nginx libnginx-mod-http-brotli-filter openssl curl" ;;
  bench) apt_packages="$apt_packages chromium poppler-utils wrk nginx libnginx-mod-http-brotli-filter curl" ;;
  prod) apt_packages="$apt_packages nginx libnginx-mod-http-brotli-filter openssl curl" ;;
  *) echo "usage: $0 run|test|bench|prod|image" >&2; exit 2 ;;
esac
# Node.js may come from Debian or elsewhere (e.g. NodeSource, whose nodejs includes npm).
command -v npm >/dev/null 2>&1 || apt_packages="$apt_packages nodejs npm"

missing=""
for pkg in $apt_packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  say "apt: installing$missing"
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "These Debian packages are missing and this user cannot install them:$missing" >&2; exit 1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

fingerprint() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# Python: exactly the versions (and file hashes) in the lock, requirements/*.txt (`make lock`), then
# the app itself; the virtualenv is reinstalled only when that lock changes.
lock=requirements/app.txt
[ "$mode" = test ] && lock=requirements/dev.txt
[ "$mode" = bench ] && lock=requirements/bench.txt
if [ "$mode" = image ]; then
  say "pip: installing the app's locked dependencies into the image's Python"
  $PYTHON -m pip install --no-cache-dir -q --require-hashes -r "$lock"
  $PYTHON -m pip install --no-cache-dir -q --no-deps -e .
else
  stamp="$VENV/.installed-$(fingerprint "$lock")-$(basename "$lock" .txt)"
  if [ ! -f "$stamp" ]; then
    say "pip: installing $lock into $VENV"
    [ -x "$VENV/bin/python" ] || $PYTHON -m venv "$VENV"
    "$VENV/bin/pip" install -q --require-hashes -r "$lock"
    "$VENV/bin/pip" install -q --no-deps -e .
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
  PYBIN="$VENV/bin"
fi
[ "$mode" = image ] && PYBIN="$(dirname "$(command -v $PYTHON)")"

# Front-end packages from npm, exactly as locked.
stamp="node_modules/.installed-$(fingerprint package-lock.json)"
if [ ! -f "$stamp" ]; then
  say "npm: installing locked packages"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# CSS and JS, built once: rebuilt only when their sources or the npm packages change.
stamp="app/static/dist/.built-$(fingerprint package-lock.json scripts/build-assets.mjs $(find app/assets -type f | sort))"
if [ ! -f "$stamp" ]; then
  say "assets: building CSS and JS"
  rm -rf app/static/dist
  node scripts/build-assets.mjs
  touch "$stamp"
fi

# Translations: compile .po to .mo when a catalogue changed.
for po in translations/*/LC_MESSAGES/messages.po; do
  [ -f "$po" ] || continue
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
    say "babel: compiling $po"
    "$PYBIN/pybabel" -q compile -f -i "$po" -o "$mo"
  fi
done

# The image needs Node.js only to build the assets above: gone again, with what it brought.
if [ "$mode" = image ] && [[ " $missing " == *" npm "* ]]; then
  say "apt: removing nodejs and npm (build-time only)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq --auto-remove nodejs npm >/dev/null
fi

# Lighthouse, for the benchmarks only (not a project dependency: big, and only bench/ runs it).
if [ "$mode" = bench ]; then
  LIGHTHOUSE_VERSION=13.5.0
  stamp="bench/.lighthouse/.installed-$LIGHTHOUSE_VERSION"
  if [ ! -f "$stamp" ]; then
    say "npm: installing lighthouse $LIGHTHOUSE_VERSION for the benchmarks"
    npm install --prefix bench/.lighthouse --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION"
    touch "$stamp"
  fi
fi
