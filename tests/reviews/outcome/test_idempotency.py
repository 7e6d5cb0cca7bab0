"""Idempotent, race-free writes: a request names the state it acts on, and a second click, a stale page or
a parallel request gets "already done by X at T" instead of acting twice.

The parallel tests run real requests in threads, each with its own database connection, on PostgreSQL
(SQLite serialises whole-database writes and ignores SELECT … FOR UPDATE, so the race cannot happen there).
"""

from __future__ import annotations

import datetime
import os
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Application
from awards.models import Stage
from core.models import ActivityLog
from reviews import services
from reviews.models import Award, Meeting, PrizePayment
from reviews.services import DecisionError, StateMovedOn

from .test_approval import BEFORE, PAST_START, listed_in
from .test_meetings import UNITS


def transition_url(app):
    return reverse("reviews:staff_transition", args=[app.cycle.code, app.pk])


def advance_logs(app):
    return ActivityLog.objects.filter(target_type="applications.application", target_id=str(app.pk), action="application.advance")


# ------------------------------------------------------------------ transitions, one request at a time


def test_a_stale_page_is_told_who_moved_the_application_on(cn_cycle, cn_staff, make_user, make_application, client):
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    shown = app.state_token  # what the first member of staff's page showed
    services.apply_transition(application=app, name="advance", actor=cn_staff)  # someone else, first
    client.force_login(cn_staff)
    response = client.post(transition_url(app), {"name": "advance", "state": shown}, follow=True)
    text = response.content.decode()
    assert "该申报已由 cn-staff 于" in text and "处理，当前状态为“评审中（资料评审）”；本次操作未执行。" in text
    app.refresh_from_db()
    assert app.current_stage.code == "material-review"  # advanced once, not twice
    assert advance_logs(app).count() == 1


def test_a_double_click_acts_once(cn_cycle, cn_staff, make_application, client):
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    client.force_login(cn_staff)
    form = {"name": "advance", "state": app.state_token}
    first = client.post(transition_url(app), form, follow=True)
    second = client.post(transition_url(app), form, follow=True)
    assert "已执行：通过本环节" in first.content.decode()
    assert "本次操作未执行" in second.content.decode()
    assert advance_logs(app).count() == 1
    assert Application.objects.get(pk=app.pk).current_stage.code == "material-review"


def test_a_transition_without_the_state_it_acts_on_is_refused(cn_cycle, cn_staff, make_application, client):
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    client.force_login(cn_staff)
    response = client.post(transition_url(app), {"name": "advance"}, follow=True)
    assert "页面已过期，请刷新后再操作。" in response.content.decode()
    assert not advance_logs(app).exists()


def test_the_application_page_carries_the_state_into_every_action(cn_cycle, cn_staff, make_application, client):
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:staff_application", args=[cn_cycle.code, app.pk])).content.decode()
    assert f'name="state" value="{app.state_token}"' in page
    assert f'name="state" value="{app.state_token}"' in page.split("staff_supplement")[-1] or "supplement" in page


def test_bulk_actions_skip_rows_that_moved_on_since_the_queue_was_shown(cn_cycle, cn_staff, make_application, client):
    moved = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    fresh = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    client.force_login(cn_staff)
    queue = client.get(reverse("reviews:staff_queue", args=[cn_cycle.code])).content.decode()
    assert f'name="state_{moved.pk}" value="{moved.state_token}"' in queue
    shown = {f"state_{a.pk}": a.state_token for a in (moved, fresh)}
    services.apply_transition(application=moved, name="advance", actor=cn_staff)
    response = client.post(reverse("reviews:staff_bulk", args=[cn_cycle.code]),
                           {"action": "advance", "applications": [moved.pk, fresh.pk], **shown})
    outcomes = {o.application.pk: (o.ok, o.message) for o in response.context["outcomes"]}
    assert outcomes[fresh.pk] == (True, "通过本环节")
    assert outcomes[moved.pk][0] is False and "本次操作未执行" in outcomes[moved.pk][1]
    assert advance_logs(moved).count() == 1


def test_the_service_refuses_a_moved_on_state(cn_cycle, cn_staff, make_application):
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    shown = app.state_token
    services.apply_transition(application=app, name="advance", actor=cn_staff, expected_state=shown)
    with pytest.raises(StateMovedOn, match="该申报已由 cn-staff 于"):
        services.apply_transition(application=app, name="advance", actor=cn_staff, expected_state=shown)


# ------------------------------------------------------------------ payments and meeting records


@pytest.fixture
def award(cn_cycle, make_application, cn_staff):
    listed_in(cn_cycle, cn_staff, make_application, [("district-achievement", 1)])
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=PAST_START, today=BEFORE)
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20), document_number="长府〔2025〕12号")
    return Award.objects.get(cycle=cn_cycle)


def test_a_payment_voucher_is_recorded_once(award, cn_staff, client):
    client.force_login(cn_staff)
    form = {"amount": "5000", "paid_on": "2025-11-02", "reference": "财支〔2025〕0102"}
    client.post(reverse("reviews:award_payment", args=[award.pk]), form)
    again = client.post(reverse("reviews:award_payment", args=[award.pk]), form, follow=True)
    assert "凭证号“财支〔2025〕0102”的发放（5000.00 元）已由 cn-staff 于" in again.content.decode()
    assert PrizePayment.objects.filter(award=award).count() == 1


