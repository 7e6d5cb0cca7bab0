"""Fixtures of the applicant portal: open cycles, applicants with valid profiles, complete drafts."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from applications.models import (
    Application,
    Attachment,
    IdType,
    OrganisationProfile,
    OrganisationType,
    PersonProfile,
    RecommendingUnit,
)

# Valid codes (check characters verified in tests/core/test_identity.py's way).
ORG_CODE = "91310105MA1FL5XQ3Y"
ORG_CODE_2 = "91310104MA1K4B2N68"
RESIDENT_ID = "31010519800315001X"

def blank_pdf() -> bytes:
    """A real one-page PDF (uploads are parsed: a PDF whose structure cannot be read is refused)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF_BYTES = blank_pdf()
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def office_bytes(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def open_window(cycle, *, days_before: int = 10, days_after: int = 30) -> None:
    now = timezone.now()
    cycle.application_opens_at = now - datetime.timedelta(days=days_before)
    cycle.application_closes_at = now + datetime.timedelta(days=days_after)
    cycle.save(update_fields=["application_opens_at", "application_closes_at"])


@pytest.fixture
def open_cycles(seeds):
    for cycle in seeds.values():
        open_window(cycle)
    return seeds


@pytest.fixture
def applicant(make_user):
    return make_user("alice", roles=[(Role.APPLICANT, None)], full_name="Alice")


@pytest.fixture
def other_applicant(make_user):
    return make_user("bob", roles=[(Role.APPLICANT, None)], full_name="Bob")


@pytest.fixture
def organisation(applicant):
    return OrganisationProfile.objects.create(
        owner=applicant,
        name="上海示例精密制造有限公司",
        credit_code=ORG_CODE,
        org_type=OrganisationType.ENTERPRISE,
        registered_district="长宁区",
        established_on=datetime.date(2012, 5, 18),
        legal_representative="李明",
        contact_name="张华",
        contact_mobile="13812345678",
        chief_quality_officer="陈质量",
        has_cqo_system=True,
    )


@pytest.fixture
def person(applicant):
    return PersonProfile.objects.create(
        owner=applicant,
        name="王质量",
        id_type=IdType.RESIDENT_ID,
        id_number=RESIDENT_ID,
        nationality="中国",
        employer="上海示例精密制造有限公司",
        work_district="长宁区",
        quality_work_since=datetime.date(2008, 7, 1),
        district_work_since=datetime.date(2012, 5, 18),
    )


@pytest.fixture
def foreign_person(applicant):
    return PersonProfile.objects.create(
        owner=applicant,
        name="Anna Schmidt",
        id_type=IdType.PASSPORT,
        id_number="C01X00T47",
        nationality="Germany",
        work_district="长宁区",
        district_work_since=datetime.date(2015, 9, 1),
    )


def figures_for(cycle, profit="120.50") -> dict:
    return {str(y): {"revenue": "5000", "profit": profit, "policy_loss": False} for y in (cycle.year - 3, cycle.year - 2, cycle.year - 1)}


def all_declarations(category) -> dict:
    rule = category.rules.filter(kind="declarations").first()
    return {item["code"]: True for item in (rule.params["items"] if rule else [])}


def add_attachment(application, purpose, user, content=PDF_BYTES, name="report.pdf") -> Attachment:
    from applications.services import attachment_add

    return attachment_add(application=application, actor=user, upload=upload(name, content), purpose=purpose)


@pytest.fixture
def make_org_draft(open_cycles, applicant, organisation):
    """A complete 模式 draft for an organisation, in the given cycle/category code."""

    def make(cycle_code="changning-quality-2023", category_code="gold-mode", *, complete=True, **fields) -> Application:
        cycle = open_cycles[cycle_code]
        category = cycle.categories.get(code=category_code)
        application = Application.objects.create(cycle=cycle, category=category, applicant=applicant, organisation=organisation, **fields)
        if complete:
            application.form_data = {"overview": "本公司导入卓越绩效模式。", "figures": figures_for(cycle), "certifications": "ISO 9001"}
            application.declarations = all_declarations(category)
            application.save()
            add_attachment(application, Attachment.Purpose.SELF_EVALUATION, applicant)
        return application

    return make


@pytest.fixture
def recommending_unit(organisers):
    return RecommendingUnit.objects.create(organiser=organisers["changning"], name="长宁区商务委员会", kind=RecommendingUnit.Kind.INDUSTRY_DEPARTMENT)
