"""Writes of the applicant portal. Keyword-only, one transaction each, logged.

Status changes (submit, withdraw, resubmit) go through reviews.services.apply_transition, the only
code that changes Application.status; this module prepares what goes with them (eligibility
snapshot, receipt number, submission time) and passes it as `extra=`.
"""

from __future__ import annotations

import copy
import logging
import re

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.models import ApplicantKind, Category, Cycle
from core.identity import listed_code_problem, normalise_code
from core.services import log_activity, model_snapshot

from . import eligibility
from .answers import answer_diff, answer_values
from .files import check_upload
from .models import (
    Application,
    ApplicationStatus,
    Attachment,
    CreditBlacklistEntry,
    Nomination,
    OrganisationProfile,
    PersonProfile,
    ReceiptSequence,
)
from .sections import editability

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A refused action; the message says why in the user's language."""


class StaleApplication(ApplicationError):
    """The application was saved elsewhere since the form was opened (optimistic locking)."""

    def __init__(self, current: Application):
        self.current = current
        super().__init__(
            _("保存未成功：此申报已在其他窗口或由其他人于 %(t)s 修改（当前为第 %(v)d 版）。您填写的内容仍保留在下方，请核对后再次保存。")
            % {"t": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M:%S"), "v": current.version}
        )


class SubmissionBlocked(ApplicationError):
    def __init__(self, report: eligibility.EligibilityReport):
        self.report = report
        reasons = "；".join(f"{r.label}：{r.reason}" for r in report.blocking)
        super().__init__(_("尚不能提交：%(reasons)s") % {"reasons": reasons})


NOMINATION_SALT = "applications.nomination"
NOMINATION_MAX_AGE = 60 * 60 * 24 * 30


# ---- profiles -----------------------------------------------------------------------------


def _profile_save(*, form, actor, action: str):
    """Create or update one of the actor's own profiles from a valid ModelForm; logged as
    `<action>.create` or `<action>.update` with the fields before and after."""
    with transaction.atomic():
        instance = form.instance
        before = model_snapshot(type(instance).objects.get(pk=instance.pk)) if instance.pk else None
        if not instance.pk:
            instance.owner = actor
        profile = form.save()
        log_activity(
            actor=actor,
            action=f"{action}.update" if before else f"{action}.create",
            target=profile,
            before=before,
            after=model_snapshot(profile),
        )
    return profile


def organisation_profile_save(*, form, actor) -> OrganisationProfile:
    """Create or update an organisation profile from a valid OrganisationProfileForm."""
    return _profile_save(form=form, actor=actor, action="organisation")


def person_profile_save(*, form, actor) -> PersonProfile:
    """Create or update the actor's person profile from a valid PersonProfileForm."""
    return _profile_save(form=form, actor=actor, action="person")


# ---- drafts -------------------------------------------------------------------------------


def _applicant_for(*, user, category: Category, organisation: OrganisationProfile | None):
    if category.applicant_kind == ApplicantKind.ORGANISATION:
        if organisation is None or organisation.owner_id != user.pk:
            raise ApplicationError(_("请先登记申报组织的信息。"))
        return {"organisation": organisation}
    person = PersonProfile.objects.filter(owner=user).first()
    if person is None:
        raise ApplicationError(_("请先填写个人信息。"))
    return {"person": person}


def application_create(
    *, actor, category: Category, organisation: OrganisationProfile | None = None, nomination: Nomination | None = None
) -> Application:
    """Open a draft for the actor in a category, within the window and the cycle's per-applicant limit."""
    cycle = category.cycle
    if not cycle.is_open():
        raise ApplicationError(_("%(cycle)s当前不在申报时间内。") % {"cycle": cycle})
    applicant = _applicant_for(user=actor, category=category, organisation=organisation)
    with transaction.atomic():
        # Lock the applicant's profile row so two tabs cannot both pass the limit check.
        (field, profile), = applicant.items()
        type(profile).objects.select_for_update().filter(pk=profile.pk).first()
        existing = Application.objects.filter(cycle=cycle, **{field: profile}).exclude(status=ApplicationStatus.WITHDRAWN)
        if existing.count() >= cycle.applications_per_applicant:
            raise ApplicationError(
                _("每个申报人在本周期最多可提交 %(n)d 份申报，您已有申报，请在“我的申报”中继续填写。") % {"n": cycle.applications_per_applicant}
            )
        application = Application.objects.create(
            cycle=cycle,
            category=category,
            applicant=actor,
            recommender=nomination.recommending_unit if nomination else None,
            nominated_by=nomination.nominated_by if nomination else None,
            **applicant,
        )
        log_activity(actor=actor, action="application.create", target=application, after={"category": category.code, "cycle": cycle.code})
    return application


def application_save_draft(
    *, application: Application, actor, version: int, changes: dict, sections: list[str] | None = None, autosave: bool = False
) -> Application:
    """Save the form's changes if nobody saved since `version`; otherwise raise StaleApplication.

    One conditional UPDATE … WHERE version = n: under concurrent saves exactly one wins, on every
    database, and the others are told instead of silently overwriting each other. The log entry
    records what changed, field by field: {"answers": {field name: value}} before and after
    (applications/answers.py labels and formats them), with the versions and the changed sections.
    `application` is the row as read before the save: when the UPDATE wins, it is the version the
    save replaces, so its answers are the "before" of the diff.
    """
    if not editability(application).anything:
        raise ApplicationError(_("此申报当前不可修改。"))
    values = dict(changes)
    if "recommender" in values:
        values["recommender_id"] = getattr(values.pop("recommender"), "pk", None)
    before_answers = answer_values(application)
    if application.version == version and answer_values(_with(application, values)) == before_answers:
        # Nothing changed (a second click, an autosave just before): no new version, nothing to log,
        # but a stale form is still told, as for any save.
        if not Application.objects.filter(pk=application.pk, version=version, status=application.status).exists():
            current = Application.objects.get(pk=application.pk)
            if current.status != application.status:
                raise ApplicationError(_("此申报的状态已变为“%(s)s”，不能再保存。") % {"s": current.get_status_display()})
            raise StaleApplication(current)
        return application
    with transaction.atomic():
        updated = Application.objects.filter(pk=application.pk, version=version, status=application.status).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            current = Application.objects.get(pk=application.pk)
            if current.status != application.status:
                raise ApplicationError(_("此申报的状态已变为“%(s)s”，不能再保存。") % {"s": current.get_status_display()})
            raise StaleApplication(current)
        fresh = Application.objects.select_related("cycle__programme__organiser", "category", "organisation", "person").get(pk=application.pk)
        before, after = answer_diff(before_answers, answer_values(fresh))
        log_activity(
            actor=actor,
            action="application.autosave" if autosave else "application.save",
            target=fresh,
            before={"version": version, "answers": before},
            after={"version": fresh.version, "answers": after, "sections": sections or []},
        )
    return fresh


def _with(application: Application, values: dict) -> Application:
    """A copy of the application with the model changes applied (not saved): what a save would store."""
    candidate = copy.copy(application)
    for name, value in values.items():
        setattr(candidate, name, value)
    return candidate


# ---- attachments --------------------------------------------------------------------------


def attachment_add(*, application: Application, actor, upload, purpose: str) -> Attachment:
    if not editability(application).allows("attachments"):
        raise ApplicationError(_("此申报当前不能上传附件。"))
    if purpose not in Attachment.Purpose.values:
        raise ApplicationError(_("未知的附件用途。"))
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()  # serialise the total-size check
        used = application.attachments.aggregate(total=Sum("size"))["total"] or 0
        try:
            checked = check_upload(upload, existing_total=used)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0]) from None
        attachment = Attachment(
            application=application,
            purpose=purpose,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        attachment.file.save(checked.stored_name, File(upload), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise
        log_activity(
            actor=actor,
            action="attachment.add",
            target=application,
            after={"attachment": attachment.pk, "name": checked.original_name, "purpose": attachment.purpose, "size": checked.size, "sha256": checked.sha256},
        )
    return attachment


def attachment_delete(*, attachment: Attachment, actor) -> None:
    application = attachment.application
    if not editability(application).allows("attachments"):
        raise ApplicationError(_("此申报当前不能删除附件。"))
    if application.submitted_at and attachment.uploaded_at <= application.submitted_at:
        raise ApplicationError(_("已随申报提交的附件不能删除。"))
    storage, name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        log_activity(
            actor=actor,
            action="attachment.delete",
            target=application,
            before={"attachment": attachment.pk, "name": attachment.original_name, "sha256": attachment.sha256},
        )
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def application_delete_draft(*, application: Application, actor) -> None:
    """Delete a draft that was never submitted, with its attachments and generated documents.

    The rows go in one transaction (the log entry keeps what was deleted); the stored files — in the
    object store when several machines share it — are removed only once that transaction has committed.
    """
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application.pk).first()
        if application is None or application.status != ApplicationStatus.DRAFT or application.submitted_at or application.number:
            raise ApplicationError(_("此申报当前不可修改。"))
        attachments = list(application.attachments.all())
        documents = [document for document in application.documents.all() if document.file]
        files = [(item.file.storage, item.file.name) for item in [*attachments, *documents] if item.file]
        log_activity(
            actor=actor,
            action="application.delete",
            target=application,
            before={
                **model_snapshot(application),
                "attachments": [{"name": item.original_name, "sha256": item.sha256, "file": item.file.name} for item in attachments],
                "documents": [{"kind": item.kind, "file": item.file.name, "checksum": item.checksum} for item in documents],
            },
        )
        application.delete()
        transaction.on_commit(lambda: _delete_files(files))


def _delete_files(files) -> None:
    """After commit: the rows are gone whatever happens here, so one failed delete must not stop the rest."""
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - logged for an operator to remove by hand
            logger.exception("deleted application: could not remove %s from storage", name)


# ---- submission ---------------------------------------------------------------------------


def receipt_prefix(cycle: Cycle) -> str:
    """The cycle code without a trailing year, upper case: changning-quality-2023 → CHANGNING-QUALITY."""
    code = re.sub(rf"-{cycle.year}$", "", cycle.code)
    return code.upper()


def next_receipt_number(cycle: Cycle) -> str:
    """<prefix>-<year>-<0001>, unique per cycle. Call inside a transaction.

    The counter row is incremented with UPDATE … SET last = last + 1, which takes the row's write
    lock: concurrent submissions queue on it and each reads back its own value.
    """
    try:
        with transaction.atomic():
            ReceiptSequence.objects.get_or_create(cycle=cycle)
    except IntegrityError:  # created by a concurrent submission a moment ago
        pass
    ReceiptSequence.objects.filter(cycle=cycle).update(last_number=F("last_number") + 1)
    value = ReceiptSequence.objects.get(cycle=cycle).last_number
    return f"{receipt_prefix(cycle)}-{cycle.year}-{value:04d}"


def application_submit(*, application: Application, actor) -> Application:
    """Check the window and eligibility, number the application, store the snapshot, submit."""
    from reviews.services import TransitionError, apply_transition

    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationError(_("此申报已提交，不能重复提交。"))
    if not application.cycle.is_open():
        raise ApplicationError(_("不在申报时间内，不能提交。申报截止时间为 %(t)s（北京时间）。") % {"t": _deadline(application.cycle)})
    report = eligibility.evaluate(application)
    if not report.may_submit:
        raise SubmissionBlocked(report)
    with transaction.atomic():
        snapshot = eligibility.snapshot(application)
        number = application.number or next_receipt_number(application.cycle)
        try:
            return apply_transition(
                application=application,
                name="submit",
                actor=actor,
                extra={"number": number, "eligibility_snapshot": snapshot, "submitted_at": timezone.now()},
            )
        except TransitionError as exc:
            raise ApplicationError(str(exc)) from None


def application_withdraw(*, application: Application, actor, reason: str = "") -> Application:
    from reviews.services import TransitionError, apply_transition

    try:
        return apply_transition(application=application, name="withdraw", actor=actor, reason=reason)
    except TransitionError as exc:
        raise ApplicationError(str(exc)) from None


def application_resubmit(*, application: Application, actor, reason: str = "") -> Application:
    """Send the supplemented application back to review (transition "resubmit")."""
    from reviews.services import TransitionError, apply_transition

    with transaction.atomic():
        snapshot = eligibility.snapshot(application)
        snapshot["previous"] = application.eligibility_snapshot
        try:
            return apply_transition(application=application, name="resubmit", actor=actor, reason=reason, extra={"eligibility_snapshot": snapshot})
        except TransitionError as exc:
            raise ApplicationError(str(exc)) from None


def _deadline(cycle: Cycle) -> str:
    if not cycle.application_closes_at:
        return _("未设定")
    return timezone.localtime(cycle.application_closes_at).strftime("%Y-%m-%d %H:%M:%S")


# ---- nominations --------------------------------------------------------------------------


def nomination_token(nomination: Nomination) -> str:
    return signing.dumps({"n": nomination.pk, "e": nomination.nominee_email}, salt=NOMINATION_SALT)


def nomination_from_token(token: str) -> Nomination:
    try:
        data = signing.loads(token, salt=NOMINATION_SALT, max_age=NOMINATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ApplicationError(_("邀请链接已过期（30天），请联系推荐单位重新发送。")) from None
    except signing.BadSignature:
        raise ApplicationError(_("邀请链接无效，请检查是否完整复制。")) from None
    nomination = Nomination.objects.select_related("cycle__programme__organiser", "category", "recommending_unit", "nominated_by").filter(pk=data.get("n")).first()
    if nomination is None or nomination.nominee_email != data.get("e"):
        raise ApplicationError(_("邀请链接无效，请检查是否完整复制。"))
    return nomination


def nomination_create(*, actor, unit, category: Category, nominee_name: str, nominee_email: str, reason: str, base_url: str) -> Nomination:
    """A recommending unit nominates someone and the nominee is invited by e-mail."""
    if category.cycle.programme.organiser_id != unit.organiser_id:
        raise ApplicationError(_("只能推荐本主办机构的奖项。"))
    if not category.cycle.is_open():
        raise ApplicationError(_("%(cycle)s当前不在申报时间内。") % {"cycle": category.cycle})
    with transaction.atomic():
        nomination = Nomination.objects.create(
            cycle=category.cycle, category=category, recommending_unit=unit, nominated_by=actor, nominee_name=nominee_name,
            nominee_email=nominee_email, reason=reason)
        log_activity(actor=actor, action="nomination.create", target=nomination, after={"category": category.code, "nominee": nominee_name, "email": nominee_email})
        link = base_url + reverse("applications:nomination_accept", args=[nomination_token(nomination)])
        _send_invitation(nomination, link)
    return nomination


def _send_invitation(nomination: Nomination, link: str) -> None:
    """E-mail the invitation; the nominee may have no account yet, so no EmailNotification row."""
    from django.core.mail import send_mail

    from core.mail import render_plain, sender

    context = {"nomination": nomination, "link": link}
    rendered = render_plain("applications/emails/nomination_invitation.txt", context).strip()
    subject, _sep, body = rendered.partition("\n")
    transaction.on_commit(lambda: send_mail(subject.strip(), body.strip(), sender(), [nomination.nominee_email]))


def nomination_accept(*, nomination: Nomination, actor, organisation: OrganisationProfile | None = None) -> Application:
    """The invited nominee accepts: a draft is opened that records the recommending unit."""
    if nomination.status == Nomination.Status.CANCELLED:
        raise ApplicationError(_("该推荐已被推荐单位取消。"))
    if nomination.application_id:
        if nomination.application.applicant_id != actor.pk:
            raise ApplicationError(_("该邀请已被其他账号接受。"))
        return nomination.application
    if (actor.email or "").lower() != nomination.nominee_email.lower():
        raise ApplicationError(_("此邀请发给 %(email)s，请使用该邮箱注册或登录后再打开邀请链接。") % {"email": nomination.nominee_email})
    with transaction.atomic():
        application = application_create(actor=actor, category=nomination.category, organisation=organisation, nomination=nomination)
        updated = Nomination.objects.filter(pk=nomination.pk, application__isnull=True).update(
            application=application, status=Nomination.Status.ACCEPTED, accepted_at=timezone.now()
        )
        if not updated:
            raise ApplicationError(_("该邀请已被接受。"))
        log_activity(actor=actor, action="nomination.accept", target=nomination, after={"application": application.pk})
    return application


def nomination_cancel(*, nomination: Nomination, actor) -> None:
    if nomination.application_id:
        raise ApplicationError(_("被推荐人已开始填写申报，不能取消推荐。"))
    with transaction.atomic():
        Nomination.objects.filter(pk=nomination.pk).update(status=Nomination.Status.CANCELLED)
        log_activity(actor=actor, action="nomination.cancel", target=nomination, before={"status": nomination.status}, after={"status": "cancelled"})


# ---- credit list (严重失信名单) -----------------------------------------------------------


def blacklist_import(*, organiser, actor, lines: list[str], source: str) -> dict:
    """Import codes (credit codes or ID numbers), one per line: code[,name[,reason]].

    Codes are normalised (upper case, no blanks); existing entries are updated, not duplicated.
    An 18-character code must carry a valid check character (GB 32100 or GB 11643), else its line is refused.
    Returns counts and the lines that could not be read, for the staff page to show.
    """
    created = updated = 0
    rejected: list[tuple[int, str, str]] = []
    with transaction.atomic():
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in re.split(r"[,\t，]", line, maxsplit=2)]
            code = normalise_code(parts[0])
            if not re.fullmatch(r"[0-9A-Z]{6,40}", code):
                if number == 1 and not any(ch.isdigit() for ch in code):
                    continue  # a header row
                rejected.append((number, line.strip(), _("代码应为字母和数字")))
                continue
            check_problem = listed_code_problem(code)  # a wrong check character would never match anyone
            if check_problem:
                rejected.append((number, line.strip(), check_problem))
                continue
            _entry, was_created = CreditBlacklistEntry.objects.update_or_create(
                organiser=organiser,
                code=code,
                defaults={
                    "name": parts[1][:200] if len(parts) > 1 else "",
                    "reason": parts[2][:300] if len(parts) > 2 else "",
                    "source": source[:200],
                    "added_by": actor,
                },
            )
            created += was_created
            updated += not was_created
        if not (created or updated):
            return {"created": 0, "updated": 0, "rejected": rejected}  # nothing imported: nothing to log
        log_activity(
            actor=actor,
            action="blacklist.import",
            target=organiser,
            after={"created": created, "updated": updated, "rejected": len(rejected), "source": source},
            organiser=organiser,
        )
    return {"created": created, "updated": updated, "rejected": rejected}
