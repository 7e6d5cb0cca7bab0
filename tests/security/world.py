"""A realistic world for the security tests, built through the real services.

长宁 (Changning) organiser:
- 长宁区政府质量奖 2023 (window open now):
  * applicant A's organisation application (质量金奖 · 模式) created, filled, given an attachment and
    submitted through applications.services, then taken into review by staff; the assigned expert
    is assigned to 资料评审 and has declared no conflict; the conflicted expert was assigned while
    at another employer, then their profile was updated to A's employer credit code (a detected
    conflict on an existing assignment), plus an expert panel and a 陈述答辩 schedule entry;
  * applicant B's own organisation application, recommended by the recommending unit;
  * person P's individual application (resident ID) taken through to 公示 (2025-09-26 … 2025-10-09),
    an objection with an attachment filed and dismissed, approval recorded: P is a winner (Award);
  * a nomination by the recommending unit (still invited), and the PDF 申报书 of A's application.
- 虹桥友谊奖 2023: a foreign national's application at 评选, with a joint meeting (all 10 member
  units present, minutes uploaded) that decided on it.
徐汇 (Xuhui) organiser: its own staff member and an application of its own (so "another
organiser's data" exists on both sides).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from core.identity import credit_code_check_character, id_check_digit
from tests.conftest import ensure_seeds

SHANGHAI = ZoneInfo("Asia/Shanghai")
def blank_pdf() -> bytes:
    """A real one-page PDF (uploads are parsed: a PDF whose structure cannot be read is refused)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF_BYTES = blank_pdf()
JOINT_UNITS = ["区委组织部", "区委宣传部", "区政府办公室（外事办公室）", "区发展改革委", "区商务委", "区科委",
               "区人力资源社会保障局", "区投促办（金融办）", "区地区办", "临空园区"]


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def resident_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


# Distinctive values the leak checks look for in response bodies.
A_ORG_NAME = "上海甲方精密制造有限公司"
A_CREDIT_CODE = credit_code("91310105MA1AAAAA1")
A_FULL_NAME = "甲方联系人严一"
B_ORG_NAME = "上海乙方检测技术有限公司"
B_CREDIT_CODE = credit_code("91310105MA1BBBBB2")
P_NAME = "丙质量"
P_ID_NUMBER = resident_id("31010519750608123")
F_NAME = "Wolfgang Testmann"
F_PASSPORT = "C7Q4X9T21"
XH_ORG_NAME = "上海徐汇丁方科技有限公司"
XH_CREDIT_CODE = credit_code("91310104MA1DDDDD4")

ROLES = [
    "anonymous",
    "applicant_a",
    "applicant_b",
    "recommender",
    "expert_assigned",
    "expert_conflicted",
    "staff_this",
    "staff_other",
    "programme_admin",
]


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role name → User (anonymous absent)
    ids: dict = field(default_factory=dict)  # object name → primary key / code / token
    cycles: dict = field(default_factory=dict)  # short name → Cycle code

    def user(self, role: str):
        return self.users.get(role)


def pdf_upload(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def office_bytes(folder: str = "word") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


def _user(username: str, *, roles=(), full_name: str = "", is_staff: bool = False, **extra) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.test", password="pw-for-tests-123",
                                    email_verified=True, full_name=full_name, is_staff=is_staff, **extra)
    for role, organiser, unit in roles:
        RoleAssignment.objects.create(user=user, role=role, organiser=organiser, recommending_unit=unit)
    return user


def _open_window(cycle) -> None:
    now = timezone.now()
    cycle.application_opens_at = now - datetime.timedelta(days=10)
    cycle.application_closes_at = now + datetime.timedelta(days=30)
    cycle.save(update_fields=["application_opens_at", "application_closes_at"])


def _figures(cycle) -> dict:
    return {str(y): {"revenue": "5000", "profit": "120.50", "policy_loss": False} for y in (cycle.year - 3, cycle.year - 2, cycle.year - 1)}


def _advance_to(application, stage_code: str, staff):
    from applications.models import Application
    from reviews.services import apply_transition

    application = Application.objects.get(pk=application.pk)
    if application.status == "submitted":
        apply_transition(application=application, name="start_review", actor=staff)
        application = Application.objects.get(pk=application.pk)
    while application.current_stage.code != stage_code:
        apply_transition(application=application, name="advance", actor=staff)
        application = Application.objects.get(pk=application.pk)
    return application


