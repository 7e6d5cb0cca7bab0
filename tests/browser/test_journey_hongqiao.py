"""Journey: 长宁区"虹桥友谊奖", a foreign national nominated by a recommending unit, in Chromium.

The recommending unit nominates a foreign national by e-mail; the nominee reads the invitation,
signs up and completes the whole application in English; staff accept it (受理, 审核, 资格审查); the
评审联席会议 first sits with 6 of its 10 member units — refused for want of a quorum, the page says
why — and, with the attendance corrected to 7, votes; the 区委书记专题会 records its decision; staff
put the nominee on the list (精神奖励, within the quota of 10), publish the 公示 and, once it has run,
submit for approval and record the district government's decision. The nominee's own pages are
checked to be in English throughout.

Built by services/ORM (preconditions, not part of the journey): the configuration (seed
programmes, the demo cycle with an open window as `seed_demo` creates it), the office's staff
account, the recommending unit and its account, and the passing of the 公示 period.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from applications.models import Application, ApplicationStatus, RecommendingUnit
from awards.demo import ensure_demo_cycles
from reviews.models import Publicity
from tests.applications.conftest import PDF_BYTES
from tests.browser.conftest import follow, log_in, snap

CYCLE = "demo-changning-hongqiao"
NOMINEE = "Anna Schneider"
NOMINEE_EMAIL = "anna.schneider@example.test"
PASSWORD = "Journey-Hongqiao-2026"
STAFF_PASSWORD = "staff-pass-2026"
UNIT = "长宁区商务委员会"
JOINT_UNITS = ["区委组织部", "区委宣传部", "区政府办公室（外事办公室）", "区发展改革委", "区商务委", "区科委",
               "区人力资源社会保障局", "区投促办（金融办）", "区地区办", "临空园区"]


@pytest.fixture
def cycle(seeds):
    """Precondition: the seed programmes and the demo copy of the 虹桥友谊奖 cycle with an open window."""
    return next(c for c in ensure_demo_cycles() if c.code == CYCLE)


@pytest.fixture
def staff(make_user, organisers):
    """Precondition: the office's staff account (区政府外事办公室 runs the award for 长宁)."""
    return make_user("hq-office", roles=[(Role.STAFF, organisers["changning"])], is_staff=True,
                     full_name="区政府外事办 评审办公室", password=STAFF_PASSWORD)


@pytest.fixture
def recommender(make_user, organisers):
    """Precondition: a recommending unit (行业主管部门) and the account that acts for it."""
    unit = RecommendingUnit.objects.create(organiser=organisers["changning"], name=UNIT, kind="industry_department")
    user = make_user("hq-recommender", full_name="商务委 外经科", password=STAFF_PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.RECOMMENDER, organiser=organisers["changning"], recommending_unit=unit)
    return user


def invitation_link() -> str:
    """The link in the invitation e-mail the nominee received."""
    found = [re.search(r"http://[^/\s]+(/applications/invitation/\S+/)", m.body) for m in mail.outbox if m.to == [NOMINEE_EMAIL]]
    links = [f.group(1) for f in found if f]
    assert len(links) == 1
    return links[0]


