"""An application's notifications and history, in people's words.

application_history() gives each activity-log entry `.action_label` (what happened, in the reader's
language) and `.changes` (Change rows: label, before, after — each formatted). An applicant's answers
(the per-field diff application_save_draft records) are labelled and formatted by
applications/answers.py from the form definition; every other key the review services record is
labelled in KEY_LABELS and formatted by its kind. Internal ids are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from applications.answers import AnswerSheet
from applications.eligibility import OUTCOME_LABELS
from applications.models import Application, ApplicationStatus, Attachment
from applications.sections import all_section_choices
from core.display import EMPTY, date_text, datetime_text, money, plain, yes_no
from core.models import ActivityLog, EmailNotification
from reviews.models import (
    Assignment,
    DecisionOutcome,
    EligibilityFinding,
    ExpertPanel,
    ExpertProfile,
    ItemScore,
    ObjectionStatus,
    RecommendationSource,
    RecommendationStatus,
    ScheduleEntry,
    Scoresheet,
)

# What happened, for every action the services log about an application.
ACTION_LABELS = {
    "application.create": pgettext_lazy("activity log", "创建申报草稿"),
    "application.save": pgettext_lazy("activity log", "保存草稿"),
    "application.autosave": pgettext_lazy("activity log", "自动保存草稿"),
    "application.submit": pgettext_lazy("activity log", "提交申报"),
    "application.withdraw": pgettext_lazy("activity log", "撤回申报"),
    "application.start_review": pgettext_lazy("activity log", "受理，进入评审"),
    "application.advance": pgettext_lazy("activity log", "通过评审环节"),
    "application.fail": pgettext_lazy("activity log", "未通过"),
    "application.request_supplement": pgettext_lazy("activity log", "要求补充材料"),
    "application.resubmit": pgettext_lazy("activity log", "提交补充材料"),
    "application.reinstate": pgettext_lazy("activity log", "恢复评审"),
    "attachment.add": pgettext_lazy("activity log", "上传附件"),
    "attachment.delete": pgettext_lazy("activity log", "删除附件"),
    "reviews.assignment.create": pgettext_lazy("activity log", "分配评审专家"),
    "reviews.assignment.delete": pgettext_lazy("activity log", "取消分配评审专家"),
    "reviews.assignment.auto": pgettext_lazy("activity log", "自动分配评审专家"),
    "reviews.conflict.declared": pgettext_lazy("activity log", "专家声明回避"),
    "reviews.conflict.none": pgettext_lazy("activity log", "专家声明无利益冲突"),
    "reviews.eligibility.confirm": pgettext_lazy("activity log", "确认资格审查结论"),
    "reviews.eligibility.override": pgettext_lazy("activity log", "改判资格审查结论"),
    "reviews.eligibility.rerun": pgettext_lazy("activity log", "重新运行资格预审"),
    "reviews.supplement.requested": pgettext_lazy("activity log", "发出补充材料通知"),
    "reviews.supplement.resolved": pgettext_lazy("activity log", "补充材料已提交"),
    "reviews.supplement.closed": pgettext_lazy("activity log", "补充材料通知已关闭"),
    "reviews.schedule.create": pgettext_lazy("activity log", "安排评审日程"),
    "reviews.schedule.update": pgettext_lazy("activity log", "修改评审日程"),
    "reviews.schedule.cancel": pgettext_lazy("activity log", "取消评审日程"),
    "reviews.scores.save": pgettext_lazy("activity log", "专家保存评分"),
    "reviews.scores.submit": pgettext_lazy("activity log", "专家提交评分"),
    "reviews.scores.reopen": pgettext_lazy("activity log", "重新开放评分表"),
    "recommendation.added": pgettext_lazy("activity log", "列入推荐名单"),
    "recommendation.removed": pgettext_lazy("activity log", "移出推荐名单"),
    "recommendation.withdrawn_by_objection": pgettext_lazy("activity log", "因异议成立移出推荐名单"),
    "objection.filed": pgettext_lazy("activity log", "收到异议"),
    "objection.investigating": pgettext_lazy("activity log", "调查核实异议"),
    "objection.upheld": pgettext_lazy("activity log", "异议成立"),
    "objection.dismissed": pgettext_lazy("activity log", "异议不成立"),
    "meeting.decision_recorded": pgettext_lazy("activity log", "记录会议决定"),
    "meeting.decision_corrected": pgettext_lazy("activity log", "更正会议决定"),
    "notification.resent": pgettext_lazy("activity log", "重新发送邮件"),
    "award.payment_recorded": pgettext_lazy("activity log", "记录奖金发放"),
    "award.benefit_granted": pgettext_lazy("activity log", "办理奖励待遇"),
}

# Ids and checksums: kept in the log for audits, not shown to people.
HIDDEN_KEYS = frozenset({"attachment_id", "expert_id", "supplement_request", "objection", "publicity", "notification",
                         "rule", "sha256", "meeting", "code"})

KEY_LABELS = {
    "status": gettext_lazy("状态"),
    "stage": gettext_lazy("评审环节"),
    "category": gettext_lazy("申报类别"),
    "cycle": gettext_lazy("评选周期"),
    "version": gettext_lazy("版本"),
    "sections": gettext_lazy("修改的部分"),
    "name": gettext_lazy("文件"),
    "attachment": gettext_lazy("附件"),
    "purpose": gettext_lazy("用途"),
    "size": gettext_lazy("大小"),
    "expert": gettext_lazy("专家"),
    "experts": gettext_lazy("专家"),
    "method": gettext_lazy("分配方式"),
    "shortfall": gettext_lazy("尚缺专家人数"),
    "has_conflict": gettext_lazy("存在利益冲突"),
    "recused_stages": gettext_lazy("回避的环节"),
    "label": gettext_lazy("条件"),
    "automatic": gettext_lazy("自动结果"),
    "result": gettext_lazy("审查结论"),
    "overridden": gettext_lazy("改判"),
    "reason": gettext_lazy("理由"),
    "snapshot": gettext_lazy("资格预审结果"),
    "due_on": gettext_lazy("补充期限"),
    "working_days": gettext_lazy("期限"),
    "resolved_at": gettext_lazy("提交时间"),
    "overdue": gettext_lazy("逾期"),
    "starts_at": gettext_lazy("开始时间"),
    "ends_at": gettext_lazy("结束时间"),
    "location": gettext_lazy("地点"),
    "panel": gettext_lazy("专家组"),
    "team": gettext_lazy("现场评审专家"),
    "kind": gettext_lazy("类型"),
    "items": gettext_lazy("分项得分"),
    "texts": gettext_lazy("评语"),
    "total": gettext_lazy("总分"),
    "opinion_changed": gettext_lazy("评审意见有修改"),
    "sheet": gettext_lazy("评分表"),
    "reopened_count": gettext_lazy("重新开放次数"),
    "rank": gettext_lazy("名次"),
    "score": gettext_lazy("得分"),
    "source": gettext_lazy("推荐依据"),
    "proposed": gettext_lazy("已推荐数"),
    "quota": gettext_lazy("名额"),
    "investigation_notes": gettext_lazy("调查核实情况"),
    "subject": gettext_lazy("邮件主题"),
    "amount": gettext_lazy("金额"),
    "paid_on": gettext_lazy("发放日期"),
    "reference": gettext_lazy("凭证号"),
    "paid_total": gettext_lazy("累计已发放"),
    "prize": gettext_lazy("奖金"),
    "text": gettext_lazy("待遇"),
    "granted_on": gettext_lazy("办理日期"),
    "note": gettext_lazy("备注"),
    "notes": gettext_lazy("备注"),
    "votes_for": gettext_lazy("赞成票"),
    "votes_against": gettext_lazy("反对票"),
    "votes_abstain": gettext_lazy("弃权票"),
    "outcome": gettext_lazy("会议结论"),
    "meeting_date": gettext_lazy("会议日期"),
    "body": gettext_lazy("会议"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the entry records only the value after (or only before)
    after: str | None


LEADING_KEYS = ("status", "stage", "version")


class HistoryReader:
    """Turns one application's log entries into words; lookups are made once per page, not per entry.
    Without an application (the admin's log of other records), keys are labelled by KEY_LABELS or the
    target model's verbose names and values formatted plainly."""

    def __init__(self, application: Application | None = None, model=None):
        self.application = application
        self.model = model or (Application if application is not None else None)

    @cached_property
    def answers(self) -> AnswerSheet | None:
        return AnswerSheet(self.application) if self.application is not None else None

    @cached_property
    def stages(self) -> dict[str, str]:
        if self.application is None:
            return {}
        return {stage.code: stage.display_name for stage in self.application.cycle.stages.all()}

    @cached_property
    def categories(self) -> dict[str, str]:
        if self.application is None:
            return {}
        return {category.code: category.display_name for category in self.application.cycle.categories.all()}

    @cached_property
    def sections(self) -> dict[str, str]:
        return dict(all_section_choices())

    @cached_property
    def panels(self) -> dict[int, str]:
        if self.application is None:
            return {}
        return dict(ExpertPanel.objects.filter(stage__cycle_id=self.application.cycle_id).values_list("pk", "name"))

    @cached_property
    def experts(self) -> dict[int, str]:
        if self.application is None:
            return {}
        return dict(ExpertProfile.objects.filter(organiser_id=self.application.cycle.programme.organiser_id).values_list("pk", "name"))

    def action_label(self, action: str) -> str:
        return str(ACTION_LABELS.get(action, _("其他操作")))

    # -- values --
    def _choice(self, choices, value) -> str:
        return str(dict(choices).get(value, plain(value)))

    def _formatter(self, action: str, key: str) -> Callable[[Any], str]:
        choices = lambda c: (lambda v: self._choice(c, v))  # noqa: E731
        if key == "status":
            if action.startswith("objection."):
                return choices(ObjectionStatus.choices)
            if action.startswith("recommendation."):
                return choices(RecommendationStatus.choices)
            return choices(ApplicationStatus.choices)
        table: dict[str, Callable[[Any], str]] = {
            "stage": lambda v: self.stages.get(v, plain(v)) if v else _("（未进入评审环节）"),
            "category": lambda v: self.categories.get(v, plain(v)),
            "cycle": lambda v: self.application.cycle.display_name if self.application and v == self.application.cycle.code else plain(v),
            "version": lambda v: _("第 %(v)s 版") % {"v": v} if v not in (None, "") else EMPTY,
            "sections": lambda v: _("、").join(self.sections.get(code, plain(code)) for code in v or []) or EMPTY,
            "purpose": choices(Attachment.Purpose.choices),
            "size": lambda v: filesizeformat(v) if isinstance(v, (int, float)) else plain(v),
            "method": choices(Assignment.Method.choices),
            "recused_stages": lambda v: _("、").join(self.stages.get(code, plain(code)) for code in v or []) or EMPTY,
            "automatic": choices([*EligibilityFinding.Result.choices, *OUTCOME_LABELS.items()]),
            "result": choices([*EligibilityFinding.Result.choices, *OUTCOME_LABELS.items()]),
            "snapshot": self._snapshot,
            "due_on": date_text,
            "working_days": lambda v: _("%(n)s 个工作日") % {"n": v},
            "resolved_at": datetime_text,
            "starts_at": datetime_text,
            "ends_at": datetime_text,
            "panel": lambda v: self.panels.get(v, EMPTY) if v else EMPTY,
            "team": lambda v: _("、").join(self.experts.get(pk, EMPTY) for pk in v or []) or EMPTY,
            "kind": choices(ScheduleEntry.Kind.choices),
            "sheet": choices(Scoresheet.Status.choices),
            "source": choices(RecommendationSource.choices),
            "outcome": choices(DecisionOutcome.choices),
            "amount": money,
            "paid_total": money,
            "prize": money,
            "paid_on": date_text,
            "granted_on": date_text,
            "meeting_date": date_text,
        }
        return table.get(key, plain)

    def _snapshot(self, value) -> str:
        if not isinstance(value, dict):
            return EMPTY
        results = value.get("results") or []
        counts = {outcome: sum(1 for r in results if isinstance(r, dict) and r.get("outcome") == outcome) for outcome in OUTCOME_LABELS}
        return _("；").join(f"{OUTCOME_LABELS[outcome]} {n}" for outcome, n in counts.items() if n) or EMPTY

    # -- entries --
    def changes(self, entry: ActivityLog) -> list[Change]:
        before, after = entry.before or {}, entry.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return [Change(_("内容"), plain(before) if before else None, plain(after) if after else None)]
        rows: list[Change] = []
        keys = list(dict.fromkeys([*before, *after]))
        # PostgreSQL's jsonb does not keep the logged key order: the state keys come first on every database.
        keys.sort(key=lambda k: LEADING_KEYS.index(k) if k in LEADING_KEYS else len(LEADING_KEYS))
        for key in keys:
            if key in HIDDEN_KEYS or (key == "attachment" and entry.action.startswith("attachment.")):
                continue
            if key == "answers":
                rows += self._answers(before.get(key) or {}, after.get(key) or {})
                continue
            if key == "items":
                rows += self._items(before.get(key) or {}, after.get(key) or {})
                continue
            if key == "texts":
                rows += self._texts(before.get(key) or {}, after.get(key) or {})
                continue
            if key == "sections" and entry.action in ("application.save", "application.autosave"):
                if "answers" in after or not after.get(key):
                    continue  # the answers say it field by field
            label = self.label(key)
            format_value = self._formatter(entry.action, key)
            if isinstance(before.get(key), bool) or isinstance(after.get(key), bool):
                format_value = yes_no
            has_before, has_after = key in before, key in after
            old = format_value(before.get(key)) if has_before else None
            new = format_value(after.get(key)) if has_after else None
            if has_before and has_after and old == new:
                if before.get(key) not in (None, "", [], {}):  # unchanged and empty: nothing to say
                    rows.append(Change(label, None, new))
            else:
                rows.append(Change(label, old, new))
        return rows

    def label(self, key: str) -> str:
        if key in KEY_LABELS:
            return str(KEY_LABELS[key])
        if self.model is not None:
            from django.core.exceptions import FieldDoesNotExist

            try:
                return str(self.model._meta.get_field(key).verbose_name)
            except (FieldDoesNotExist, AttributeError):  # a key that is no field, or a model without _meta
                return _("其他")
        return _("其他")

    def _answers(self, before: dict, after: dict) -> list[Change]:
        sheet = self.answers
        if sheet is None:
            return [Change(_("填写内容"), plain(before) if before else None, plain(after) if after else None)]
        return [
            Change(sheet.label(name).rstrip("。."), sheet.format(name, before.get(name)), sheet.format(name, after.get(name)))
            for name in dict.fromkeys([*before, *after])
        ]

    def _items(self, before: dict, after: dict) -> list[Change]:
        label = _("分项得分")
        return [
            Change(f"{label} {code}", plain(before.get(code)), plain(after.get(code)))
            for code in dict.fromkeys([*before, *after])
        ]

    def _texts(self, before: dict, after: dict) -> list[Change]:
        """A scoresheet's written words per criterion ({code: {field: text}}): one row per criterion and field."""
        from django.core.exceptions import FieldDoesNotExist

        def field_label(name: str) -> str:
            try:
                return str(ItemScore._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a field no longer on the model keeps its logged name
                return name

        rows = []
        for code in dict.fromkeys([*before, *after]):
            old, new = before.get(code) or {}, after.get(code) or {}
            if not isinstance(old, dict) or not isinstance(new, dict):
                rows.append(Change(f"{self.label('texts')} {code}", plain(old), plain(new)))
                continue
            for name in dict.fromkeys([*old, *new]):
                rows.append(Change(f"{self.label('texts')} {code} · {field_label(name)}",
                                   plain(old.get(name)) if name in old else None, plain(new.get(name)) if name in new else None))
        return rows

    def describe(self, entries: list[ActivityLog]) -> list[ActivityLog]:
        for entry in entries:
            entry.action_label = self.action_label(entry.action)
            entry.changes = self.changes(entry)
        return entries


def describe_entry(entry: ActivityLog) -> list[Change]:
    """One log entry's readable changes, whatever its target (the admin's view of the log)."""
    from django.apps import apps

    if entry.target_type == Application._meta.label_lower:
        application = Application.objects.select_related("cycle__programme", "category").filter(pk=entry.target_id).first()
        if application is not None:
            return HistoryReader(application).changes(entry)
    try:
        model = apps.get_model(entry.target_type)
    except (LookupError, ValueError):
        model = None
    return HistoryReader(model=model).changes(entry)


def notifications_for_application(application: Application) -> QuerySet[EmailNotification]:
    """The application's e-mails, oldest first (a queryset: the pages paginate it)."""
    return EmailNotification.objects.filter(application=application).order_by("created_at", "id")


def reminders_for_application(application: Application) -> list:
    """The reminders about this application (to its applicant, its experts or the staff), with their e-mails."""
    from reviews.models import Reminder

    return list(Reminder.objects.filter(applications=application).select_related("recipient", "notification", "stage")
                .order_by("created_at", "id"))


def application_history(application: Application, *, newest_first: bool = True) -> QuerySet[ActivityLog]:
    """Every activity-log entry about the application, with its actor (a queryset: the pages paginate it)."""
    order = ("-created_at", "-id") if newest_first else ("created_at", "id")
    return (
        ActivityLog.objects.filter(target_type=Application._meta.label_lower, target_id=str(application.pk))
        .select_related("actor")
        .order_by(*order)
    )


def described_history(application: Application, entries) -> list[ActivityLog]:
    """One page of application_history(), each entry with .action_label and .changes (readable
    before → after) in the reader's language: the pages paginate the queryset, then describe the page."""
    return HistoryReader(application).describe(list(entries))
