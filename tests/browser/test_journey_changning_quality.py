"""Journey: 长宁区政府质量奖, from an organisation's application to the certificate PDF, in Chromium.

Everyone works in their own browser, through the portal's pages only: the organisation signs up,
registers, drafts, uploads, runs the pre-check and submits; staff accept it and pass 资格审查; three
experts declare no conflict and score 资料评审, a scheduled 陈述答辩 and a 现场评审; staff cut the
资料评审 ranking, read the 综合评价 ranking, put the winner on the list within quota and publish the
公示; a member of the public objects anonymously, staff investigate and dismiss it; staff submit for
approval, record the district government's approval, and generate the 表彰决定 and the certificates,
which are downloaded and read back as PDF.

Built by services/ORM (preconditions, not part of the journey — each says so where it happens):
the configuration (seed programmes and the demo cycle with an open window, as `seed_demo` does),
the office's staff account and its expert pool, a competing organisation's application already
in 资料评审, and the passing of the 公示 period (the clock cannot be moved inside a browser).
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role, User
from applications.models import Application, ApplicationStatus, OrganisationProfile
from applications.services import next_receipt_number
from awards.demo import ensure_demo_cycles
from core.workdays import add_working_days
from reviews.models import Publicity
from reviews.models import ExpertProfile
from reviews.services import apply_transition
from tests.applications.conftest import PDF_BYTES
from tests.browser.conftest import JOURNEY_ARTIFACTS, follow, log_in, snap

CYCLE = "demo-changning-quality"
CATEGORY = "district-mode"
CATEGORY_LABEL = "区长质量奖先进质量管理模式（项目）"
ORG_NAME = "上海长宁卓越示例服务有限公司"
RIVAL_NAME = "上海虹日示例科技有限公司"
PASSWORD = "Journey-Changning-2026"
STAFF_PASSWORD = "staff-pass-2026"
EXPERTS = [("cn-expert-a", "王评审", "复旦大学管理学院"), ("cn-expert-b", "陈评审", "上海质量管理科学研究院"),
           ("cn-expert-c", "刘评审", "同济大学经济与管理学院")]


# ---------------------------------------------------------------------------------------------
# Preconditions (services / ORM; not part of the journey)


@pytest.fixture
def cycle(seeds):
    """Precondition: the seed programmes and the demo copy of 长宁区政府质量奖 with an open window."""
    return next(c for c in ensure_demo_cycles() if c.code == CYCLE)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Objections are throttled per address per hour, and every test of a run comes from 127.0.0.1
    (through a shared Redis cache when one is configured): start this journey with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(make_user, organisers):
    """Precondition: the 长宁 review office's staff account."""
    return make_user("cn-office", roles=[(Role.STAFF, organisers["changning"])], is_staff=True,
                     full_name="区市场监管局 质量科", password=STAFF_PASSWORD)


@pytest.fixture
def experts(make_user, organisers):
    """Precondition: the office's expert pool (three experts, none with a tie to the applicants)."""
    pool = []
    for username, name, employer in EXPERTS:
        user = make_user(username, roles=[(Role.EXPERT, organisers["changning"])], full_name=name, password=STAFF_PASSWORD)
        pool.append(ExpertProfile.objects.create(user=user, organiser=organisers["changning"], name=name, employer=employer,
                                                 specialties="卓越绩效"))
    return pool


def rival_in_document_review(cycle, staff) -> Application:
    """Precondition: another organisation's application, submitted and through 资格审查 by services,
    so that the 资料评审 ranking has a competitor to rank and cut."""
    user = User.objects.create_user(username="rival", email="rival@example.test", password="x-unused-123",
                                    email_verified=True, full_name="虹日 联系人")
    organisation = OrganisationProfile.objects.create(
        owner=user, name=RIVAL_NAME, credit_code="91310104MA1K4B2N68", org_type="enterprise", registered_district="长宁区",
        established_on=datetime.date(2011, 3, 1), legal_representative="赵强", contact_name="钱敏", contact_mobile="13900001111")
    application = Application.objects.create(cycle=cycle, category=cycle.categories.get(code=CATEGORY), applicant=user,
                                             organisation=organisation, form_data={"overview": "以数字化质量管理为特色。"})
    apply_transition(application=application, name="submit", actor=user,
                     extra={"number": next_receipt_number(cycle), "submitted_at": timezone.now()})
    apply_transition(application=application, name="start_review", actor=staff)
    return apply_transition(application=application, name="advance", actor=staff)


# ---------------------------------------------------------------------------------------------
# Steps a person takes in the browser


