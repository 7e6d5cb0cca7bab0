"""Personal information (PIPL, 个人信息保护法): a logged reveal of a masked identity number, an applicant's
export of their own data, and the retention rule that removes the personal data of non-winners some years
after a cycle closes.

- Identity numbers are masked on every page (core.identity.mask_identity) and in the activity log
  (core.services.masked_for_log). Review staff of the organiser may see the full number of one
  application by an explicit action naming its purpose; the action is logged and the number stays
  visible to that user, on that page, for REVEAL_MINUTES.
- An applicant downloads everything the portal holds about them as a zip (data.json + their files).
- Retention: `manage.py retention` lists, and with --apply removes, the personal data of the
  applications of cycles closed more than settings.PORTAL_RETENTION_YEARS ago that did not win.
  Winners' records are kept (they are the public record of the award); the activity log is kept as the
  record of the office's acts (it holds identity numbers only masked) and cannot be rewritten.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.identity import mask_identity
from core.services import _jsonable, log_activity, model_snapshot

from .models import Application, ApplicationStatus, Attachment, OrganisationProfile, PersonProfile

REVEAL_MINUTES = 10
REVEAL_SESSION_KEY = "identity_revealed"


class PrivacyError(Exception):
    """A refused privacy action; str() says why, in the user's language."""


# ---------------------------------------------------------------------------------------------
# Reveal a masked identity number


