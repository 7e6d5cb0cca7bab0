#!/usr/bin/env bash
# Set up, load the seed programmes and demo users of every role, and serve the portal.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo
echo "==> http://127.0.0.1:${PORT:-8000}/  (demo users: see README; password demo-pass-2026)"
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
