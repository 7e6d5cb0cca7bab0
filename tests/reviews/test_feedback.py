"""The 评价反馈报告: 优势 / 改进机会 on the scoresheet, consolidation without names, edits and approval in the log,
the cycle's release rule, and who may read and download the PDF (reviews.access)."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal as D

import pytest
from django.urls import reverse

from awards.models import FeedbackRelease, RubricCriterion
from awards.rubrics import leaf_criteria
from core.models import ActivityLog
from documents.models import Document
from reviews import services
from reviews.models import Approval, Assignment, FeedbackReport, ItemScore
from reviews.selectors import feedback_released, rubric_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def material(cn_cycle):
    return cn_cycle.stages.get(code="material-review")


def _score(assignment, *, percent: int, strengths: dict, improvements: dict, submit=True):
    """Every item at `percent` of its maximum, with the given texts by criterion code."""
    criteria = leaf_criteria(rubric_for(assignment.application))
    by_code = {c.code: c.pk for c in criteria}
    services.save_scores(
        assignment=Assignment.objects.get(pk=assignment.pk), actor=assignment.expert.user, submit=submit, opinion="同意推荐",
        scores={c.pk: (c.max_points * percent / 100).quantize(D("0.01")) for c in criteria},
        strengths={by_code[code]: text for code, text in strengths.items()},
        improvements={by_code[code]: text for code, text in improvements.items()})


@pytest.fixture
def scored(cn_cycle, cn_staff, make_application, make_expert, material):
    """An application in 资料评审 scored by two experts (60 % and 70 %) who wrote 优势 / 改进机会 on 4.1.1."""
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff, name="反馈示例有限公司")
    experts = [make_expert(name="王评审"), make_expert(name="李评审")]
    for expert, percent, strength, improvement in (
            (experts[0], 60, "高层领导亲自推动卓越绩效模式", "战略目标缺少量化指标"),
            (experts[1], 70, "高层领导亲自推动卓越绩效模式", "对标数据不足")):
        assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
        services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
        _score(assignment, percent=percent, strengths={"4.1.1": strength}, improvements={"4.1.1": improvement})
    return app, experts


def test_consolidation_joins_the_experts_texts_without_names_and_bands_the_panel_mean(scored, material, cn_staff):
    app, experts = scored
    report = services.feedback_start(application=app, stage=material, actor=cn_staff)
    items = {i.criterion.code: i for i in report.items.select_related("criterion")}
    assert len(items) == 23  # every leaf of GB/T 19580 (3+2+2+6+2+2+6)
    first = items["4.1.1"]
    assert (first.strengths, first.improvements, first.percent) == (
        "高层领导亲自推动卓越绩效模式", "战略目标缺少量化指标\n对标数据不足", D("65.00"))
    assert (items["4.7.1"].strengths, items["4.7.1"].percent) == ("", D("65.00"))
    entry = ActivityLog.objects.get(action="reviews.feedback.consolidate")
    assert entry.after["items"]["4.1.1"]["improvements"] == "战略目标缺少量化指标\n对标数据不足"
    assert all(e.name not in str(entry.after) for e in experts)
    # Asking again returns the same report, consolidating nothing twice.
    assert services.feedback_start(application=app, stage=material, actor=cn_staff).pk == report.pk
    assert FeedbackReport.objects.count() == 1


def test_no_report_before_a_scoresheet_is_submitted(cn_cycle, cn_staff, make_application, material):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    with pytest.raises(services.FeedbackError, match="尚无已提交的评分表"):
        services.feedback_start(application=app, stage=material, actor=cn_staff)
    assert not FeedbackReport.objects.exists()


def test_a_criterion_without_feedback_keeps_no_strengths_and_text_without_a_score_is_refused(
        cn_cycle, cn_staff, make_application, make_expert, material):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    criteria = leaf_criteria(rubric_for(app))
    RubricCriterion.objects.filter(pk=criteria[1].pk).update(feedback_enabled=False)
    expert = make_expert()
    assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    services.save_scores(assignment=assignment, actor=expert.user, opinion="", scores={criteria[0].pk: "30", criteria[1].pk: "20"},
                         strengths={criteria[0].pk: "方法系统", criteria[1].pk: "不应保存"})
    saved = {i.criterion_id: i.strengths for i in ItemScore.objects.filter(scoresheet__assignment=assignment)}
    assert saved == {criteria[0].pk: "方法系统", criteria[1].pk: ""}
    log = ActivityLog.objects.filter(action="reviews.scores.save").latest("id")
    assert log.after["texts"] == {"4.1.1": {"strengths": "方法系统"}}
    with pytest.raises(services.ScoreError) as exc:
        services.save_scores(assignment=Assignment.objects.get(pk=assignment.pk), actor=expert.user, opinion="",
                             scores={criteria[0].pk: "30"}, improvements={criteria[2].pk: "尚未评分"})
    assert exc.value.message_dict == {str(criteria[2].pk): ["已填写评语或优势、改进机会的条款，请先给出得分。"]}


def test_edit_and_approval_are_logged_with_before_and_after_and_approval_locks_the_text(scored, material, cn_staff):
    app, _experts = scored
    report = services.feedback_start(application=app, stage=material, actor=cn_staff)
    first = leaf_criteria(rubric_for(app))[0]
    services.feedback_save(report=report, summary="整体达到良好水平。", actor=cn_staff,
                           texts={first.pk: {"strengths": "高层领导亲自推动", "improvements": "战略目标缺少量化指标"}})
    edit = ActivityLog.objects.get(action="reviews.feedback.edit")
    assert edit.before["items"] == {"4.1.1": {"strengths": "高层领导亲自推动卓越绩效模式", "improvements": "战略目标缺少量化指标\n对标数据不足"}}
    assert edit.after["items"] == {"4.1.1": {"strengths": "高层领导亲自推动", "improvements": "战略目标缺少量化指标"}}
    assert (edit.before["summary"], edit.after["summary"]) == ("", "整体达到良好水平。")
    report = services.feedback_approve(report=report, actor=cn_staff)
    assert (report.status, report.version, report.approved_by) == ("approved", 1, cn_staff)
    assert ActivityLog.objects.get(action="reviews.feedback.approve").after["version"] == 1
    with pytest.raises(services.FeedbackError, match="已审定"):
        services.feedback_save(report=report, summary="改", texts={}, actor=cn_staff)
    with pytest.raises(services.FeedbackError, match="理由"):
        services.feedback_reopen(report=report, actor=cn_staff, reason=" ")
    report = services.feedback_reopen(report=report, actor=cn_staff, reason="措辞需调整")
    assert report.status == "draft" and ActivityLog.objects.get(action="reviews.feedback.reopen").reason == "措辞需调整"
    assert services.feedback_approve(report=report, actor=cn_staff).version == 2


def test_release_rule_follows_the_cycle_setting(scored, material, cn_staff, cn_cycle):
    app, _experts = scored
    report = services.feedback_start(application=app, stage=material, actor=cn_staff)
    assert feedback_released(report) is False  # a draft is never released
    report = services.feedback_approve(report=report, actor=cn_staff)
    assert feedback_released(report) is True  # default: on approval
    cn_cycle.feedback_release = FeedbackRelease.NEVER
    cn_cycle.save(update_fields=["feedback_release"])
    report.refresh_from_db()
    assert feedback_released(FeedbackReport.objects.get(pk=report.pk)) is False
    cn_cycle.feedback_release = FeedbackRelease.AFTER_DECISION
    cn_cycle.save(update_fields=["feedback_release"])
    assert feedback_released(FeedbackReport.objects.get(pk=report.pk)) is False
    Approval.objects.create(cycle=cn_cycle, stage=cn_cycle.stages.get(kind="approval"), approved_on=datetime.date(2024, 1, 5),
                            approving_body="上海市长宁区人民政府", document_number="长府〔2024〕1号", recorded_by=cn_staff)
    assert feedback_released(FeedbackReport.objects.get(pk=report.pk)) is True


def _pdftotext(content: bytes, tmp_path) -> str:
    source = tmp_path / "feedback.pdf"
    source.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True).stdout


def test_applicant_downloads_the_pdf_only_after_release_and_it_names_no_expert(
        scored, material, cn_staff, cn_cycle, client, make_application, tmp_path, django_capture_on_commit_callbacks):
    app, experts = scored
    cn_cycle.feedback_release = FeedbackRelease.NEVER
    cn_cycle.save(update_fields=["feedback_release"])
    other = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    report = services.feedback_start(application=app, stage=material, actor=cn_staff)
    request = {"kind": "feedback_report", "feedback": report.pk}
    client.force_login(app.applicant)
    assert client.post(reverse("documents:request"), request).status_code == 404  # a draft: nobody outside may ask
    report = services.feedback_approve(report=report, actor=cn_staff)
    client.force_login(cn_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("documents:request"), request).status_code == 302
    document = Document.objects.get(kind="feedback_report")
    assert (document.status, document.subject_key) == ("done", f"feedback:{report.pk}:v1")
    download = reverse("documents:download", args=[document.public_id])
    # Approved, but this cycle never releases: the applicant neither sees nor downloads it.
    client.force_login(app.applicant)
    assert client.get(download).status_code == 404
    assert "feedback-reports" not in client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    cn_cycle.feedback_release = FeedbackRelease.ON_APPROVAL
    cn_cycle.save(update_fields=["feedback_release"])
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    text = _pdftotext(b"".join(response.streaming_content) if response.streaming else response.content, tmp_path)
    for expected in ("评价反馈报告", "反馈示例有限公司", "4.1.1 高层领导的作用", "得分档次：50%–65%", "战略目标缺少量化指标", "对标数据不足"):
        assert expected in text, expected
    assert not [e.name for e in experts if e.name in text]
    assert "专家A" not in text
    # Another applicant never, and an expert of the panel who is not its leader never.
    client.force_login(other.applicant)
    assert client.get(download).status_code == 404
    assert client.post(reverse("documents:request"), request).status_code == 404
    client.force_login(experts[1].user)
    assert client.get(download).status_code == 404
    # After a reopen the old PDF is no longer the applicant's.
    services.feedback_reopen(report=report, actor=cn_staff, reason="更正")
    client.force_login(app.applicant)
    assert client.get(download).status_code == 404


def test_staff_screen_consolidates_edits_and_approves_and_other_organisers_staff_get_404(
        scored, material, cn_staff, client, xh_staff, django_capture_on_commit_callbacks):
    app, experts = scored
    url = reverse("reviews:feedback_edit", args=[app.cycle.code, app.pk, "material-review"])
    client.force_login(xh_staff)
    assert client.get(url).status_code == 404
    client.force_login(cn_staff)
    assert client.post(url, {"action": "start"}).status_code == 302
    page = client.get(url).content.decode()
    assert "专家A" in page and all(e.name not in page for e in experts)
    first = leaf_criteria(rubric_for(app))[0]
    too_long = {"action": "save", "summary": "", f"strengths_{first.pk}": "长" * 5001, f"improvements_{first.pk}": "x"}
    response = client.post(url, too_long)
    assert response.status_code == 400 and "长" * 5001 in response.content.decode()  # nothing typed is lost
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "summary": "总体良好", f"strengths_{first.pk}": "领导作用突出",
                                     f"improvements_{first.pk}": "量化目标"})
    assert response.status_code == 302
    report = FeedbackReport.objects.get(application=app)
    assert (report.status, report.summary) == ("approved", "总体良好")
    assert report.items.get(criterion=first).strengths == "领导作用突出"
    assert Document.objects.filter(kind="feedback_report", status="done", subject_key=f"feedback:{report.pk}:v1").exists()


def test_staff_screen_explains_the_consolidation_in_english(scored, cn_staff, client, settings):
    """The explanation's "5% 档" is a literal % inside blocktranslate: its msgid holds "%%", or the page stays Chinese."""
    app, experts = scored
    client.force_login(cn_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reviews:feedback_edit", args=[app.cycle.code, app.pk, "material-review"])).content.decode()
    assert f"Consolidated from {len(experts)} submitted scoresheets" in page and "the 5 % band" in page
    assert "依据本环节" not in page


def test_the_panel_leader_may_consolidate_other_experts_may_not(scored, material, cn_staff, client):
    app, experts = scored
    from reviews.models import ExpertPanel

    panel = ExpertPanel.objects.create(stage=material, name="第一组", leader=experts[0])
    panel.members.set(experts)
    Assignment.objects.filter(application=app, stage=material).update(panel=panel)
    url = reverse("reviews:feedback_edit", args=[app.cycle.code, app.pk, "material-review"])
    client.force_login(experts[1].user)
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("reviews:expert_application", args=[app.pk])).content.decode()
    client.force_login(experts[0].user)
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("reviews:expert_application", args=[app.pk])).content.decode()


