"""The expert pool (staff) and the expert's own pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import rules
from applications.answers import answer_groups
from applications.models import Attachment
from awards.models import Organiser
from awards.rubrics import leaf_criteria
from core.files import private_file_response
from core.http import error_text
from core.pagination import paginate
from reviews import access, forms, selectors, services
from reviews.models import Assignment, ExpertProfile, Scoresheet
from reviews.scoring import subtotals
from reviews.views.common import url_prefix

# ---------------------------------------------------------------------------------------------
# Expert pool


def _staff_organiser(request) -> tuple[Organiser, list[Organiser]]:
    ids = rules.staff_organiser_ids(request.user)
    organisers = Organiser.objects.all() if ids is None else Organiser.objects.filter(pk__in=ids)
    organisers = list(organisers.order_by("code"))
    if not organisers:
        raise Http404
    chosen = next((o for o in organisers if o.code == request.GET.get("organiser")), organisers[0])
    return chosen, organisers


@login_required
def expert_pool(request):
    organiser, organisers = _staff_organiser(request)
    workload = selectors.expert_workload(organiser=organiser, cycle_code=request.GET.get("cycle", "")[:60])
    return render(request, "reviews/expert_pool.html", {"organiser": organiser, "organisers": organisers, "workload": workload})


@login_required
def expert_edit(request, pk: int | None = None):
    organiser, _organisers = _staff_organiser(request)
    profile = None
    if pk is not None:
        profile = get_object_or_404(ExpertProfile, pk=pk)
        if not rules.is_review_staff(request.user, profile.organiser_id):
            raise Http404
        organiser = profile.organiser
    form = forms.ExpertProfileForm(request.POST or None, instance=profile, organiser=organiser)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.EXPERT_FIELDS}
        try:
            services.save_expert_profile(organiser=organiser, user=form.cleaned_data["user"] if profile is None else profile.user,
                                         data=data, actor=request.user, profile=profile)
            messages.success(request, _("专家信息已保存。"))
            return redirect(reverse("reviews:expert_pool") + f"?organiser={organiser.code}")
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "reviews/expert_form.html", {"form": form, "profile": profile, "organiser": organiser},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------------------------------------
# Expert side


@login_required
def expert_home(request):
    if not (rules.is_expert(request.user) or selectors.expert_profiles(request.user)):
        raise Http404
    progress = selectors.expert_progress(request.user)
    todo = paginate(request, selectors.expert_todo(request.user), param="todo")
    done = paginate(request, selectors.expert_done(request.user), param="done")
    total = sum(p.total for p in progress)
    submitted = sum(p.done for p in progress)
    todo_rows, done_rows = selectors.expert_pages(todo.page.object_list, done.page.object_list)
    return render(request, "reviews/expert_home.html", {
        "progress": progress, "total": total, "done": submitted, "left": total - submitted,
        "todo": todo, "todo_rows": todo_rows, "finished": done, "done_rows": done_rows,
        "application_url": url_prefix("reviews:expert_application"),
    })


@login_required
def expert_application(request, pk: int):
    application, clearance = access.expert_application(request.user, pk)
    expert, assignments, declaration = clearance.expert, clearance.assignments, clearance.declaration
    if declaration is None:
        form = forms.DeclarationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.declare_conflict(expert=expert, application=application, has_conflict=form.cleaned_data["has_conflict"],
                                          reason=form.cleaned_data.get("reason") or "", actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if form.cleaned_data["has_conflict"]:
                    messages.info(request, _("已声明回避，该申报已从您的评审任务中移除。"))
                    return redirect("reviews:expert_home")
                return redirect("reviews:expert_application", pk)
        return render(request, "reviews/expert_declare.html", {"application": application, "assignments": assignments, "form": form},
                      status=400 if request.method == "POST" else 200)
    return render(request, "reviews/expert_application.html", {
        "application": application, "assignments": assignments, "answer_groups": answer_groups(application),
        "attachments": list(application.attachments.order_by("uploaded_at")),
        "schedule": selectors.schedule_for_application(application),
        # The panel leader (组长) consolidates the 评价反馈报告 of the stages they lead.
        "feedback_stages": [a.stage for a in assignments
                            if a.stage.kind == "scored_review" and access.is_panel_leader_for(request.user, application, a.stage)],
    })


@login_required
def expert_scoresheet(request, pk: int, stage_code: str):
    application, clearance = access.expert_application(request.user, pk)
    expert, assignments, declaration = clearance.expert, clearance.assignments, clearance.declaration
    assignment = next((a for a in assignments if a.stage.code == stage_code), None)
    if assignment is None:
        raise Http404
    if declaration is None:
        return redirect("reviews:expert_application", pk)
    assignment.application = application
    assignment.expert = expert
    try:
        sheet = services.scoresheet_for(assignment)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("reviews:expert_application", pk)
    criteria = leaf_criteria(sheet.rubric)
    feedback_ids = {c.pk for c in selectors.feedback_criteria(sheet.rubric)}
    form = forms.ScoresheetForm(request.POST or None, criteria=criteria, sheet=sheet, feedback_ids=feedback_ids)
    status = 200
    if request.method == "POST" and not sheet.is_locked:
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.save_scores(assignment=assignment, scores=form.scores(), opinion=form.cleaned_data["opinion"],
                                     comments=form.comments(), strengths=form.strengths(), improvements=form.improvements(),
                                     actor=request.user, submit=submit)
                messages.success(request, _("评分已提交并锁定。") if submit else _("草稿已保存。"))
                return redirect("reviews:expert_home" if submit else "reviews:expert_scoresheet", *([] if submit else [pk, stage_code]))
            except services.ScoreError as exc:
                for key, errors in exc.message_dict.items():
                    field = f"item_{key}" if key.isdigit() else (key if key == "opinion" or key in form.fields else None)
                    for error in errors:
                        form.add_error(field, error)
        status = 400
    # Subtotals per category as the server counts them: from what was posted on a refused save, else from the sheet.
    parents = {c.pk: c for c in sheet.rubric.criteria.all() if c.pk in {x.parent_id for x in criteria}}
    if status == 400:
        shown = {c.pk: _decimal_or_none(form.data.get(f"item_{c.pk}")) for c in criteria}
    else:
        shown = {item.criterion_id: item.score for item in sheet.items.all()}
    category_totals = subtotals((c.parent_id, shown.get(c.pk)) for c in criteria)
    return render(request, "reviews/scoresheet.html", {
        "application": application, "assignment": assignment, "sheet": sheet, "form": form,
        "groups": form.groups(parents, category_totals), "rubric": sheet.rubric,
        "shown_total": sum((v for v in shown.values() if v is not None), Decimal(0))}, status=status)


def _decimal_or_none(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    # Only a plausible score is added up for the page (the form itself says what is wrong with the rest).
    return value if value.is_finite() and abs(value) < 10**6 else None


@login_required
def expert_scores(request, pk: int, stage_code: str):
    """The panel's submitted scores for this application, once the expert has submitted their own."""
    application, clearance = access.expert_application(request.user, pk)
    assignments, declaration = clearance.assignments, clearance.declaration
    assignment = next((a for a in assignments if a.stage.code == stage_code), None)
    if assignment is None or declaration is None:
        raise Http404
    own = getattr(assignment, "scoresheet", None)
    if own is None or own.status != Scoresheet.Status.SUBMITTED:
        messages.info(request, _("提交本人评分后可查看专家组评分。"))
        return redirect("reviews:expert_scoresheet", pk, stage_code)
    stage = assignment.stage
    stage.cycle = application.cycle
    sheets = list(Scoresheet.objects.filter(assignment__application=application, assignment__stage=stage,
                                            assignment__status=Assignment.Status.ACTIVE, status=Scoresheet.Status.SUBMITTED)
                  .select_related("assignment__expert").order_by("-total"))
    # The stage's own aggregate (a z-score stage normalises across the category: the ranking's rule, not a copy).
    agg = selectors.stage_aggregates(selectors.cycle_stages(application.cycle), [application.pk], wanted={stage.pk})[(application.pk, stage.pk)]
    return render(request, "reviews/expert_scores.html", {"application": application, "stage": stage, "sheets": sheets,
                                                          "aggregate": agg, "own": own})


@login_required
def attachment_download(request, pk: int):
    """An application's attachment, for whoever may read its content (reviews.access)."""
    attachment = get_object_or_404(Attachment.objects.select_related("application__cycle__programme"), pk=pk)
    if not access.may_read_content(request.user, attachment.application):
        raise Http404
    return private_file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)




