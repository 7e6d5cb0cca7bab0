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


TEXT_FIELDS = ("comment", "strengths", "improvements")
TEXT_LIMITS = {"comment": 500, "strengths": 2000, "improvements": 2000}


def save_scores(*, assignment: Assignment, scores: dict, opinion: str, actor, submit: bool = False,
                comments: dict | None = None, strengths: dict | None = None, improvements: dict | None = None) -> Scoresheet:
    """Save an expert's item scores (draft), or submit them (then locked). An item score is never
    above the item's maximum; submitting needs every item and an opinion. The item rows are written in one
    bulk statement (plus one delete for cleared items). Every change is logged.

    `comments`, `strengths` and `improvements` map criterion id → text; a criterion not named keeps its
    text. 优势 / 改进机会 are kept only for criteria that collect them (reviews.selectors.feedback_criteria)."""
    from reviews.selectors import feedback_criteria

    _expert_may_score(assignment)
    with transaction.atomic():
        sheet = scoresheet_for(assignment)
        sheet = Scoresheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.is_locked:
            raise ScoreError({"__all__": [_("评分表已提交锁定；如需修改请联系评审办公室重新开放。")]})
        criteria = leaf_criteria(sheet.rubric)
        with_feedback = {c.pk for c in feedback_criteria(sheet.rubric)}
        existing = {item.criterion_id: item for item in sheet.items.all()}
        given = {"comment": comments or {}, "strengths": strengths or {}, "improvements": improvements or {}}
        errors: dict[str, list[str]] = {}
        parsed: dict[int, Decimal | None] = {}
        texts: dict[int, dict[str, str]] = {}
        for criterion in criteria:
            raw = scores.get(criterion.pk, scores.get(str(criterion.pk)))
            item = existing.get(criterion.pk)
            texts[criterion.pk] = {}
            for key in TEXT_FIELDS:
                value = given[key].get(criterion.pk, given[key].get(str(criterion.pk)))
                if key != "comment" and criterion.pk not in with_feedback:
                    value = ""
                elif value is None:
                    value = getattr(item, key) if item else ""
                value = str(value).strip()
                if len(value) > TEXT_LIMITS[key]:
                    errors[f"{key}_{criterion.pk}"] = [_("不能超过 %(n)d 字。") % {"n": TEXT_LIMITS[key]}]
                texts[criterion.pk][key] = value
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
            elif value is None and any(texts[criterion.pk].values()):
                errors[str(criterion.pk)] = [_("已填写评语或优势、改进机会的条款，请先给出得分。")]
            parsed[criterion.pk] = value
        if submit and not (opinion or "").strip():
            errors["opinion"] = [_("提交前请填写评审意见。")]
        if errors:
            raise ScoreError(errors)
        codes = {c.pk: c.code for c in criteria}
        before, after, texts_before, texts_after = {}, {}, {}, {}
        rows, cleared = [], []
        for criterion_id, value in parsed.items():
            item = existing.get(criterion_id)
            old = item.score if item else None
            if value is None:
                if item is not None:
                    cleared.append(criterion_id)
                    before[codes[criterion_id]] = old
                    after[codes[criterion_id]] = None
                continue
            new_texts = texts[criterion_id]
            old_texts = {key: getattr(item, key) for key in TEXT_FIELDS} if item else {key: "" for key in TEXT_FIELDS}
            if item is None or old != value or old_texts != new_texts:
                rows.append(ItemScore(scoresheet=sheet, criterion_id=criterion_id, score=value, **new_texts))
            if old != value:
                before[codes[criterion_id]] = old
                after[codes[criterion_id]] = value
            changed = {key: new_texts[key] for key in TEXT_FIELDS if new_texts[key] != old_texts[key]}
            if changed:
                texts_before[codes[criterion_id]] = {key: old_texts[key] for key in changed}
                texts_after[codes[criterion_id]] = changed
        if rows:
            ItemScore.objects.bulk_create(rows, update_conflicts=True, unique_fields=["scoresheet", "criterion"],
                                          update_fields=["score", *TEXT_FIELDS])
        if cleared:
            ItemScore.objects.filter(scoresheet=sheet, criterion_id__in=cleared).delete()
        old_total, old_opinion = sheet.total, sheet.opinion
        sheet.total = sum((v for v in parsed.values() if v is not None), Decimal(0))
        sheet.opinion = (opinion or "").strip()
        if submit:
            sheet.status = Scoresheet.Status.SUBMITTED  # a Scoresheet, not the application
            sheet.submitted_at = timezone.now()
        sheet.save()
        if before or texts_after or submit or old_opinion != sheet.opinion:
            log_activity(
                actor=actor,
                action="reviews.scores.submit" if submit else "reviews.scores.save",
                target=assignment.application,
                before={"expert": assignment.expert.name, "stage": assignment.stage.code, "items": before, "total": old_total,
                        "texts": texts_before},
                after={"expert": assignment.expert.name, "stage": assignment.stage.code, "items": after, "total": sheet.total,
                       "texts": texts_after, "opinion_changed": old_opinion != sheet.opinion},
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
    return cutoff_split(rows, method=method, value=value)


def cutoff_split(rows, *, method: str, value: Decimal) -> tuple[list, list]:
    """The cut-off rule: (rows to advance, rows to fail) of `rows` — the ranking's rows still at the stage and
    in review, in rank order, each with a .score. cutoff_plan draws it over category_ranking(); the ranking
    page's preview over the stored ranking (reviews.selectors.cutoff_candidates), the same rows."""
    if method == CutoffDecision.Method.TOP_K:
        if value != value.to_integral_value() or value < 0:
            raise CutoffError(_("名次须为非负整数。"))
        advance = rows[: int(value)]
    elif method == CutoffDecision.Method.MIN_SCORE:
        advance = [r for r in rows if r.score is not None and r.score >= value]
    else:
        raise CutoffError(_("未知的分数线方式。"))
    chosen = {id(r) for r in advance}
    return advance, [r for r in rows if id(r) not in chosen]


def incomplete_refusal(rows) -> str | None:
    """The warning of a cut-off over ranking rows whose scoresheets are not all in (e.g. 3 of 5), or None."""
    return incomplete_notice([(r.application.number or r.application.applicant_name, r.sheets.submitted, r.sheets.assigned)
                              for r in rows if r.sheets.incomplete])


def incomplete_notice(items, total: int | None = None) -> str | None:
    """incomplete_refusal's text for (number or applicant name, submitted, assigned) of incomplete rows;
    with `total` above len(items) the list names these first ones and says how many there are in all."""
    if not items:
        return None
    listed = "、".join(_("%(n)s（已提交 %(s)d / 应提交 %(a)d）") % {"n": label, "s": submitted, "a": assigned}
                      for label, submitted, assigned in items)
    if total is not None and total > len(items):
        listed = _("%(listed)s 等，共 %(n)d 项") % {"listed": listed, "n": total}
    return _("以下申报的评分表尚未收齐：%(l)s。按不完整的评分划线须明确确认并说明理由。") % {"l": listed}


def apply_cutoff(*, stage: Stage, category, method: str, value: Decimal, actor, reason: str = "",
                 allow_incomplete: bool = False) -> CutoffDecision:
    """Advance those above the cut-off and fail the rest, all or nothing, through apply_transition.

    When some applications' scoresheets are not all in, the cut-off is refused unless staff say so
    explicitly (allow_incomplete) and give a reason; the override and the missing sheets are logged."""
    if not workflow.kind_spec(stage.kind).ranked:
        raise CutoffError(_("只有评分环节和综合评价环节可以划定晋级线。"))
    advance, fail = cutoff_plan(stage=stage, category=category, method=method, value=value)
    unscored = [r.application.number or str(r.application.pk) for r in advance + fail if r.score is None]
    if unscored:
        raise CutoffError(_("以下申报尚无本环节得分，不能划线：%(l)s") % {"l": "、".join(unscored)})
    if not advance and not fail:
        raise CutoffError(_("本类别没有处于本环节的申报。"))
    incomplete = [r for r in advance + fail if r.sheets.incomplete]
    if incomplete and not allow_incomplete:
        raise CutoffError(incomplete_refusal(incomplete))
    if incomplete and not reason.strip():
        raise CutoffError(_("评分表未收齐仍要划线时，须在“说明”中写明理由。"))
    label = (_("前 %(k)s 名") % {"k": int(value)}) if method == CutoffDecision.Method.TOP_K else (_("不低于 %(v)s 分") % {"v": value})
    problems = []
    at_stage = f"{ApplicationStatus.IN_REVIEW}:{stage.pk}"  # the state the plan was drawn for (see apply_transition)
    with transaction.atomic():
        decision = CutoffDecision.objects.create(
            stage=stage, category=category, method=method, value=value, reason=reason.strip(), decided_by=actor,
            advanced=[r.application.pk for r in advance], failed=[r.application.pk for r in fail])
        for row in advance:
            try:
                apply_transition(application=row.application, name="advance", actor=actor, expected_state=at_stage,
                                 reason=_("晋级（%(l)s）：第 %(r)d 名，%(s)s 分。") % {"l": label, "r": row.rank, "s": row.score})
            except TransitionError as exc:
                problems.append(f"{row.application.number}：{exc}")
        for row in fail:
            try:
                apply_transition(application=row.application, name="fail", actor=actor, expected_state=at_stage,
                                 reason=_("未达到晋级线（%(l)s）：第 %(r)d 名，%(s)s 分。") % {"l": label, "r": row.rank, "s": row.score}
                                 + (f" {reason.strip()}" if reason.strip() else ""))
            except TransitionError as exc:
                problems.append(f"{row.application.number}：{exc}")
        if problems:
            transaction.set_rollback(True)
            raise CutoffError(problems)
        log_activity(actor=actor, action="reviews.cutoff", target=decision,
                     after={"stage": stage.code, "category": category.code, "method": method, "value": value,
                            "advanced": [r.application.number for r in advance], "failed": [r.application.number for r in fail],
                            **({"incomplete_override": True,
                                "incomplete_sheets": {r.application.number: str(r.sheets) for r in incomplete}} if incomplete else {})},
                     reason=reason.strip())
    return decision




# ---------------------------------------------------------------------------------------------
# The aggregation method of a scored stage


def set_stage_aggregation(*, stage: Stage, method: str, actor, reason: str = "") -> Stage:
    """Change how a scored stage combines its experts' totals (mean, trimmed mean, median, z-score).

    The stage's parameters are validated as a whole by workflow.validate_stage_params (the rule the loader
    and the admin apply); the change, with both labels, goes to the activity log. Refused once a cut-off
    has been applied at the stage, since its results rest on the method in force then."""
    if stage.kind != "scored_review":
        raise ValidationError(_("只有评分环节可以选择汇总方式。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请说明更改汇总方式的理由。"))
    with transaction.atomic():
        stage = Stage.objects.select_for_update().select_related("cycle__programme__organiser").get(pk=stage.pk)
        params = dict(stage.params or {})
        before = params.get("aggregation", "mean")
        cleaned = workflow.validate_stage_params(stage.kind, {**params, "aggregation": method})
        if before == method:
            raise ValidationError(_("汇总方式未改变。"))
        if CutoffDecision.objects.filter(stage=stage).exists():
            raise ValidationError(_("本环节已划定晋级线，不能再更改汇总方式。"))
        stage.params = cleaned
        stage.save(update_fields=["params"])
        choice = workflow.kind_spec(stage.kind).params["aggregation"]
        log_activity(actor=actor, action="reviews.stage.aggregation", target=stage, reason=reason,
                     before={"aggregation": before, "label": choice.choice_label(before)},
                     after={"aggregation": method, "label": choice.choice_label(method)})
    return stage
