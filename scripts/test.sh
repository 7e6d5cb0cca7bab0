#!/usr/bin/env bash
# Set up and run the whole test suite. Under CI (CI=true) it runs on PostgreSQL and the
# integration tests must find PostgreSQL, Redis and start a real Celery worker.
# The security scans run first; the test suite runs whatever they find, and the script fails if any part failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${CI:-}" = "true" ] && [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
fi
export DJANGO_SETTINGS_MODULE=config.settings.test
failed=0

.venv/bin/python manage.py makemigrations --check --dry-run -v0 || { echo "FAILED: model changes without a migration"; failed=1; }

echo "==> bandit (static security analysis)"
.venv/bin/bandit -q -c pyproject.toml -r . --severity-level low || { echo "FAILED: bandit findings"; failed=1; }

echo "==> pip-audit (known vulnerabilities in requirements.txt)"
if ! audit_out=$(.venv/bin/pip-audit -r requirements.txt --progress-spinner off 2>&1); then
  if echo "$audit_out" | grep -qE "Found [0-9]+ known vulnerabilit"; then
    echo "$audit_out"; echo "FAILED: pip-audit"; failed=1
  else
    echo "WARNING: pip-audit could not reach its vulnerability service: $(echo "$audit_out" | tail -1)" >&2
  fi
else
  echo "$audit_out" | grep -E "No known vulnerabilities|Found" || true
fi

echo "==> pytest"
.venv/bin/python -m pytest "$@" || failed=1
exit $failed
