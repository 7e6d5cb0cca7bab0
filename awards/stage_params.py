"""Parameters of each stage kind, validated the same way from YAML and the admin."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

AGGREGATIONS = ("mean", "trimmed_mean", "median")
SCHEDULING = ("none", "presentation", "site_visit")
SPAN_UNITS = ("working_days", "calendar_days")
MEETING_DECISIONS = ("votes", "recorded")

DEFAULTS: dict[str, dict[str, Any]] = {
    "eligibility": {"supplement_working_days": 10},
    "acceptance": {},
    "scored_review": {"aggregation": "mean", "experts_per_application": 5, "scheduling": "none"},
    "comprehensive": {"weights": {}, "tie_breaks": []},
    "meeting": {"body": "", "decision": "votes"},
    "publicity": {"span": 5, "unit": "working_days"},
    "approval": {"approving_body": ""},
    "award": {},
}


def _positive_int(params: dict, key: str) -> None:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(_("参数 %(key)s 应为正整数。") % {"key": key})


def validate_stage_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    if kind not in DEFAULTS:
        raise ValidationError(_("未知的环节类型“%(kind)s”。") % {"kind": kind})
    if not isinstance(params, dict):
        raise ValidationError(_("环节参数必须是键值对。"))
    allowed = set(DEFAULTS[kind]) | {"description", "description_en", "notify_applicant"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValidationError(_("“%(kind)s”环节不接受参数：%(names)s") % {"kind": kind, "names": ", ".join(unknown)})
    cleaned = {**DEFAULTS[kind], **params}
    if "notify_applicant" in cleaned and not isinstance(cleaned["notify_applicant"], bool):
        raise ValidationError(_("notify_applicant 应为 true 或 false。"))
    if kind == "eligibility":
        _positive_int(cleaned, "supplement_working_days")
    elif kind == "scored_review":
        if cleaned["aggregation"] not in AGGREGATIONS:
            raise ValidationError(_("汇总方式应为 %(opts)s 之一。") % {"opts": ", ".join(AGGREGATIONS)})
        if cleaned["scheduling"] not in SCHEDULING:
            raise ValidationError(_("安排方式应为 %(opts)s 之一。") % {"opts": ", ".join(SCHEDULING)})
        _positive_int(cleaned, "experts_per_application")
    elif kind == "comprehensive":
        weights = cleaned["weights"]
        if not isinstance(weights, dict) or not weights:
            raise ValidationError(_("综合评价须给出各环节权重 weights。"))
        total = Decimal(0)
        for stage_code, weight in weights.items():
            try:
                value = Decimal(str(weight))
            except InvalidOperation:
                raise ValidationError(_("环节 %(s)s 的权重不是数字。") % {"s": stage_code}) from None
            if value <= 0:
                raise ValidationError(_("环节 %(s)s 的权重必须大于0。") % {"s": stage_code})
            total += value
        if total != 1:
            raise ValidationError(_("各环节权重之和应为1，当前为 %(t)s。") % {"t": total})
        if not isinstance(cleaned["tie_breaks"], list):
            raise ValidationError(_("tie_breaks 应为列表。"))
    elif kind == "meeting":
        if cleaned["decision"] not in MEETING_DECISIONS:
            raise ValidationError(_("决定方式应为 votes 或 recorded。"))
        if not cleaned["body"]:
            raise ValidationError(_("会议环节须指明评审机构 body。"))
    elif kind == "publicity":
        _positive_int(cleaned, "span")
        if cleaned["unit"] not in SPAN_UNITS:
            raise ValidationError(_("公示期单位应为 working_days 或 calendar_days。"))
    return cleaned
