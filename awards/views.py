import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import rules
from core.identity import mask_identity

from reviews.selectors import stage_counts

from . import selectors, services
from .forms import CycleCloneForm, PastWinnersUploadForm
from .models import Cycle, PastWinner, Programme
from .past_winners import read_workbook


def _require_staff(user) -> None:
    if not (rules.is_review_staff(user) or user.is_superuser):
        raise Http404


@login_required
def cycle_list(request):
    _require_staff(request.user)
    return render(request, "awards/cycle_list.html", {"cycles": selectors.cycles_for_staff(request.user)})


@login_required
def cycle_overview(request, code: str):
    """Staff overview of a cycle: categories, quotas, ratios, planned budget, the pipeline."""
    _require_staff(request.user)
    try:
        cycle = selectors.cycle_overview(code, request.user)
    except Cycle.DoesNotExist:
        raise Http404 from None
    budget = selectors.cycle_budget(cycle)
    stages = list(cycle.stages.all())
    counts = stage_counts(cycle, stages)
    return render(
        request,
        "awards/cycle_overview.html",
        {
            "cycle": cycle,
            "budget": budget,
            "stages": [(figures.stage, figures) for figures in counts.stages],
            "counts": counts,
            # 待定: loaded without a quota (load_programmes warned); say so until someone sets it.
            "unset_quotas": [row.category for row in budget.categories if row.quota is None],
            "may_configure": rules.is_programme_admin(request.user, cycle.programme.organiser_id),
            "ratio_rule": selectors.RATIO_ROUNDING_NOTE,
        },
    )


@login_required
def cycle_clone(request, code: str):
    """下一届: copy the cycle (categories, quotas, prizes, rubrics, rules, stages, review body) under a new
    code and window (awards.services.clone_cycle). Review staff and programme admins of the organiser."""
    _require_staff(request.user)
    try:
        source = selectors.cycle_overview(code, request.user)
    except Cycle.DoesNotExist:
        raise Http404 from None
    form = CycleCloneForm(request.POST or None, source=source, initial={"year": source.year + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.clone_cycle(
                source=source, code=data["code"], name=data["name"], name_en=data["name_en"], year=data["year"],
                opens_at=data["opens_at"], closes_at=data["closes_at"], actor=request.user,
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("已创建下一届“%(c)s”，上届为“%(p)s”。请核对类别、名额和各环节日期。") % {"c": cycle.code, "p": source.code})
            return redirect("awards:cycle_overview", cycle.code)
    counts = selectors.winner_counts(source)
    status = 400 if request.method == "POST" else 200
    return render(request, "awards/cycle_clone.html", {"cycle": source, "form": form, "winner_counts": counts,
                                                       "budget": selectors.cycle_budget(source),
                                                       "ratio_rule": selectors.RATIO_ROUNDING_NOTE}, status=status)


PREVIEW_KEY = "past_winners_preview"


@login_required
def past_winners(request, code: str):
    """The past-winners register of a programme: the list, and an import in two steps (preview, then confirm)."""
    _require_staff(request.user)
    visible = selectors.cycles_for_staff(request.user).values("programme_id")
    programme = get_object_or_404(Programme.objects.select_related("organiser").filter(pk__in=visible), code=code)
    levels = list(dict.fromkeys(programme.cycles.values_list("categories__level", flat=True).exclude(categories__level=None)))
    form = PastWinnersUploadForm()
    preview = None
    status = 200
    if request.method == "POST":
        stored = request.session.get(PREVIEW_KEY) or {}
        if request.POST.get("confirm"):
            if stored.get("token") != request.POST.get("confirm") or stored.get("programme") != programme.pk:
                messages.error(request, _("预览已失效，请重新上传名单。"))
                status = 409
            else:
                try:
                    created = services.import_past_winners(programme=programme, rows=stored["rows"], actor=request.user,
                                                           source_name=stored["file"])
                except ValidationError as exc:
                    messages.error(request, exc.messages[0])
                    status = 409
                else:
                    request.session.pop(PREVIEW_KEY, None)
                    messages.success(request, _("已导入 %(n)d 条往届获奖记录。") % {"n": len(created)})
                    return redirect("awards:past_winners", programme.code)
        else:
            form = PastWinnersUploadForm(request.POST, request.FILES)
            if form.is_valid():
                existing = set(PastWinner.objects.filter(programme=programme).values_list("year", "identifier", "award"))
                upload = form.cleaned_data["file"]
                preview = read_workbook(upload, levels=levels, existing=existing)
                if preview.ok:
                    token = secrets.token_urlsafe(16)
                    request.session[PREVIEW_KEY] = {"token": token, "programme": programme.pk, "file": upload.name,
                                                    "rows": [r.as_dict() for r in preview.rows]}
                    preview.token = token
                else:
                    request.session.pop(PREVIEW_KEY, None)
                    status = 400
            else:
                status = 400
    register = selectors.winners(programme)
    return render(request, "awards/past_winners.html", {
        "programme": programme, "form": form, "preview": preview, "levels": levels,
        "winners": [(record, mask_identity(record.identifier)) for record in register],
    }, status=status)
