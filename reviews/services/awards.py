"""The government's approval, winners, prize payments and benefits."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from awards.models import Category, Cycle
from core.services import log_activity, model_snapshot
from reviews import selectors
from reviews.models import (
    Approval,
    Award,
    BenefitGrant,
    PrizePayment,
    Publicity,
    normalise_document_number,
    validate_document_number,
)
from reviews.services.common import DecisionError, check_not_future, who_and_when
from reviews.services.transitions import TransitionError, apply_transition

# ---------------------------------------------------------------- approval and awards


def record_approval(
    *,
    cycle: Cycle,
    actor,
    approved_on: datetime.date,
    document_number: str,
    approving_body: str = "",
    notes: str = "",
    now: datetime.datetime | None = None,
) -> Approval:
    """Record the government's approval: the listed candidates become the winners (never beyond quota)
    and leave the approval stage; committed budget = Σ winners × prize."""
    from django.core.exceptions import ValidationError

    stage = selectors.approval_stage(cycle)
    if stage is None:
        raise DecisionError(_("本周期的评审流程没有审批环节。"))
    document_number = normalise_document_number(document_number)
    try:
        validate_document_number(document_number)
    except ValidationError as exc:
        raise DecisionError(exc.messages[0]) from exc
    approving_body = (approving_body or (stage.params or {}).get("approving_body", "")).strip()
    if not approving_body:
        raise DecisionError(_("请填写批准机关。"))
    now = now or timezone.now()
    publicity_stage = selectors.publicity_stage(cycle)
    with transaction.atomic():
        Cycle.objects.select_for_update().get(pk=cycle.pk)
        if Approval.objects.filter(stage=stage).exists():
            raise DecisionError(_("已录入批准文件，不能重复录入。"))
        if publicity_stage is not None:
            publicity = Publicity.objects.filter(stage=publicity_stage).first()
            if publicity is None:
                raise DecisionError(_("尚未公示，不能录入批准。"))
            refusal = selectors.publicity_incomplete(publicity, action=_("录入批准"), now=now)
            if refusal:
                raise DecisionError(refusal)
            if approved_on < publicity.end_date:
                raise DecisionError(_("批准日期不能早于公示结束日期（%(d)s）。") % {"d": publicity.end_date.isoformat()})
        categories = {c.pk: c for c in Category.objects.select_for_update().filter(cycle=cycle)}
        recommendations = list(selectors.active_recommendations(cycle))
        if not recommendations:
            raise DecisionError(_("推荐名单为空，没有可批准的对象。"))
        for category in categories.values():
            listed = sum(1 for r in recommendations if r.category_id == category.pk)
            already = Award.objects.filter(category=category).count()
            if listed and selectors.quota_refusal(category, listed=already, adding=listed):
                raise DecisionError(_("“%(c)s”获奖人数将超出名额，不能批准。") % {"c": category.name})
        waiting = [
            r for r in recommendations
            if not (r.application.current_stage_id == stage.pk and r.application.status == ApplicationStatus.IN_REVIEW)
        ]
        if waiting:
            raise DecisionError(
                _("以下申报尚未提请批准（不在“%(s)s”环节）：%(n)s") % {"s": stage.name, "n": "、".join(r.application.number or "" for r in waiting)}
            )
        approval = Approval.objects.create(
            cycle=cycle, stage=stage, approved_on=approved_on, approving_body=approving_body,
            document_number=document_number, notes=notes.strip(), recorded_by=actor,
        )
        log_activity(
            actor=actor,
            action="approval.recorded",
            target=approval,
            after={**model_snapshot(approval, ["approved_on", "approving_body", "document_number"]),
                   "winners": [r.application.number for r in recommendations]},
        )
        for recommendation in recommendations:
            category = categories[recommendation.category_id]
            Award.objects.create(
                cycle=cycle, category=category, application=recommendation.application, approval=approval,
                recommendation=recommendation, prize_amount=category.prize_amount if category.has_money_prize else None,
            )
            try:
                apply_transition(application=recommendation.application, name="advance", actor=actor,
                                 reason=f"{approving_body} {document_number}")
            except TransitionError as exc:
                raise DecisionError(_("%(n)s：%(r)s") % {"n": recommendation.application.number, "r": exc}) from exc
        assign_certificate_numbers(cycle=cycle, actor=actor)
        return approval


@transaction.atomic
def assign_certificate_numbers(*, cycle: Cycle, actor=None) -> list[Award]:
    """Give every winner of the cycle without one its 证书编号 (Programme.certificate_number), in the order
    of the winners' list, after the numbers already given. A number once given never changes: certificates
    printed again carry the same one. Returns the awards numbered now."""
    awards = list(Award.objects.select_for_update(of=("self",)).filter(cycle=cycle).select_related("cycle__programme")
                  .order_by("category__order", "recommendation__rank", "id"))
    serial = sum(1 for award in awards if award.certificate_number)
    numbered = []
    for award in awards:
        if award.certificate_number:
            continue
        serial += 1
        award.certificate_number = cycle.programme.certificate_number(cycle.year, serial)
        award.save(update_fields=["certificate_number"])
        log_activity(actor=actor, action="award.certificate_numbered", target=award,
                     after={"certificate_number": award.certificate_number})
        numbered.append(award)
    return numbered


def _award_for_update(award: Award) -> Award:
    return Award.objects.select_for_update(of=("self",)).select_related("category", "application", "cycle__programme").get(pk=award.pk)


@transaction.atomic
def record_payment(
    *, award: Award, actor, amount: Decimal, paid_on: datetime.date, reference: str, note: str = ""
) -> PrizePayment:
    award = _award_for_update(award)
    if not award.has_money_prize:
        raise DecisionError(_("该奖项为精神奖励，不发放奖金。"))
    if amount is None or amount <= 0:
        raise DecisionError(_("发放金额须大于0。"))
    if not reference.strip():
        raise DecisionError(_("请填写凭证号。"))
    check_not_future(paid_on, _("发放日期"))
    earlier = next((p for p in award.payments.select_related("recorded_by") if p.reference == reference.strip()), None)
    if earlier is not None:  # a re-submitted form: the award row lock makes the second one see the first
        raise DecisionError(
            _("凭证号“%(ref)s”的发放（%(amount)s 元）已由 %(who)s 于 %(when)s 登记，不能重复登记。")
            % {"ref": earlier.reference, "amount": earlier.amount, **who_and_when(earlier.recorded_by, earlier.recorded_at)})
    paid = sum((p.amount for p in award.payments.all()), Decimal(0))
    if paid + amount > award.prize_amount:
        raise DecisionError(
            _("发放合计 %(total)s 元将超过应发奖金 %(due)s 元（已发 %(paid)s 元）。")
            % {"total": paid + amount, "due": award.prize_amount, "paid": paid}
        )
    payment = PrizePayment.objects.create(
        award=award, amount=amount, paid_on=paid_on, reference=reference.strip(), note=note.strip(), recorded_by=actor
    )
    log_activity(
        actor=actor,
        action="award.payment_recorded",
        target=award.application,
        after={"amount": amount, "paid_on": paid_on, "reference": payment.reference, "paid_total": paid + amount,
               "prize": award.prize_amount},
        organiser=award.cycle.programme.organiser,
    )
    return payment


@transaction.atomic
def record_benefit(*, award: Award, actor, code: str, granted_on: datetime.date, note: str = "") -> BenefitGrant:
    award = _award_for_update(award)
    benefits = {b.get("code"): b for b in award.category.benefits or [] if isinstance(b, dict)}
    if code not in benefits:
        raise DecisionError(_("该奖项没有此项待遇。"))
    if BenefitGrant.objects.filter(award=award, code=code).exists():
        raise DecisionError(_("该项待遇已办理。"))
    grant = BenefitGrant.objects.create(
        award=award, code=code, text=benefits[code].get("text", code)[:300], granted_on=granted_on, note=note.strip(),
        recorded_by=actor,
    )
    log_activity(
        actor=actor,
        action="award.benefit_granted",
        target=award.application,
        after={"code": code, "text": grant.text, "granted_on": granted_on, "note": grant.note},
        organiser=award.cycle.programme.organiser,
    )
    return grant


def complete_award(*, award: Award, actor) -> Application:
    """Leave the award stage once the prize is paid and every benefit granted (the exit condition checks)."""
    try:
        return apply_transition(application=award.application, name="advance", actor=actor)
    except TransitionError as exc:
        raise DecisionError(str(exc)) from exc




