"""Excel exports (.xlsx, openpyxl) with Chinese headers; money in yuan and in 万元 as the office uses them.

Every workbook is written in openpyxl's write-only mode (with lxml): rows are streamed to the file as
they are read, in chunks from a server-side cursor, so an export of every item score of a 10,000-
application cycle stays within a few hundred MiB. The exports run as background jobs (ExportJob,
reviews.tasks.run_export): export_run() below is what the task does with a job — claim it, build the
workbook into a temporary file with progress, store it, record done (the job's transitions are
core.jobs.BackgroundJob's).
"""

from __future__ import annotations

import logging
import resource
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from applications.models import Application
from applications.models import ApplicationStatus as S
from awards.models import Category, Cycle, Stage
from awards.selectors import format_wan
from reviews import selectors, workflow
from reviews.models import (
    Award,
    ExportJob,
    ItemScore,
    MeetingDecision,
    Recommendation,
    RecommendationStatus,
    Scoresheet,
)

logger = logging.getLogger(__name__)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
YUAN_FORMAT = "#,##0.00"
WAN_FORMAT = "0.####"
DATE_FORMAT = "yyyy-mm-dd"
SAMPLE_ROWS = 200  # column widths come from the header and the first rows, as before the streaming
CHUNK = 5000  # rows per fetch of the server-side cursor
PROGRESS_EVERY = 5000  # rows between two progress updates of the job
STATUS_LABELS = dict(S.choices)
SHEET_STATUS_LABELS = dict(Scoresheet.Status.choices)

Progress = Callable[[int], None]


def _wan(amount: Decimal | None) -> Decimal | None:
    """万元 as a number (exact, not a float): 500000 → 50."""
    if amount is None:
        return None
    return Decimal(format_wan(amount))


class StreamSheet:
    """A write-only sheet. Write-only mode needs the column widths and the frozen panes before the
    first row, so the first SAMPLE_ROWS rows are held back, measured, and then written with the rest
    streaming straight to the file. `formats` maps a 1-based column to its number format."""

    def __init__(self, workbook: Workbook, title: str, headers: list[str], *, formats: dict[int, str] | None = None,
                 caption: str = "", progress: Progress | None = None):
        self.sheet = workbook.create_sheet(title[:31])
        self.headers = headers
        self.formats = formats or {}
        self.caption = caption
        self.progress = progress
        self.pending: list[tuple[list, bool]] | None = []
        self.rows = 0

    def _cells(self, values: Iterable, bold: bool = False) -> list:
        if not self.formats and not bold:
            return list(values)
        cells = []
        for column, value in enumerate(values, start=1):
            number_format = self.formats.get(column)
            if number_format is None and not bold:
                cells.append(value)
                continue
            cell = WriteOnlyCell(self.sheet, value=value)
            if number_format:
                cell.number_format = number_format
            if bold:
                cell.font = HEADER_FONT
            cells.append(cell)
        return cells

    def append(self, values: list, *, bold: bool = False) -> None:
        self.rows += 1
        if self.pending is not None:
            self.pending.append((values, bold))
            if len(self.pending) >= SAMPLE_ROWS:
                self._start()
        else:
            self.sheet.append(self._cells(values, bold))
        if self.progress is not None and self.rows % PROGRESS_EVERY == 0:
            self.progress(PROGRESS_EVERY)

    def _start(self) -> None:
        pending, self.pending = self.pending or [], None
        widths = [len(str(h)) for h in self.headers]
        for values, _bold in pending:
            for index, value in enumerate(values):
                if index < len(widths):
                    widths[index] = max(widths[index], len(str(value)) if value is not None else 0)
                else:
                    widths.append(len(str(value)) if value is not None else 0)
        if self.caption:
            widths[0] = max(widths[0], 8)
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = min(max(8, width * 1.6 + 2), 60)
        self.sheet.freeze_panes = "A3" if self.caption else "A2"
        if self.caption:
            caption = WriteOnlyCell(self.sheet, value=self.caption)
            caption.font = HEADER_FONT
            self.sheet.append([caption])
        header = []
        for title in self.headers:
            cell = WriteOnlyCell(self.sheet, value=title)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            header.append(cell)
        self.sheet.append(header)
        for values, bold in pending:
            self.sheet.append(self._cells(values, bold))

    def close(self) -> None:
        if self.pending is not None:
            self._start()
        if self.progress is not None:
            self.progress(self.rows % PROGRESS_EVERY)


