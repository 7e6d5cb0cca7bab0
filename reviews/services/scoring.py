"""Scoresheets within item maxima, reopening, and the cut-off of a scored stage."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicationStatus
from awards.models import Stage
from awards.rubrics import leaf_criteria
from core.services import log_activity
from reviews import workflow
from reviews.conflicts import conflict_reasons
from reviews.models import (
    Assignment,
    CutoffDecision,
    ItemScore,
    Scoresheet,
)
from reviews.services.assignment import declarations_for
from reviews.services.transitions import TransitionError, apply_transition

# ---------------------------------------------------------------------------------------------
# Scoring


def points(value: Decimal) -> str:
    """50.00 → "50", 7.50 → "7.5"."""
    return format(Decimal(value).normalize(), "f")


class ScoreError(ValidationError):
    """Field errors keyed by criterion id (or "opinion"/"__all__")."""


def _parse_score(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(_("请输入数字。")) from None
    if not value.is_finite():
        raise ValueError(_("请输入数字。"))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("最多保留两位小数。"))
    return value


def scoresheet_for(assignment: Assignment) -> Scoresheet:
    """The assignment's scoresheet, created on first use with the category's rubric."""
    from reviews.selectors import rubric_for

    sheet = Scoresheet.objects.filter(assignment=assignment).first()
    if sheet is not None:
        return sheet
    rubric = rubric_for(assignment.application)
    if rubric is None:
        raise ScoreError({"__all__": [_("本类别尚未配置评分标准，请联系评审办公室。")]})
    sheet, _created = Scoresheet.objects.get_or_create(assignment=assignment, defaults={"rubric": rubric})
    return sheet


def _expert_may_score(assignment: Assignment) -> None:
    if assignment.status != Assignment.Status.ACTIVE:
        raise ScoreError({"__all__": [_("您已回避此申报。")]})
    declarations = declarations_for([assignment.application_id], [assignment.expert_id])
    if conflict_reasons(assignment.expert, assignment.application, declarations):
        raise ScoreError({"__all__": [_("您须回避此申报，不能评分。")]})
    if (assignment.expert_id, assignment.application_id) not in declarations:
        raise ScoreError({"__all__": [_("请先作回避声明。")]})
    application = assignment.application
    if application.status != ApplicationStatus.IN_REVIEW or application.current_stage_id != assignment.stage_id:
        raise ScoreError({"__all__": [_("申报当前不在“%(s)s”环节，不能评分。") % {"s": assignment.stage.name}]})


def save_scores(*, assignment: Assignment, scores: dict, opinion: str, actor, submit: bool = False,
                comments: dict | None = None) -> Scoresheet:
    """Save an expert's item scores (draft), or submit them (then locked). An item score is never
    above the item's maximum; submitting needs every item and an opinion. Every change is logged."""
    _expert_may_score(assignment)
    with transaction.atomic():
        sheet = scoresheet_for(assignment)
        sheet = Scoresheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.is_locked:
            raise ScoreError({"__all__": [_("评分表已提交锁定；如需修改请联系评审办公室重新开放。")]})
        criteria = leaf_criteria(sheet.rubric)
        errors: dict[str, list[str]] = {}
        parsed: dict[int, Decimal | None] = {}
        for criterion in criteria:
            raw = scores.get(criterion.pk, scores.get(str(criterion.pk)))
            try:
                value = _parse_score(raw)
            except ValueError as exc:
                errors[str(criterion.pk)] = [str(exc)]
                continue
            if value is not None and value < 0:
                errors[str(criterion.pk)] = [_("得分不能为负数。")]
            elif value is not None and value > criterion.max_points:
                errors[str(criterion.pk)] = [_("%(code)s %(name)s 的得分不能超过该项满分 %(max)s 分。") % {
                    "code": criterion.code, "name": criterion.name, "max": points(criterion.max_points)}]
            elif value is None and submit:
                errors[str(criterion.pk)] = [_("提交前请为每一项评分。")]
            parsed[criterion.pk] = value
        if submit and not (opinion or "").strip():
            errors["opinion"] = [_("提交前请填写评审意见。")]
        if errors:
            raise ScoreError(errors)
        existing = {item.criterion_id: item for item in sheet.items.all()}
        codes = {c.pk: c.code for c in criteria}
        before, after = {}, {}
        comments = comments or {}
        upserts: list[ItemScore] = []
        removed: list[int] = []
        for criterion_id, value in parsed.items():
            item = existing.get(criterion_id)
            comment = str(comments.get(criterion_id, comments.get(str(criterion_id), item.comment if item else "")) or "")[:500]
            old = item.score if item else None
            if value is None:
                if item is not None:
                    removed.append(item.pk)
                    before[codes[criterion_id]] = old
                    after[codes[criterion_id]] = None
                continue
            if item is None or item.score != value or item.comment != comment:
                upserts.append(ItemScore(scoresheet=sheet, criterion_id=criterion_id, score=value, comment=comment))
            if old != value:
                before[codes[criterion_id]] = old
                after[codes[criterion_id]] = value
        # The new and changed items in one statement (an upsert on the scoresheet × criterion key), the
        # cleared ones in another: a save of 23 items is 2 writes, not 23.
        if upserts:
            ItemScore.objects.bulk_create(upserts, update_conflicts=True, unique_fields=["scoresheet", "criterion"],
                                          update_fields=["score", "comment"])
        if removed:
            ItemScore.objects.filter(pk__in=removed).delete()
        old_total, old_opinion = sheet.total, sheet.opinion
        sheet.total = sum((v for v in parsed.values() if v is not None), Decimal(0))
        sheet.opinion = (opinion or "").strip()
        if submit:
            sheet.status = Scoresheet.Status.SUBMITTED  # a Scoresheet, not the application
            sheet.submitted_at = timezone.now()
        sheet.save()
        if before or submit or old_opinion != sheet.opinion:
            log_activity(
                actor=actor,
                action="reviews.scores.submit" if submit else "reviews.scores.save",
                target=assignment.application,
                before={"expert": assignment.expert.name, "stage": assignment.stage.code, "items": before, "total": old_total},
                after={"expert": assignment.expert.name, "stage": assignment.stage.code, "items": after, "total": sheet.total,
                       "opinion_changed": old_opinion != sheet.opinion},
            )
    return sheet


