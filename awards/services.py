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


@transaction.atomic
def move_stage(*, stage: Stage, direction: str, actor) -> Stage | None:
    """Swap a stage with its neighbour above ("up") or below ("down") in the cycle's order.

    Two-phase renumbering inside one transaction (the order is unique in the cycle): the moving stage is
    parked on a free number first. Returns the neighbour it swapped with, or None at either end.
    """
    stages = list(Stage.objects.select_for_update().filter(cycle_id=stage.cycle_id).order_by("order"))
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other_index < len(stages):
        return None
    mine, other = stages[index], stages[other_index]
    renumber_stages(stages=[mine, other], orders={mine.pk: other.order, other.pk: mine.order}, actor=actor, reason=_("调整环节顺序"))
    return other


def renumber_stages(*, stages: list[Stage], orders: dict[int, int], actor, reason: str) -> None:
    """Give stages new orders without ever holding two rows on one number (two phases), each change logged.
    Call inside the transaction that makes the change; `stages` are the rows whose order changes."""
    moving = [s for s in stages if orders.get(s.pk, s.order) != s.order]
    if not moving:
        return
    cycle_id = moving[0].cycle_id
    top = Stage.objects.filter(cycle_id=cycle_id).aggregate(top=Max("order"))["top"] or 0
    parked = max(top, *orders.values()) + 1
    for offset, stage in enumerate(moving):
        Stage.objects.filter(pk=stage.pk).update(order=parked + offset)
    for stage in moving:
        before = stage.order
        stage.order = orders[stage.pk]
        Stage.objects.filter(pk=stage.pk).update(order=stage.order)
        log_activity(actor=actor, action="config.update", target=stage, before={"order": before}, after={"order": stage.order}, reason=reason)