def staff_take(page, label: str) -> None:
    button = page.locator(f"#actions button:has-text('{label}')")
    assert button.is_enabled(), page.inner_text("#actions")
    with page.expect_navigation():
        button.click()
    page.wait_for_selector(f".alert-success:has-text('已执行：{label}')")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hongqiao_friendship_award_for_a_nominated_foreign_national_in_english(actors, cycle, staff, recommender, tmp_path):

    # --- The recommending unit nominates -------------------------------------------------------
    unit = actors("recommender")
    log_in(unit, "hq-recommender", STAFF_PASSWORD)
    follow(unit, "nav a:has-text('推荐申报')")
    option = unit.locator("#id_category option", has_text="演示周期（虹桥）")
    unit.select_option("#id_category", option.get_attribute("value"))
    unit.fill("#id_nominee_name", NOMINEE)
    unit.fill("#id_nominee_email", NOMINEE_EMAIL.upper())  # typed in capitals; stored in lower case
    unit.fill("#id_reason", "Anna Schneider 在长宁区从事精益生产咨询十年，为本区供应链企业培训工程师逾四十名。")
    follow(unit, "main input[type=submit]")
    assert unit.locator(".alert-success", has_text=f"已推荐并向 {NOMINEE_EMAIL} 发送邀请").count() == 1
    assert NOMINEE in unit.inner_text("#nominations")

    # --- The nominee, in English ------------------------------------------------------------------
    nominee = actors("nominee", locale="en-US")
    nominee.goto(invitation_link())  # the link in the invitation e-mail
    assert nominee.evaluate("document.documentElement.lang") == "en"
    assert "Nomination" in nominee.inner_text("h1")
    assert f"Sign up or sign in with {NOMINEE_EMAIL} to accept." in nominee.inner_text("main")
    snap(nominee, "hongqiao-01-invitation")
    follow(nominee, "main a:has-text('Sign up')")
    nominee.fill("#id_email", NOMINEE_EMAIL)
    nominee.fill("#id_full_name", NOMINEE)
    nominee.select_option("#id_preferred_language", "en")
    nominee.fill("#id_password1", PASSWORD)
    nominee.fill("#id_password2", PASSWORD)
    follow(nominee, "main input[type=submit], main button[type=submit] >> nth=-1")
    link = re.search(r"http://[^/]+(/accounts/verify/\S+/)", mail.outbox[-1].body).group(1)
    nominee.goto(link)  # the link in the verification e-mail
    nominee.wait_for_url("**/applications/")
    assert "My applications" in nominee.inner_text("h1")
    assert "Open the link in the invitation e-mail to accept." in nominee.inner_text("main")

    nominee.goto(invitation_link())
    follow(nominee, "main a:has-text('Enter personal details')")
    nominee.fill("#id_name", NOMINEE)
    nominee.select_option("#id_id_type", "passport")
    nominee.fill("#id_id_number", "c 7k2 9x41")  # typed with spaces and in lower case
    nominee.fill("#id_nationality", "Germany")
    nominee.fill("#id_employer", "Schneider Lean Consulting (Shanghai) Co., Ltd.")
    nominee.select_option("#id_work_district", "长宁区")
    nominee.fill("#id_district_work_since", "2014-03-01")
    follow(nominee, "main input[type=submit]")
    assert "/applications/invitation/" in nominee.url  # back to the invitation it came from
    follow(nominee, "#accept-nomination")
    nominee.wait_for_selector("#application-form")
    assert "Criteria met" in nominee.inner_text("main")
    nominee.check("#id_crit_3")
    nominee.fill("#id_crit_3_evidence", "Trained 42 engineers of Changning suppliers in lean production (2016–2025).")
    nominee.check("#id_crit_4")
    nominee.fill("#id_crit_4_evidence", "Volunteer mentor at the Hongqiao community service centre since 2018.")
    nominee.fill("#id_contribution", "Ten years of technology and management transfer to Changning's manufacturers.")
    for box in nominee.query_selector_all("input[name^=decl_]"):
        box.check()
    follow(nominee, "#save-draft")
    assert "Saved (version" in nominee.inner_text("main")
    evidence = tmp_path / "training-records.pdf"
    evidence.write_bytes(PDF_BYTES)
    nominee.select_option("#id_purpose", "evidence")
    nominee.set_input_files("#id_file", str(evidence))
    follow(nominee, "#upload-form button[type=submit]")
    follow(nominee, "#save-and-check")
    assert "Eligibility pre-check" in nominee.inner_text("main")
    assert nominee.locator("#precheck tr.precheck-fail").count() == 0
    snap(nominee, "hongqiao-02-precheck-in-english")
    follow(nominee, "#submit-application")
    number = nominee.inner_text("#receipt-number")
    assert "Acknowledgement of receipt" in nominee.inner_text("main")
    application = Application.objects.get(number=number)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.recommender.name == UNIT and application.nominated_by == recommender
    assert application.person.id_number == "C7K29X41"

    unit.reload()
    assert number in unit.inner_text("#nominations")

    # --- Staff: 受理, 审核, 资格审查 ----------------------------------------------------------------
    office = actors("staff")
    log_in(office, "hq-office", STAFF_PASSWORD)
    office.goto("/staff/cycles/")
    follow(office, f"a[href='/staff/cycles/{CYCLE}/']")
    follow(office, "a:has-text('评审工作台')")
    follow(office, f"main table a:has-text('{number}')")
    assert UNIT in office.inner_text("main")
    staff_take(office, "受理并开始评审")
    assert "当前环节：受理" in office.inner_text("h1 + div")
    staff_take(office, "通过本环节")
    assert "当前环节：审核" in office.inner_text("h1 + div")
    staff_take(office, "通过本环节")
    assert "当前环节：资格审查" in office.inner_text("h1 + div")
    while office.locator("#eligibility tr.table-warning").count():
        row = office.locator("#eligibility tr.table-warning").first
        row.locator("select[name=result]").select_option("pass")
        row.locator("input[name=reason]").fill("工作居住证明显示自 2014 年起在长宁区工作。")
        with office.expect_navigation():
            row.locator("button:has-text('确认')").click()
    staff_take(office, "通过本环节")
    assert "当前环节：评选" in office.inner_text("h1 + div")

    # --- 评审联席会议: 6 of 10 member units is no quorum; 7 is -------------------------------------
    office.goto(f"/staff/cycles/{CYCLE}/")
    follow(office, ".cycle-nav a:has-text('进度与会议')")
    follow(office, "#meetings div:has-text('评选') >> a:has-text('记录会议')")
    office.fill("#id_location", "长宁区政府 5 楼会议室")
    office.fill("#id_chair", "区政府办公室（外事办公室）主任")
    for unit_name in JOINT_UNITS[:6]:
        office.get_by_label(unit_name, exact=True).check()
    follow(office, "main input[type=submit]")
    refusal = office.inner_text("[data-quorum=refused]")
    assert "本次出席 6 个" in refusal and "至少须 7 个出席" in refusal
    assert office.locator("input[name=votes_for]").count() == 0  # no decision can be recorded
    snap(office, "hongqiao-03-no-quorum")
    follow(office, "a:has-text('修改会议记录')")
    office.get_by_label(JOINT_UNITS[6], exact=True).check()
    follow(office, "main input[type=submit]")
    assert "已达到法定人数，可以作出决定。" in office.inner_text("[data-quorum=met]")
    office.fill("input[name=votes_for]", "7")
    office.fill("input[name=votes_against]", "0")
    office.fill("input[name=votes_abstain]", "0")
    office.fill("input[name=notes]", "一致同意推荐为获奖建议人选。")
    follow(office, "main table button:has-text('保存')")
    assert "赞成 7 · 反对 0 · 弃权 0" in office.inner_text("main table")
    follow(office, "button:has-text('按会议决定办理')")  # the confirmation dialog is accepted
    assert office.locator(".alert-success", has_text=f"{number}：已通过本环节").count() == 1
    snap(office, "hongqiao-04-joint-meeting")

    # --- 区委书记专题会 records its decision ---------------------------------------------------------
    office.goto(f"/staff/cycles/{CYCLE}/meetings/")
    follow(office, "#meetings div:has-text('区委书记专题会') >> a:has-text('记录会议')")
    office.fill("#id_attendees_text", "区委书记、分管区领导、区政府办公室（外事办公室）")
    follow(office, "main input[type=submit]")
    office.select_option("select[name=outcome]", "approved")
    office.fill("input[name=notes]", "同意列为获奖建议人选，按程序公示。")
    follow(office, "main table button:has-text('保存')")
    assert "同意列为获奖建议人选" in office.inner_text("main table")

    # --- The list (精神奖励, quota 10), 公示, approval ----------------------------------------------
    office.goto(f"/staff/cycles/{CYCLE}/meetings/")
    follow(office, ".cycle-nav a:has-text('推荐名单')")
    section = office.locator("section[id^=category-]").first
    assert "已推荐 0 / 名额 10" in section.inner_text() and "精神奖励" in section.inner_text()
    with office.expect_navigation():
        section.locator("tr", has_text=number).locator("button:has-text('列入')").click()
    assert "已推荐 1 / 名额 10" in office.locator("section[id^=category-]").first.inner_text()
    follow(office, "a:has-text('下一步：发布公示')")
    follow(office, "button[name=publish]")
    assert office.locator(".alert-success", has_text="公示已发布").count() == 1
    publicity = Publicity.objects.get(cycle=cycle)

    public = actors("public", locale="en-US")
    public.goto(f"/publicity/{CYCLE}/")
    assert NOMINEE in public.inner_text("main") and "Germany" in public.inner_text("main")
    snap(public, "hongqiao-05-publicity-page")

    # Precondition for the next step, not a user action: the 5-working-day 公示 runs out (it ended yesterday).
    shift = publicity.end_date - timezone.localdate() + datetime.timedelta(days=1)
    Publicity.objects.filter(pk=publicity.pk).update(start_date=publicity.start_date - shift, end_date=publicity.end_date - shift)

    office.goto(f"/staff/cycles/{CYCLE}/publicity/")
    follow(office, "button:has-text('公示期满，提请批准')")
    assert office.locator(".alert-success", has_text="已提请批准：1 个对象").count() == 1
    assert office.input_value("#id_approving_body") == "长宁区人民政府"
    office.fill("#id_document_number", "长府〔2026〕20号")
    follow(office, "main input[type=submit]")
    assert office.locator(".alert-success", has_text="批准已录入，获奖名单已确定").count() == 1
    assert NOMINEE in office.inner_text("main") and "精神奖励" in office.inner_text("main")
    snap(office, "hongqiao-06-approved")
    application.refresh_from_db()
    assert application.current_stage.code == "report" and application.status == ApplicationStatus.IN_REVIEW

    # --- The nominee follows it all in English -------------------------------------------------------
    follow(nominee, "nav a:has-text('My applications')")
    card = nominee.locator(".application-card", has_text=number)
    assert "Hongqiao Friendship Award" in card.inner_text()
    assert "In review" in card.inner_text() and UNIT in card.inner_text()
    snap(nominee, "hongqiao-07-nominee-dashboard")
    # Every e-mail the nominee received is in English, one per step that concerns them.
    subjects = [m.subject for m in mail.outbox if m.to == [NOMINEE_EMAIL]]
    expected = ["", "Please verify your e-mail address", f"Application received: number {number}",
                f"Application accepted for review: {number}", f"{number}: passed", f"{number}: passed", f"{number}: passed",
                f"{number}: passed", f"{number}: on the list of proposed award recipients, now on public notice",
                f"{number}: public notice ended, submitted for approval", "Award notice:"]
    assert len(subjects) == len(expected) and "You have been nominated" in subjects[0]
    assert all(subject.startswith(start) for subject, start in zip(subjects, expected)), subjects
    for page in (unit, nominee, office, public):
        assert page.js_errors == []