def reveal_identity(*, application: Application, actor, purpose: str, session) -> str:
    """Record that `actor` looked at the full identity number of the application's person, and why;
    remember it in their session for REVEAL_MINUTES. Returns the full number."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise PrivacyError(_("请说明查看完整证件号码的用途（如：资格审查核验身份）。"))
    person = application.person
    if person is None or not person.id_number:
        raise PrivacyError(_("此申报没有个人证件号码。"))
    log_activity(actor=actor, action="identity.revealed", target=application,
                 after={"id_type": person.id_type, "id_number": mask_identity(person.id_number)}, reason=purpose[:500],
                 organiser=application.cycle.programme.organiser)
    revealed = dict(session.get(REVEAL_SESSION_KEY) or {})
    now = timezone.now().timestamp()
    revealed = {k: v for k, v in revealed.items() if now - v < REVEAL_MINUTES * 60}
    revealed[str(application.pk)] = now
    session[REVEAL_SESSION_KEY] = revealed
    return person.id_number


def identity_revealed(session, application: Application) -> bool:
    at = (session.get(REVEAL_SESSION_KEY) or {}).get(str(application.pk))
    return at is not None and timezone.now().timestamp() - at < REVEAL_MINUTES * 60


# ---------------------------------------------------------------------------------------------
# An applicant's export of their own data


def personal_data_export(*, user) -> bytes:
    """A zip of everything the portal holds about `user`: account, profiles, applications with their
    answers, status history and notifications, and the files they uploaded. Logged."""
    applications = list(
        Application.objects.filter(applicant=user).select_related("cycle", "category", "current_stage", "organisation", "person")
        .prefetch_related("attachments").order_by("created_at")
    )
    account = {
        "username": user.username, "email": user.email, "full_name": getattr(user, "full_name", ""),
        "preferred_language": getattr(user, "preferred_language", ""), "date_joined": user.date_joined,
        "last_login": user.last_login,
    }
    person = PersonProfile.objects.filter(owner=user).first()
    data = {
        "exported_at": timezone.now(),
        "account": account,
        "person_profile": model_snapshot(person, None) if person else None,
        "organisations": [model_snapshot(o, None) for o in OrganisationProfile.objects.filter(owner=user).order_by("pk")],
        "applications": [],
        "notifications": [
            {"created_at": n.created_at, "event": n.event, "subject": n.subject, "body": n.body, "to": n.to_address}
            for n in user.notifications.order_by("created_at")
        ],
    }
    files: list[tuple[str, Attachment]] = []
    for application in applications:
        attachments = list(application.attachments.all())
        data["applications"].append({
            "number": application.number, "cycle": str(application.cycle), "category": str(application.category),
            "status": application.get_status_display(), "stage": application.current_stage.name if application.current_stage else None,
            "submitted_at": application.submitted_at, "answers": application.form_data, "declarations": application.declarations,
            "criteria": application.criteria,
            "attachments": [{"name": a.original_name, "purpose": a.get_purpose_display(), "size": a.size, "sha256": a.sha256,
                             "file": f"attachments/{application.pk}/{a.pk}-{a.original_name}"} for a in attachments],
        })
        files += [(f"attachments/{application.pk}/{a.pk}-{a.original_name}", a) for a in attachments]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(_jsonable(data), ensure_ascii=False, indent=2, default=str))
        for name, attachment in files:
            try:
                with attachment.file.open("rb") as stored:
                    archive.writestr(name, stored.read())
            except (FileNotFoundError, OSError):
                archive.writestr(name + ".missing.txt", _("此文件在存储中已不存在。"))
    log_activity(actor=user, action="privacy.exported", target=user,
                 after={"applications": len(applications), "files": len(files)})
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Retention


@dataclass
class RetentionPlan:
    cycle: object
    closed_on: datetime.date
    applications: list[Application]


def cycle_closed_on(cycle) -> datetime.date | None:
    """When a cycle closed: its government approval when it has one, else the end of its application window."""
    from reviews.models import Approval

    approved = Approval.objects.filter(cycle=cycle).aggregate(last=Max("approved_on"))["last"]
    if approved:
        return approved
    return timezone.localdate(cycle.application_closes_at) if cycle.application_closes_at else None


def retention_plan(*, today: datetime.date | None = None, years: int | None = None) -> list[RetentionPlan]:
    """The non-winning applications whose personal data is past the retention period."""
    from awards.models import Cycle

    today = today or timezone.localdate()
    years = settings.PORTAL_RETENTION_YEARS if years is None else years
    plans = []
    for cycle in Cycle.objects.order_by("pk"):
        closed = cycle_closed_on(cycle)
        if closed is None:
            continue
        try:
            limit = closed.replace(year=closed.year + years)
        except ValueError:  # 29 February
            limit = closed.replace(year=closed.year + years, day=28)
        if today < limit:
            continue
        pending = list(
            Application.objects.filter(cycle=cycle, personal_data_removed_at__isnull=True)
            .exclude(status__in=[ApplicationStatus.AWARDED]).exclude(award__isnull=False)
            .select_related("person", "organisation").order_by("pk")
        )
        if pending:
            plans.append(RetentionPlan(cycle, closed, pending))
    return plans


ANONYMOUS = "（已按保存期限删除）"


def apply_retention(*, plans: list[RetentionPlan], actor=None) -> dict:
    """Remove the personal data of the planned applications, one cycle per transaction; files go after commit."""
    from applications.services import _delete_files

    totals = {"applications": 0, "attachments": 0, "people": 0, "organisations": 0, "notifications": 0}
    for plan in plans:
        with transaction.atomic():
            files = []
            ids = [a.pk for a in plan.applications]
            for application in Application.objects.select_for_update().filter(pk__in=ids, personal_data_removed_at__isnull=True):
                attachments = list(application.attachments.all())
                files += [(a.file.storage, a.file.name) for a in attachments if a.file]
                documents = [d for d in application.documents.all() if d.file]
                files += [(d.file.storage, d.file.name) for d in documents]
                totals["attachments"] += len(attachments)
                application.attachments.all().delete()
                application.documents.all().delete()
                totals["notifications"] += application.notifications.update(body=ANONYMOUS, subject=ANONYMOUS)
                Application.objects.filter(pk=application.pk).update(
                    form_data={}, declarations={}, criteria=[], eligibility_snapshot=None, personal_data_removed_at=timezone.now())
                totals["applications"] += 1
            people = PersonProfile.objects.filter(applications__pk__in=ids).distinct()
            for person in people:
                if _still_needed(person.applications.all(), ids):
                    continue
                PersonProfile.objects.filter(pk=person.pk).update(
                    name=ANONYMOUS, name_zh="", id_number=f"ANON-{person.pk}", birth_date=None, sex="", mobile="",
                    employer="", employer_credit_code="", position="", work_district="")
                totals["people"] += 1
            for organisation in OrganisationProfile.objects.filter(applications__pk__in=ids).distinct():
                if _still_needed(organisation.applications.all(), ids):
                    continue
                # The organisation is not personal data; its contact person and representative are.
                OrganisationProfile.objects.filter(pk=organisation.pk).update(
                    contact_name=ANONYMOUS, contact_mobile="", legal_representative=ANONYMOUS, chief_quality_officer="")
                totals["organisations"] += 1
            log_activity(actor=actor, action="privacy.retention_applied", target=plan.cycle,
                         after={"closed_on": plan.closed_on, "applications": len(ids),
                                "retention_years": settings.PORTAL_RETENTION_YEARS},
                         organiser=plan.cycle.programme.organiser)
            transaction.on_commit(lambda files=files: _delete_files(files))
    return totals


def _still_needed(applications, removing: list[int]) -> bool:
    """A profile stays while another application of it is kept (a winner, or a cycle still in its period)."""
    return applications.exclude(pk__in=removing).filter(Q(personal_data_removed_at__isnull=True)).exists()
