"""Nothing typed is lost (issue 13, point 2): an upload saves the typed draft first, the draft autosaves
without a click (when a field is left, and every APPLICATION_AUTOSAVE_SECONDS), and a stale autosave is
told of the conflict instead of overwriting. Screenshots of the staff pages that show the answers."""

from __future__ import annotations

import datetime
import re

import pytest

from accounts.models import Role
from applications.models import Application, OrganisationProfile
from applications.services import application_save_draft
from tests.applications.conftest import ORG_CODE, PDF_BYTES, open_window
from tests.browser.conftest import follow, log_in, snap

PASSWORD = "pw-for-tests-123"
RAW = re.compile(r"\b(overview|figures|revenue|profit|policy_loss|compliance|fig_\d{4}_\w+|decl_\w+|None|True|False)\b|›|\{'")


@pytest.fixture
def draft(seeds, make_user):
    cycle = seeds["changning-quality-2023"]
    open_window(cycle)
    applicant = make_user("liu", roles=[(Role.APPLICANT, None)], full_name="刘申报")
    organisation = OrganisationProfile.objects.create(
        owner=applicant, name="上海长宁示例制造有限公司", credit_code=ORG_CODE, org_type="enterprise", registered_district="长宁区",
        established_on=datetime.date(2012, 5, 18), legal_representative="李明", contact_name="张华", contact_mobile="13812345678",
        chief_quality_officer="陈质量", has_cqo_system=True)
    return Application.objects.create(cycle=cycle, category=cycle.categories.get(code="gold-mode"), applicant=applicant,
                                      organisation=organisation)


@pytest.mark.django_db(transaction=True)
def test_typed_revenue_is_kept_and_saved_when_a_file_is_uploaded(page, draft, tmp_path):
    log_in(page, "liu", PASSWORD)
    page.goto(f"/applications/{draft.pk}/edit/")
    assert "单个文件不超过 20.0 MB，全部附件合计不超过 100.0 MB" in page.inner_text("#upload-limits").replace("\xa0", " ")
    page.fill("#id_fig_2021_revenue", "12345.67")
    path = tmp_path / "自评报告.pdf"
    path.write_bytes(PDF_BYTES)
    page.select_option("#id_purpose", "self_evaluation")
    page.set_input_files("#id_file", str(path))
    follow(page, "#upload-button")
    assert "已上传“自评报告.pdf”" in page.content()
    assert page.input_value("#id_fig_2021_revenue") == "12345.67"
    draft.refresh_from_db()
    assert draft.form_data["figures"]["2021"]["revenue"] == "12345.67"
    assert [a.original_name for a in draft.attachments.all()] == ["自评报告.pdf"]
    assert page.js_errors == []
    page.set_viewport_size({"width": 390, "height": 900})
    page.locator("#attachments").scroll_into_view_if_needed()
    snap(page, "h13a-edit-after-upload-390")


