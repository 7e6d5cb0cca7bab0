"""Journey: 徐汇区政府质量奖 — a small enterprise is scored on its own standard; a loss-maker is refused.

Two organisations apply in Chromium. The small enterprise (小企业) records its internal publicity
(≥ 5 working days, counted with China's holiday calendar) and uploads the proof, passes the
pre-check and submits; staff accept it, pass 资格审查 and assign an expert by hand; the expert's
scoresheet is DB31/T 1009's (the 徐汇 configuration picks the standard by organisation type), not
GB/T 19580's, and the expert scores and submits it. The other organisation made a loss in one of the
last three years: its pre-check names the year and the rule, offers no submit button, and a submit
forced past the page is refused by the server, leaving the draft a draft.

Built by services/ORM (preconditions, not part of the journey): the configuration (seed
programmes, the demo cycle with an open window as `seed_demo` creates it), the 徐汇 office's staff
account and one expert of its pool.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from applications.models import Application, ApplicationStatus
from awards.demo import ensure_demo_cycles
from core.identity import credit_code_check_character
from core.workdays import working_days_between
from reviews.models import ExpertProfile
from tests.applications.conftest import PDF_BYTES
from tests.browser.conftest import follow, log_in, snap

CYCLE = "demo-xuhui-quality"
CATEGORY_LABEL = "徐汇区质量金奖先进质量管理模式"
SMALL = "上海徐汇精工小微示例有限公司"
LOSSMAKER = "上海徐汇示例贸易有限公司"
PASSWORD = "Journey-Xuhui-2026"
STAFF_PASSWORD = "staff-pass-2026"
EXPERT = "徐评审"

# DB31/T 1009 (small enterprises) as the portal's default table: 20 items; items only it has, and an
# item only GB/T 19580 has.
DB31T_1009_ONLY = ["4.4.3 信息、知识和技术资源", "4.4.4 基础设施和相关方关系"]
GBT_19580_ONLY = ["4.1.2 组织治理", "4.4.5 基础设施", "4.4.6 相关方关系"]


def credit_code(serial: int) -> str:
    first17 = f"91310104MA{serial:07d}"
    return first17 + credit_code_check_character(first17)


@pytest.fixture
def cycle(seeds):
    """Precondition: the seed programmes and the demo copy of the 徐汇 cycle with an open window."""
    return next(c for c in ensure_demo_cycles() if c.code == CYCLE)


@pytest.fixture
def staff(make_user, organisers):
    """Precondition: the 徐汇 review office's staff account."""
    return make_user("xh-office", roles=[(Role.STAFF, organisers["xuhui"])], is_staff=True,
                     full_name="徐汇区质量奖评审委员会办公室", password=STAFF_PASSWORD)


@pytest.fixture
def expert(make_user, organisers):
    """Precondition: one expert in the 徐汇 pool."""
    user = make_user("xh-expert-a", roles=[(Role.EXPERT, organisers["xuhui"])], full_name=EXPERT, password=STAFF_PASSWORD)
    return ExpertProfile.objects.create(user=user, organiser=organisers["xuhui"], name=EXPERT, employer="上海交通大学安泰经济与管理学院")


