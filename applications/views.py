"""Views of the applicant portal: permission check, form, service, redirect."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import rules
from awards.models import ApplicantKind, Organiser
from core.files import private_file_response
from core.i18n import is_english, localized
from core.http import run_action, safe_next_url

from . import eligibility, selectors, services
from .blank_forms import blank_form_rows, blank_form_xlsx
from .files import attachment_limits
from .forms import (
    ApplicationForm,
    AttachmentForm,
    BlacklistImportForm,
    NominationForm,
    OrganisationProfileForm,
    PersonProfileForm,
    ReasonForm,
    StartApplicationForm,
)
from .models import ApplicationStatus, Attachment, Nomination, OrganisationProfile, PersonProfile
from .sections import editability, sections_for


def verified_required(view):
    """Signed in with a verified e-mail address (the applicant's identity for notices)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.email_verified:
            messages.warning(request, _("请先完成邮箱验证：验证邮件已发送到 %(email)s。") % {"email": request.user.email})
            return redirect("accounts:verify_pending")
        return view(request, *args, **kwargs)

    return wrapper


# ---- public open calls --------------------------------------------------------------------


def call_page(request, code: str):
    """The public call for applications (申报通知) of one cycle, in the style of the 徐汇 notice."""
    from reviews.selectors import cycle_publicity_for_public

    cycle = selectors.public_cycle(code)
    categories = list(cycle.categories.all())
    return render(
        request,
        "applications/call.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "organiser": cycle.programme.organiser,
            "categories": categories,
            "notice": cycle.notice or {},
            "is_open": cycle.is_open(),
            "stages": sorted(cycle.stages.all(), key=lambda s: s.order),
            "standards": _standards(cycle, categories),
            "applicant_kinds": list(dict.fromkeys(c.get_applicant_kind_display() for c in categories)),
            "publicity": cycle_publicity_for_public(cycle),
        },
    )


def _standards(cycle, categories) -> list[str]:
    """The notice's list of standards; for English readers, the categories' English names of them."""
    listed = (cycle.notice or {}).get("standards")
    if listed and not (is_english() and any(c.standard_en for c in categories)):
        return list(listed)
    seen: list[str] = []
    for category in categories:
        name = localized(category, "standard")
        if name and name not in seen:
            seen.append(name)
    return seen


def blank_form(request, code: str, category: str):
    cycle = selectors.public_cycle(code)
    category_obj = next((c for c in cycle.categories.all() if c.code == category), None)
    if category_obj is None:
        raise Http404
    if request.GET.get("format") == "xlsx":
        content = blank_form_xlsx(category_obj)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{cycle.code}-{category_obj.code}.xlsx"'
        return response
    return render(request, "applications/blank_form.html", {"cycle": cycle, "category": category_obj, "rows": blank_form_rows(category_obj)})


# ---- dashboard and profiles ---------------------------------------------------------------


@login_required
def dashboard(request):
    return render(request, "applications/dashboard.html", selectors.applicant_dashboard(request.user))


@login_required
def my_data(request):
    """个人信息导出: what the portal holds about the signed-in user, as a zip (PIPL right of access)."""
    if request.method != "POST":
        return render(request, "applications/my_data.html", {})
    from .privacy import personal_data_export

    content = personal_data_export(user=request.user)
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@verified_required
def organisation_edit(request, pk: int | None = None):
    instance = get_object_or_404(OrganisationProfile, pk=pk, owner=request.user) if pk else None
    form = OrganisationProfileForm(request.POST or None, instance=instance)
    return _profile_page(request, form, kind="organisation", save=services.organisation_profile_save, saved=_("组织信息已保存。"))


@verified_required
def person_edit(request):
    instance = PersonProfile.objects.filter(owner=request.user).first()
    initial = {} if instance else {"name": request.user.full_name}
    form = PersonProfileForm(request.POST or None, instance=instance, initial=initial)
    return _profile_page(request, form, kind="person", save=services.person_profile_save, saved=_("个人信息已保存。"))


