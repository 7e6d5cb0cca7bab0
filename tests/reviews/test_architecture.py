"""The pipeline's one-home rules: the stage-kind table, the one access rule, the one quota rule, and the staff
addresses of before the move."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.models import Attachment
from awards.models import Stage, StageKind
from reviews import services, workflow
from reviews.models import Recommendation, RecommendationStatus


def test_every_stage_kind_has_one_entry_in_the_table():
    assert set(workflow.STAGE_KINDS) == set(StageKind.values)
    assert workflow.kinds_where("ranked") == {"scored_review", "comprehensive"}
    assert workflow.kinds_where("assigns_experts") == {"scored_review"}
    assert workflow.kinds_where("supplements") == {"eligibility", "acceptance"}


def test_stage_parameters_get_their_defaults_and_are_checked_by_the_table():
    assert workflow.validate_stage_params("publicity", {}) == {"span": 5, "unit": "working_days"}
    assert workflow.validate_stage_params("scored_review", {"aggregation": "median"})["experts_per_application"] == 5
    with pytest.raises(ValidationError, match="汇总方式（aggregation）：应为 mean, trimmed_mean, median, zscore 之一"):
        workflow.validate_stage_params("scored_review", {"aggregation": "average"})
    with pytest.raises(ValidationError, match="不接受参数：span"):
        workflow.validate_stage_params("eligibility", {"span": 3})
    with pytest.raises(ValidationError, match="未知的环节类型“vote”"):
        workflow.validate_stage_params("vote", {})


def test_every_seed_stage_reads_back_valid_through_the_table(seeds):
    for stage in Stage.objects.all():
        assert workflow.validate_stage_params(stage.kind, stage.params) == {**workflow.kind_spec(stage.kind).defaults(), **stage.params}


def test_leaving_a_stage_asks_the_exit_conditions_of_its_kind(seeds, cn_staff, make_application, make_expert):
    cycle = _open(seeds["changning-quality-2023"])
    app = make_application(cycle, stage="material-review", staff=cn_staff)
    services.assign_expert(stage=app.current_stage, application=app, expert=make_expert(), actor=cn_staff)
    assert workflow.transition_blockers(app, workflow.BY_NAME["advance"], cn_staff) == ["本环节尚有 1 位专家未提交评分。"]


def _open(cycle):
    import datetime

    from django.utils import timezone

    cycle.application_opens_at = timezone.now() - datetime.timedelta(days=1)
    cycle.application_closes_at = timezone.now() + datetime.timedelta(days=1)
    cycle.save(update_fields=["application_opens_at", "application_closes_at"])
    return cycle


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/reviews/staff/demo/", "/staff/cycles/demo/applications/"),
        ("/reviews/staff/demo/bulk/", "/staff/cycles/demo/applications/bulk/"),
        ("/reviews/staff/demo/applications/7/", "/staff/cycles/demo/applications/7/"),
        ("/reviews/staff/demo/stages/material-review/ranking/?category=x", "/staff/cycles/demo/stages/material-review/ranking/?category=x"),
        ("/reviews/staff/experts/3/", "/staff/experts/3/"),
        ("/decisions/demo/", "/staff/cycles/demo/meetings/"),
        ("/decisions/demo/publicity/", "/staff/cycles/demo/publicity/"),
        ("/decisions/demo/meetings/new/selection/", "/staff/cycles/demo/stages/selection/meetings/new/"),
        ("/decisions/meetings/4/edit/", "/staff/meetings/4/edit/"),
        ("/decisions/awards/5/payment/", "/staff/awards/5/payment/"),
    ],
)
def test_old_staff_addresses_redirect_to_the_one_tree(client, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new
    posted = client.post(old.split("?")[0])
    assert posted.status_code == 308  # a form posted from an old page keeps its method and body


def test_the_old_notifications_address_redirects_staff_only(seeds, cn_staff, xh_staff, make_application, client):
    app = make_application(_open(seeds["changning-quality-2023"]))
    client.force_login(xh_staff)
    assert client.get(f"/decisions/applications/{app.pk}/notifications/").status_code == 404
    client.force_login(cn_staff)
    response = client.get(f"/decisions/applications/{app.pk}/notifications/")
    assert response["Location"] == f"/staff/cycles/changning-quality-2023/applications/{app.pk}/notifications/"
    assert client.get(response["Location"]).status_code == 200


def test_the_staff_notifications_page_never_opens_a_draft(seeds, cn_staff, make_application, client):
    from applications.models import Application

    cycle = _open(seeds["changning-quality-2023"])
    submitted = make_application(cycle)
    draft = Application.objects.create(cycle=cycle, category=cycle.categories.get(code="gold-mode"), applicant=submitted.applicant,
                                       organisation=submitted.organisation)
    client.force_login(cn_staff)
    assert client.get(reverse("reviews:application_notifications", args=[cycle.code, submitted.pk])).status_code == 200
    client.force_login(cn_staff)
    assert client.get(reverse("reviews:application_notifications", args=[cycle.code, draft.pk])).status_code == 404


def test_an_expert_reads_no_file_before_declaring_no_conflict(seeds, cn_staff, make_application, make_expert, client):
    cycle = _open(seeds["changning-quality-2023"])
    app = make_application(cycle, stage="material-review", staff=cn_staff)
    attachment = Attachment.objects.create(application=app, purpose=Attachment.Purpose.SELF_EVALUATION, original_name="自评报告.pdf",
                                           content_type="application/pdf", size=8, sha256="0" * 64, uploaded_by=app.applicant,
                                           file=ContentFile(b"%PDF-1.4", name="self.pdf"))
    expert = make_expert()
    services.assign_expert(stage=cycle.stages.get(code="material-review"), application=app, expert=expert, actor=cn_staff)
    client.force_login(expert.user)
    url = reverse("reviews:attachment_download", args=[attachment.pk])
    assert client.get(url).status_code == 404
    client.post(reverse("reviews:expert_application", args=[app.pk]), {"has_conflict": "no"})
    assert client.get(url).status_code == 200


def test_the_admin_refuses_a_quota_below_the_candidates_already_listed(seeds, cn_admin, cn_staff, client, make_application):
    cycle = seeds["changning-hongqiao-2023"]
    category = cycle.categories.get()
    apps = [make_application(_open(cycle), category.code) for _ in range(3)]
    for app in apps:
        Recommendation.objects.create(cycle=cycle, category=category, application=app, source_stage=cycle.stages.first(),
                                      added_by=cn_staff, status=RecommendationStatus.PROPOSED)
    client.force_login(cn_admin)
    url = reverse("admin:awards_category_change", args=[category.pk])
    form = client.get(url).context["adminform"].form
    data = {name: (value if value is not None else "") for name, value in form.initial.items() if not isinstance(value, (list, dict))}
    for prefix in ("rubrics", "rules"):
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data.setdefault(f"{prefix}-{key}", "0")
    response = client.post(url, {**data, "quota": 2})
    assert response.status_code == 200
    assert "已有 3 个对象列入推荐名单或获奖，名额不能少于 3 个" in response.content.decode()
    category.refresh_from_db()
    assert category.quota == 10
