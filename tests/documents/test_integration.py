"""A real Celery worker process, fed through the real Redis, renders a document.

The web side and the worker share a file SQLite database (both are separate processes here, so
pytest's own test database cannot be used). Skipped when Redis is unreachable, except under
CI=true, where it fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import require_service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/15"


def _env(tmp_path: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'integration.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BROKER_URL=BROKER,
        CELERY_RESULT_BACKEND=BROKER,
    )
    return env


def _manage(env: dict, *args: str, timeout: int = 180) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


REQUEST = """
from django.db import transaction
from accounts.models import Role, RoleAssignment, User
from awards.models import Cycle
from documents import services
cycle = Cycle.objects.get(code="changning-quality-2023")
user = User.objects.create_user("it-staff", "it@example.test", "pw-it-123456")
RoleAssignment.objects.create(user=user, role=Role.STAFF, organiser=cycle.programme.organiser)
with transaction.atomic():
    document = services.request_document(kind="project_form", requested_by=user, cycles=[cycle])
print("DOCUMENT", document.pk)
"""

STATUS = """
from documents.models import Document
d = Document.objects.get(pk={pk})
print("STATUS", d.status, d.attempts, d.pages, d.checksum, d.file.name, repr(d.error))
"""


def test_a_celery_worker_renders_a_document_queued_through_redis(tmp_path):
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # db 15 is reserved for this test
    env = _env(tmp_path)
    _manage(env, "migrate", "-v0")
    _manage(env, "load_programmes", "-v0")
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "-c", "1", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-n", f"documents-it-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        output = _manage(env, "shell", "-c", REQUEST)
        pk = int(output.split("DOCUMENT", 1)[1].split()[0])
        deadline = time.monotonic() + 120
        status = ""
        while time.monotonic() < deadline:
            status = _manage(env, "shell", "-c", STATUS.format(pk=pk)).split("STATUS", 1)[1].split()
            if status[0] in ("done", "failed"):
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(1)
        assert status[0] == "done", (status, (tmp_path / "worker.log").read_text()[-3000:])
        assert status[1] == "1" and status[2] == "1"
        stored = tmp_path / "media" / status[4]
        assert stored.read_bytes().startswith(b"%PDF")
        assert "documents.tasks.render_document" in (tmp_path / "worker.log").read_text()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