def _profile_page(request, form, *, kind: str, save, saved: str):
    """The profile form: a valid POST saves and goes on to ?next= (or the dashboard)."""
    if request.method != "POST":
        return render(request, "applications/profile_form.html", {"form": form, "kind": kind})
    if not form.is_valid():
        return render(request, "applications/profile_form.html", {"form": form, "kind": kind}, status=400)
    save(form=form, actor=request.user)
    messages.success(request, saved)
    return redirect(safe_next_url(request, reverse("applications:dashboard")))


# ---- applications -------------------------------------------------------------------------


@verified_required
def start(request, code: str):
    cycle = selectors.public_cycle(code)
    if not cycle.is_open():
        messages.error(request, _("%(cycle)s当前不在申报时间内。") % {"cycle": cycle})
        return redirect("applications:call", code=code)
    form = StartApplicationForm(request.POST or None, cycle=cycle, user=request.user)
    context = {"cycle": cycle, "form": form, "has_person": PersonProfile.objects.filter(owner=request.user).exists()}
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, category=form.cleaned_data["category"], organisation=form.cleaned_data.get("organisation")
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return render(request, "applications/start.html", context, status=400)
        messages.success(request, _("申报草稿已创建，可随时保存、稍后继续填写。"))
        return redirect("applications:edit", pk=application.pk)
    return render(request, "applications/start.html", context, status=400 if request.method == "POST" else 200)


def _page_context(application, **extra) -> dict:
    editing = editability(application)
    sections = sections_for(application.category)
    return {
        "application": application,
        "cycle": application.cycle,
        "category": application.category,
        "sections": sections,
        "attachments": list(application.attachments.all()),
        "attachment_form": AttachmentForm(purposes=_purposes_for(application, sections)) if editing.allows("attachments") else None,
        "limits": attachment_limits(application),
        "autosave_seconds": settings.APPLICATION_AUTOSAVE_SECONDS,
        "editable": editing.sections,
        "may_edit": editing.anything,
        "supplement": (getattr(application, "open_supplements", None) or [None])[0],
        **extra,
    }


def _purposes_for(application, sections) -> list[str]:
    P = Attachment.Purpose
    if application.status == ApplicationStatus.SUPPLEMENT_REQUESTED:
        return [P.SUPPLEMENT, P.OTHER]
    kind = application.category.applicant_kind
    if kind == ApplicantKind.ORGANISATION:
        purposes = [P.SELF_EVALUATION, P.CERTIFICATION, P.FINANCIAL, P.EVIDENCE, P.OTHER]
    else:
        purposes = [P.EVIDENCE, P.OTHER]
    if any(s.code == "publicity" for s in sections):
        purposes.insert(1, P.PUBLICITY_PROOF)
    return purposes


@verified_required
def detail(request, pk: int):
    application = selectors.application_for_applicant(request.user, pk)
    history = selectors.history_for([application.pk]).get(application.pk, [])
    form = ApplicationForm(application=application, editable=set())
    from documents.selectors import feedback_documents
    from reviews.selectors import applicant_progress, cycle_stages, released_feedback_reports, schedule_for_application

    reports = released_feedback_reports(application)
    documents = feedback_documents(reports)
    return render(
        request,
        "applications/detail.html",
        _page_context(
            application,
            form=form,
            history=history,
            snapshot=application.eligibility_snapshot,
            withdraw_form=ReasonForm(),
            schedule=schedule_for_application(application),
            feedback=[{"report": r, "document": documents.get(r.pk)} for r in reports],
            progress=applicant_progress(application, cycle_stages(application.cycle)),
        ),
    )


