"""What one request costs on the last scoring day: a scoresheet save writes its items in one statement,
and a page view does not rewrite the session unless its refresh interval has passed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.rubrics import leaf_criteria
from core.middleware import SessionRefreshMiddleware
from reviews import services
from reviews.models import Assignment, ItemScore
from reviews.selectors import rubric_for

pytestmark = pytest.mark.django_db


def _writes(queries, table):
    return [q["sql"] for q in queries if table in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_scoresheet_save_writes_every_item_in_one_statement(cn_cycle, cn_staff, make_application, make_expert):
    stage = cn_cycle.stages.get(code="material-review")
    application = make_application(cn_cycle, "district-mode", stage="material-review", staff=cn_staff)
    expert = make_expert()
    assignment = services.assign_expert(stage=stage, application=application, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=application, has_conflict=False, reason="", actor=expert.user)
    criteria = leaf_criteria(rubric_for(application))
    assert len(criteria) > 10

    def save(scores, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            services.save_scores(assignment=Assignment.objects.get(pk=assignment.pk), scores=scores, opinion="同意",
                                 actor=expert.user, **kwargs)
        return _writes(queries, "reviews_itemscore")

    first = save({c.pk: 1 for c in criteria})
    assert len(first) == 1 and ItemScore.objects.filter(scoresheet__assignment=assignment).count() == len(criteria)
    # Changing some items and clearing two: one upsert and one delete, whatever the number of items.
    changed = {c.pk: 2 for c in criteria[:-2]}
    second = save(changed)
    assert len(second) == 2
    stored = dict(ItemScore.objects.filter(scoresheet__assignment=assignment).values_list("criterion_id", "score"))
    assert stored == {pk: 2 for pk in changed}
    # Saving the same scores again writes no item at all.
    assert save(changed) == []


def test_the_session_is_rewritten_only_when_its_refresh_interval_has_passed(cn_staff, client, settings, monkeypatch):
    client.force_login(cn_staff)
    url = reverse("core:home")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert _writes(queries, "django_session") == []  # signed in just now: the login counted as a refresh

    stamp = client.session[SessionRefreshMiddleware.KEY]
    monkeypatch.setattr("core.middleware.time.time", lambda: stamp + settings.SESSION_REFRESH_SECONDS + 1)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(_writes(queries, "django_session")) == 1  # the idle timeout slides
    assert client.session[SessionRefreshMiddleware.KEY] == stamp + settings.SESSION_REFRESH_SECONDS + 1
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert _writes(queries, "django_session") == []


def test_anonymous_visitors_get_no_session(client):
    client.get(reverse("core:home"))
    assert "sessionid" not in client.cookies