def sign_up(page, email: str, name: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("#id_email", email)
    page.fill("#id_full_name", name)
    page.select_option("#id_preferred_language", "zh-hans")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main input[type=submit], main button[type=submit] >> nth=-1")
    page.wait_for_url("**/accounts/verify/")
    link = re.search(r"http://[^/]+(/accounts/verify/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)  # the link in the verification e-mail
    page.wait_for_url("**/applications/")


def staff_open_application(page, number: str) -> None:
    page.goto(f"/staff/cycles/{CYCLE}/applications/")
    page.fill("input[name=q]", number)
    follow(page, "main form button:has-text('筛选')")
    follow(page, f"main table a:has-text('{number}')")
    page.wait_for_selector("#actions")


def staff_take(page, label: str) -> None:
    """Press an enabled action button on the staff application page and check it was applied."""
    button = page.locator(f"#actions button:has-text('{label}')")
    assert button.is_enabled(), page.inner_text("#actions")
    with page.expect_navigation():
        button.click()
    page.wait_for_selector(f".alert-success:has-text('已执行：{label}')")


def expert_scores(page, number: str, stage: str, percent: int, opinion: str) -> None:
    """An expert opens their task list, declares no conflict the first time, and scores every item
    with the 5 % band helper (so each item is max × percent) before submitting the sheet."""
    follow(page, "nav a:has-text('专家评审')")
    row = page.locator("tr", has_text=number).filter(has=page.locator("a:has-text('开始评审')")).first
    with page.expect_navigation():
        row.locator("a:has-text('开始评审')").click()
    if page.locator("h1:has-text('回避声明')").count():
        page.check("input[name=has_conflict][value=no]")
        follow(page, "main button:has-text('提交声明')")
    follow(page, f"a:has-text('{stage} · 评分')")
    bands = page.locator("select.js-band")
    assert bands.count() == 23  # GB/T 19580-2012: 23 scored items (4.1.1 … 4.7.6)
    for index in range(bands.count()):
        bands.nth(index).select_option(str(percent))
    assert page.inner_text(".js-total") == f"{percent * 10}.00"
    page.fill("#id_opinion", opinion)
    page.click(".score-total-bar button[name=submit]")  # asks first: submitting is final
    page.locator("#submit-confirm").wait_for(state="visible")
    page.click("#submit-confirm button[name=submit]")
    page.wait_for_selector(".alert-success:has-text('评分已提交并锁定')")


def download_pdf_text(page, row_text: str) -> tuple[str, str]:
    """Download the finished document in the panel row naming `row_text`; its text layer."""
    from pypdf import PdfReader

    row = page.locator("tr[data-document]", has_text=row_text).first
    badge = row.locator("[data-role=status]:has-text('已完成')")
    badge.wait_for()
    # The status is readable: the badge has a background of its own (white text on none reads as blank).
    assert badge.evaluate("b => getComputedStyle(b).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    with page.expect_download() as info:
        row.locator("a:has-text('下载')").click()
    download = info.value
    data = Path(download.path()).read_bytes()
    JOURNEY_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (JOURNEY_ARTIFACTS / f"changning-{download.suggested_filename}").write_bytes(data)  # kept for the report
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return download.suggested_filename, "".join(p.extract_text() for p in reader.pages)


# ---------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_changning_quality_award_from_application_to_certificate(actors, cycle, staff, experts, tmp_path):
    rival = rival_in_document_review(cycle, staff)

    # --- The organisation applies -------------------------------------------------------------
    applicant = actors("applicant")
    sign_up(applicant, "quality@changning-example.test", "孙质量")
    follow(applicant, "#add-organisation")
    applicant.fill("#id_name", ORG_NAME)
    applicant.fill("#id_credit_code", "9131 0105 ma1f l5xq 3y")
    applicant.select_option("#id_org_type", "enterprise")
    applicant.select_option("#id_registered_district", "长宁区")
    applicant.fill("#id_established_on", "2014-06-18")
    applicant.fill("#id_legal_representative", "周立")
    applicant.fill("#id_contact_name", "孙质量")
    applicant.fill("#id_contact_mobile", "13812345678")
    applicant.check("#id_has_cqo_system")
    applicant.fill("#id_chief_quality_officer", "吴首席")
    applicant.click("main input[type=submit]")
    applicant.wait_for_url("**/applications/")

    applicant.goto("/")
    follow(applicant, f"a[href='/calls/{CYCLE}/']")
    follow(applicant, "#apply-now")
    applicant.get_by_label(CATEGORY_LABEL).check()
    applicant.click("main input[type=submit]")
    applicant.wait_for_selector("#application-form")
    applicant.fill("#id_overview", "以“精益服务、数据驱动”为特色的卓越绩效模式，连续五年顾客满意度居行业前列。")
    for year in (cycle.year - 3, cycle.year - 2, cycle.year - 1):
        applicant.fill(f"#id_fig_{year}_revenue", "12500")
        applicant.fill(f"#id_fig_{year}_profit", "860")
    applicant.fill("#id_certifications", "ISO 9001:2015 质量管理体系，证书号 00121Q3456，有效期至 2027-05")
    for box in applicant.query_selector_all("input[name^=decl_]"):
        box.check()
    follow(applicant, "#save-draft")
    assert re.search(r"已保存（第 \d+ 版", applicant.content())  # fields left were autosaved already
    report = tmp_path / "自评报告.pdf"
    report.write_bytes(PDF_BYTES)
    applicant.select_option("#id_purpose", "self_evaluation")
    applicant.set_input_files("#id_file", str(report))
    follow(applicant, "#upload-form button[type=submit]")
    assert "已上传“自评报告.pdf”" in applicant.content()
    applicant.click("#save-and-check")
    applicant.wait_for_selector("#precheck")
    assert applicant.locator("#precheck tr.precheck-fail").count() == 0
    snap(applicant, "changning-01-precheck")
    follow(applicant, "#submit-application")
    number = applicant.inner_text("#receipt-number")
    assert number == f"DEMO-CHANGNING-QUALITY-{cycle.year}-0002"  # the competitor's was the first
    ours = Application.objects.get(number=number)
    assert ours.status == ApplicationStatus.SUBMITTED and ours.eligibility_snapshot is not None

    # --- Staff: 受理 and 资格审查 ---------------------------------------------------------------
    office = actors("staff")
    log_in(office, "cn-office", STAFF_PASSWORD)
    office.click("nav a:has-text('评审办公室')")
    follow(office, "nav a.dropdown-item:has-text('评选周期')")
    follow(office, f"a[href='/staff/cycles/{CYCLE}/']")
    follow(office, "a:has-text('评审工作台')")
    assert number in office.inner_text("main") and rival.number in office.inner_text("main")
    follow(office, f"main table a:has-text('{number}')")
    staff_take(office, "受理并开始评审")
    assert "资格审查" in office.inner_text("h1 + div")
    # 资格审查: rules the engine could not decide (独立法人资格) are confirmed by hand, then passed.
    while office.locator("#eligibility tr.table-warning").count():
        row = office.locator("#eligibility tr.table-warning").first
        row.locator("select[name=result]").select_option("pass")
        row.locator("input[name=reason]").fill("营业执照载明为有限责任公司，具有独立法人资格。")
        with office.expect_navigation():
            row.locator("button:has-text('确认')").click()
        office.wait_for_selector(".alert-success:has-text('审查结论')")
    snap(office, "changning-02-eligibility")
    staff_take(office, "通过本环节")
    assert "当前环节：资料评审" in office.inner_text("h1 + div")

    # --- 资料评审: experts assigned automatically, each scores both organisations -------------------
    office.goto(f"/staff/cycles/{CYCLE}/")
    follow(office, ".cycle-stages a:has-text('资料评审')")
    office.select_option("select[name=category]", CATEGORY)
    office.click("button:has-text('自动分配')")
    office.wait_for_selector(".alert-success:has-text('自动分配完成：新增 6 个分配')")
    assert office.locator("tr", has_text=number).locator("td").nth(4).inner_text() == "0 / 3"  # submitted / assigned

    panel_pages = {}
    for (username, name, _employer), ours_pct, rival_pct in zip(EXPERTS, (80, 85, 90), (60, 65, 70)):
        page = actors(username)
        log_in(page, username, STAFF_PASSWORD)
        expert_scores(page, number, "资料评审", ours_pct, f"{name}：材料完整，模式特色鲜明。")
        expert_scores(page, rival.number, "资料评审", rival_pct, f"{name}：成效数据不足。")
        panel_pages[username] = page
    snap(panel_pages["cn-expert-c"], "changning-03-expert-tasks")

    # Staff cut the 资料评审 ranking: the top one goes on to 陈述答辩, the other does not.
    office.goto(f"/staff/cycles/{CYCLE}/stages/material-review/ranking/?category={CATEGORY}")
    ranked = office.locator("table.ranking-table tbody tr")
    assert ranked.nth(0).locator("td").nth(1).inner_text() == number
    assert "850.00" in ranked.nth(0).inner_text() and "650.00" in ranked.nth(1).inner_text()
    office.select_option("#id_method", "top_k")
    office.fill("#id_value", "1")
    office.fill("#id_reason", "资料评审按得分取前 1 名进入陈述答辩。")
    follow(office, "button[name=preview]")
    office.click("button[name=confirm]")
    office.wait_for_selector(".alert-success:has-text('1 项通过，1 项未通过')")
    assert Application.objects.get(pk=rival.pk).status == ApplicationStatus.NOT_PASSED

    # --- 陈述答辩: a panel, a slot, the panel scores -------------------------------------------------
    office.goto(f"/staff/cycles/{CYCLE}/")
    follow(office, ".cycle-stages a:text-is('陈述答辩')")
    follow(office, "a:has-text('新建')")
    office.fill("#id_name", "陈述答辩第一组")
    for _username, name, _employer in EXPERTS:
        office.get_by_label(name, exact=True).check()
    office.select_option("#id_leader", label=EXPERTS[0][1])
    office.click("main input[type=submit]")
    office.wait_for_selector(".alert-success:has-text('专家组已保存')")
    follow(office, "a:has-text('安排日程')")
    slot_day = add_working_days(timezone.localdate() + datetime.timedelta(days=3), 1)  # slots only on working days
    office.select_option("#id_application", label=f"{number} {ORG_NAME}")
    office.fill("#id_date", slot_day.isoformat())
    office.fill("#id_start", "09:30")
    office.fill("#id_end", "10:10")
    office.fill("#id_location", "长宁区市场监管局 301 会议室")
    office.select_option("#id_panel", label="陈述答辩 · 陈述答辩第一组")
    office.click("main input[type=submit]")
    office.wait_for_selector(f".alert-success:has-text('已安排 {ORG_NAME}')")
    assert "301 会议室" in office.inner_text("table.schedule-table")
    snap(office, "changning-04-presentation-slot")
    slot_mail = [m for m in mail.outbox if m.to == ["quality@changning-example.test"] and "陈述答辩安排" in m.subject]
    assert len(slot_mail) == 1 and slot_day.isoformat() in slot_mail[0].body and "301 会议室" in slot_mail[0].body
    for (username, name, _employer), pct in zip(EXPERTS, (80, 80, 90)):
        expert_scores(panel_pages[username], number, "陈述答辩", pct, f"{name}：陈述清晰，答辩到位。")
    staff_open_application(office, number)
    staff_take(office, "通过本环节")

    # --- 现场评审: a visit with a team, the team scores -------------------------------------------
    office.goto(f"/staff/cycles/{CYCLE}/stages/site-visit/schedule/")
    visit_day = add_working_days(timezone.localdate() + datetime.timedelta(days=10), 1)
    office.select_option("#id_application", label=f"{number} {ORG_NAME}")
    office.fill("#id_date", visit_day.isoformat())
    office.fill("#id_start", "13:30")
    office.fill("#id_end", "17:00")
    office.fill("#id_location", "长宁区示例路 88 号（申报单位）")
    for _username, name, _employer in EXPERTS:
        office.get_by_label(name, exact=True).check()
    office.click("main input[type=submit]")
    office.wait_for_selector(f".alert-success:has-text('已安排 {ORG_NAME}')")
    for (username, name, _employer), pct in zip(EXPERTS, (85, 85, 85)):
        expert_scores(panel_pages[username], number, "现场评审", pct, f"{name}：现场与材料一致。")
    staff_open_application(office, number)
    staff_take(office, "通过本环节")
    assert "当前环节：综合评价" in office.inner_text("h1 + div")

    # --- 综合评价 ranking, the recommendation list within quota, 公示 --------------------------------
    office.goto(f"/staff/cycles/{CYCLE}/")
    follow(office, ".cycle-stages a:has-text('综合评价')")
    top = office.locator("table.ranking-table tbody tr").first
    assert top.locator("td").nth(1).inner_text() == number
    # 0.3 × 850 (资料评审) + 0.3 × 833.33 (陈述答辩) + 0.4 × 850 (现场评审)
    assert top.locator("td.fw-semibold").inner_text() == "845.00"
    snap(office, "changning-05-comprehensive-ranking")

    office.goto(f"/staff/cycles/{CYCLE}/")
    follow(office, ".cycle-nav a:has-text('进度与会议')")
    follow(office, ".cycle-nav a:has-text('推荐名单')")
    section = office.locator(f"#category-{CATEGORY}")
    assert "已推荐 0 / 名额 2" in section.inner_text()
    section.locator("tr", has_text=number).locator("input[name=note]").fill("综合评价第 1 名")
    section.locator("tr", has_text=number).locator("button:has-text('列入')").click()
    office.wait_for_selector(f".alert-success:has-text('{number} 已列入推荐名单')")
    section = office.locator(f"#category-{CATEGORY}")
    assert "已推荐 1 / 名额 2" in section.inner_text() and "奖金 50 / 计划 100 万元" in section.inner_text()
    assert office.inner_text("[data-figure=proposed-wan]") == "50 万元"
    follow(office, "a:has-text('下一步：发布公示')")
    assert ORG_NAME in office.inner_text("h3:has-text('将公示的名单') + ul")
    office.click("button[name=publish]")
    office.wait_for_selector(".alert-success:has-text('公示已发布')")
    publicity = Publicity.objects.get(cycle=cycle)
    assert office.locator("button:has-text('公示期满，提请批准')").is_disabled()

    # --- The public: an anonymous objection -------------------------------------------------------
    public = actors("public")
    public.goto(f"/publicity/{CYCLE}/")
    assert ORG_NAME in public.inner_text("main")
    listed = public.locator("#id_application option", has_text=ORG_NAME)
    public.select_option("#id_application", listed.get_attribute("value"))
    public.fill("#id_name", "一名市民")
    public.fill("#id_contact", "13700002222")
    public.fill("#id_content", "听说该单位去年有一起顾客投诉未妥善处理，请核实其顾客满意度数据。")
    follow(public, "main input[type=submit]")
    public.wait_for_selector("h1:has-text('异议已收到')")
    snap(public, "changning-06-objection-received")

    # --- Staff investigate and dismiss it ------------------------------------------------------------
    office.reload()
    follow(office, "main table a:has-text('处理')")
    office.fill("#id_notes", "调取 12345 热线记录与第三方满意度测评报告，投诉已于当月办结。")
    office.click("button:has-text('记录调查情况')")
    office.wait_for_selector(".alert-success:has-text('调查核实情况已记录')")
    office.check("input[name=decision][value=dismissed]")
    office.fill("#id_reason", "经核实，投诉已按规定办结，顾客满意度数据有第三方报告支持，异议不成立。")
    office.click("button:has-text('作出处理结论')")
    office.wait_for_selector(".alert-success:has-text('异议已处理')")
    snap(office, "changning-07-objection-dismissed")

    # Precondition for the next step, not a user action: the 公示 period (5 working days) runs out.
    # Both dates move back so that it ended yesterday.
    shift = publicity.end_date - timezone.localdate() + datetime.timedelta(days=1)
    Publicity.objects.filter(pk=publicity.pk).update(start_date=publicity.start_date - shift, end_date=publicity.end_date - shift)

    # --- Approval, 表彰决定 and certificates ----------------------------------------------------------
    office.goto(f"/staff/cycles/{CYCLE}/publicity/")
    assert "公示已结束" in office.inner_text("main")
    office.click("button:has-text('公示期满，提请批准')")
    office.wait_for_selector(".alert-success:has-text('已提请批准：1 个对象')")
    office.fill("#id_document_number", "长府〔2026〕15号")
    office.click("main input[type=submit]")
    office.wait_for_selector(".alert-success:has-text('批准已录入，获奖名单已确定')")
    assert ORG_NAME in office.inner_text("main") and office.inner_text("[data-figure=committed-wan]") == "50 万元"
    snap(office, "changning-08-winners")

    # Still on 颁奖与奖金, where the approval leads: its document panel makes the 表彰决定 and certificates.
    assert "/awards/" in office.url
    # Asking returns at once: the panel adds the row and follows it to 已完成 without a reload.
    office.click("button[data-kind=award_decision]")
    name, text = download_pdf_text(office, "获奖对象的决定")
    assert name.endswith(".pdf") and ORG_NAME in text.replace("\n", "") and "长府〔2026〕15号" in text.replace("\n", "")
    office.click("button[data-kind=certificate_batch]")
    name, text = download_pdf_text(office, "荣誉证书（")
    assert name.endswith(".pdf") and ORG_NAME in text.replace("\n", "")
    snap(office, "changning-09-documents")

    # The organisation hears of the award.
    award_mail = [m for m in mail.outbox if m.to == ["quality@changning-example.test"] and m.subject.startswith("获奖通知")]
    assert len(award_mail) == 1
    for page in (applicant, office, public, *panel_pages.values()):
        assert page.js_errors == []