def sign_up_and_register(page, *, email: str, contact: str, name: str, code: str, org_type: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("#id_email", email)
    page.fill("#id_full_name", contact)
    page.select_option("#id_preferred_language", "zh-hans")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    follow(page, "main input[type=submit], main button[type=submit] >> nth=-1")
    mails = [m for m in mail.outbox if m.to == [email]]
    page.goto(re.search(r"http://[^/]+(/accounts/verify/\S+/)", mails[-1].body).group(1))  # the verification link
    page.wait_for_url("**/applications/")
    follow(page, "#add-organisation")
    page.fill("#id_name", name)
    page.fill("#id_credit_code", code)
    page.select_option("#id_org_type", org_type)
    page.select_option("#id_registered_district", "徐汇区")
    page.fill("#id_established_on", "2016-08-08")
    page.fill("#id_legal_representative", "顾立")
    page.fill("#id_contact_name", contact)
    page.fill("#id_contact_mobile", "139 1234 5678")
    page.check("#id_has_cqo_system")
    page.fill("#id_chief_quality_officer", "蒋首席")
    follow(page, "main input[type=submit]")
    page.wait_for_url("**/applications/")


def start_application(page, cycle, *, profits: dict[int, str]) -> None:
    page.goto("/")
    follow(page, f"a[href='/calls/{CYCLE}/']")
    assert "DB31/T 1009" in page.inner_text("main")  # the call names the small-enterprise standard
    follow(page, "#apply-now")
    page.get_by_label(CATEGORY_LABEL).check()
    follow(page, "main input[type=submit]")
    page.wait_for_selector("#application-form")
    page.fill("#id_overview", "以“小而精”的全员质量改进为特色，关键工序一次合格率连续三年提升。")
    for year in (cycle.year - 3, cycle.year - 2, cycle.year - 1):
        page.fill(f"#id_fig_{year}_revenue", "3200")
        page.fill(f"#id_fig_{year}_profit", profits[year])
    page.fill("#id_certifications", "ISO 9001:2015，证书号 00123Q45678")
    for box in page.query_selector_all("input[name^=decl_]"):
        box.check()


def upload(page, purpose: str, path) -> None:
    path.write_bytes(PDF_BYTES)
    page.select_option("#id_purpose", purpose)
    page.set_input_files("#id_file", str(path))
    follow(page, "#upload-form button[type=submit]")
    assert f"已上传“{path.name}”" in page.inner_text("main")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_xuhui_small_enterprise_scored_on_db31t_1009_and_loss_maker_refused(actors, cycle, staff, expert, tmp_path):
    today = timezone.localdate()
    publicity_start, publicity_end = today - datetime.timedelta(days=30), today - datetime.timedelta(days=10)
    publicity_days = working_days_between(publicity_start, publicity_end)

    # --- The small enterprise applies ----------------------------------------------------------
    small = actors("small-enterprise")
    sign_up_and_register(small, email="quality@xh-small.test", contact="许敏", name=SMALL, code=credit_code(1009),
                         org_type="small_enterprise")
    start_application(small, cycle, profits={cycle.year - 3: "120", cycle.year - 2: "135.5", cycle.year - 1: "150"})
    small.fill("#id_publicity_start", publicity_start.isoformat())
    small.fill("#id_publicity_end", publicity_end.isoformat())
    follow(small, "#save-draft")
    assert re.search(r"已保存（第 \d+ 版", small.inner_text("main"))  # fields left were autosaved already
    upload(small, "self_evaluation", tmp_path / "自评报告.pdf")
    upload(small, "publicity_proof", tmp_path / "内部公示照片.pdf")
    follow(small, "#save-and-check")
    precheck = small.locator("#precheck")
    assert precheck.locator("tr.precheck-fail").count() == 0
    assert precheck.locator("tr[data-kind=no_losses]").inner_text().endswith(
        f"{cycle.year - 3}—{cycle.year - 1} 年均未亏损。")
    assert (f"内部公示 {publicity_start.isoformat()} 至 {publicity_end.isoformat()}，共 {publicity_days} 个工作日（要求不少于 5 个）。"
            in precheck.locator("tr[data-kind=internal_publicity]").inner_text())
    snap(small, "xuhui-01-small-enterprise-precheck")
    follow(small, "#submit-application")
    number = small.inner_text("#receipt-number")
    application = Application.objects.get(number=number)
    assert application.status == ApplicationStatus.SUBMITTED

    # --- The loss-maker is refused, with the reason ------------------------------------------------
    loss = actors("loss-maker")
    sign_up_and_register(loss, email="quality@xh-trading.test", contact="杨帆", name=LOSSMAKER, code=credit_code(1010),
                         org_type="enterprise")
    start_application(loss, cycle, profits={cycle.year - 3: "80", cycle.year - 2: "-46.2", cycle.year - 1: "95"})
    loss.fill("#id_publicity_start", publicity_start.isoformat())
    loss.fill("#id_publicity_end", publicity_end.isoformat())
    upload(loss, "self_evaluation", tmp_path / "自评报告-贸易.pdf")
    upload(loss, "publicity_proof", tmp_path / "公示证明-贸易.pdf")
    # Uploading before saving keeps the typed answers: the upload posts the whole form, saved first.
    assert loss.input_value(f"#id_fig_{cycle.year - 2}_profit") == "-46.2"
    assert loss.locator("button.js-restore").count() == 0  # nothing to restore: nothing was lost
    follow(loss, "#save-and-check")
    refused = loss.locator("#precheck tr[data-kind=no_losses]")
    assert "precheck-fail" in refused.get_attribute("class")
    assert "近三年未出现亏损（政策性亏损除外）" in refused.inner_text()
    assert f"{cycle.year - 2} 年出现亏损。" in refused.inner_text() and "须修改后提交" in refused.inner_text()
    assert loss.locator("#precheck tr.precheck-fail").count() == 1  # the loss is the only thing wrong
    assert loss.locator("#submit-application").count() == 0
    assert "有 1 项须修改后才能提交。" in loss.inner_text("main .alert-danger")
    snap(loss, "xuhui-02-loss-maker-refused")
    # A submit forced past the page (a stale tab, a crafted request) is refused by the server too.
    csrf = next(c["value"] for c in loss.context.cookies() if c["name"] == "csrftoken")
    forced = loss.request.post(loss.url, form={"csrfmiddlewaretoken": csrf}, headers={"X-CSRFToken": csrf, "Referer": loss.url})
    assert forced.status == 409
    assert "尚有不符合的条件，暂不能提交。" in forced.text() and f"{cycle.year - 2} 年出现亏损。" in forced.text()
    loser = Application.objects.get(organisation__name=LOSSMAKER)
    assert loser.status == ApplicationStatus.DRAFT and loser.number in (None, "")

    # --- Staff accept the small enterprise and assign an expert by hand ---------------------------
    office = actors("staff")
    log_in(office, "xh-office", STAFF_PASSWORD)
    office.goto("/staff/cycles/")
    follow(office, f"a[href='/staff/cycles/{CYCLE}/']")
    follow(office, "a:has-text('评审工作台')")
    assert LOSSMAKER not in office.inner_text("main")  # a draft never reaches the office
    follow(office, f"main table a:has-text('{number}')")
    assert "组织类型\n小型企业" in office.inner_text("main")
    with office.expect_navigation():
        office.click("#actions button:has-text('受理并开始评审')")
    while office.locator("#eligibility tr.table-warning").count():
        row = office.locator("#eligibility tr.table-warning").first
        row.locator("select[name=result]").select_option("pass")
        row.locator("input[name=reason]").fill("核对营业执照及公示照片，符合。")
        with office.expect_navigation():
            row.locator("button:has-text('确认')").click()
    with office.expect_navigation():
        office.click("#actions button:has-text('通过本环节')")
    assert "当前环节：资料评审" in office.inner_text("h1 + div")
    office.select_option("#experts select[name=stage]", "material-review")
    office.select_option("#experts select[name=expert]", label=EXPERT)
    follow(office, "#experts button:has-text('分配')")
    assert office.locator(".alert-success", has_text=f"已分配 {EXPERT}").count() == 1

    # --- The expert's scoresheet is DB31/T 1009's --------------------------------------------------
    reviewer = actors("expert")
    log_in(reviewer, "xh-expert-a", STAFF_PASSWORD)
    follow(reviewer, "nav a:has-text('专家评审')")
    follow(reviewer, "a:has-text('开始评审')")
    reviewer.check("input[name=has_conflict][value=no]")
    follow(reviewer, "main button:has-text('提交声明')")
    follow(reviewer, "a:has-text('资料评审 · 评分')")
    header = reviewer.inner_text("h1 + p")
    assert "DB31/T 1009 小企业卓越绩效评价准则（默认评分表）（满分 1000 分）" in header
    assert "系统默认表，待评审办公室导入正式条款" in header
    items = [label.inner_text() for label in reviewer.locator("form.scoresheet .criterion-name").all()]
    assert len(items) == 20
    assert all(item in items for item in DB31T_1009_ONLY)
    assert not any(item in items for item in GBT_19580_ONLY)
    snap(reviewer, "xuhui-03-db31t-1009-scoresheet")
    bands = reviewer.locator("select.js-band")
    for index in range(bands.count()):
        bands.nth(index).select_option("75")
    assert reviewer.inner_text(".js-total") == "750.00"
    reviewer.fill("#id_opinion", "小企业质量改进机制健全，结果指标趋势向好。")
    reviewer.click(".score-total-bar button[name=submit]")  # asks first: submitting is final
    reviewer.locator("#submit-confirm").wait_for(state="visible")
    follow(reviewer, "#submit-confirm button[name=submit]")
    assert reviewer.locator(".alert-success", has_text="评分已提交并锁定").count() == 1

    # Staff see the score item by item on the same standard.
    office.reload()
    office.click("#scores summary:has-text('分项得分')")
    scores = office.inner_text("#scores")
    assert "得分 750.00" in scores and "4.4.3 信息、知识和技术资源：18.75/25" in scores and "组织治理" not in scores
    snap(office, "xuhui-04-staff-item-scores")
    for page in (small, loss, office, reviewer):
        assert page.js_errors == []
