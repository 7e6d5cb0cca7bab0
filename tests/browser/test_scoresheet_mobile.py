"""The expert scoresheet on a 390 px phone and on a desktop: one card per criterion, a full-width 评语 box, subtotals
per 4.x category that follow the inputs (and that the server counts the same), and a confirmation before the final
submit."""

from __future__ import annotations


import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Scoresheet
from tests.browser.conftest import JOURNEY_ARTIFACTS, follow, log_in, open_page
from tests.reviews.conftest import cn_cycle, make_application, make_expert, open_cycles  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def scoresheet_url(cn_cycle, cn_staff, make_application, make_expert):  # noqa: F811 - fixtures imported above
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff, name="移动评分示例有限公司")
    expert = make_expert(username="phone-expert", name="手机专家")
    stage = cn_cycle.stages.get(code="material-review")
    assignment = services.assign_expert(stage=stage, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    return reverse("reviews:expert_scoresheet", args=[app.pk, "material-review"]), assignment


def test_scoring_on_a_390px_phone_and_on_desktop(browser, _private_media_for_live_server, live_server, scoresheet_url):
    url, assignment = scoresheet_url
    phone = open_page(browser, live_server, width=390, height=844)
    log_in(phone, "phone-expert", PASSWORD)
    phone.goto(url)

    cards = phone.locator(".criterion-card")
    assert cards.count() == 23  # GB/T 19580-2012: one card per scored item
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the side
    first = cards.first.bounding_box()
    assert 340 <= first["width"] <= 390
    comment = phone.locator("#id_comment_" + str(_first_criterion_id(assignment))).bounding_box()
    assert comment["width"] >= 300
    name = cards.first.locator(".criterion-name").bounding_box()
    assert name["height"] < 40  # "4.1.1 高层领导的作用" on one line, not two characters a line
    band = cards.first.locator("select.js-band").bounding_box()
    score = cards.first.locator("input.js-score").bounding_box()
    assert band["height"] >= 44 and score["height"] >= 44 and score["width"] >= 140  # a thumb can hit them

    # Subtotals per category follow the band helper and typed points.
    cards.nth(0).locator("select.js-band").select_option("60")  # 4.1.1: 50 × 60 % = 30
    cards.nth(1).locator("input.js-score").fill("15")            # 4.1.2
    leadership = phone.locator(".js-subtotal").first
    assert leadership.inner_text() == "45.00"
    assert phone.locator(".js-subtotal").nth(1).inner_text() == "0.00"  # 4.2 untouched
    assert phone.locator(".score-total-bar .js-total").inner_text() == "45.00"
    follow(phone, ".score-total-bar button[name=save]")
    assert phone.locator(".alert-success", has_text="草稿已保存").count() == 1
    assert phone.locator(".js-subtotal").first.inner_text() == "45.00"  # counted again by the server
    (JOURNEY_ARTIFACTS).mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(JOURNEY_ARTIFACTS / "scoresheet-390px.png"), full_page=False)

    # Submitting asks first and says it is final; nothing is submitted until the expert confirms.
    bands = phone.locator("select.js-band")
    for index in range(bands.count()):
        bands.nth(index).select_option("50")
    assert phone.locator(".js-subtotal").first.inner_text() == "55.00"  # 4.1: 110 × 50 %
    phone.fill("#id_opinion", "方法系统，展开充分。")
    phone.evaluate("window.scrollTo(0, 0)")  # the bar stays at the bottom of the screen wherever one is
    phone.click(".score-total-bar button[name=submit]")
    dialog = phone.locator("#submit-confirm")
    dialog.wait_for(state="visible")
    assert "不能撤销" in dialog.inner_text() and "500.00" in dialog.inner_text()
    phone.wait_for_timeout(500)  # the fade-in, for the screenshot
    phone.screenshot(path=str(JOURNEY_ARTIFACTS / "scoresheet-390px-confirm.png"))
    assert Scoresheet.objects.get(assignment=assignment).status == "draft"
    phone.click("#submit-confirm button:has-text('返回修改')")
    dialog.wait_for(state="hidden")
    assert Scoresheet.objects.get(assignment=assignment).status == "draft"
    phone.click(".score-total-bar button[name=submit]")
    dialog.wait_for(state="visible")
    follow(phone, "#submit-confirm button[name=submit]")
    assert phone.locator(".alert-success", has_text="评分已提交并锁定").count() == 1
    sheet = Scoresheet.objects.get(assignment=assignment)
    assert (sheet.status, str(sheet.total)) == ("submitted", "500.00")
    assert phone.js_errors == []

    # The same page on a desktop: cards with the inputs side by side, the locked sheet readable.
    desktop = open_page(browser, live_server, width=1280, height=900)
    log_in(desktop, "phone-expert", PASSWORD)
    desktop.goto(url)
    assert desktop.locator(".criterion-card").count() == 23
    assert desktop.locator(".js-subtotal").first.inner_text() == "55.00"
    desktop.screenshot(path=str(JOURNEY_ARTIFACTS / "scoresheet-desktop.png"), full_page=False)
    assert desktop.js_errors == []
    phone.context.close()
    desktop.context.close()


