"""Demo data of the review workflow (idempotent), built through the real services.

Expert profiles for cn-expert1..7 and xh-expert1..5, panels, and applications of the demo cycles
in several stages — waiting for acceptance, in 资格审查, asked to supplement (one overdue), in
资料评审 with scores (one expert still drafting), scheduled for 陈述答辩 — so a person can click
through the staff console (/reviews/staff/demo-changning-quality/) and the expert pages.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from applications.models import Application, ApplicationStatus, OrganisationProfile, OrganisationType
from applications.sections import section_choices
from awards.rubrics import leaf_criteria
from core.identity import credit_code_check_character
from core.workdays import CalendarCoverageError, add_working_days
from reviews import demo_decisions, selectors, services
from reviews.eligibility import FAIL, REVIEW, automatic_results
from reviews.models import Assignment, ExpertPanel, ExpertProfile, SupplementRequest

EXPERTS = {
    "changning": [
        ("cn-expert1", "赵立群", "教授级高工", "上海质量管理科学研究院", "质量管理、卓越绩效"),
        ("cn-expert2", "钱文博", "教授", "东华大学管理学院", "战略管理、顾客满意"),
        ("cn-expert3", "孙海燕", "高级审核员", "中国质量认证中心上海分中心", "管理体系认证"),
        ("cn-expert4", "李建国", "高级工程师", "上海市计量测试技术研究院", "测量分析、过程管理"),
        ("cn-expert5", "周若兰", "注册会计师", "上海立信会计师事务所", "财务结果"),
        ("cn-expert6", "吴志诚", "研究员", "上海标准化研究院", "标准化、技术资源"),
        # Works at one of the demo applicants: the portal detects the conflict and never assigns them to it.
        ("cn-expert7", "郑可", "质量总监", "上海长宁演示精工有限公司", "智能制造"),
    ],
    "xuhui": [
        ("xh-expert1", "王一鸣", "教授", "上海交通大学安泰经济与管理学院", "卓越绩效"),
        ("xh-expert2", "冯晓", "主任医师", "上海市徐汇区中心医院", "医疗质量管理"),
        ("xh-expert3", "陈骏", "高级工程师", "上海市质量协会", "小企业质量管理"),
        ("xh-expert4", "褚敏", "副研究员", "上海社会科学院", "质量政策"),
        ("xh-expert5", "卫东", "高级审核员", "上海质量体系审核中心", "管理体系认证"),
    ],
}

# (username, organisation name, org type, district, plan)
CN_ORGS = [
    ("cn-demo-org1", "上海长宁演示精工有限公司", OrganisationType.ENTERPRISE, "material_scored"),
    ("cn-demo-org2", "上海虹桥演示物流股份有限公司", OrganisationType.ENTERPRISE, "material_scored"),
    ("cn-demo-org3", "上海天山演示软件有限公司", OrganisationType.ENTERPRISE, "material_partial"),
    ("cn-demo-org4", "上海仙霞演示食品有限公司", OrganisationType.ENTERPRISE, "presentation"),
    ("cn-demo-org5", "上海新泾演示医疗器械有限公司", OrganisationType.ENTERPRISE, "presentation"),
    ("cn-demo-org6", "上海华阳演示检测技术有限公司", OrganisationType.ENTERPRISE, "eligibility"),
    ("cn-demo-org7", "上海江苏路演示酒店管理有限公司", OrganisationType.ENTERPRISE, "supplement_overdue"),
    ("cn-demo-org8", "上海周家桥演示纺织有限公司", OrganisationType.ENTERPRISE, "submitted"),
]
XH_ORGS = [
    ("xh-demo-org1", "上海徐家汇演示电子有限公司", OrganisationType.ENTERPRISE, "material_scored"),
    ("xh-demo-org2", "上海漕河泾演示小微科技有限公司", OrganisationType.SMALL_ENTERPRISE, "material_scored"),
    ("xh-demo-org3", "上海枫林演示医院", OrganisationType.MEDICAL_INSTITUTION, "eligibility"),
]


def _credit_code(n: int) -> str:
    first17 = f"91310105MA1D{n:05d}"
    return first17 + credit_code_check_character(first17)


def _user(username: str, full_name: str, roles, password: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@demo.local", "full_name": full_name, "email_verified": True})
    if created:
        user.set_password(password)
        user.save()
    for role, organiser in roles:
        RoleAssignment.objects.get_or_create(user=user, role=role, organiser=organiser)
    return user


def _experts(context) -> dict[str, ExpertProfile]:
    profiles = {}
    for organiser_code, rows in EXPERTS.items():
        organiser = context["organisers"][organiser_code]
        for index, (username, name, title, employer, specialties) in enumerate(rows, start=1):
            user = context["users"].get(username) or User.objects.get(username=username)
            profile = ExpertProfile.objects.filter(user=user, organiser=organiser).first()
            if profile is None:
                code = _credit_code(900 + index + (0 if organiser_code == "changning" else 50))
                if employer == "上海长宁演示精工有限公司":
                    code = _credit_code(1)
                profile = services.save_expert_profile(
                    organiser=organiser, user=user, actor=context["users"]["admin"],
                    data={"name": name, "title": title, "employer": employer, "employer_credit_code": code,
                          "specialties": specialties, "phone": f"021-6{index:03d}0000", "email": user.email, "is_active": True})
            profiles[username] = profile
    return profiles


def _submit(application: Application, actor, staff) -> Application:
    """Submit through the applicant side's service; a demo draft lacking uploads is refused there
    (completeness checks), so it falls back to the workflow's own submit with the engine's snapshot,
    and 资格审查 still shows real rule results."""
    from applications import services as applicant_services
    from applications.eligibility import snapshot

    try:
        return applicant_services.application_submit(application=application, actor=actor)
    except applicant_services.SubmissionBlocked:
        number = applicant_services.next_receipt_number(application.cycle)
    return services.apply_transition(application=application, name="submit", actor=actor,
                                     extra={"number": number, "submitted_at": timezone.now(),
                                            "eligibility_snapshot": snapshot(application)})


def _confirm_eligibility(application: Application, staff) -> None:
    for auto in automatic_results(application):
        if auto.result in (FAIL, REVIEW):
            services.record_eligibility_finding(application=application, rule_key=auto.key, label=auto.label,
                                                automatic_result=auto.result, result="pass",
                                                reason="演示数据：已线下核验原件，符合条件。", actor=staff)


def _score(assignment: Assignment, percent: int, submit: bool = True) -> None:
    sheet = services.scoresheet_for(assignment)
    scores = {}
    for i, criterion in enumerate(leaf_criteria(sheet.rubric)):
        p = max(0, min(100, percent + (i % 3) * 5 - 5))
        scores[criterion.pk] = (criterion.max_points * p / 100).quantize(Decimal("0.01"))
    # 优势 / 改进机会 on the first two items, so that the 评价反馈报告 screen has something to consolidate.
    leading = [c.pk for c in selectors.feedback_criteria(sheet.rubric)[:2]]
    services.save_scores(assignment=assignment, scores=scores, opinion="管理体系运行有效，结果指标总体良好；建议加强对标与创新。",
                         actor=assignment.expert.user, submit=submit,
                         strengths={pk: text for pk, text in zip(leading, DEMO_STRENGTHS)},
                         improvements={pk: text for pk, text in zip(leading, DEMO_IMPROVEMENTS)})


DEMO_STRENGTHS = ("高层领导亲自推进卓越绩效模式，战略目标层层分解到部门。", "建立了覆盖主要相关方的沟通与决策机制。")
DEMO_IMPROVEMENTS = ("部分战略指标缺少量化目标和对标数据。", "治理机制的评价与改进尚未形成闭环。")


def _build_cycle(cycle, orgs, staff, experts, organiser, stdout, offset: int, password: str) -> int:
    if not cycle or Application.objects.filter(cycle=cycle, applicant__username=orgs[0][0]).exists():
        return 0
    stages = {s.code: s for s in cycle.stages.all()}
    category = cycle.categories.get(code="district-mode") if cycle.categories.filter(code="district-mode").exists() else cycle.categories.first()
    created = 0
    for n, (username, name, org_type, plan) in enumerate(orgs, start=1):
        user = _user(username, name, [(Role.APPLICANT, None)], password)
        organisation = OrganisationProfile.objects.filter(owner=user).first() or OrganisationProfile.objects.create(
            owner=user, name=name, credit_code=_credit_code(offset + n), org_type=org_type,
            registered_district=organiser.short_name, established_on=datetime.date(2008 + n % 6, 3, 1), legal_representative="演示法人",
            contact_name="演示联系人", contact_mobile=f"1380000{offset + n:04d}", has_cqo_system=True, chief_quality_officer="演示首席质量官")
        application = Application.objects.create(
            cycle=cycle, category=category, applicant=user, organisation=organisation,
            form_data={"overview": f"{name}导入卓越绩效管理模式，建立了覆盖全价值链的质量管理体系。（演示数据）",
                       "figures": {"2022": {"revenue": "12000", "profit": "860"}, "2023": {"revenue": "13500", "profit": "990"},
                                   "2024": {"revenue": "15100", "profit": "1210"}},
                       "certifications": "ISO 9001:2015 质量管理体系认证"},
            declarations={"truthful": True})
        application = _submit(application, user, staff)
        created += 1
        if plan == "submitted":
            continue
        services.apply_transition(application=application, name="start_review", actor=staff)
        if plan == "eligibility":
            continue
        if plan == "supplement_overdue":
            sections = [c for c, _l in section_choices(application)][:2]
            request = services.request_supplement(application=application, sections=sections, working_days=5, actor=staff,
                                                  message="请补充近三年财务审计报告，并完善组织概述中的质量管理模式说明。")
            # The demo shows an overdue request: move its deadline into the past.
            SupplementRequest.objects.filter(pk=request.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
            continue
        _confirm_eligibility(application, staff)
        services.apply_transition(application=application, name="advance", actor=staff)
        if plan.startswith("material"):
            continue
        if plan == "presentation":
            services.apply_transition(application=application, name="advance", actor=staff)
    # 资料评审: automatic assignment, declarations and scores.
    material = stages.get("material-review")
    if material is not None:
        results = services.auto_assign(stage=material, actor=staff)
        percent_by_plan = {"material_scored": 78, "material_partial": 64}
        for result in results:
            app = result.application
            plan = next(p for u, _n, _t, p in orgs if u == app.applicant.username)
            for k, assignment in enumerate(Assignment.objects.filter(stage=material, application=app).select_related("expert__user", "application", "stage")):
                services.declare_conflict(expert=assignment.expert, application=app, has_conflict=False, reason="", actor=assignment.expert.user)
                if plan == "material_partial" and k >= 3:
                    if k == 3:
                        _score(assignment, 60, submit=False)
                    continue
                _score(assignment, percent_by_plan.get(plan, 70) + (k * 3 if app.pk % 2 else -k * 2))
    # 陈述答辩: a panel and slots for the applications that reached it.
    presentation = stages.get("presentation")
    if presentation is not None:
        members = [e for e in experts.values() if e.organiser_id == organiser.pk][:5]
        panel, _created = ExpertPanel.objects.get_or_create(stage=presentation, name="第一评审组")
        panel.members.set(members)
        panel.leader = members[0]
        panel.save()
        try:  # slots only on working days of the statutory calendar
            day = add_working_days(timezone.localdate() + datetime.timedelta(days=14), 1)
        except CalendarCoverageError as exc:
            stdout.write(f"reviews: no demo 陈述答辩 slots: {exc}")
            day = None
        tz = timezone.get_current_timezone()
        at_stage = Application.objects.filter(cycle=cycle, current_stage=presentation, status=ApplicationStatus.IN_REVIEW).order_by("pk")
        for slot, app in enumerate(at_stage if day else []):
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + slot, 0)), tz)
            services.save_schedule_entry(stage=presentation, application=app, starts_at=start, ends_at=start + datetime.timedelta(minutes=50),
                                         location=f"{organiser.short_name}市场监管局 3楼 第一会议室", panel=panel, actor=staff,
                                         note="陈述 20 分钟，答辩 20 分钟；请携带自评报告纸质版。")
    stdout.write(f"reviews: {created} demo applications in {cycle.code}")
    return created


def seed_demo_data(context: dict) -> None:
    users = context["users"]
    with transaction.atomic():
        experts = _experts(context)
        cycles = context["cycles"]
        _build_cycle(cycles.get("demo-changning-quality"), CN_ORGS, users["cn-staff"], experts, context["organisers"]["changning"],
                     context["stdout"], 100, context["password"])
        _build_cycle(cycles.get("demo-xuhui-quality"), XH_ORGS, users["xh-staff"], experts, context["organisers"]["xuhui"],
                     context["stdout"], 200, context["password"])
    demo_decisions.seed_demo_data(context)
