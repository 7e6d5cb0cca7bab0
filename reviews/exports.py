"""Excel exports (.xlsx, openpyxl) with Chinese headers; money in yuan and in 万元 as the office uses them."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from applications.models import Application
from applications.models import ApplicationStatus as S
from awards.models import Category, Cycle, Stage
from awards.selectors import format_wan
from reviews import selectors, workflow
from reviews.models import Award, ItemScore, MeetingDecision, Recommendation, RecommendationStatus, Scoresheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
YUAN_FORMAT = "#,##0.00"
WAN_FORMAT = "0.####"


def _wan(amount: Decimal | None) -> Decimal | None:
    """万元 as a number (exact, not a float): 500000 → 50."""
    if amount is None:
        return None
    return Decimal(format_wan(amount))


def _sheet(workbook: Workbook, title: str, headers: list[str], *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    return sheet


def _autosize(sheet) -> None:
    for index, column in enumerate(sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)), start=1):
        width = max((len(str(c.value)) if c.value is not None else 0) for c in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(8, width * 1.6 + 2), 60)


def _money_columns(sheet, columns: list[int], formats: list[str]) -> None:
    for row in sheet.iter_rows(min_row=2):
        for column, number_format in zip(columns, formats):
            row[column - 1].number_format = number_format


def _title_sheet(workbook: Workbook, cycle: Cycle, what: str) -> None:
    sheet = workbook.create_sheet("说明")
    sheet.append(["项目", cycle.programme.name])
    sheet.append(["周期", cycle.name])
    sheet.append(["内容", what])
    sheet.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append(["说明", "金额单位：元；“万元”列为同一金额除以10000。"])
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 60


def _applications(cycle: Cycle):
    return list(
        Application.objects.filter(cycle=cycle)
        .exclude(status=S.DRAFT)
        .select_related("organisation", "person", "category", "current_stage", "recommender")
        .order_by("category__order", "number")
    )


STATUS_LABELS = dict(S.choices)


def stage_result(application: Application, stage: Stage) -> str:
    """通过 / 未通过 / 评审中 / — for one stage, from the application's current stage and status."""
    current = application.current_stage
    if current is None:
        return "—"
    if application.status == S.AWARDED:
        return "通过"
    if stage.order < current.order:
        return "通过"
    if stage.order == current.order:
        if application.status == S.NOT_PASSED:
            return "未通过"
        if application.status == S.SUPPLEMENT_REQUESTED:
            return "待补充材料"
        return "评审中"
    return "—"


def _ranking_scores(cycle: Cycle, stages: list[Stage]) -> dict[tuple[int, int], Decimal]:
    """(stage id, application id) → aggregated score, from the reviews ranking when available."""
    scores: dict[tuple[int, int], Decimal] = {}
    categories = list(Category.objects.filter(cycle=cycle))
    for stage in stages:
        for category in categories:
            rows = selectors.category_ranking(stage=stage, category=category)
            for row in rows or []:
                if row.score is not None:
                    scores[(stage.pk, row.application.pk)] = row.score
    return scores


def applications_workbook(cycle: Cycle) -> Workbook:
    stages = list(Stage.objects.filter(cycle=cycle).order_by("order"))
    scored = [s for s in stages if s.kind in workflow.kinds_where("ranked")]
    scores = _ranking_scores(cycle, scored)
    awards = {a.application_id: a for a in Award.objects.filter(cycle=cycle)}
    recommended = set(
        Recommendation.objects.filter(cycle=cycle, status=RecommendationStatus.PROPOSED).values_list("application_id", flat=True)
    )
    headers = ["受理编号", "申报对象", "奖项类别", "推荐单位", "提交时间", "状态", "当前环节"]
    headers += [f"{s.name}" for s in stages]
    headers += [f"{s.name}得分" for s in scored]
    headers += ["列入推荐名单", "奖金（元）", "奖金（万元）"]
    workbook = Workbook()
    sheet = _sheet(workbook, "申报与环节结果", headers, first=True)
    for app in _applications(cycle):
        award = awards.get(app.pk)
        prize = award.prize_amount if award else None
        sheet.append(
            [app.number, app.applicant_name, app.category.name, app.recommender.name if app.recommender_id else "",
             timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M") if app.submitted_at else "",
             str(STATUS_LABELS.get(app.status, app.status)), app.current_stage.name if app.current_stage_id else ""]
            + [stage_result(app, s) for s in stages]
            + [scores.get((s.pk, app.pk)) for s in scored]
            + ["是" if app.pk in recommended or award else "", prize, _wan(prize)]
        )
    n = len(headers)
    _money_columns(sheet, [n - 1, n], [YUAN_FORMAT, WAN_FORMAT])
    _autosize(sheet)
    _title_sheet(workbook, cycle, "申报与各环节结果")
    return workbook


