#!/usr/bin/env bash
# Set up and run the whole test suite. Under CI (CI=true) it runs on PostgreSQL and the
# integration tests must find PostgreSQL, Redis and start a real Celery worker.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${CI:-}" = "true" ] && [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
fi
export DJANGO_SETTINGS_MODULE=config.settings.test
.venv/bin/python manage.py makemigrations --check --dry-run -v0
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
exit $status
