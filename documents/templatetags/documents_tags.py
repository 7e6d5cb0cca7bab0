"""{% document_panel subject %}: the Generate / status / download panel other pages include."""

from __future__ import annotations

from django import template

from awards.models import Cycle

from .. import rules, selectors
from ..kinds import KINDS, DocumentDataError, Subject, letter_for, not_ready

register = template.Library()

CYCLE_KINDS = ("request", "project_form", "work_plan", "score_summary", "publicity_notice", "award_decision", "certificate_batch")


def _request_cycles(cycle: Cycle) -> list[Cycle]:
    """The cycles of the newest 请示 that includes this cycle (the whole package), or []."""
    try:
        letter = letter_for([cycle])
    except DocumentDataError:
        return []
    return list(letter.cycles.order_by("lettercycle__order"))


@register.inclusion_tag("documents/_panel_body.html", takes_context=True)
def document_panel(context, subject, kinds=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    wanted = [k for k in (kinds.split(",") if isinstance(kinds, str) else kinds or []) if k]
    buttons = []
    cycle = application = award = None
    if isinstance(subject, Cycle):
        cycle = subject
        organiser = cycle.programme.organiser
        for code in wanted or CYCLE_KINDS:
            spec = KINDS.get(code)
            if spec is None or spec.subject not in ("cycle", "cycles"):
                continue
            if not rules.can_request(user, kind=code, organiser=organiser):
                continue
            cycles = (_request_cycles(cycle) or [cycle]) if code == "request" else [cycle]
            reason = not_ready(code, Subject(organiser=organiser, cycles=cycles))
            buttons.append({"kind": code, "label": spec.label, "cycles": [c.code for c in cycles], "not_ready": reason})
        documents = selectors.documents_for_subject(user=user, cycle=cycle, kinds=wanted or None)
    else:
        from applications.models import Application

        if isinstance(subject, Application):
            application = subject
        else:  # a reviews.Award (winner)
            award = subject
            application = subject.application
        organiser = application.cycle.programme.organiser
        codes = wanted or (["certificate"] if award is not None else ["application"])
        for code in codes:
            spec = KINDS.get(code)
            if spec is None or not rules.can_request(user, kind=code, organiser=organiser, application=application):
                continue
            reason = not_ready(code, Subject(organiser=organiser, cycles=[application.cycle], application=application, winner=award))
            buttons.append({"kind": code, "label": spec.label, "application": application.pk, "award": getattr(award, "pk", None),
                            "not_ready": reason})
        documents = selectors.documents_for_subject(user=user, application=application, kinds=codes)
    from ..fonts import face_report

    return {
        "request": request,
        "buttons": buttons,
        "stand_ins": [row for row in face_report() if not row["genuine"]] if buttons else [],
        "any_not_ready": any(button["not_ready"] for button in buttons),
        "documents": documents,
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def keep_words(text):
    """A header or label whose lines break only between words: each word in a no-wrap span
    (documents.rendering.keep_words says what a word is)."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from ..rendering import keep_words as pieces

    text = "" if text is None else str(text)
    # every piece is escaped (conditional_escape); only our own <span> wrappers are markup
    return mark_safe("".join(f'<span class="w">{conditional_escape(piece)}</span>' for piece in pieces(text)))  # nosec B703 B308