def scores_workbook(cycle: Cycle) -> Workbook:
    """Every item score of every submitted scoresheet: expert × item, per stage."""
    workbook = Workbook()
    headers = ["评审环节", "受理编号", "申报对象", "奖项类别", "专家", "评分状态", "条款号", "条款", "分值", "得分", "评语"]
    sheet = _sheet(workbook, "专家评分明细", headers, first=True)
    totals = _sheet(workbook, "专家总分", ["评审环节", "受理编号", "申报对象", "专家", "评分状态", "总分", "评审意见"])
    items = (
        ItemScore.objects.filter(scoresheet__assignment__stage__cycle=cycle)
        .select_related(
            "criterion", "scoresheet__assignment__expert", "scoresheet__assignment__stage",
            "scoresheet__assignment__application__organisation", "scoresheet__assignment__application__person",
            "scoresheet__assignment__application__category",
        )
        .order_by("scoresheet__assignment__stage__order", "scoresheet__assignment__application__number",
                  "scoresheet__assignment__expert__name", "criterion__order", "criterion_id")
    )
    for item in items:
        assignment = item.scoresheet.assignment
        app = assignment.application
        sheet.append([assignment.stage.name, app.number, app.applicant_name, app.category.name, assignment.expert.name,
                      str(item.scoresheet.get_status_display()), item.criterion.code, item.criterion.name,
                      item.criterion.max_points, item.score, item.comment])
    sheets = (
        Scoresheet.objects.filter(assignment__stage__cycle=cycle)
        .select_related("assignment__expert", "assignment__stage", "assignment__application__organisation",
                        "assignment__application__person")
        .order_by("assignment__stage__order", "assignment__application__number", "assignment__expert__name")
    )
    for scoresheet in sheets:
        assignment = scoresheet.assignment
        totals.append([assignment.stage.name, assignment.application.number, assignment.application.applicant_name,
                       assignment.expert.name, str(scoresheet.get_status_display()), scoresheet.total, scoresheet.opinion])
    _autosize(sheet)
    _autosize(totals)
    _title_sheet(workbook, cycle, "专家评分（专家 × 条款）")
    return workbook


def rankings_workbook(cycle: Cycle) -> Workbook:
    workbook = Workbook()
    stages = [s for s in Stage.objects.filter(cycle=cycle).order_by("order")
              if s.kind in workflow.kinds_where("ranked")]
    categories = list(Category.objects.filter(cycle=cycle).order_by("order", "id"))
    names = dict(Stage.objects.filter(cycle=cycle).values_list("code", "name"))
    first = True
    for stage in stages:
        for category in categories:
            rows = selectors.category_ranking(stage=stage, category=category)
            if rows is None:
                continue
            stage_codes = []
            for row in rows:
                for code in (getattr(row, "stage_scores", None) or {}):
                    if code not in stage_codes:
                        stage_codes.append(code)
            headers = ["名次", "受理编号", "申报对象", "得分", "评分专家数", "极差"] + [f"{names.get(c, c)}得分" for c in stage_codes]
            sheet = _sheet(workbook, f"{stage.name}-{category.order}", headers, first=first)
            first = False
            sheet.insert_rows(1)
            sheet["A1"] = f"{stage.name} · {category.name}"
            sheet["A1"].font = HEADER_FONT
            sheet.freeze_panes = "A3"
            for row in rows:
                stage_scores = getattr(row, "stage_scores", None) or {}
                sheet.append([row.rank, row.application.number, row.application.applicant_name, row.score,
                              getattr(row, "expert_count", None), getattr(row, "spread", None)]
                             + [stage_scores.get(c) for c in stage_codes])
            _autosize(sheet)
    if first:
        _sheet(workbook, "排名", ["说明"], first=True).append(["本周期没有评分环节，或各评分环节尚无得分可排名。"])
    # Meeting decisions are the ranking of meeting-based programmes (虹桥友谊奖).
    decisions = list(
        MeetingDecision.objects.filter(meeting__stage__cycle=cycle)
        .select_related("meeting__stage", "meeting__body", "application__organisation", "application__person",
                        "application__category")
        .order_by("meeting__stage__order", "meeting__held_on", "application__number")
    )
    if decisions:
        sheet = _sheet(workbook, "会议决定", ["会议环节", "会议日期", "评审机构", "受理编号", "申报对象", "奖项类别",
                                          "赞成", "反对", "弃权", "决定", "说明"])
        for d in decisions:
            sheet.append([d.meeting.stage.name, d.meeting.held_on, d.meeting.body.name, d.application.number,
                          d.application.applicant_name, d.application.category.name, d.votes_for, d.votes_against,
                          d.votes_abstain, str(d.get_outcome_display()), d.notes])
            sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
        _autosize(sheet)
    _title_sheet(workbook, cycle, "排名与会议决定")
    return workbook