def _title_sheet(workbook: Workbook, cycle: Cycle, what: str) -> None:
    sheet = workbook.create_sheet("说明")
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 60
    sheet.append(["项目", cycle.programme.name])
    sheet.append(["周期", cycle.name])
    sheet.append(["内容", what])
    sheet.append(["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append(["说明", "金额单位：元；“万元”列为同一金额除以10000。"])


def _stream(queryset) -> Iterable:
    """Rows from a server-side cursor on PostgreSQL (chunks of CHUNK), never the whole result in memory."""
    return queryset.iterator(chunk_size=CHUNK)


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


NOT_RANKED = (S.DRAFT, S.WITHDRAWN, S.SUBMITTED)
APPLICATION_FIELDS = ("number", "status", "submitted_at", "cycle_id", "category_id", "current_stage_id", "organisation_id",
                      "person_id", "recommender_id", "organisation__name", "person__name", "recommender__name")


# ---------------------------------------------------------------------------------------------
# The workbooks: each one writes its sheets into a write-only workbook and says how many rows it has.


@dataclass
class ExportSpec:
    label: str
    rows: Callable[[Cycle], int]  # how many rows the export will write (for the progress bar)
    build: Callable[[Workbook, Cycle, Progress | None], None]


def _applications_qs(cycle: Cycle):
    return Application.objects.filter(cycle=cycle).exclude(status=S.DRAFT)


def applications_rows(cycle: Cycle) -> int:
    return _applications_qs(cycle).count()


def build_applications(workbook: Workbook, cycle: Cycle, progress: Progress | None = None) -> None:
    stages = list(selectors.cycle_stages(cycle))
    scored = [s for s in stages if s.kind in workflow.kinds_where("ranked")]
    categories = {c.pk: c for c in Category.objects.filter(cycle=cycle)}
    ids_stages = list(_applications_qs(cycle).values_list("pk", "current_stage_id", "status"))
    stage_order = {s.pk: s.order for s in stages}
    # The score an application has at each scored stage: the stage's aggregate, for the applications the
    # ranking of that stage holds (those that reached it, neither withdrawn nor only submitted).
    aggregates = selectors.stage_aggregates(stages, [pk for pk, _s, _st in ids_stages], wanted={s.pk for s in scored}) if scored else {}
    scores: dict[tuple[int, int], Decimal] = {}
    for pk, current_id, status in ids_stages:
        if status in NOT_RANKED or current_id is None:
            continue
        for stage in scored:
            if stage_order[current_id] >= stage.order:
                aggregate = aggregates.get((pk, stage.pk))
                if aggregate is not None and aggregate.score is not None:
                    scores[(stage.pk, pk)] = aggregate.score
    awards = {a.application_id: a.prize_amount for a in Award.objects.filter(cycle=cycle).only("application_id", "prize_amount")}
    recommended = set(
        Recommendation.objects.filter(cycle=cycle, status=RecommendationStatus.PROPOSED).values_list("application_id", flat=True)
    )
    headers = ["受理编号", "申报对象", "奖项类别", "推荐单位", "提交时间", "状态", "当前环节"]
    headers += [f"{s.name}" for s in stages]
    headers += [f"{s.name}得分" for s in scored]
    headers += ["列入推荐名单", "奖金（元）", "奖金（万元）"]
    n = len(headers)
    sheet = StreamSheet(workbook, "申报与环节结果", headers, formats={n - 1: YUAN_FORMAT, n: WAN_FORMAT}, progress=progress)
    rows = (_applications_qs(cycle).select_related("organisation", "person", "recommender").only(*APPLICATION_FIELDS)
            .order_by("category__order", "number"))
    for app in _stream(rows):
        selectors.share_cycle_objects(cycle, [app], list(categories.values()))
        prize = awards.get(app.pk)
        sheet.append(
            [app.number, app.applicant_name, app.category.name, app.recommender.name if app.recommender_id else "",
             timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M") if app.submitted_at else "",
             str(STATUS_LABELS.get(app.status, app.status)), app.current_stage.name if app.current_stage_id else ""]
            + [stage_result(app, s) for s in stages]
            + [scores.get((s.pk, app.pk)) for s in scored]
            + ["是" if app.pk in recommended or app.pk in awards else "", prize, _wan(prize)]
        )
    sheet.close()
    _title_sheet(workbook, cycle, "申报与各环节结果")


def _item_scores(cycle: Cycle):
    return ItemScore.objects.filter(scoresheet__assignment__stage__cycle=cycle)


def _scoresheets(cycle: Cycle):
    return Scoresheet.objects.filter(assignment__stage__cycle=cycle)


def scores_rows(cycle: Cycle) -> int:
    return _item_scores(cycle).count() + _scoresheets(cycle).count()


def build_scores(workbook: Workbook, cycle: Cycle, progress: Progress | None = None) -> None:
    """Every item score of every scoresheet: expert × item, per stage; then each scoresheet's total."""
    headers = ["评审环节", "受理编号", "申报对象", "奖项类别", "专家", "评分状态", "条款号", "条款", "分值", "得分", "评语"]
    sheet = StreamSheet(workbook, "专家评分明细", headers, progress=progress)
    a = "scoresheet__assignment__"
    # Names of stages and categories are the instances' own (localised), looked up once, not joined per row.
    stages = {s.pk: s.name for s in selectors.cycle_stages(cycle)}
    categories = {c.pk: c.name for c in Category.objects.filter(cycle=cycle)}
    items = (
        _item_scores(cycle)
        .order_by(f"{a}stage__order", f"{a}application__number", f"{a}expert__name", "criterion__order", "criterion_id")
        .values_list(f"{a}stage_id", f"{a}application__number", f"{a}application__organisation__name",
                     f"{a}application__person__name", f"{a}application__category_id", f"{a}expert__name",
                     "scoresheet__status", "criterion__code", "criterion__name", "criterion__max_points", "score", "comment")
    )
    for stage, number, org, person, category, expert, status, code, name, max_points, score, comment in _stream(items):
        sheet.append([stages.get(stage), number, org or person or "", categories.get(category), expert,
                      str(SHEET_STATUS_LABELS.get(status, status)), code, name, max_points, score, comment])
    sheet.close()
    totals = StreamSheet(workbook, "专家总分", ["评审环节", "受理编号", "申报对象", "专家", "评分状态", "总分", "评审意见"],
                         progress=progress)
    sheets = (
        _scoresheets(cycle)
        .order_by("assignment__stage__order", "assignment__application__number", "assignment__expert__name")
        .values_list("assignment__stage_id", "assignment__application__number", "assignment__application__organisation__name",
                     "assignment__application__person__name", "assignment__expert__name", "status", "total", "opinion")
    )
    for stage, number, org, person, expert, status, total, opinion in _stream(sheets):
        totals.append([stages.get(stage), number, org or person or "", expert, str(SHEET_STATUS_LABELS.get(status, status)),
                       total, opinion])
    totals.close()
    _title_sheet(workbook, cycle, "专家评分（专家 × 条款）")


def _ranked_stages(cycle: Cycle) -> list[Stage]:
    return [s for s in selectors.cycle_stages(cycle) if s.kind in workflow.kinds_where("ranked")]


def rankings_rows(cycle: Cycle) -> int:
    """Each ranked stage has a sheet per category with the applications that reached it."""
    stages = _ranked_stages(cycle)
    reached = Application.objects.filter(cycle=cycle).exclude(status__in=NOT_RANKED)
    rows = sum(reached.filter(current_stage__order__gte=stage.order).count() for stage in stages)
    return max(rows, 1) + MeetingDecision.objects.filter(meeting__stage__cycle=cycle).count()


def build_rankings(workbook: Workbook, cycle: Cycle, progress: Progress | None = None) -> None:
    stages = _ranked_stages(cycle)
    categories = list(Category.objects.filter(cycle=cycle).order_by("order", "id"))
    names = dict(Stage.objects.filter(cycle=cycle).values_list("code", "name"))
    any_sheet = False
    for stage in stages:
        stage.cycle = cycle
        for category in categories:
            rows = selectors.category_ranking(stage=stage, category=category)
            if rows is None:
                continue
            stage_codes: list[str] = []
            for row in rows:
                for code in (getattr(row, "stage_scores", None) or {}):
                    if code not in stage_codes:
                        stage_codes.append(code)
            headers = ["名次", "受理编号", "申报对象", "得分", "评分专家数", "极差"] + [f"{names.get(c, c)}得分" for c in stage_codes]
            sheet = StreamSheet(workbook, f"{stage.name}-{category.order}", headers, caption=f"{stage.name} · {category.name}",
                                progress=progress)
            any_sheet = True
            for row in rows:
                stage_scores = getattr(row, "stage_scores", None) or {}
                sheet.append([row.rank, row.application.number, row.application.applicant_name, row.score,
                              getattr(row, "expert_count", None), getattr(row, "spread", None)]
                             + [stage_scores.get(c) for c in stage_codes])
            sheet.close()
    if not any_sheet:
        sheet = StreamSheet(workbook, "排名", ["说明"])
        sheet.append(["本周期没有评分环节，或各评分环节尚无得分可排名。"])
        sheet.close()
    # Meeting decisions are the ranking of meeting-based programmes (虹桥友谊奖).
    decisions = (
        MeetingDecision.objects.filter(meeting__stage__cycle=cycle)
        .select_related("meeting__stage", "meeting__body", "application__organisation", "application__person",
                        "application__category")
        .order_by("meeting__stage__order", "meeting__held_on", "application__number")
    )
    sheet = None
    for d in _stream(decisions):
        if sheet is None:
            sheet = StreamSheet(workbook, "会议决定", ["会议环节", "会议日期", "评审机构", "受理编号", "申报对象", "奖项类别",
                                                   "赞成", "反对", "弃权", "决定", "说明"], formats={2: DATE_FORMAT},
                                progress=progress)
        sheet.append([d.meeting.stage.name, d.meeting.held_on, d.meeting.body.name, d.application.number,
                      d.application.applicant_name, d.application.category.name, d.votes_for, d.votes_against,
                      d.votes_abstain, str(d.get_outcome_display()), d.notes])
    if sheet is not None:
        sheet.close()
    _title_sheet(workbook, cycle, "排名与会议决定")


def winners_rows(cycle: Cycle) -> int:
    return Award.objects.filter(cycle=cycle).count() + 1


def build_winners(workbook: Workbook, cycle: Cycle, progress: Progress | None = None) -> None:
    winners = selectors.winners_for_cycle(cycle)
    approval = selectors.approval_for_cycle(cycle)
    headers = ["序号", "奖项类别", "受理编号", "获奖对象", "奖金（元）", "奖金（万元）", "已发放（元）", "已发放（万元）",
               "发放日期", "凭证号", "精神奖励待遇", "批准文号"]
    sheet = StreamSheet(workbook, "获奖名单与奖金发放", headers,
                        formats={5: YUAN_FORMAT, 6: WAN_FORMAT, 7: YUAN_FORMAT, 8: WAN_FORMAT}, progress=progress)
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
    sheet.append(["合计", f"{len(winners)} 个", "", "", total_prize, _wan(total_prize), total_paid, _wan(total_paid)], bold=True)
    sheet.close()
    by_category = StreamSheet(workbook, "分类别汇总", ["奖项类别", "名额", "获奖数", "奖金标准（元/个）", "奖金合计（元）", "奖金合计（万元）"],
                              formats={4: YUAN_FORMAT, 5: YUAN_FORMAT, 6: WAN_FORMAT})
    counts: dict[int, int] = {}
    for row in winners:
        counts[row.category.pk] = counts.get(row.category.pk, 0) + 1
    for category in Category.objects.filter(cycle=cycle).order_by("order", "id"):
        n = counts.get(category.pk, 0)
        subtotal = (category.prize_amount or Decimal(0)) * n if category.has_money_prize else None
        by_category.append([category.name, category.quota, n, category.prize_amount if category.has_money_prize else None,
                            subtotal, _wan(subtotal)])
    by_category.close()
    what = "获奖名单与奖金发放"
    if approval:
        what += f"（{approval.approving_body} {approval.document_number}，{approval.approved_on.isoformat()}）"
    _title_sheet(workbook, cycle, what)


EXPORTS: dict[str, ExportSpec] = {
    "applications": ExportSpec("申报与环节结果", applications_rows, build_applications),
    "scores": ExportSpec("专家评分明细（专家 × 条款）", scores_rows, build_scores),
    "rankings": ExportSpec("排名与会议决定", rankings_rows, build_rankings),
    "winners": ExportSpec("获奖名单与奖金发放", winners_rows, build_winners),
}


def new_workbook() -> Workbook:
    """A write-only workbook (rows go to the file as they are appended; openpyxl uses lxml to write them)."""
    return Workbook(write_only=True)


def write_export(kind: str, cycle: Cycle, target, progress: Progress | None = None) -> None:
    """Build the export `kind` of `cycle` into `target` (a path or a binary file)."""
    workbook = new_workbook()
    EXPORTS[kind].build(workbook, cycle, progress)
    workbook.save(target)


def export_filename(job: ExportJob) -> str:
    return f"{job.cycle.code}-{job.kind}-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.xlsx"


# ---------------------------------------------------------------------------------------------
# One run of an export job (called by the task reviews.tasks.run_export)


def export_run(job_id: int, *, redelivered: bool = False) -> str:
    """Run one export job: stream the workbook to a temporary file with progress, store it, record done."""
    job = ExportJob.claim(job_id, redelivered=redelivered,
                          queryset=ExportJob.objects.select_related("cycle__programme__organiser"))
    if job is None:
        return "skipped"
    spec = EXPORTS[job.kind]
    started = time.process_time()
    wall = time.monotonic()
    total = spec.rows(job.cycle)
    ExportJob.mark_progress(job.pk, rows_total=total)
    done = 0

    def progress(rows: int) -> None:
        nonlocal done
        done += rows
        ExportJob.mark_progress(job.pk, rows_done=min(done, total))

    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        write_export(job.kind, job.cycle, handle, progress)
        size = handle.tell()
        handle.seek(0)
        name = default_storage.save(job.storage_name(), File(handle, name="export.xlsx"))
    finished = job.mark_done(
        stored_name=name, filename=export_filename(job), size=size, rows_done=max(done, total),
        cpu_seconds=round(time.process_time() - started, 3), seconds=round(time.monotonic() - wall, 3),
        worker_peak_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return "done" if finished else "skipped"
