"""Writes of programme configuration that more than one entry point makes (admin, loader, staff pages).

Keyword-only, one transaction each, every change in the activity log.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.services import log_activity, model_snapshot

from .models import Organiser, Rubric, RubricCriterion, Stage

RUBRIC_COPY_FIELDS = ["name", "standard", "total_points", "is_official", "note"]


def organiser_rubric_code(template: Rubric, organiser: Organiser) -> str:
    return f"{organiser.code}-{template.code}"[:60]


@transaction.atomic
def adopt_rubric(*, rubric: Rubric, organiser: Organiser, actor=None, reason: str = "") -> Rubric:
    """The rubric a category of `organiser` scores with when it is given `rubric`.

    A template (no organiser) is copied to the organiser on first use, criteria and all, and that copy is
    reused afterwards; the organiser's own rubric is itself. Another organiser's rubric is refused
    (ValueError with the reason), so a district never scores with, or edits, a rubric of another.
    """
    if rubric.organiser_id == organiser.pk:
        return rubric
    if rubric.organiser_id is not None:
        raise ValueError(
            _("评分标准“%(r)s”属于%(o)s，不能用于%(mine)s的类别。") % {"r": rubric.code, "o": rubric.organiser, "mine": organiser}
        )
    existing = Rubric.objects.filter(organiser=organiser, copied_from=rubric).order_by("pk").first()
    if existing is not None:
        return existing
    copy = Rubric.objects.create(
        organiser=organiser, copied_from=rubric, code=organiser_rubric_code(rubric, organiser),
        **{name: getattr(rubric, name) for name in RUBRIC_COPY_FIELDS},
    )
    by_old: dict[int, RubricCriterion] = {}
    # Parents before children: a parent's order and id precede its children's in a tree loaded top-down,
    # but we do not rely on it — repeat until every row whose parent is copied is copied.
    pending = list(rubric.criteria.order_by("order", "id"))
    while pending:
        rest = []
        for criterion in pending:
            if criterion.parent_id and criterion.parent_id not in by_old:
                rest.append(criterion)
                continue
            by_old[criterion.pk] = RubricCriterion.objects.create(
                rubric=copy, parent=by_old.get(criterion.parent_id), code=criterion.code, name=criterion.name,
                max_points=criterion.max_points, kind=criterion.kind, order=criterion.order, guidance=criterion.guidance,
            )
        if len(rest) == len(pending):  # a parent outside the rubric: keep the rows as roots rather than lose them
            for criterion in rest:
                by_old[criterion.pk] = RubricCriterion.objects.create(
                    rubric=copy, code=criterion.code, name=criterion.name, max_points=criterion.max_points,
                    kind=criterion.kind, order=criterion.order, guidance=criterion.guidance,
                )
            rest = []
        pending = rest
    log_activity(
        actor=actor, action="config.create", target=copy, organiser=organiser,
        after={**model_snapshot(copy, ["code", *RUBRIC_COPY_FIELDS]), "copied_from": rubric.code, "criteria": len(by_old)},
        reason=reason or _("模板评分标准首次用于本机构，复制为本机构的评分标准"),
    )
    return copy


def park_stage_orders(*, cycle_id: int, stage_ids: list[int]) -> None:
    """First phase of renumbering a cycle's stages (the order is unique in the cycle, so swapping two stages
    row by row would collide): move the stages about to get new orders onto free numbers above the highest.
    The caller then saves each stage with its new order, and logs it, in the same transaction."""
    if not stage_ids:
        return
    top = Stage.objects.filter(cycle_id=cycle_id).aggregate(top=Max("order"))["top"] or 0
    for offset, pk in enumerate(sorted(stage_ids), start=1):
        Stage.objects.filter(pk=pk, cycle_id=cycle_id).update(order=top + offset)
