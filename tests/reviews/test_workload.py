"""Expert workload across a cycle's stages and the organiser's cycles, and auto-assignment that balances across stages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews import services
from reviews.models import Assignment
from tests.conftest import force_login_verified

pytestmark = pytest.mark.django_db


def _only_pool(make_expert, names):
    from reviews.models import ExpertProfile

    ExpertProfile.objects.filter(organiser__code="changning").update(is_active=False)
    return {name: make_expert(name=name) for name in names}


def test_auto_assign_spares_the_experts_who_carried_an_earlier_stage(cn_cycle, cn_staff, make_application, make_expert):
    experts = _only_pool(make_expert, ["A专家", "B专家", "C专家"])
    material, presentation = cn_cycle.stages.get(code="material-review"), cn_cycle.stages.get(code="presentation")
    # A carried the 资料评审 of two applications (by hand); the 陈述答辩 needs one expert each for two others.
    for app in [make_application(cn_cycle, stage="material-review", staff=cn_staff) for _ in range(2)]:
        services.assign_expert(stage=material, application=app, expert=experts["A专家"], actor=cn_staff)
    type(presentation).objects.filter(pk=presentation.pk).update(params={**presentation.params, "experts_per_application": 1})
    presentation.refresh_from_db()
    targets = [make_application(cn_cycle, stage="presentation", staff=cn_staff) for _ in range(2)]

    results = services.auto_assign(stage=presentation, actor=cn_staff)

    # By this stage's load alone all three are at 0 and the name would pick A first; across the cycle A has 2.
    chosen = sorted(e.name for r in results for e in r.assigned)
    assert chosen == ["B专家", "C专家"]
    assert not Assignment.objects.filter(stage=presentation, expert=experts["A专家"]).exists()
    assert {a.application_id for a in Assignment.objects.filter(stage=presentation)} == {t.pk for t in targets}


def test_expert_pool_page_shows_the_workload_per_stage_and_across_cycles(client, cn_cycle, cn_staff, make_application, make_expert):
    experts = _only_pool(make_expert, ["A专家", "B专家"])
    material = cn_cycle.stages.get(code="material-review")
    hongqiao = type(cn_cycle).objects.get(code="changning-hongqiao-2023")
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    services.assign_expert(stage=material, application=app, expert=experts["A专家"], actor=cn_staff)
    force_login_verified(client, cn_staff)
    url = reverse("reviews:expert_pool") + f"?organiser=changning&cycle={cn_cycle.code}"

    response = client.get(url)

    workload = response.context["workload"]
    assert workload.cycle == cn_cycle
    assert [s.code for s in workload.stages] == ["material-review", "presentation", "site-visit"]
    rows = {r.expert.name: r for r in workload.rows if r.expert.is_active}
    assert (rows["A专家"].per_stage, rows["A专家"].cycle_assigned, rows["A专家"].all_assigned, rows["A专家"].all_cycles) == \
        ([(1, 0), (0, 0), (0, 0)], 1, 1, 1)
    assert rows["B专家"].cycle_assigned == 0
    assert "评审工作量" in response.content.decode()
    other = client.get(reverse("reviews:expert_pool") + f"?organiser=changning&cycle={hongqiao.code}").context["workload"]
    assert other.cycle == hongqiao
    assert {r.expert.name: r.all_assigned for r in other.rows if r.expert.is_active} == {"A专家": 1, "B专家": 0}


def test_expert_pool_query_count_does_not_grow_with_experts_or_assignments(client, cn_cycle, cn_staff, make_application, make_expert):
    force_login_verified(client, cn_staff)
    url = reverse("reviews:expert_pool") + "?organiser=changning"
    material = cn_cycle.stages.get(code="material-review")
    expert = make_expert(name="一号")
    services.assign_expert(stage=material, application=make_application(cn_cycle, stage="material-review", staff=cn_staff),
                           expert=expert, actor=cn_staff)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        other = make_expert(name=f"专家{n}")
        services.assign_expert(stage=material, application=make_application(cn_cycle, stage="material-review", staff=cn_staff),
                               expert=other, actor=cn_staff)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
