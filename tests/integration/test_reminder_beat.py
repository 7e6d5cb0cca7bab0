"""Two real `celery beat` processes (one started by mistake) and a real worker, through the real Redis, send a
reminder exactly once.

The beats tick every 2 seconds (PORTAL_REMINDERS_EVERY), each with its own schedule file as on two machines;
the worker (two processes) runs every sweep they send. The web side and the worker share a file SQLite
database. Redis database 14 is this test's own. Skipped when Redis is unreachable, except under CI=true.
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
BROKER = "redis://127.0.0.1:6379/14"

SETUP = """
import datetime
from django.utils import timezone
from accounts.models import Role, RoleAssignment, User
from applications.models import Application, PersonProfile
from awards.models import Cycle
from core import workdays
from core.models import CalendarYear
today = timezone.localdate()
if not workdays.is_covered(today):  # a year past chinesecalendar's data: the office enters it, as it would
    CalendarYear.objects.create(year=today.year, notice="test", is_complete=True)
cycle = Cycle.objects.get(code="changning-quality-2023")
now = timezone.now()
cycle.application_opens_at = now - datetime.timedelta(days=30)
cycle.application_closes_at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59)))
cycle.save()
user = User.objects.create_user("it-drafter", "drafter@example.test", "pw-it-123456", preferred_language="en")
RoleAssignment.objects.create(user=user, role=Role.APPLICANT)
person = PersonProfile.objects.create(owner=user, name="草稿人", id_type="passport", id_number="E1234567", nationality="中国",
                                      employer="单位", quality_work_since=datetime.date(2010, 1, 1))
Application.objects.create(cycle=cycle, category=cycle.categories.get(code="district-achievement"), applicant=user,
                           person=person, form_data={})
print("READY")
"""

COUNT = """
from core.models import EmailNotification
from reviews.models import Reminder
rows = list(Reminder.objects.values_list("kind", "recipient__username", "language"))
print("COUNT", len(rows), EmailNotification.objects.filter(event="reminder.application_window").count(), rows)
"""


def _env(tmp_path: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "PORTAL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'reminders.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BROKER_URL=BROKER,
        CELERY_RESULT_BACKEND=BROKER,
        PORTAL_REMINDERS_EVERY="2",
    )
    return env


def _manage(env: dict, *args: str, timeout: int = 180) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_two_beats_and_a_worker_send_each_reminder_once(tmp_path):
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # db 14 is reserved for this test
    env = _env(tmp_path)
    _manage(env, "migrate", "-v0")
    _manage(env, "load_programmes", "-v0")
    assert "READY" in _manage(env, "shell", "-c", SETUP)
    worker_log = tmp_path / "worker.log"
    processes = [subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "-c", "2", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-n", f"reminders-it-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)]
    for n in (1, 2):
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info", "--schedule", str(tmp_path / f"beat{n}")],
            cwd=ROOT, env=env, stdout=(tmp_path / f"beat{n}.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True))
    try:
        deadline = time.monotonic() + 120
        runs = 0
        while time.monotonic() < deadline:
            for process in processes:
                assert process.poll() is None, worker_log.read_text()[-3000:]
            runs = worker_log.read_text().count("reviews.tasks.send_reminders[") // 2  # received + succeeded lines
            if runs >= 6:  # several sweeps from both beats, some of them at the same moment
                break
            time.sleep(1)
        assert runs >= 6, worker_log.read_text()[-3000:]
        for n in (1, 2):
            assert "Scheduler: Sending due task send-reminders" in (tmp_path / f"beat{n}.log").read_text()
        count = _manage(env, "shell", "-c", COUNT).split("COUNT", 1)[1].split(maxsplit=2)
        assert count[:2] == ["1", "1"], (count, worker_log.read_text()[-3000:])
        assert "('application_window', 'it-drafter', 'en')" in count[2]
        assert "'sent': 1" in worker_log.read_text()  # one sweep sent it; every other found it sent
    finally:
        for process in processes:
            _stop(process)


RACE = """
import time
from reviews import services
time.sleep(max(0.0, {start} - time.time()))  # both processes sweep at the same instant
result = services.send_due_reminders()
print("SWEEP", len(result.sent), result.already)
"""


def test_two_sweeps_at_the_same_instant_against_postgresql_send_once(tmp_path):
    """The race the unique constraint is for: two processes (two beats' sweeps) insert the same reminder at once.
    PostgreSQL makes the second insert wait for the first transaction and then refuses it."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    database = f"h16_reminders_{os.getpid()}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    try:
        env = {**_env(tmp_path), "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}"}
        env.pop("CELERY_BROKER_URL")  # no broker: the e-mail task runs in-process
        env.pop("CELERY_RESULT_BACKEND")
        _manage(env, "migrate", "-v0")
        _manage(env, "load_programmes", "-v0")
        assert "READY" in _manage(env, "shell", "-c", SETUP)
        start = time.time() + 8  # after both interpreters have loaded Django
        sweeps = [subprocess.Popen([sys.executable, "manage.py", "shell", "-c", RACE.format(start=start)], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [sweep.communicate(timeout=120) for sweep in sweeps]
        assert all(sweep.returncode == 0 for sweep in sweeps), [err[-2000:] for _out, err in outputs]
        results = sorted(tuple(out.split("SWEEP", 1)[1].split()) for out, _err in outputs)
        assert results == [("0", "1"), ("1", "0")]  # one sent it, the other found it sent
        count = _manage(env, "shell", "-c", COUNT).split("COUNT", 1)[1].split(maxsplit=2)
        assert count[:2] == ["1", "1"]
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", database], check=False)
