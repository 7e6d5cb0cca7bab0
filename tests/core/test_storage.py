"""File storage: the choice by environment, the refusal of local disk on several machines, the probe,
streamed private downloads, the 申报书's read-back of attachments, and deleting a draft's files.

The real object store (SeaweedFS) runs in tests/integration/test_object_storage.py; here the local
disk of the test settings stands in, and the S3 configuration is checked without a network call.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404

from core.files import private_file_response

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "x" * 20 + "a-long-random-production-secret-key-for-the-check"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "AWS_"))}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def _files_under(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*") if path.is_file())


# --- configuration ---------------------------------------------------------------------------------


def test_the_old_DJANGO_FILE_STORAGE_variable_is_refused_with_its_replacement():
    result = _run("check", DJANGO_FILE_STORAGE="storages.backends.s3.S3Storage")
    assert result.returncode != 0
    assert "DJANGO_FILE_STORAGE is no longer read: set PORTAL_STORAGE=local (the default) or PORTAL_STORAGE=s3" in result.stderr


def test_s3_storage_needs_a_bucket_and_refuses_public_acls():
    result = _run("check", PORTAL_STORAGE="s3")
    assert "PORTAL_STORAGE=s3 needs PORTAL_S3_BUCKET." in result.stderr
    result = _run("check", PORTAL_STORAGE="s3", PORTAL_S3_BUCKET="portal", PORTAL_S3_DEFAULT_ACL="public-read")
    assert "PORTAL_S3_DEFAULT_ACL must be 'private' or empty (no ACL header): objects are never public." in result.stderr


SHOW_STORAGE = """
from django.core.files.storage import default_storage as s
print("STORAGE", s.__class__.__name__, s.bucket_name, s.endpoint_url, s.region_name, s.default_acl, s.querystring_auth,
      s.file_overwrite, s.location, s.client_config.s3["addressing_style"], s.client_config.connect_timeout, s.describe())
try:
    s.url("attachments/x.pdf")
except NotImplementedError as exc:
    print("URL", exc)