def test_a_foreign_national_gets_the_report_in_english(cn_cycle, cn_staff, make_application, make_expert, material, tmp_path):
    from documents import generation

    app = make_application(cn_cycle, "district-achievement", stage="material-review", staff=cn_staff, name="Anna Schmidt")
    app.person.id_type, app.person.nationality, app.person.id_number = "passport", "Germany", "C01X00T47"
    app.person.save()
    expert = make_expert(name="赵评审")
    assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    _score(assignment, percent=80, strengths={"1.1": "Consistent integrity in supplier audits"},
           improvements={"2.1": "Publish the method so that others can adopt it"})
    report = services.feedback_approve(report=services.feedback_start(application=app, stage=material, actor=cn_staff), actor=cn_staff)
    subject = generation.build_subject(kind="feedback_report", feedback=report)
    spec, rendered = generation.render_subject(kind="feedback_report", subject=subject)
    text = _pdftotext(rendered.content, tmp_path)
    for expected in ("Evaluation Feedback Report", "Anna Schmidt", "1.1 Professional ethics and integrity", "Score band: 70%–85%",
                     "Strengths", "Consistent integrity in supplier audits", "Opportunities for improvement"):
        assert expected in text, expected
    assert "赵评审" not in text and "评价反馈报告" not in text and "优势" not in text
    assert spec.filename.startswith("feedback-report-")