@verified_required
def edit(request, pk: int):
    """The application form. Every button of the page posts the whole form, so nothing typed is lost:
    保存草稿, 保存并进行资格预审, 上传 (the draft is saved, then the file added) and 删除 (saved, then
    the attachment removed). The page's script autosaves with `autosave=1` and gets JSON back."""
    application = selectors.application_for_applicant(request.user, pk)
    editing = editability(application)
    autosave = request.method == "POST" and request.POST.get("autosave") == "1"
    if not editing.anything:
        if autosave:
            return JsonResponse({"ok": False, "message": _("此申报当前不可修改。")}, status=409)
        if application.status == ApplicationStatus.DRAFT:
            messages.warning(request, _("申报已截止，草稿只能查看，不能修改或提交。"))
        return redirect("applications:detail", pk=pk)
    if request.method != "POST":
        form = ApplicationForm(application=application, editable=editing.sections)
        return render(request, "applications/edit.html", _page_context(application, form=form))
    form = ApplicationForm(request.POST, application=application, editable=editing.sections)
    if not form.is_valid():
        if autosave:
            errors = {str(form.fields[name].label) if name in form.fields else "": [str(e) for e in errs]
                      for name, errs in form.errors.items()}
            return JsonResponse({"ok": False, "message": _("尚未自动保存：有栏目需要修改。"), "errors": errors}, status=400)
        messages.error(request, _("有内容需要修改，请查看标红的栏目；您填写的内容尚未保存，仍保留在页面上。"))
        if request.FILES.get("file") or request.POST.get("delete_attachment"):
            messages.warning(request, _("附件操作未执行：请先改正标红的栏目，再重新选择文件或删除。"))
        return render(request, "applications/edit.html", _page_context(application, form=form), status=400)
    try:
        saved = services.application_save_draft(
            application=application,
            actor=request.user,
            version=form.cleaned_data["version"],
            changes=form.changes(),
            sections=form.changed_sections(),
            autosave=autosave,
        )
    except services.StaleApplication as exc:
        if autosave:
            return JsonResponse({"ok": False, "conflict": True, "message": str(exc)}, status=409)
        return _conflict(request, application, form, exc)
    except services.ApplicationError as exc:
        if autosave:
            return JsonResponse({"ok": False, "message": str(exc)}, status=409)
        messages.error(request, str(exc))
        return render(request, "applications/edit.html", _page_context(application, form=form), status=409)
    saved_at = timezone.localtime(saved.updated_at).strftime("%H:%M:%S")
    if autosave:
        return JsonResponse({"ok": True, "version": saved.version, "saved_at": saved_at,
                             "message": _("已自动保存 %(t)s") % {"t": saved_at}})
    messages.success(request, _("已保存（第 %(v)d 版，%(t)s）。") % {"v": saved.version, "t": saved_at})
    status = _attachment_actions(request, saved)
    if status is not None:
        return _back_to_form(saved, status=status, request=request)
    if "check" in request.POST:
        return redirect("applications:check", pk=pk)
    if "upload" in request.POST or "delete_attachment" in request.POST:
        return redirect(reverse("applications:edit", args=[pk]) + "#attachments")
    return redirect("applications:edit", pk=pk)


def _attachment_actions(request, application) -> int | None:
    """After the draft is saved: add the chosen file, or delete the attachment asked for.
    Returns the status of a refusal (the page is shown again), None when done or nothing asked."""
    delete_pk = request.POST.get("delete_attachment")
    if delete_pk:
        attachment = Attachment.objects.filter(pk=delete_pk if delete_pk.isdigit() else 0, application=application).first()
        if attachment is None:
            messages.error(request, _("要删除的附件不存在或已被删除。"))
            return 404
        try:
            services.attachment_delete(attachment=attachment, actor=request.user)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return 400
        messages.success(request, _("已删除“%(name)s”。") % {"name": attachment.original_name})
        return None
    if not (request.FILES.get("file") or "upload" in request.POST):
        return None
    return _upload(request, application)


def _upload(request, application) -> int | None:
    """Add the posted file (fields `purpose` and `file`); None when added, else the refusal's status."""
    if not request.FILES.get("file"):
        messages.error(request, _("请选择要上传的文件。"))
        return 400
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.errors["file"][0] if form.errors.get("file") else _("请选择文件和用途。"))
        return 400
    try:
        attachment = services.attachment_add(
            application=application, actor=request.user, upload=form.cleaned_data["file"], purpose=form.cleaned_data["purpose"]
        )
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
        return 400
    messages.success(request, _("已上传“%(name)s”。") % {"name": attachment.original_name})
    return None