def reopen_scoresheet(*, scoresheet: Scoresheet, actor, reason: str) -> Scoresheet:
    """Staff unlock a submitted scoresheet so the expert may correct it; the reason is logged."""
    if not reason.strip():
        raise ValidationError(_("请填写重新开放的理由。"))
    with transaction.atomic():
        sheet = Scoresheet.objects.select_for_update().select_related("assignment__application", "assignment__expert",
                                                                      "assignment__stage").get(pk=scoresheet.pk)
        if not sheet.is_locked:
            raise ValidationError(_("评分表尚未提交，无需重新开放。"))
        sheet.status = Scoresheet.Status.DRAFT  # a Scoresheet, not the application
        sheet.submitted_at = None
        sheet.reopened_count += 1
        sheet.save(update_fields=["status", "submitted_at", "reopened_count", "updated_at"])
        log_activity(actor=actor, action="reviews.scores.reopen", target=sheet.assignment.application,
                     before={"expert": sheet.assignment.expert.name, "stage": sheet.assignment.stage.code, "sheet": "submitted"},
                     after={"sheet": "draft", "reopened_count": sheet.reopened_count}, reason=reason.strip())
    return sheet




# ---------------------------------------------------------------------------------------------
# Cut-off: who advances from a scored or comprehensive stage


class CutoffError(ValidationError):
    pass


def cutoff_plan(*, stage: Stage, category, method: str, value: Decimal):
    """(ranking rows to advance, rows to fail) among applications now at `stage` in `category`."""
    from reviews.selectors import category_ranking

    rows = [r for r in category_ranking(stage=stage, category=category)
            if r.application.current_stage_id == stage.pk and r.application.status == ApplicationStatus.IN_REVIEW]
    if method == CutoffDecision.Method.TOP_K:
        if value != value.to_integral_value() or value < 0:
            raise CutoffError(_("名次须为非负整数。"))
        advance = rows[: int(value)]
    elif method == CutoffDecision.Method.MIN_SCORE:
        advance = [r for r in rows if r.score is not None and r.score >= value]
    else:
        raise CutoffError(_("未知的分数线方式。"))
    chosen = {r.application.pk for r in advance}
    return advance, [r for r in rows if r.application.pk not in chosen]


def apply_cutoff(*, stage: Stage, category, method: str, value: Decimal, actor, reason: str = "") -> CutoffDecision:
    """Advance those above the cut-off and fail the rest, all or nothing, through apply_transition."""
    if not workflow.kind_spec(stage.kind).ranked:
        raise CutoffError(_("只有评分环节和综合评价环节可以划定晋级线。"))
    advance, fail = cutoff_plan(stage=stage, category=category, method=method, value=value)
    unscored = [r.application.number or str(r.application.pk) for r in advance + fail if r.score is None]
    if unscored:
        raise CutoffError(_("以下申报尚无本环节得分，不能划线：%(l)s") % {"l": "、".join(unscored)})
    if not advance and not fail:
        raise CutoffError(_("本类别没有处于本环节的申报。"))
    label = (_("前 %(k)s 名") % {"k": int(value)}) if method == CutoffDecision.Method.TOP_K else (_("不低于 %(v)s 分") % {"v": value})
    problems = []
    with transaction.atomic():
        decision = CutoffDecision.objects.create(
            stage=stage, category=category, method=method, value=value, reason=reason.strip(), decided_by=actor,
            advanced=[r.application.pk for r in advance], failed=[r.application.pk for r in fail])
        for row in advance:
            try:
                apply_transition(application=row.application, name="advance", actor=actor,
                                 reason=_("晋级（%(l)s）：第 %(r)d 名，%(s)s 分。") % {"l": label, "r": row.rank, "s": row.score})
            except TransitionError as exc:
                problems.append(f"{row.application.number}：{exc}")
        for row in fail:
            try:
                apply_transition(application=row.application, name="fail", actor=actor,
                                 reason=_("未达到晋级线（%(l)s）：第 %(r)d 名，%(s)s 分。") % {"l": label, "r": row.rank, "s": row.score}
                                 + (f" {reason.strip()}" if reason.strip() else ""))
            except TransitionError as exc:
                problems.append(f"{row.application.number}：{exc}")
        if problems:
            transaction.set_rollback(True)
            raise CutoffError(problems)
        log_activity(actor=actor, action="reviews.cutoff", target=decision,
                     after={"stage": stage.code, "category": category.code, "method": method, "value": value,
                            "advanced": [r.application.number for r in advance], "failed": [r.application.number for r in fail]},
                     reason=reason.strip())
    return decision