def _submit_direct(cycle, category_code: str, applicant, number: str, **profile):
    """Create and submit an application through the workflow service (eligibility is not the subject here)."""
    from applications.models import Application
    from reviews.services import apply_transition

    application = Application.objects.create(cycle=cycle, category=cycle.categories.get(code=category_code), applicant=applicant,
                                             form_data={"summary": {"text": "申报书正文"}}, **profile)
    apply_transition(application=application, name="submit", actor=applicant,
                     extra={"number": number, "submitted_at": timezone.now()})
    return Application.objects.get(pk=application.pk)


def build_world() -> World:
    from applications import services as app_services
    from applications.models import (
        Application,
        Attachment,
        IdType,
        OrganisationProfile,
        OrganisationType,
        PersonProfile,
        RecommendingUnit,
    )
    from applications.sections import section_choices
    from awards.models import Cycle, Organiser, Stage
    from documents.services import request_document
    from reviews import services as dec_services
    from reviews import services as rev_services
    from reviews.models import Assignment, Award, ScheduleEntry, Scoresheet

    ensure_seeds()  # loaded once per session (tests/conftest.py)
    world = World()
    cn = Organiser.objects.get(code="changning")
    xh = Organiser.objects.get(code="xuhui")
    cq = Cycle.objects.get(code="changning-quality-2023")
    hq = Cycle.objects.get(code="changning-hongqiao-2023")
    xq = Cycle.objects.get(code="xuhui-quality-5")
    for cycle in (cq, hq, xq):
        _open_window(cycle)
    world.cycles = {"cq": cq.code, "hq": hq.code, "xq": xq.code}

    unit = RecommendingUnit.objects.create(organiser=cn, name="长宁区商务委员会", kind=RecommendingUnit.Kind.INDUSTRY_DEPARTMENT,
                                           credit_code=credit_code("11310105MA1EEEEE5"))
    u = world.users
    u["applicant_a"] = _user("applicant-a", roles=[(Role.APPLICANT, None, None)], full_name=A_FULL_NAME)
    u["applicant_b"] = _user("applicant-b", roles=[(Role.APPLICANT, None, None)], full_name="乙方联系人")
    u["recommender"] = _user("recommender", roles=[(Role.RECOMMENDER, cn, unit)], full_name="推荐单位经办人")
    u["expert_assigned"] = _user("expert-assigned", roles=[(Role.EXPERT, cn, None)], full_name="评审专家甲")
    u["expert_conflicted"] = _user("expert-conflicted", roles=[(Role.EXPERT, cn, None)], full_name="评审专家乙")
    u["staff_this"] = _user("staff-cn", roles=[(Role.STAFF, cn, None)], full_name="长宁评审办", is_staff=True)
    u["staff_other"] = _user("staff-xh", roles=[(Role.STAFF, xh, None)], full_name="徐汇评审办", is_staff=True)
    u["programme_admin"] = _user("admin-cn", roles=[(Role.ADMIN, cn, None)], full_name="长宁项目管理员", is_staff=True)
    staff = u["staff_this"]
    person_p = _user("person-p", roles=[(Role.APPLICANT, None, None)], full_name=P_NAME)
    foreign_f = _user("foreign-f", roles=[(Role.APPLICANT, None, None)], full_name=F_NAME, preferred_language="en")
    xh_applicant = _user("xh-applicant", roles=[(Role.APPLICANT, None, None)], full_name="徐汇申报人")

    # -- applicant A: the real applicant journey ---------------------------------------------------
    org_a = OrganisationProfile.objects.create(
        owner=u["applicant_a"], name=A_ORG_NAME, credit_code=A_CREDIT_CODE, org_type=OrganisationType.ENTERPRISE,
        registered_district="长宁区", established_on=datetime.date(2012, 5, 18), legal_representative="严法人",
        contact_name=A_FULL_NAME, contact_mobile="13812345678", chief_quality_officer="严质量", has_cqo_system=True)
    category = cq.categories.get(code="gold-mode")
    app_a = app_services.application_create(actor=u["applicant_a"], category=category, organisation=org_a)
    app_a.form_data = {"overview": f"{A_ORG_NAME}导入卓越绩效模式。", "figures": _figures(cq), "certifications": "ISO 9001"}
    rule = category.rules.filter(kind="declarations").first()
    app_a.declarations = {item["code"]: True for item in (rule.params["items"] if rule else [])}
    app_a.save()
    attachment = app_services.attachment_add(application=app_a, actor=u["applicant_a"], upload=pdf_upload("自评报告.pdf"),
                                             purpose=Attachment.Purpose.SELF_EVALUATION)
    app_services.application_submit(application=Application.objects.get(pk=app_a.pk), actor=u["applicant_a"])
    app_a = _advance_to(app_a, "eligibility", staff)

    material = Stage.objects.get(cycle=cq, code="material-review")
    presentation = Stage.objects.get(cycle=cq, code="presentation")
    expert_ok = rev_services.save_expert_profile(
        organiser=cn, user=u["expert_assigned"], actor=staff, data={
            "name": "评审专家甲", "employer": "上海某大学", "employer_credit_code": credit_code("12310000MA1FFFFF6"),
            "title": "教授", "id_number": resident_id("31010419700101002"), "is_active": True})
    expert_bad = rev_services.save_expert_profile(
        organiser=cn, user=u["expert_conflicted"], actor=staff, data={
            "name": "评审专家乙", "employer": "上海某研究院", "employer_credit_code": credit_code("12310000MA1GGGGG7"),
            "title": "高级工程师", "is_active": True})
    assignment_ok = rev_services.assign_expert(stage=material, application=app_a, expert=expert_ok, actor=staff)
    assignment_bad = rev_services.assign_expert(stage=material, application=app_a, expert=expert_bad, actor=staff)
    rev_services.declare_conflict(expert=expert_ok, application=app_a, has_conflict=False, reason="", actor=u["expert_assigned"])
    # The conflicted expert moved to A's organisation: the conflict is detected on the existing assignment.
    expert_bad = rev_services.save_expert_profile(
        organiser=cn, user=u["expert_conflicted"], actor=staff, profile=expert_bad, data={
            "name": "评审专家乙", "employer": A_ORG_NAME, "employer_credit_code": A_CREDIT_CODE, "title": "高级工程师",
            "is_active": True})
    sheet = rev_services.scoresheet_for(Assignment.objects.select_related("application", "stage__cycle", "expert").get(pk=assignment_ok.pk))
    panel = rev_services.save_panel(stage=presentation, name="第一组", members=[expert_ok], categories=[], leader=expert_ok, actor=staff)
    # A's slot exists only so that the matrix has a slot to cancel; A stays at 资格审查 for the eligibility
    # pages, so the row is written directly (save_schedule_entry books slots only for applications at the
    # stage, on working days: tests/reviews/test_review_guards.py).
    entry_start = timezone.now() + datetime.timedelta(days=20)
    schedule_entry = ScheduleEntry.objects.create(
        stage=presentation, application=app_a, kind=ScheduleEntry.Kind.PRESENTATION, starts_at=entry_start,
        ends_at=entry_start + datetime.timedelta(hours=1), location="长宁区市场监管局 3 楼会议室", panel=panel, created_by=staff)

    # -- applicant B (recommended by the unit) and a nomination still open ---------------------------
    org_b = OrganisationProfile.objects.create(
        owner=u["applicant_b"], name=B_ORG_NAME, credit_code=B_CREDIT_CODE, org_type=OrganisationType.ENTERPRISE,
        registered_district="长宁区", established_on=datetime.date(2010, 1, 1), legal_representative="乙法人",
        contact_name="乙方联系人", contact_mobile="13800000002")
    app_b = _submit_direct(cq, "district-mode", u["applicant_b"], "SEC-B-0001", organisation=org_b)
    Application.objects.filter(pk=app_b.pk).update(recommender=unit, nominated_by=u["recommender"])
    nomination = app_services.nomination_create(actor=u["recommender"], unit=unit, category=cq.categories.get(code="district-mode"),
                                                nominee_name="上海被推荐单位有限公司", nominee_email="nominee@example.test",
                                                reason="质量管理成效显著", base_url="http://testserver")

    # -- person P: through 公示, an objection, approval: a winner ------------------------------------
    profile_p = PersonProfile.objects.create(
        owner=person_p, name=P_NAME, id_type=IdType.RESIDENT_ID, id_number=P_ID_NUMBER, nationality="中国",
        employer="上海丙方制造有限公司", employer_credit_code=credit_code("91310105MA1CCCCC3"), work_district="长宁区",
        quality_work_since=datetime.date(2005, 7, 1), district_work_since=datetime.date(2010, 1, 1))
    app_p = _submit_direct(cq, "gold-achievement", person_p, "SEC-P-0001", person=profile_p)
    app_p = _advance_to(app_p, "comprehensive", staff)
    dec_services.add_recommendation(application=app_p, actor=staff)
    publicity = dec_services.publish_publicity(cycle=cq, actor=staff, start_date=datetime.date(2025, 9, 26),
                                               today=datetime.date(2025, 9, 20))
    objection = dec_services.file_objection(
        publicity=publicity, application=Application.objects.get(pk=app_p.pk), name="匿名群众", contact="13900000000",
        content="对拟表彰对象的业绩有疑问。", attachment=pdf_upload("objection.pdf"),
        now=datetime.datetime(2025, 9, 29, 10, 0, tzinfo=SHANGHAI))
    dec_services.investigate_objection(objection=objection, actor=staff, notes="已核实，业绩属实。")
    dec_services.resolve_objection(objection=objection, actor=staff, upheld=False, reason="经核实，异议不成立。")
    dec_services.submit_for_approval(publicity=publicity, actor=staff)
    dec_services.record_approval(cycle=cq, actor=staff, approved_on=datetime.date(2025, 10, 20),
                                 document_number="长府〔2025〕12号", approving_body="上海市长宁区人民政府")
    award = Award.objects.get(application=app_p)

    # -- 虹桥友谊奖: a foreign national at 评选 and a joint meeting ------------------------------------
    profile_f = PersonProfile.objects.create(
        owner=foreign_f, name=F_NAME, id_type=IdType.PASSPORT, id_number=F_PASSPORT, nationality="Germany",
        employer="Hongqiao Instruments GmbH", work_district="长宁区", district_work_since=datetime.date(2015, 1, 1))
    category_f = hq.categories.get()
    app_f = _submit_direct(hq, category_f.code, foreign_f, "SEC-F-0001", person=profile_f)
    app_f = _advance_to(app_f, "selection", staff)
    meeting = dec_services.record_meeting(stage=Stage.objects.get(cycle=hq, code="selection"), actor=staff,
                                          held_on=datetime.date(2025, 6, 1), present_units=JOINT_UNITS,
                                          minutes=pdf_upload("minutes.pdf"))
    dec_services.record_decision(meeting=meeting, application=app_f, actor=staff, votes_for=9, votes_against=0, votes_abstain=1)

    # -- 徐汇: an application of the other organiser ---------------------------------------------------
    org_x = OrganisationProfile.objects.create(
        owner=xh_applicant, name=XH_ORG_NAME, credit_code=XH_CREDIT_CODE, org_type=OrganisationType.ENTERPRISE,
        registered_district="徐汇区", established_on=datetime.date(2011, 1, 1), legal_representative="丁法人",
        contact_name="丁联系人", contact_mobile="13800000004")
    app_x = _submit_direct(xq, "district-mode", xh_applicant, "SEC-X-0001", organisation=org_x)

    # -- the PDF 申报书 of A's application, rendered for real (the task runs on commit) --------------------
    with TestCase.captureOnCommitCallbacks(execute=True):
        document = request_document(kind="application", requested_by=u["applicant_a"], application=Application.objects.get(pk=app_a.pk))
    document.refresh_from_db()
    # -- a finished Excel export of the 长宁 cycle (the job runs on commit) ---------------------------------
    from reviews.services import request_export

    with TestCase.captureOnCommitCallbacks(execute=True):
        export = request_export(cycle=cq, kind="winners", actor=staff)

    from awards.rubrics import leaf_criteria
    from core.models import EmailNotification
    from reviews.eligibility import automatic_results
    from reviews.models import Recommendation

    app_a = Application.objects.get(pk=app_a.pk)
    saved_filter = rev_services.save_queue_filter(user=staff, cycle=cq, name="资料评审在审", query="stage=material-review&status=in_review")
    world.ids.update(
        saved_filter=saved_filter.pk,
        rule_key=automatic_results(app_a)[0].key, section=section_choices(app_a)[0][0],
        recommendation=Recommendation.objects.get(application=app_p).pk,
        notification_a=EmailNotification.objects.filter(application=app_a).order_by("pk").first().pk,
        category_district_mode=cq.categories.get(code="district-mode").pk,
        criteria=[c.pk for c in leaf_criteria(Scoresheet.objects.get(pk=sheet.pk).rubric)],
    )
    world.ids.update(
        app_a=app_a.pk, app_b=app_b.pk, app_p=app_p.pk, app_f=app_f.pk, app_x=app_x.pk,
        org_a=org_a.pk, org_b=org_b.pk, attachment_a=attachment.pk, assignment_ok=assignment_ok.pk,
        assignment_bad=assignment_bad.pk, scoresheet=sheet.pk, panel=panel.pk, schedule_entry=schedule_entry.pk,
        expert_ok=expert_ok.pk, expert_bad=expert_bad.pk, nomination=nomination.pk,
        nomination_token=app_services.nomination_token(nomination), publicity=publicity.pk, objection=objection.pk,
        award=award.pk, meeting=meeting.pk, document=str(document.public_id), document_status=document.status,
        export=str(export.public_id),
        unit=unit.pk, cn=cn.pk, xh=xh.pk,
    )
    assert Scoresheet.objects.filter(pk=sheet.pk).exists()
    return world