def _conflict(request, application, form, exc: services.StaleApplication):
    """Keep what the user typed; show what the other save contains; the next save overwrites."""
    current = exc.current
    data = request.POST.copy()
    data["version"] = str(current.version)
    kept = ApplicationForm(data, application=current, editable=editability(current).sections)
    kept.is_valid()
    theirs = ApplicationForm(application=current, editable=set())
    differences = []
    for name, field in kept.fields.items():
        if name == "version" or field.disabled:
            continue
        mine_value = kept.cleaned_data.get(name) if hasattr(kept, "cleaned_data") else None
        their_value = theirs[name].initial if name in theirs.fields else None
        if (mine_value or None) != (their_value or None) and str(mine_value or "") != str(their_value or ""):
            differences.append({"label": field.label, "theirs": their_value})
    messages.error(request, str(exc))
    return render(
        request,
        "applications/edit.html",
        _page_context(current, form=kept, conflict=True, differences=differences),
        status=409,
    )


@verified_required
def check(request, pk: int):
    """The pre-check (资格预审) the applicant sees before submitting; POST submits."""
    application = selectors.application_for_applicant(request.user, pk)
    report = eligibility.evaluate(application)
    context = {
        "application": application,
        "cycle": application.cycle,
        "report": report,
        "window_open": application.cycle.is_open(),
    }
    if request.method == "POST":
        if application.status == ApplicationStatus.SUPPLEMENT_REQUESTED:
            try:
                services.application_resubmit(application=application, actor=request.user, reason=_posted_reason(request))
            except services.ApplicationError as exc:
                messages.error(request, str(exc))
                return render(request, "applications/check.html", context, status=409)
            messages.success(request, _("补充材料已提交，申报回到评审中。"))
            return redirect("applications:detail", pk=pk)
        try:
            services.application_submit(application=application, actor=request.user)
        except services.SubmissionBlocked as exc:
            context["report"] = exc.report
            messages.error(request, _("尚有不符合的条件，暂不能提交。请根据下表修改后再提交。"))
            return render(request, "applications/check.html", context, status=409)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return render(request, "applications/check.html", context, status=409)
        return redirect("applications:receipt", pk=pk)
    return render(request, "applications/check.html", context)


def _posted_reason(request) -> str:
    """The optional 说明 posted with a withdrawal or a resubmission ("" when missing or too long)."""
    form = ReasonForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("reason", "")


@verified_required
def receipt(request, pk: int):
    application = selectors.application_for_applicant(request.user, pk)
    if not application.number:
        raise Http404
    return render(request, "applications/receipt.html", {"application": application, "cycle": application.cycle})


@verified_required
@require_POST
def withdraw(request, pk: int):
    application = selectors.application_for_applicant(request.user, pk)
    run_action(request, lambda: services.application_withdraw(
        application=application, actor=request.user, reason=_posted_reason(request)),
        _("申报已撤回。"), errors=(services.ApplicationError,))
    return redirect("applications:detail", pk=pk)


@verified_required
@require_POST
def attachment_upload(request, pk: int):
    """An upload on its own (the application page posts uploads with the whole form: views.edit)."""
    application = selectors.application_for_applicant(request.user, pk)
    status = _upload(request, application)
    return _back_to_form(application, status=status or 302, request=request)


def _back_to_form(application, *, request, status: int = 302):
    editing = editability(application)
    if status == 302:
        name = "applications:edit" if editing.anything else "applications:detail"
        return redirect(reverse(name, args=[application.pk]) + "#attachments")
    # A refused upload: show the page again (the form text is not part of this request).
    form = ApplicationForm(application=application, editable=editing.sections)
    template = "applications/edit.html" if editing.anything else "applications/detail.html"
    return render(request, template, _page_context(application, form=form, history=[]), status=status)


@verified_required
@require_POST
def attachment_delete(request, pk: int, attachment_pk: int):
    application = selectors.application_for_applicant(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=application)
    run_action(request, lambda: services.attachment_delete(attachment=attachment, actor=request.user),
               _("已删除“%(name)s”。") % {"name": attachment.original_name}, errors=(services.ApplicationError,))
    return _back_to_form(application, request=request)


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.attachment_for_user(request.user, pk)
    return private_file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