def test_feedback_screen_query_count_does_not_grow_with_the_panel(scored, material, cn_staff, make_expert, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app, _experts = scored
    url = reverse("reviews:feedback_edit", args=[app.cycle.code, app.pk, "material-review"])
    services.feedback_start(application=app, stage=material, actor=cn_staff)
    client.force_login(cn_staff)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for percent in (40, 80, 90):
        expert = make_expert()
        assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
        services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
        _score(assignment, percent=percent, strengths={"4.2.1": "战略清晰"}, improvements={"4.7.3": "财务对标不足"})
    with CaptureQueriesContext(connection) as five:
        page = client.get(url).content.decode()
    assert "专家E" in page  # five experts' words, labelled
    assert len(five.captured_queries) == len(two.captured_queries)


def test_a_post_without_the_text_boxes_keeps_the_saved_texts(cn_cycle, cn_staff, make_application, make_expert, material, client):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    first = leaf_criteria(rubric_for(app))[0]
    expert = make_expert()
    assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    url = reverse("reviews:expert_scoresheet", args=[app.pk, "material-review"])
    client.force_login(expert.user)
    response = client.post(url, {f"item_{first.pk}": "30", f"comment_{first.pk}": "评语", f"strengths_{first.pk}": "优势甲",
                                 f"improvements_{first.pk}": "改进乙", "opinion": "", "save": "1"})
    assert response.status_code == 302
    assert client.post(url, {f"item_{first.pk}": "31", "opinion": "", "save": "1"}).status_code == 302
    item = ItemScore.objects.get(scoresheet__assignment=assignment)
    assert (item.score, item.comment, item.strengths, item.improvements) == (D("31.00"), "评语", "优势甲", "改进乙")
    page = client.get(url).content.decode()
    assert "优势甲" in page and "改进乙" in page