@pytest.mark.django_db(transaction=True)
def test_the_draft_autosaves_without_a_click(page, draft, settings):
    settings.APPLICATION_AUTOSAVE_SECONDS = 2
    log_in(page, "liu", PASSWORD)
    page.goto(f"/applications/{draft.pk}/edit/")
    # Leaving a field saves it.
    page.fill("#id_fig_2020_revenue", "8000")
    page.press("#id_fig_2020_revenue", "Tab")
    page.wait_for_selector(".js-autosave-note:text-matches('已自动保存 \\\\d\\\\d:\\\\d\\\\d:\\\\d\\\\d')")
    draft.refresh_from_db()
    assert (draft.version, draft.form_data["figures"]["2020"]["revenue"]) == (2, "8000")
    # Typing without leaving the field: the periodic autosave picks it up.
    page.click("#id_overview")
    page.keyboard.type("持续改进")
    page.wait_for_selector("input[name=version][value='3']", state="attached", timeout=10000)
    draft.refresh_from_db()
    assert (draft.version, draft.form_data["overview"]) == (3, "持续改进")
    # Saving by hand afterwards is not a conflict with the autosaves (the page carries their version),
    # and as nothing changed since, it makes no new version.
    follow(page, "#save-draft")
    assert "已保存（第 3 版" in page.content(), page.inner_text("main")[:600]
    page.fill("#id_overview", "持续改进，追求卓越")
    follow(page, "#save-draft")
    assert "已保存（第 4 版" in page.content(), page.inner_text("main")[:600]
    assert page.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_a_stale_autosave_gets_the_conflict_message_and_overwrites_nothing(page, draft, settings):
    settings.APPLICATION_AUTOSAVE_SECONDS = 0
    log_in(page, "liu", PASSWORD)
    page.goto(f"/applications/{draft.pk}/edit/")
    # Meanwhile another tab saves.
    application_save_draft(application=draft, actor=draft.applicant, version=1,
                           changes={"form_data": {"overview": "另一个窗口保存的概述"}})
    page.fill("#id_overview", "这个窗口的旧版本")
    page.press("#id_overview", "Tab")
    page.wait_for_selector("#autosave-conflict")
    assert "保存未成功：此申报已在其他窗口或由其他人于" in page.inner_text("#autosave-conflict")
    draft.refresh_from_db()
    assert (draft.version, draft.form_data["overview"]) == (2, "另一个窗口保存的概述")
    assert page.input_value("#id_overview") == "这个窗口的旧版本"  # still on the page


@pytest.mark.django_db(transaction=True)
def test_staff_read_answers_and_history_in_words(actors, draft, make_user, organisers, tmp_path):
    applicant = actors("applicant")
    log_in(applicant, "liu", PASSWORD)
    applicant.goto(f"/applications/{draft.pk}/edit/")
    applicant.fill("#id_overview", "本公司以卓越绩效模式为核心，持续改进。")
    applicant.fill("#id_certifications", "ISO 9001:2015 质量管理体系认证")
    for year, revenue in ((2020, "8000"), (2021, "9500.5"), (2022, "123456")):
        applicant.fill(f"#id_fig_{year}_revenue", revenue)
        applicant.fill(f"#id_fig_{year}_profit", "320")
    for box in applicant.query_selector_all("input[name^=decl_]"):
        box.check()
    follow(applicant, "#save-draft")
    applicant.fill("#id_fig_2022_revenue", "130000")
    path = tmp_path / "自评报告.pdf"
    path.write_bytes(PDF_BYTES)
    applicant.select_option("#id_purpose", "self_evaluation")
    applicant.set_input_files("#id_file", str(path))
    follow(applicant, "#upload-button")
    follow(applicant, "#save-and-check")
    follow(applicant, "#submit-application")
    assert "CHANGNING-QUALITY-2023-0001" in applicant.inner_text("#receipt-number")

    make_user("cn-staff", roles=[(Role.STAFF, organisers["changning"])], is_staff=True)
    staff = actors("staff")
    log_in(staff, "cn-staff", PASSWORD)
    cycle = draft.cycle.code
    for width, suffix in ((1280, "desktop"), (390, "390")):
        staff.set_viewport_size({"width": width, "height": 900})
        staff.goto(f"/staff/cycles/{cycle}/applications/{draft.pk}/")
        text = staff.inner_text("main")
        assert "130,000 万元" in text
        assert "2021年营业收入（万元）" in text and "9,500.50 万元" in text
        assert "123,456 万元 → 130,000 万元" in text
        assert not RAW.search(text), RAW.search(text)
        snap(staff, f"h13a-staff-application-{suffix}")
        staff.goto(f"/staff/cycles/{cycle}/applications/{draft.pk}/notifications/")
        text = staff.inner_text("main")
        assert "提交申报" in text and "上传附件" in text and "保存草稿" in text
        assert not RAW.search(text), RAW.search(text)
        snap(staff, f"h13a-history-{suffix}")
