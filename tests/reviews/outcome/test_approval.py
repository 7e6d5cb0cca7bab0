"""Approval: never during the window or with an open objection; winners within quota; money and benefits."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import ApplicationStatus
from core.models import ActivityLog
from reviews import selectors, services
from reviews.models import Award, Publicity
from reviews.services import DecisionError
from reviews.services import TransitionError, apply_transition

from .conftest import pass_hongqiao_meetings

PAST_START = datetime.date(2025, 9, 26)  # window 2025-09-26 .. 2025-10-09: over by now
BEFORE = datetime.date(2025, 9, 20)


def listed_in(cycle, staff, make_application, plan):
    """plan: [(category code, count)] → applications on the list, in order."""
    apps = []
    for code, count in plan:
        for _ in range(count):
            app = make_application(cycle, code, stage="comprehensive", staff=staff)
            services.add_recommendation(application=app, actor=staff)
            apps.append(app)
    return apps


def test_approval_is_refused_while_the_window_is_open(cn_cycle, make_application, cn_staff):
    listed_in(cn_cycle, cn_staff, make_application, [("district-mode", 1)])
    services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=timezone.localdate())
    with pytest.raises(DecisionError, match="公示期内不能录入批准"):
        services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=timezone.localdate() + datetime.timedelta(days=30),
                                 document_number="长府〔2025〕12号")
    publicity = Publicity.objects.get(cycle=cn_cycle)
    with pytest.raises(DecisionError, match="公示期内不能提请批准"):
        services.submit_for_approval(publicity=publicity, actor=cn_staff)


def test_approval_is_refused_with_an_unresolved_objection(cn_cycle, make_application, cn_staff):
    apps = listed_in(cn_cycle, cn_staff, make_application, [("district-mode", 2)])
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=PAST_START, today=BEFORE)
    objection = services.file_objection(publicity=publicity, application=apps[0], name="张三", contact="1", content="异议",
                                        now=datetime.datetime(2025, 10, 8, 10, 0, tzinfo=datetime.timezone.utc))
    # The exit condition of the 公示 stage stops each application …
    with pytest.raises(TransitionError, match="公示期间收到的异议尚未全部处理完毕"):
        apply_transition(application=apps[1], name="advance", actor=cn_staff)
    # … and the services refuse to go on.
    with pytest.raises(DecisionError, match="异议尚未全部处理完毕，不能提请批准"):
        services.submit_for_approval(publicity=publicity, actor=cn_staff)
    with pytest.raises(DecisionError, match="异议尚未全部处理完毕，不能录入批准"):
        services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                                 document_number="长府〔2025〕12号")
    assert not Award.objects.exists()
    services.resolve_objection(objection=objection, actor=cn_staff, upheld=False, reason="不属实")
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    approval = services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                                        document_number="长府[2025] 12 号")
    assert approval.document_number == "长府〔2025〕12号"
    assert approval.approving_body == "上海市长宁区人民政府"


def test_committed_budget_is_the_sum_of_winners_times_prize(cn_cycle, make_application, cn_staff):
    listed_in(cn_cycle, cn_staff, make_application, [("district-mode", 2), ("district-achievement", 1), ("gold-achievement", 3)])
    # planned: 2×50万 + 2×2万 + 5×10万 + 5×1万 = 159万; proposed = 2×500000 + 1×20000 + 3×10000
    assert selectors.cycle_money(cn_cycle).proposed == Decimal("1050000")
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=PAST_START, today=BEFORE)
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                             document_number="长府〔2025〕12号")
    assert selectors.committed_amount(cn_cycle) == Decimal("1050000.00")
    winners = selectors.winners_for_cycle(cn_cycle)
    assert [(w.category.code, w.prize, w.prize_wan) for w in winners] == [
        ("district-mode", Decimal("500000.00"), "50"), ("district-mode", Decimal("500000.00"), "50"),
        ("district-achievement", Decimal("20000.00"), "2"),
        ("gold-achievement", Decimal("10000.00"), "1"), ("gold-achievement", Decimal("10000.00"), "1"), ("gold-achievement", Decimal("10000.00"), "1"),
    ]
    for winner in winners:
        assert winner.application.current_stage.code == "award" and winner.application.status == "in_review"
    assert ActivityLog.objects.get(action="approval.recorded").after["document_number"] == "长府〔2025〕12号"


def test_approval_needs_a_well_formed_document_number(cn_cycle, make_application, cn_staff):
    listed_in(cn_cycle, cn_staff, make_application, [("district-mode", 1)])
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=PAST_START, today=BEFORE)
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    with pytest.raises(DecisionError, match="文号格式应为“机关代字〔年份〕序号号”"):
        services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20), document_number="12号")


def test_winners_never_exceed_the_quota_even_if_the_quota_is_lowered(cn_cycle, make_application, cn_staff):
    listed_in(cn_cycle, cn_staff, make_application, [("district-mode", 2)])
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=PAST_START, today=BEFORE)
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    cn_cycle.categories.filter(code="district-mode").update(quota=1)
    with pytest.raises(DecisionError, match="获奖人数将超出名额"):
        services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                                 document_number="长府〔2025〕12号")
    assert not Award.objects.exists()


def test_prize_payments_up_to_the_prize_then_the_winner_is_awarded(cn_cycle, make_application, cn_staff, client):
    [app] = listed_in(cn_cycle, cn_staff, make_application, [("district-achievement", 1)])
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=PAST_START, today=BEFORE)
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                             document_number="长府〔2025〕12号")
    award = Award.objects.get(application=app)
    with pytest.raises(DecisionError, match="奖金尚未发放完毕"):
        services.complete_award(award=award, actor=cn_staff)
    services.record_payment(award=award, actor=cn_staff, amount=Decimal("15000"), paid_on=datetime.date(2025, 11, 1),
                            reference="财支〔2025〕0101")
    with pytest.raises(DecisionError) as refused:
        services.record_payment(award=award, actor=cn_staff, amount=Decimal("10000"), paid_on=datetime.date(2025, 11, 2),
                                reference="财支〔2025〕0102")
    assert str(refused.value) == "发放合计 25000.00 元将超过应发奖金 20000.00 元（已发 15000.00 元）。"
    client.force_login(cn_staff)
    response = client.post(reverse("reviews:award_payment", args=[award.pk]),
                           {"amount": "5000", "paid_on": "2025-11-02", "reference": "财支〔2025〕0102"})
    assert response.status_code == 302
    services.complete_award(award=award, actor=cn_staff)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.AWARDED
    entries = ActivityLog.objects.filter(action="award.payment_recorded").order_by("id")
    assert [e.after["paid_total"] for e in entries] == ["15000", "20000"]


def test_hongqiao_winners_get_their_benefits_not_money(hq_cycle, make_application, cn_staff):
    app = make_application(hq_cycle, stage="selection", staff=cn_staff)
    pass_hongqiao_meetings(hq_cycle, [app], cn_staff)
    services.add_recommendation(application=app, actor=cn_staff)
    publicity = services.publish_publicity(cycle=hq_cycle, actor=cn_staff, start_date=PAST_START, today=BEFORE)
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    services.record_approval(cycle=hq_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                             document_number="长府〔2025〕30号")
    award = Award.objects.get(application=app)
    assert award.prize_amount is None and selectors.committed_amount(hq_cycle) == Decimal(0)
    app.refresh_from_db()
    assert app.current_stage.code == "report"  # 报区委常委会 comes before the ceremony
    with pytest.raises(DecisionError, match="精神奖励，不发放奖金"):
        services.record_payment(award=award, actor=cn_staff, amount=Decimal(1), paid_on=datetime.date(2025, 11, 1), reference="x")
    for code in ("magnolia-pool", "talent-database", "friendship-alliance"):
        services.record_benefit(award=award, actor=cn_staff, code=code, granted_on=datetime.date(2025, 11, 1))
    with pytest.raises(DecisionError, match="该项待遇已办理"):
        services.record_benefit(award=award, actor=cn_staff, code="talent-database", granted_on=datetime.date(2025, 11, 2))
    row = selectors.winners_for_cycle(hq_cycle)[0]
    assert row.benefits_complete and row.granted_codes == {"magnolia-pool", "talent-database", "friendship-alliance"}
