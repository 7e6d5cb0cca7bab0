"""The applicant journey in a real browser: Chinese (模式, organisation) and English (虹桥友谊奖)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from applications.models import Application, ApplicationStatus
from tests.applications.conftest import PDF_BYTES, open_window

PASSWORD = "Browser-Journey-2026"


@pytest.fixture
def open_seeds(seeds):
    for cycle in seeds.values():
        open_window(cycle)
    return seeds


def sign_up(page, email, name, language):
    page.goto("/accounts/signup/")
    page.fill("#id_email", email)
    page.fill("#id_full_name", name)
    page.select_option("#id_preferred_language", language)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("input[type=submit], button[type=submit] >> nth=-1")
    page.wait_for_url("**/accounts/verify/")
    link = re.search(r"http://[^/]+(/accounts/verify/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.wait_for_url("**/applications/")


def upload(page, purpose, name, tmp_path):
    path = tmp_path / name
    path.write_bytes(PDF_BYTES)
    page.select_option("#id_purpose", purpose)
    page.set_input_files("#id_file", str(path))
    # The upload posts the whole form (what was typed is saved first), possibly after an autosave in flight.
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_organisation_applies_in_chinese(page, open_seeds, tmp_path):
    sign_up(page, "zhang@example.test", "张华", "zh-hans")
    page.click("#add-organisation")
    page.fill("#id_name", "上海长宁示例服务有限公司")
    page.fill("#id_credit_code", "9131 0105 ma1f l5xq 3x")  # wrong check character
    page.select_option("#id_org_type", "enterprise")
    page.select_option("#id_registered_district", "长宁区")
    page.fill("#id_established_on", "2015-04-01")
    page.fill("#id_legal_representative", "李明")
    page.fill("#id_contact_name", "张华")
    page.fill("#id_contact_mobile", "13812345678")
    page.check("#id_has_cqo_system")
    page.fill("#id_chief_quality_officer", "陈质量")
    page.click("input[type=submit]")
    assert "最后一位应为“Y”" in page.content()
    page.fill("#id_credit_code", "9131 0105 ma1f l5xq 3y")
    page.click("input[type=submit]")
    page.wait_for_url("**/applications/")
    assert "91310105MA1FL5XQ3Y" in page.content()

    page.goto("/calls/changning-quality-2023/")
    assert "五、申报条件" in page.content()
    page.click("#apply-now")
    page.get_by_label("质量金奖先进质量管理模式（项目）").check()
    page.click("input[type=submit]")
    page.wait_for_selector("#application-form")

    page.fill("#id_overview", "本公司以卓越绩效模式为核心，持续改进。")
    assert page.inner_text(".char-counter") == "19 / 3000"
    for year in (2020, 2021, 2022):
        page.fill(f"#id_fig_{year}_revenue", "8000")
        page.fill(f"#id_fig_{year}_profit", "320")
    for box in page.query_selector_all("input[name^=decl_]"):
        box.check()
    with page.expect_navigation():
        page.click("#save-draft")
    assert re.search(r"已保存（第 \d+ 版", page.content())  # leaving each field autosaved already
    upload(page, "self_evaluation", "自评报告.pdf", tmp_path)
    assert "已上传“自评报告.pdf”" in page.content()
    page.click("#save-and-check")
    page.wait_for_selector("#precheck")
    page.click("#submit-application")
    page.wait_for_selector("#receipt-number")
    assert page.inner_text("#receipt-number") == "CHANGNING-QUALITY-2023-0001"
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert page.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_foreign_national_applies_for_the_hongqiao_award_in_english(page, open_seeds, tmp_path):
    from applications.models import RecommendingUnit

    organiser = open_seeds["changning-hongqiao-2023"].programme.organiser
    RecommendingUnit.objects.create(organiser=organiser, name="长宁区政府外事办公室", kind="industry_department")
    sign_up(page, "anna@example.test", "Anna Schmidt", "en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "My applications" in page.content()
    page.click("#add-person")
    page.fill("#id_name", "Anna Schmidt")
    page.select_option("#id_id_type", "passport")
    page.fill("#id_id_number", "C01X00T47")
    page.fill("#id_nationality", "Germany")
    page.select_option("#id_work_district", "长宁区")
    page.fill("#id_district_work_since", "2015-09-01")
    page.click("input[type=submit]")
    page.wait_for_url("**/applications/")

    page.goto("/calls/changning-hongqiao-2023/")
    assert "Hongqiao Friendship Award" in page.content()
    assert "Conditions" in page.content()
    page.click("#apply-now")
    page.get_by_label("Hongqiao Friendship Award").check()
    page.click("input[type=submit]")
    page.wait_for_selector("#application-form")
    assert "Criteria met" in page.content()
    page.check("#id_crit_3")
    page.fill("#id_crit_3_evidence", "Trained 40 engineers of local suppliers in lean methods.")
    page.fill("#id_contribution", "Ten years of technology transfer in Changning.")
    page.check("#id_decl_friendly")
    page.check("#id_decl_truthful")
    page.select_option("#id_recommender", label="长宁区政府外事办公室")
    with page.expect_navigation():
        page.click("#save-draft")
    assert re.search(r"Saved \(version \d+", page.content())  # leaving each field autosaved already
    upload(page, "evidence", "evidence.pdf", tmp_path)
    page.click("#save-and-check")
    page.wait_for_selector("#precheck")
    assert "Eligibility pre-check" in page.content()
    page.click("#submit-application")
    page.wait_for_selector("#receipt-number")
    assert page.inner_text("#receipt-number") == "CHANGNING-HONGQIAO-2023-0001"
    assert "Acknowledgement of receipt" in page.content()
    assert page.js_errors == []
