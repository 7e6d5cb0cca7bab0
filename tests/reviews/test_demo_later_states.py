"""seed_demo's 虹桥 cycles: one 公示 open now, one ended with an objection to resolve, one approved and awarded."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from accounts.models import Role
from awards.demo import ensure_demo_cycles
from awards.models import Cycle
from reviews import demo_decisions
from reviews.models import Approval, Award, Objection, Publicity


@pytest.mark.django_db
def test_the_demo_parks_cycles_at_the_later_states(seeds, make_user, organisers):
    cycles = {c.code: c for c in ensure_demo_cycles()}
    staff = make_user("cn-staff", roles=[(Role.STAFF, organisers["changning"])], is_staff=True)
    out = io.StringIO()
    context = {"cycles": cycles, "users": {"cn-staff": staff, "admin": None}, "stdout": out, "password": "pw-for-demo-tests"}
    demo_decisions.seed_demo_data(context)

    now = timezone.now()
    open_now = Publicity.objects.get(cycle__code="demo-changning-hongqiao")
    assert open_now.has_started(now) and not open_now.has_ended(now)
    ended = Publicity.objects.get(cycle__code="demo-hongqiao-ended")
    assert ended.has_ended(now)
    assert [o.is_resolved for o in Objection.objects.filter(publicity=ended)] == [False]  # the office has one to resolve
    awarded = Publicity.objects.get(cycle__code="demo-hongqiao-awarded")
    assert awarded.has_ended(now) and not Objection.objects.filter(publicity=awarded).exists()
    assert Approval.objects.filter(cycle=awarded.cycle).count() == 1
    assert Award.objects.filter(cycle=awarded.cycle).count() == 3
    assert "demo-hongqiao-ended ended on" in out.getvalue() and "passed, approved and awarded" in out.getvalue()
    # The parked copies took their applications long ago: not listed among the calls open now.
    assert Cycle.objects.get(code="demo-changning-hongqiao").is_open(now)
    assert not Cycle.objects.get(code="demo-hongqiao-ended").is_open(now)
    assert not Cycle.objects.get(code="demo-hongqiao-awarded").is_open(now)

    demo_decisions.seed_demo_data(context)  # idempotent: nothing is built twice
    assert Award.objects.filter(cycle=awarded.cycle).count() == 3
    assert Publicity.objects.filter(cycle__code__startswith="demo-hongqiao-").count() == 2
    assert not Cycle.objects.get(code="demo-hongqiao-ended").is_open(timezone.now())
