"""The expert pool (staff) and the expert's own pages."""

from __future__ import annotations

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
from reviews import access, forms, selectors, services
from reviews.models import Assignment, ExpertProfile, Scoresheet
from reviews.scoring import summarise
from reviews.views.common import error_text

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
    experts = list(ExpertProfile.objects.filter(organiser=organiser).select_related("user").order_by("-is_active", "name"))
    return render(request, "reviews/expert_pool.html", {"organiser": organiser, "organisers": organisers, "experts": experts})


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
    assignments = selectors.expert_assignments(request.user)
    groups: dict = {}
    for a in assignments:
        group = groups.setdefault(a.stage_id, {"stage": a.stage, "items": [], "done": 0, "total": 0})
        group["items"].append(a)
        if a.status == Assignment.Status.ACTIVE:
            group["total"] += 1
            sheet = getattr(a, "scoresheet", None)
            if sheet is not None and sheet.status == Scoresheet.Status.SUBMITTED:
                group["done"] += 1
    total = sum(g["total"] for g in groups.values())
    done = sum(g["done"] for g in groups.values())
    return render(request, "reviews/expert_home.html", {"groups": list(groups.values()), "total": total, "done": done,
                                                        "left": total - done})


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
    form = forms.ScoresheetForm(request.POST or None, criteria=criteria, sheet=sheet)
    status = 200
    if request.method == "POST" and not sheet.is_locked:
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.save_scores(assignment=assignment, scores=form.scores(), opinion=form.cleaned_data["opinion"],
                                     comments=form.comments(), actor=request.user, submit=submit)
                messages.success(request, _("评分已提交并锁定。") if submit else _("草稿已保存。"))
                return redirect("reviews:expert_home" if submit else "reviews:expert_scoresheet", *([] if submit else [pk, stage_code]))
            except services.ScoreError as exc:
                for key, errors in exc.message_dict.items():
                    field = f"item_{key}" if key.isdigit() else (key if key == "opinion" else None)
                    for error in errors:
                        form.add_error(field, error)
        status = 400
    return render(request, "reviews/scoresheet.html", {
        "application": application, "assignment": assignment, "sheet": sheet, "form": form,
        "rows": list(form.rows()), "rubric": sheet.rubric}, status=status)


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
    agg = summarise((stage.params or {}).get("aggregation", "mean"), [s.total for s in sheets])
    return render(request, "reviews/expert_scores.html", {"application": application, "stage": stage, "sheets": sheets,
                                                          "aggregate": agg, "own": own})


@login_required
def attachment_download(request, pk: int):
    """An application's attachment, for whoever may read its content (reviews.access)."""
    attachment = get_object_or_404(Attachment.objects.select_related("application__cycle__programme"), pk=pk)
    if not access.may_read_content(request.user, attachment.application):
        raise Http404
    return private_file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)




