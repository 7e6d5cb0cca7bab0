"""A cycle's structure as the pipeline reads it: its stages in order (read once per cycle instance), the stages
of a kind (公示, approval, award, the stage the recommendation list is drawn from), and the cycle objects that
list rows share instead of loading a copy each."""

from __future__ import annotations

from applications.models import Application, ApplicationStatus
from awards.models import Cycle, ReviewBody, Stage, StageKind
from reviews.models import (
    Publicity,
)

APPLICATION_RELATED = ("cycle__programme__organiser", "category", "current_stage", "organisation", "person", "recommender", "applicant")
REVIEWABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED,
              ApplicationStatus.NOT_PASSED, ApplicationStatus.AWARDED, ApplicationStatus.WITHDRAWN)


def cycle_stages(cycle: Cycle) -> list[Stage]:
    stages = getattr(cycle, "_ordered_stages", None)
    if stages is None:
        stages = list(cycle.stages.order_by("order"))
        cycle._ordered_stages = stages
    return stages


def share_cycle_objects(cycle: Cycle, applications, categories=None) -> None:
    """Give applications of `cycle` that cycle's own Cycle, Category and Stage instances (no join,
    no copy per row). Only the related-object caches are filled; no field of an application changes."""
    if categories is None:
        categories = list(cycle.categories.all()) if applications else []
    fields = {name: Application._meta.get_field(name) for name in ("cycle", "category", "current_stage")}
    known = {
        "cycle": {cycle.pk: cycle},
        "category": {c.pk: c for c in categories},
        "current_stage": {s.pk: s for s in cycle_stages(cycle)},
    }
    for application in applications:
        for name, field_ in fields.items():
            related = known[name].get(getattr(application, field_.attname))
            if related is not None:
                field_.set_cached_value(application, related)


def stages_of_kind(cycle: Cycle, kind: str) -> list[Stage]:
    return [s for s in cycle_stages(cycle) if s.kind == kind]


def publicity_stage(cycle: Cycle) -> Stage | None:
    found = stages_of_kind(cycle, StageKind.PUBLICITY)
    return found[0] if found else None


def approval_stage(cycle: Cycle) -> Stage | None:
    found = stages_of_kind(cycle, StageKind.APPROVAL)
    return found[0] if found else None


def award_stage(cycle: Cycle) -> Stage | None:
    found = stages_of_kind(cycle, StageKind.AWARD)
    return found[0] if found else None


def source_stage(cycle: Cycle) -> Stage | None:
    """The stage the recommendation list is drawn from: the one right before the 公示."""
    target = publicity_stage(cycle)
    stages = cycle_stages(cycle)
    if target is None:
        return None
    earlier = [s for s in stages if s.order < target.order]
    return earlier[-1] if earlier else None


def is_source_stage(stage: Stage) -> bool:
    """Whether the recommendation list is drawn from this stage (its candidates go on to 公示 only by publishing)."""
    source = source_stage(stage.cycle)
    return source is not None and source.pk == stage.pk


def listable_stages(cycle: Cycle) -> list[Stage]:
    """Stages whose applications in review may be put on the list: the source stage, and — until the 公示
    is published — the 公示 stage itself, for applications moved there by hand before entering it was
    tied to publishing (they would otherwise be stranded: never listed, never published)."""
    source = source_stage(cycle)
    if source is None:
        return []
    target = publicity_stage(cycle)
    if target is not None and not Publicity.objects.filter(stage=target).exists():
        return [source, target]
    return [source]


def body_for_stage(stage: Stage) -> ReviewBody | None:
    code = (stage.params or {}).get("body")
    return ReviewBody.objects.filter(cycle_id=stage.cycle_id, code=code).first()