"""


def test_s3_settings_make_a_private_storage_without_urls():
    result = _run(
        "shell", "-c", SHOW_STORAGE,
        PORTAL_STORAGE="s3", PORTAL_S3_BUCKET="portal-files", PORTAL_S3_ENDPOINT_URL="http://s3.internal:8333",
        PORTAL_S3_ACCESS_KEY_ID="key", PORTAL_S3_SECRET_ACCESS_KEY="secret", PORTAL_S3_REGION="cn-east-1",
        PORTAL_S3_PREFIX="/changning/",
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("STORAGE", "URL")))
    assert lines["STORAGE"] == (
        "PrivateS3Storage portal-files http://s3.internal:8333 cn-east-1 private False False changning path 3 "
        "s3 bucket portal-files, prefix changning/"
    )
    assert lines["URL"] == "Private storage has no URLs: serve files through core.files.private_file_response."


def test_check_refuses_local_disk_on_several_machines():
    result = _run("check", PORTAL_MACHINES="3")
    assert result.returncode == 1
    assert "(portal.E001) PORTAL_MACHINES=3 but files are on the local disk: each machine would keep its own files." in result.stderr


def test_production_refuses_to_start_with_local_disk_on_several_machines():
    result = _run("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY=PRODUCTION_KEY, PORTAL_MACHINES="2")
    assert result.returncode != 0
    assert "ImproperlyConfigured: PORTAL_MACHINES=2 but PORTAL_STORAGE=local: each machine would keep its own files." in result.stderr


def test_a_declared_shared_mount_is_allowed_with_a_deploy_warning(tmp_path):
    env = dict(
        DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_ALLOWED_HOSTS="awards.example.gov.cn",
        PORTAL_MACHINES="2", PORTAL_SHARED_MEDIA_ROOT="true", DJANGO_MEDIA_ROOT=str(tmp_path),
    )
    assert _run("check", **env).returncode == 0
    result = _run("check", "--deploy", **env)
    assert f"(portal.W001) 2 machines share files through {tmp_path} (PORTAL_SHARED_MEDIA_ROOT=true)" in result.stderr
    assert _files_under(tmp_path) == []  # the deploy probe wrote, read and deleted its object


def test_deploy_check_reports_an_unwritable_storage(tmp_path):
    missing = tmp_path / "file-not-a-folder"
    missing.write_text("")
    result = _run("check", "--deploy", "--tag", "portal_storage", DJANGO_MEDIA_ROOT=str(missing))
    assert result.returncode == 1
    assert f"(portal.E002) File storage unusable: local disk {missing}: " in result.stderr


# --- /health/ --------------------------------------------------------------------------------------


def test_health_probes_the_storage_and_says_which_it_is(client, db, settings):
    response = client.get("/health/?checks=storage")
    assert response.status_code == 200
    data = response.json()
    assert list(data["checks"]) == ["storage"]
    assert data["checks"]["storage"]["ok"] is True
    assert data["checks"]["storage"]["detail"].startswith(f"local disk {settings.MEDIA_ROOT}: write, read, delete ok in ")
    assert [name for name in _files_under(settings.MEDIA_ROOT) if name.startswith("_health")] == []  # the probe cleaned up


def test_health_for_a_load_balancer_leaves_out_the_workers(client, db):
    response = client.get("/health/?checks=database,broker,storage")
    assert response.status_code == 200
    assert list(response.json()["checks"]) == ["database", "broker", "storage"]


def test_health_is_503_with_local_disk_on_several_machines(client, db, settings):
    settings.PORTAL_MACHINES = 2
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {
        "ok": False, "detail": "PORTAL_MACHINES=2 but files are on the local disk: each machine would keep its own files.",
    }


# --- streamed private downloads ------------------------------------------------------------------


def test_private_file_response_streams_the_stored_file(db):
    content = b"%PDF-1.4\n" + os.urandom(200_000)
    name = default_storage.save("attachments/test/report.pdf", ContentFile(content))
    field_file = type("F", (), {"storage": default_storage, "name": name, "__bool__": lambda self: True})()
    response = private_file_response(field_file, filename="自评报告.pdf")
    assert response.streaming and b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"].startswith("attachment;")
    default_storage.delete(name)
    with pytest.raises(Http404):
        private_file_response(field_file)


# --- the 申报书 reads attachments back; deleting a draft deletes its files ----------------------------


def _pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _attach(application, name: str, content: bytes, content_type: str = "application/pdf"):
    from applications.models import Attachment

    attachment = Attachment(
        application=application, purpose="evidence", original_name=name, content_type=content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=application.applicant,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def draft(seeds):
    from applications.models import Application, ApplicationStatus
    from tests.documents.factories import make_application

    cycle = seeds["changning-quality-2023"]
    application = make_application(cycle, cycle.categories.order_by("order").first(), 1, status=ApplicationStatus.DRAFT)
    Application.objects.filter(pk=application.pk).update(number=None, submitted_at=None)
    return Application.objects.get(pk=application.pk)


def test_the_application_form_verifies_each_attachment_read_back_from_storage(draft):
    from documents import generation

    _attach(draft, "自评报告.pdf", _pdf(3))
    tampered = _attach(draft, "财务报表.pdf", _pdf(1))
    with default_storage.open(tampered.file.name, "wb") as handle:
        handle.write(_pdf(2))
    lost = _attach(draft, "照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    default_storage.delete(lost.file.name)
    spec = generation.build_spec(kind="application", subject=generation.build_subject(kind="application", application=draft))
    rows = [(row["name"], row["pages"], row["verdict"]) for row in spec.context["app"]["attachments"]]
    assert rows == [("自评报告.pdf", 3, "校验一致"), ("财务报表.pdf", 2, "校验不符"), ("照片.png", None, "文件缺失")]


def test_deleting_a_draft_removes_its_attachments_and_documents_from_storage(draft, django_capture_on_commit_callbacks):
    from applications import services
    from applications.models import Application, Attachment
    from core.models import ActivityLog
    from documents.models import Document

    attachment = _attach(draft, "自评报告.pdf", _pdf(1))
    document = Document.objects.create(kind="application", organiser=draft.cycle.programme.organiser, cycle=draft.cycle,
                                       application=draft, subject_key=f"application:{draft.pk}", status="done", checksum="0" * 64)
    document.file.save("form.pdf", ContentFile(b"%PDF-1.4 form"), save=True)
    names = [attachment.file.name, document.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_delete_draft(application=draft, actor=draft.applicant)
    assert [default_storage.exists(name) for name in names] == [False, False]
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists() and not Document.objects.filter(pk=document.pk).exists()
    entry = ActivityLog.objects.get(action="application.delete", target_id=str(draft.pk))
    assert entry.actor == draft.applicant
    assert entry.before["attachments"] == [{"name": "自评报告.pdf", "sha256": attachment.sha256, "file": names[0]}]
    assert entry.before["documents"] == [{"kind": "application", "file": names[1], "checksum": "0" * 64}]


def test_a_submitted_application_is_not_deleted(draft, django_capture_on_commit_callbacks):
    from applications import services
    from applications.models import Application

    attachment = _attach(draft, "自评报告.pdf", _pdf(1))
    Application.objects.filter(pk=draft.pk).update(number="CHANGNING-QUALITY-2023-0001")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ApplicationError) as refused:
        services.application_delete_draft(application=draft, actor=draft.applicant)
    assert str(refused.value) == "此申报当前不可修改。"
    assert Application.objects.filter(pk=draft.pk).exists() and default_storage.exists(attachment.file.name)