def _first_criterion_id(assignment) -> int:
    from awards.rubrics import leaf_criteria
    from reviews.selectors import rubric_for

    return leaf_criteria(rubric_for(assignment.application))[0].pk


def test_staff_consolidate_and_approve_the_feedback_report_and_the_applicant_downloads_it(
        browser, _private_media_for_live_server, live_server, cn_cycle, cn_staff, make_application, make_expert):  # noqa: F811
    from awards.rubrics import leaf_criteria
    from reviews.selectors import rubric_for

    app = make_application(cn_cycle, stage="material-review", staff=cn_staff, name="反馈旅程示例有限公司")
    stage = cn_cycle.stages.get(code="material-review")
    criteria = leaf_criteria(rubric_for(app))
    for name, text in (("周评审", "质量方针与战略衔接紧密"), ("吴评审", "顾客满意度测量方法系统")):
        expert = make_expert(name=name)
        assignment = services.assign_expert(stage=stage, application=app, expert=expert, actor=cn_staff)
        services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
        services.save_scores(assignment=assignment, actor=expert.user, submit=True, opinion="同意",
                             scores={c.pk: c.max_points / 2 for c in criteria}, strengths={criteria[0].pk: text},
                             improvements={criteria[0].pk: "缺少三年以上的趋势数据"})

    office = open_page(browser, live_server, width=1280, height=900)
    log_in(office, "cn-staff", PASSWORD)
    office.goto(reverse("reviews:staff_application", args=[cn_cycle.code, app.pk]))
    follow(office, "a:has-text('评价反馈报告')")
    follow(office, "button:has-text('汇总专家意见')")
    box = office.locator(f"#id_strengths_{criteria[0].pk}")
    assert box.input_value() == "质量方针与战略衔接紧密\n顾客满意度测量方法系统"
    assert "周评审" not in office.inner_text("main") and "专家A" in office.inner_text("main")
    box.fill("质量方针与战略衔接紧密\n顾客满意度测量方法系统、覆盖主要顾客群")
    office.fill("#id_summary", "组织已建立较完整的卓越绩效管理体系。")
    follow(office, "button:has-text('保存并审定')")
    assert office.locator(".alert-success", has_text="报告已审定").count() == 1
    # Approving queues the PDF; it renders after the response (documents never hold a page) and the
    # screen follows its status, so the download link appears without a reload.
    assert office.locator("[data-document][data-status-url]").count() == 1
    office.locator("a:has-text('下载 PDF')").wait_for(timeout=90_000)
    assert office.locator("[data-document] [data-role=status]").inner_text() != ""
    office.screenshot(path=str(JOURNEY_ARTIFACTS / "feedback-staff-screen.png"), full_page=False)

    applicant = open_page(browser, live_server, width=390, height=844)
    log_in(applicant, app.applicant.username, PASSWORD)
    applicant.goto(reverse("applications:detail", args=[app.pk]))
    card = applicant.locator("#feedback-reports")
    assert "资料评审" in card.inner_text()
    href = card.locator("a:has-text('下载 PDF')").get_attribute("href")
    response = applicant.request.get(href)
    assert response.status == 200 and response.body()[:5] == b"%PDF-"
    applicant.screenshot(path=str(JOURNEY_ARTIFACTS / "feedback-applicant-390px.png"), full_page=False)
    assert office.js_errors == [] and applicant.js_errors == []
    office.context.close()
    applicant.context.close()