def winners_workbook(cycle: Cycle) -> Workbook:
    winners = selectors.winners_for_cycle(cycle)
    approval = selectors.approval_for_cycle(cycle)
    workbook = Workbook()
    headers = ["序号", "奖项类别", "受理编号", "获奖对象", "奖金（元）", "奖金（万元）", "已发放（元）", "已发放（万元）",
               "发放日期", "凭证号", "精神奖励待遇", "批准文号"]
    sheet = _sheet(workbook, "获奖名单与奖金发放", headers, first=True)
    total_prize = Decimal(0)
    total_paid = Decimal(0)
    for index, row in enumerate(winners, start=1):
        paid = row.paid_amount if row.payments else None
        total_prize += row.prize or 0
        total_paid += paid or 0
        sheet.append([
            index, row.category.name, row.application.number, row.applicant_name, row.prize, _wan(row.prize), paid, _wan(paid),
            "、".join(p.paid_on.isoformat() for p in row.payments), "、".join(p.reference for p in row.payments),
            "；".join(f"{g.text}（{g.granted_on.isoformat()}）" for g in row.grants) or (row.reward_text if not row.prize else ""),
            row.award.approval.document_number,
        ])
    sheet.append(["合计", f"{len(winners)} 个", "", "", total_prize, _wan(total_prize), total_paid, _wan(total_paid)])
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
    _money_columns(sheet, [5, 6, 7, 8], [YUAN_FORMAT, WAN_FORMAT, YUAN_FORMAT, WAN_FORMAT])
    _autosize(sheet)
    by_category = _sheet(workbook, "分类别汇总", ["奖项类别", "名额", "获奖数", "奖金标准（元/个）", "奖金合计（元）", "奖金合计（万元）"])
    counts: dict[int, int] = {}
    for row in winners:
        counts[row.category.pk] = counts.get(row.category.pk, 0) + 1
    for category in Category.objects.filter(cycle=cycle).order_by("order", "id"):
        n = counts.get(category.pk, 0)
        subtotal = (category.prize_amount or Decimal(0)) * n if category.has_money_prize else None
        by_category.append([category.name, category.quota, n, category.prize_amount if category.has_money_prize else None,
                            subtotal, _wan(subtotal)])
    _money_columns(by_category, [4, 5, 6], [YUAN_FORMAT, YUAN_FORMAT, WAN_FORMAT])
    _autosize(by_category)
    what = "获奖名单与奖金发放"
    if approval:
        what += f"（{approval.approving_body} {approval.document_number}，{approval.approved_on.isoformat()}）"
    _title_sheet(workbook, cycle, what)
    return workbook


EXPORTS: dict[str, Callable[[Cycle], Workbook]] = {
    "applications": applications_workbook,
    "scores": scores_workbook,
    "rankings": rankings_workbook,
    "winners": winners_workbook,
}

EXPORT_LABELS = {
    "applications": "申报与环节结果",
    "scores": "专家评分明细",
    "rankings": "排名与会议决定",
    "winners": "获奖名单与奖金发放",
}


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
