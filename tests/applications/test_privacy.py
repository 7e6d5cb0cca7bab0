"""PIPL: an applicant's export of their own data, the retention rule for non-winners, the audit log
masked and (on PostgreSQL) refusing UPDATE and DELETE in the database itself."""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from applications import services
from applications.models import Application, PersonProfile
from applications.privacy import ANONYMOUS, apply_retention, retention_plan
from core.identity import mask_identity
from core.models import ActivityLog
from core.services import log_activity

from .conftest import PDF_BYTES, upload


@pytest.fixture
def draft(make_org_draft):
    return make_org_draft(complete=False)


@pytest.mark.django_db
def test_an_applicant_downloads_everything_held_about_them(draft, applicant, other_applicant, client):
    services.attachment_add(application=draft, actor=applicant, upload=upload("自评报告.pdf", PDF_BYTES), purpose="evidence")
    client.force_login(applicant)
    assert "下载我的个人信息" in client.get(reverse("applications:my_data")).content.decode()
    response = client.post(reverse("applications:my_data"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == applicant.email
    assert [o["name"] for o in data["organisations"]] == [draft.organisation.name]
    [exported] = data["applications"]
    assert exported["answers"] == draft.form_data
    [file_entry] = exported["attachments"]
    assert archive.read(file_entry["file"]) == PDF_BYTES
    assert ActivityLog.objects.filter(action="privacy.exported", target_id=str(applicant.pk)).count() == 1
    # nobody else's data: the other applicant's export holds none of this
    client.force_login(other_applicant)
    other = json.loads(zipfile.ZipFile(io.BytesIO(client.post(reverse("applications:my_data")).content)).read("data.json"))
    assert other["applications"] == [] and draft.organisation.name not in json.dumps(other, ensure_ascii=False)


@pytest.mark.django_db
def test_identity_numbers_are_masked_in_the_activity_log(applicant, cn_staff):
    number = "11010519491231002X"
    entry = log_activity(actor=cn_staff, action="test.identity", target=applicant,
                         before={"id_number": "E12345678"}, after={"note": f"{number}", "nested": [{"id_number": number}]})
    entry.refresh_from_db()
    assert entry.before == {"id_number": mask_identity("E12345678")}
    assert entry.after == {"note": mask_identity(number), "nested": [{"id_number": mask_identity(number)}]}


def _close_cycle_years_ago(cycle, years: int):
    from django.utils import timezone

    closes = timezone.now() - datetime.timedelta(days=365 * years + 10)
    cycle.application_opens_at = closes - datetime.timedelta(days=30)
    cycle.application_closes_at = closes
    cycle.save(update_fields=["application_opens_at", "application_closes_at"])


@pytest.mark.django_db
def test_retention_removes_non_winners_personal_data_and_keeps_the_record(make_org_draft, person, applicant, settings):
    settings.PORTAL_RETENTION_YEARS = 5
    org_app = make_org_draft()  # complete, with its self-evaluation attached
    cycle = org_app.cycle
    person_app = Application.objects.create(cycle=cycle, category=cycle.categories.get(code="gold-achievement"),
                                            applicant=applicant, person=person, form_data={"summary": "个人事迹"})
    assert person_app.cycle_id == cycle.pk
    assert retention_plan() == []  # the cycle is open: nothing is due
    _close_cycle_years_ago(cycle, 6)
    [plan] = retention_plan()
    assert {a.pk for a in plan.applications} == {org_app.pk, person_app.pk}
    out = io.StringIO()
    call_command("retention", stdout=out)  # a preview changes nothing
    assert "以上为预览" in out.getvalue() and Application.objects.get(pk=org_app.pk).form_data
    call_command("retention", "--apply", stdout=out)
    org_app.refresh_from_db()
    person_app.refresh_from_db()
    assert org_app.form_data == {} and org_app.attachments.count() == 0 and org_app.personal_data_removed_at
    assert org_app.number == org_app.number and org_app.status  # the record of the application stays
    person = PersonProfile.objects.get(pk=person_app.person_id)
    assert person.name == ANONYMOUS and person.id_number == f"ANON-{person.pk}" and person.mobile == ""
    assert org_app.organisation.contact_name == ANONYMOUS and org_app.organisation.contact_mobile == ""
    assert ActivityLog.objects.filter(action="privacy.retention_applied", target_id=str(cycle.pk)).count() == 1
    assert retention_plan() == []  # done once
    assert apply_retention(plans=[]) == {"applications": 0, "attachments": 0, "people": 0, "organisations": 0, "notifications": 0}


@pytest.mark.django_db
def test_retention_refuses_a_bad_date_with_a_message():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today 应为 YYYY-MM-DD"):
        call_command("retention", "--today", "2026-13-01")


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_update_and_delete_of_the_activity_log(applicant):
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true runs against PostgreSQL (DATABASE_URL); this test needs it.")
        pytest.skip("the append-only trigger exists on PostgreSQL only (set DATABASE_URL=postgres://… to run it).")
    entry = log_activity(actor=None, action="test.append_only", target=applicant, after={"x": 1})
    for statement in ("UPDATE core_activitylog SET action = 'rewritten' WHERE id = %s",
                      "DELETE FROM core_activitylog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [entry.pk])
    assert ActivityLog.objects.get(pk=entry.pk).action == "test.append_only"
