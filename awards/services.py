"""Writes of programme configuration that more than one entry point makes (admin, loader, staff pages).

Keyword-only, one transaction each, every change in the activity log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.services import log_activity, model_snapshot

from .models import (
    Category,
    CategoryRubric,
    Cycle,
    EligibilityRule,
    Organiser,
    PastWinner,
    Programme,
    ReviewBody,
    Rubric,
    RubricCriterion,
    Stage,
)
from .selectors import winner_counts

# What a copy of a template keeps: every field of the rubric and of each criterion but its identity and
# place (so fields added later, such as English names or feedback switches, are copied too).
RUBRIC_COPY_FIELDS = [f.name for f in Rubric._meta.concrete_fields if f.name not in ("id", "code", "organiser", "copied_from")]
CRITERION_COPY_FIELDS = [f.name for f in RubricCriterion._meta.concrete_fields if f.name not in ("id", "rubric", "parent")]


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
                rubric=copy, parent=by_old.get(criterion.parent_id), **{name: getattr(criterion, name) for name in CRITERION_COPY_FIELDS},
            )
        if len(rest) == len(pending):  # a parent outside the rubric: keep the rows as roots rather than lose them
            for criterion in rest:
                by_old[criterion.pk] = RubricCriterion.objects.create(
                    rubric=copy, **{name: getattr(criterion, name) for name in CRITERION_COPY_FIELDS},
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


CYCLE_KEPT_OUT = {"id", "code", "name", "name_en", "year", "application_opens_at", "application_closes_at", "held_on",
                  "held_on_text", "previous_cycle", "previous_held_on_text", "previous_quota_collective",
                  "previous_quota_individual"}


def _copy_fields(instance, skip: set[str]) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.name not in skip and f.attname not in skip}


@transaction.atomic
def clone_cycle(*, source: Cycle, code: str, name: str, year: int, opens_at, closes_at, actor, name_en: str = "") -> Cycle:
    """The next 届 of a programme: a new cycle with the source's categories (quotas, prizes, rubrics, rules),
    stages, and review bodies, under a new code and window, linked to the source as its previous cycle.

    上届名额 are the source's actual winners (portal approvals, else the past-winners register) when it has
    any, else its quotas. Stage dates are not copied (they belong to the old year). Raises ValidationError
    (nothing written) when the code is taken or the window is not in order.
    """
    problems = {}
    if Cycle.objects.filter(code=code).exists():
        problems["code"] = _("代码“%(c)s”已被使用，请另取一个。") % {"c": code}
    if opens_at and closes_at and closes_at <= opens_at:
        problems["closes_at"] = _("申报截止时间必须晚于开始时间。")
    if problems:
        raise ValidationError(problems)
    counts = winner_counts(source)
    categories = list(source.categories.prefetch_related("rules", "rubric_choices").order_by("order", "id"))
    if counts is None:
        counts = (
            sum(c.quota or 0 for c in categories if c.is_collective) if any(c.is_collective for c in categories) else None,
            sum(c.quota or 0 for c in categories if not c.is_collective) if any(not c.is_collective for c in categories) else None,
        )
    cycle = Cycle(
        **_copy_fields(source, CYCLE_KEPT_OUT), code=code, name=name, name_en=name_en, year=year,
        application_opens_at=opens_at, application_closes_at=closes_at, previous_cycle=source,
        previous_held_on_text=source.held_on_text, previous_quota_collective=counts[0], previous_quota_individual=counts[1],
    )
    cycle.full_clean()
    cycle.save()
    for category in categories:
        copy = Category.objects.create(**_copy_fields(category, {"id", "cycle"}), cycle=cycle)
        for choice in category.rubric_choices.all():
            CategoryRubric.objects.create(category=copy, organisation_type=choice.organisation_type, rubric_id=choice.rubric_id)
        for rule in category.rules.all():
            EligibilityRule.objects.create(**_copy_fields(rule, {"id", "category"}), category=copy)
    for stage in source.stages.order_by("order"):
        Stage.objects.create(**_copy_fields(stage, {"id", "cycle", "planned_start", "planned_end"}), cycle=cycle)
    for body in source.review_bodies.order_by("id"):
        ReviewBody.objects.create(**_copy_fields(body, {"id", "cycle"}), cycle=cycle)
    log_activity(
        actor=actor, action="config.create", target=cycle,
        after={
            "code": code, "name": name, "year": year, "application_opens_at": opens_at, "application_closes_at": closes_at,
            "previous_cycle": source.code, "previous_quota_collective": counts[0], "previous_quota_individual": counts[1],
            "categories": len(categories), "stages": cycle.stages.count(), "review_bodies": cycle.review_bodies.count(),
        },
        reason=_("复制自 %(c)s（下一届）") % {"c": source.code},
    )
    return cycle


@transaction.atomic
def import_past_winners(*, programme: Programme, rows: list[dict], actor, source_name: str) -> list[PastWinner]:
    """Write a previewed, fully valid list into the register: all rows or none, each checked again
    (check characters, duplicates), the import logged with its counts per year."""
    from .past_winners import classify_identifier

    created = []
    for row in rows:
        kind, identifier = classify_identifier(row["identifier"])
        if PastWinner.objects.filter(programme=programme, year=row["year"], identifier=identifier, award=row["award"]).exists():
            raise ValidationError(_("第%(n)d行：名单中已有该获奖记录。") % {"n": row["line"]})
        created.append(PastWinner.objects.create(
            programme=programme, year=row["year"], name=row["name"], identifier_kind=kind, identifier=identifier,
            award=row["award"], source_name=source_name[:200], imported_by=actor,
        ))
    by_year: dict[int, int] = {}
    for winner in created:
        by_year[winner.year] = by_year.get(winner.year, 0) + 1
    log_activity(
        actor=actor, action="config.import", target=programme,
        after={"past_winners": len(created), "by_year": {str(y): n for y, n in sorted(by_year.items())}, "file": source_name},
        reason=_("导入往届获奖名单"),
    )
    return created
