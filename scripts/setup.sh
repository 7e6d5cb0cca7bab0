#!/usr/bin/env bash
# Set up everything the portal needs on a fresh Debian machine: system packages (with apt, when
# missing), a virtualenv with the Python packages, the pre-subset CJK fonts, compiled translations.
# Idempotent and quick when nothing changed. Used by `make run` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  fonts-noto-cjk fonts-lxgw-wenkai fonts-wqy-zenhei fonts-arphic-uming fonts-arphic-ukai  # CJK fonts for the PDFs
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  # WeasyPrint
  poppler-utils                                      # pdftoppm / pdftotext to look at PDFs
  chromium                                           # browser tests (Playwright drives it)
  gettext                                            # compilemessages
)
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)  # axe-core for the accessibility check of the browser tests
EXTRA_APT_FILE=scripts/apt-packages.txt
if [ -f "$EXTRA_APT_FILE" ]; then
  mapfile -t extra < <(grep -vE '^\s*(#|$)' "$EXTRA_APT_FILE")
  APT_PACKAGES+=("${extra[@]}")
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "==> apt-get install ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "WARNING: missing system packages (${missing[*]}) and no apt-get here; PDFs or browser tests may not work." >&2
  fi
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> pip install -r requirements.txt"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

# axe-core (package.json, pinned by package-lock.json) for tests/browser/test_accessibility.py; never served to users.
if command -v npm >/dev/null 2>&1; then
  npm_stamp=node_modules/.package-lock.sha256
  npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_want" ]; then
    echo "==> npm ci (axe-core)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$npm_want" > "$npm_stamp"
  fi
else
  echo "WARNING: npm not found; the accessibility browser test will skip (and fail under CI=true)." >&2
fi

mkdir -p var
if [ -f scripts/build_fonts.py ]; then
  .venv/bin/python scripts/build_fonts.py
fi
if compgen -G "locale/*/LC_MESSAGES/*.po" >/dev/null; then
  .venv/bin/python manage.py compilemessages -v0 --ignore=.venv
fi
