"""Approval, winners, payments and benefits; dashboard, notifications (the exports: reviews.views.exports)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards.selectors import cycle_budget
from core.http import run_action
from core.models import EmailNotification
from core.pagination import paginate
from reviews import forms, selectors, services
from reviews.models import Approval, Award
from reviews.services import DecisionError
from reviews.views.common import (
    cycle_stage_or_404,
    history_page,
    posted_id,
    render_cycle_page,
    require_staff_of,
    staff_application_or_404,
)

# ---------------------------------------------------------------- approval and awards


@login_required
def approval(request, code: str):
    cycle, stage = cycle_stage_or_404(request, code, selectors.approval_stage)
    recorded = Approval.objects.filter(stage=stage).select_related("recorded_by").first()
    form = None
    status = 200
    if recorded is None:
        form = forms.ApprovalForm(request.POST or None, initial={
            "approving_body": (stage.params or {}).get("approving_body", ""), "approved_on": timezone.localdate()})
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.record_approval(cycle=cycle, actor=request.user, approved_on=data["approved_on"],
                                             document_number=data["document_number"],
                                             approving_body=data["approving_body"], notes=data["notes"])
                except DecisionError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("批准已录入，获奖名单已确定。"))
                    return redirect("reviews:awards", code=cycle.code)
    return render_cycle_page(request, "reviews/approval.html", cycle, "approval", status=status, stage=stage, recorded=recorded,
                             form=form, recommendations=list(selectors.active_recommendations(cycle)),
                             publicity=selectors.publicity_for_cycle(cycle), budget=cycle_budget(cycle),
                             money=selectors.cycle_money(cycle))


@login_required
def awards(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    return render_cycle_page(request, "reviews/awards.html", cycle, "awards", winners=selectors.winners_for_cycle(cycle),
                             approval=selectors.approval_for_cycle(cycle), money=selectors.cycle_money(cycle),
                             budget=cycle_budget(cycle), award_stage=selectors.award_stage(cycle))


def _award_or_404(request, pk: int) -> Award:
    award = get_object_or_404(Award.objects.select_related("cycle__programme__organiser", "category", "application"), pk=pk)
    require_staff_of(request, award.cycle.programme.organiser)
    return award


def _record_for_award(request, award, form, record, done: str, invalid: str):
    """Validate a posted record of an award (payment, benefit), write it through the service, say how it went."""
    if form.is_valid():
        try:
            record(award=award, actor=request.user, **form.cleaned_data)
            messages.success(request, done)
        except DecisionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, invalid % {"e": "；".join(m for errs in form.errors.values() for m in errs)})
    return redirect("reviews:awards", code=award.cycle.code)


@login_required
@require_POST
def award_payment(request, pk: int):
    award = _award_or_404(request, pk)
    return _record_for_award(request, award, forms.PaymentForm(request.POST), services.record_payment,
                             _("奖金发放已记录。"), _("发放记录有误：%(e)s"))


@login_required
@require_POST
def award_benefit(request, pk: int):
    award = _award_or_404(request, pk)
    form = forms.BenefitForm(request.POST, benefits=[b for b in award.category.benefits or [] if isinstance(b, dict)])
    return _record_for_award(request, award, form, services.record_benefit, _("待遇办理已记录。"), _("办理记录有误：%(e)s"))


@login_required
@require_POST
def award_complete(request, pk: int):
    award = _award_or_404(request, pk)
    run_action(request, lambda: services.complete_award(award=award, actor=request.user),
               _("%(n)s 颁奖表彰已完成。") % {"n": award.application.number}, errors=(DecisionError,))
    return redirect("reviews:awards", code=award.cycle.code)


# ---------------------------------------------------------------- dashboard, exports, notifications


@login_required
def dashboard(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    return render_cycle_page(request, "reviews/dashboard.html", cycle, "dashboard", data=selectors.cycle_dashboard(cycle))


@login_required
def application_notifications(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    if request.method == "POST":
        notification = get_object_or_404(EmailNotification, pk=posted_id(request.POST.get("notification")), application=application)
        run_action(request, lambda: services.resend_notification(notification=notification, actor=request.user),
                   _("已重新排队发送。"), errors=(DecisionError,))
        return redirect("reviews:application_notifications", code=code, pk=application.pk)
    return render_cycle_page(
        request, "reviews/application_notifications.html", application.cycle, "notifications", application=application,
        notifications=paginate(request, selectors.notifications_for_application(application), param="notifications"),
        reminders=selectors.reminders_for_application(application),
        history=history_page(request, application, newest_first=False))