# ---- recommending units -------------------------------------------------------------------


@login_required
def nominations(request):
    units = selectors.units_of(request.user)
    if not units:
        raise Http404
    categories = selectors.nominable_categories(units)
    form = NominationForm(request.POST or None, categories=categories)
    if request.method == "POST":
        if form.is_valid():
            category = form.cleaned_data["category"]
            unit = next((u for u in units if u.organiser_id == category.cycle.programme.organiser_id), None)
            data = form.cleaned_data
            sent = run_action(request, lambda: services.nomination_create(
                actor=request.user, unit=unit, category=category, nominee_name=data["nominee_name"],
                nominee_email=data["nominee_email"], reason=data["reason"], base_url=request.build_absolute_uri("/")[:-1]),
                _("已推荐并向 %(email)s 发送邀请。") % {"email": data["nominee_email"]}, errors=(services.ApplicationError,))
            if sent:
                return redirect("applications:nominations")
        status = 400
    else:
        status = 200
    return render(
        request,
        "applications/nominations.html",
        {
            "units": units,
            "form": form,
            "nominations": list(selectors.nominations_for(units)),
            "recommended": list(selectors.recommended_applications(units)),
        },
        status=status,
    )


@login_required
@require_POST
def nomination_cancel(request, pk: int):
    units = selectors.units_of(request.user)
    nomination = get_object_or_404(Nomination, pk=pk, recommending_unit__in=units)
    run_action(request, lambda: services.nomination_cancel(nomination=nomination, actor=request.user), _("推荐已取消。"),
               errors=(services.ApplicationError,))
    return redirect("applications:nominations")


def nomination_accept(request, token: str):
    try:
        nomination = services.nomination_from_token(token)
    except services.ApplicationError as exc:
        return render(request, "applications/nomination_accept.html", {"error": str(exc)}, status=400)
    if not request.user.is_authenticated:
        return render(request, "applications/nomination_accept.html", {"nomination": nomination, "token": token})
    if not request.user.email_verified:
        return redirect("accounts:verify_pending")
    organisations = list(OrganisationProfile.objects.filter(owner=request.user))
    person = PersonProfile.objects.filter(owner=request.user).first()
    context = {"nomination": nomination, "token": token, "organisations": organisations, "person": person}
    if request.method == "POST":
        organisation = None
        if nomination.category.applicant_kind == ApplicantKind.ORGANISATION:
            organisation = next((o for o in organisations if str(o.pk) == request.POST.get("organisation")), None)
        try:
            application = services.nomination_accept(nomination=nomination, actor=request.user, organisation=organisation)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return render(request, "applications/nomination_accept.html", context, status=400)
        messages.success(request, _("已接受推荐，请填写申报材料。"))
        return redirect("applications:edit", pk=application.pk)
    return render(request, "applications/nomination_accept.html", context)


# ---- staff: credit list -------------------------------------------------------------------


@login_required
def blacklist(request):
    organiser_ids = rules.staff_organiser_ids(request.user)
    organisers = Organiser.objects.all() if organiser_ids is None else Organiser.objects.filter(pk__in=organiser_ids)
    if not organisers.exists():
        raise Http404
    form = BlacklistImportForm(request.POST or None, request.FILES or None, organisers=organisers)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = services.blacklist_import(
                organiser=form.cleaned_data["organiser"], actor=request.user, lines=form.cleaned_data["lines"], source=form.cleaned_data["source"]
            )
            messages.success(request, _("已导入：新增 %(c)d 条，更新 %(u)d 条。") % {"c": result["created"], "u": result["updated"]})
            if result["rejected"]:
                status = 400
        else:
            status = 400
    from .models import CreditBlacklistEntry

    entries = CreditBlacklistEntry.objects.filter(organiser__in=organisers).select_related("organiser", "added_by").order_by("-added_at")[:200]
    return render(request, "applications/blacklist.html", {"form": form, "result": result, "entries": entries}, status=status)