def test_a_payment_cannot_be_dated_in_the_future(award, cn_staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DecisionError, match="发放日期不能晚于今天"):
        services.record_payment(award=award, actor=cn_staff, amount=Decimal(1), paid_on=tomorrow, reference="x-1")
    assert not PrizePayment.objects.exists()


@pytest.fixture
def selection(hq_cycle):
    return Stage.objects.get(cycle=hq_cycle, code="selection")


def test_a_meeting_is_recorded_once_per_sitting(selection, cn_staff, client):
    client.force_login(cn_staff)
    url = reverse("reviews:meeting_new", args=[selection.cycle.code, selection.code])
    form = {"held_on": "2023-06-01", "present_units": UNITS[:8], "location": "区政府"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 400
    assert "2023-06-01 的“虹桥友谊奖评审联席会议”会议已由 cn-staff 于" in again.content.decode() or \
        "会议已由 cn-staff 于" in again.content.decode()
    assert Meeting.objects.filter(stage=selection).count() == 1


@pytest.mark.parametrize("held_on", ["9999-12-31", "2999-01-01"])
def test_a_meeting_in_the_far_future_is_refused_with_a_message(selection, cn_staff, client, held_on):
    client.force_login(cn_staff)
    url = reverse("reviews:meeting_new", args=[selection.cycle.code, selection.code])
    response = client.post(url, {"held_on": held_on, "present_units": UNITS[:8]})
    assert response.status_code == 400
    assert "会议日期不能晚于今天" in response.content.decode()
    assert not Meeting.objects.exists()


# ------------------------------------------------------------------ in parallel, on PostgreSQL


def _postgres_or_skip():
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true runs against PostgreSQL (DATABASE_URL); this test needs it.")
    pytest.skip("SQLite serialises whole-database writes and ignores SELECT … FOR UPDATE: the race is only "
                "meaningful on PostgreSQL (set DATABASE_URL=postgres://… to run it).")


def in_parallel(n: int, request) -> list:
    """Send `request(client)` from n threads released together; each thread has its own connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            client = Client()
            barrier.wait()
            results[i] = request(client, i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


PARALLEL = 6


@pytest.mark.django_db(transaction=True)
def test_parallel_clicks_on_one_transition_act_once(cn_cycle, cn_staff, make_application):
    _postgres_or_skip()
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    form = {"name": "advance", "state": app.state_token}

    def click(client, i):
        client.force_login(cn_staff)
        return client.post(transition_url(app), form, follow=True).content.decode()

    pages = in_parallel(PARALLEL, click)
    assert sum("已执行：通过本环节" in p for p in pages) == 1
    assert sum("本次操作未执行" in p for p in pages) == PARALLEL - 1
    assert advance_logs(app).count() == 1
    assert Application.objects.get(pk=app.pk).current_stage.code == "material-review"


@pytest.mark.django_db(transaction=True)
def test_parallel_payments_with_one_voucher_pay_once(award, cn_staff):
    _postgres_or_skip()
    form = {"amount": "5000", "paid_on": "2025-11-02", "reference": "财支〔2025〕0200"}

    def pay(client, i):
        client.force_login(cn_staff)
        return client.post(reverse("reviews:award_payment", args=[award.pk]), form).status_code

    assert set(in_parallel(PARALLEL, pay)) == {302}
    assert PrizePayment.objects.filter(award=award).count() == 1
    assert ActivityLog.objects.filter(action="award.payment_recorded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_meeting_records_of_one_sitting_make_one_meeting(hq_cycle, cn_staff):
    _postgres_or_skip()
    selection = Stage.objects.get(cycle=hq_cycle, code="selection")
    url = reverse("reviews:meeting_new", args=[hq_cycle.code, selection.code])

    def record(client, i):
        client.force_login(cn_staff)
        return client.post(url, {"held_on": "2023-06-01", "present_units": UNITS[:8]}).status_code

    statuses = in_parallel(PARALLEL, record)
    assert sorted(statuses) == [302] + [400] * (PARALLEL - 1)
    assert Meeting.objects.filter(stage=selection).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_with_one_address_make_one_account(seeds):
    _postgres_or_skip()

    def sign_up(client, i):
        return client.post(reverse("accounts:signup"), {
            "full_name": f"赛跑者{i}", "email": "Racer@Example.test", "password1": "Zx9!long-pass-2026",
            "password2": "Zx9!long-pass-2026", "preferred_language": "zh-hans"}).status_code

    statuses = in_parallel(PARALLEL, sign_up)
    assert set(statuses) == {302}, statuses  # every client gets the same "check your mail" page, no 500
    assert User.objects.filter(email__iexact="racer@example.test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_applies_of_a_meeting_advance_once(hq_cycle, cn_staff, make_application):
    _postgres_or_skip()
    candidate = make_application(hq_cycle, stage="selection", staff=cn_staff)
    selection = Stage.objects.get(cycle=hq_cycle, code="selection")
    meeting = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:8])
    services.record_decision(meeting=meeting, application=candidate, actor=cn_staff, votes_for=8, votes_against=0, votes_abstain=0)

    def apply(client, i):
        client.force_login(cn_staff)
        return client.post(reverse("reviews:meeting_apply", args=[meeting.pk]), follow=True).status_code

    assert set(in_parallel(PARALLEL, apply)) == {200}
    assert ActivityLog.objects.filter(target_id=str(candidate.pk), action="application.advance").count() == 1 + \
        ActivityLog.objects.filter(target_id=str(candidate.pk), action="application.advance", created_at__lt=meeting.created_at).count()
    assert Application.objects.get(pk=candidate.pk).current_stage.order == selection.order + 1
