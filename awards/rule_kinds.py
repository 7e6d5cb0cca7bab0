"""The catalogue of eligibility rule kinds and the parameters each takes.

A category's rules are rows of (kind, params); this module says which kinds exist and validates
their parameters, so a rule loaded from YAML or typed in the admin is checked the same way.
The evaluation of each kind against an application lives in applications/eligibility.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    required: bool = True
    default: Any = None
    minimum: int | None = None
    label: Any = ""  # what the admin's form calls it (Chinese; English in the English admin)
    help: Any = ""


@dataclass(frozen=True)
class RuleKind:
    code: str
    label: Any
    params: tuple[Param, ...] = field(default_factory=tuple)
    applies_to: tuple[str, ...] = ("organisation", "individual", "foreign_individual")


RULE_KINDS: dict[str, RuleKind] = {
    kind.code: kind
    for kind in [
        RuleKind("years_operating", _("正常运行年限"), (Param("min_years", int, minimum=1, label=_("正常运行不少于（年）")),), ("organisation",)),
        RuleKind("registered_district", _("在本区注册登记"), (Param("district", str, label=_("注册登记所在区"), help=_("如：长宁区")),), ("organisation",)),
        RuleKind("independent_legal_person", _("具有独立法人资格"), (), ("organisation",)),
        RuleKind("organisation_types", _("组织类型"), (Param("allowed", list, label=_("允许的组织类型代码"), help=_("每行一个，如 enterprise、small_enterprise、medical_institution、non_profit、branch")),), ("organisation",)),
        RuleKind("years_quality_work", _("从事质量工作年限"), (Param("min_years", int, minimum=1, label=_("从事质量工作不少于（年）")),), ("individual",)),
        RuleKind(
            "years_in_district",
            _("在本区工作年限"),
            (Param("min_years", int, minimum=1, label=_("在本区工作不少于（年）")), Param("district", str, label=_("工作所在区"), help=_("如：长宁区"))),
            ("individual", "foreign_individual"),
        ),
        RuleKind("foreign_nationality", _("外籍人士"), (), ("foreign_individual",)),
        RuleKind("criteria_at_least", _("至少符合所列条件之一"), (Param("minimum", int, False, 1, minimum=1, label=_("至少符合的条件数"), help=_("留空为 1")),)),
        RuleKind(
            "no_losses",
            _("近年未出现亏损"),
            (Param("years", int, minimum=1, label=_("近几年未亏损（年）")), Param("policy_losses_excepted", bool, False, True, label=_("政策性亏损除外"))),
            ("organisation",),
        ),
        RuleKind("chief_quality_officer", _("推行首席质量官制度"), (), ("organisation",)),
        RuleKind("declarations", _("申报承诺"), (Param("items", list, label=_("承诺事项"), help=_("每行一项：代码 | 承诺文字 | 英文（可选） | 适用条件（可选）")),)),
        RuleKind("credit_blacklist", _("无严重失信记录（信用名单）"), ()),
        RuleKind(
            "reapplication_cooldown",
            _("获奖后再次申报间隔"),
            (Param("years", int, minimum=1, label=_("获奖后不得再次申报的年限（年）")), Param("scope", str, False, "programme", label=_("范围"), help=_("programme：本奖项任一类别；category：同一类别"))),
        ),
        RuleKind("internal_publicity", _("申报前内部公示"), (Param("min_working_days", int, minimum=1, label=_("内部公示不少于（工作日）")),)),
        RuleKind("not_city_award_same_year", _("同年不得同时申报市、区政府质量奖"), ()),
        RuleKind(
            "prior_award_years",
            _("已获指定奖项满一定年限"),
            (Param("level", str, label=_("须已获得的奖项等级"), help=_("如：质量金奖")), Param("min_years", int, minimum=1, label=_("获得该奖项已满（年）"))),
            ("organisation",),
        ),
    ]
}


def _validate_declarations(items: list) -> list[dict]:
    cleaned = []
    seen = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item["code"] or not isinstance(item.get("text"), str) or not item["text"]:
            raise ValidationError(_("承诺事项第%(n)d项须有 code 和 text。") % {"n": index})
        if item["code"] in seen:
            raise ValidationError(_("承诺事项代码“%(c)s”重复。") % {"c": item["code"]})
        seen.add(item["code"])
        entry = {"code": str(item["code"]), "text": str(item["text"])}
        for optional in ("text_en", "when"):
            if item.get(optional):
                entry[optional] = str(item[optional])
        cleaned.append(entry)
    return cleaned


def validate_rule(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return the cleaned parameters, or raise ValidationError naming the problem."""
    spec = RULE_KINDS.get(kind)
    if spec is None:
        raise ValidationError(
            _("未知的规则类型“%(kind)s”；可用：%(known)s") % {"kind": kind, "known": ", ".join(sorted(RULE_KINDS))}
        )
    if not isinstance(params, dict):
        raise ValidationError(_("规则参数必须是键值对。"))
    known = {p.name for p in spec.params}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValidationError(_("规则“%(kind)s”不接受参数：%(names)s") % {"kind": kind, "names": ", ".join(unknown)})
    cleaned: dict[str, Any] = {}
    for param in spec.params:
        name = f"{param.name}（{param.label}）" if param.label else param.name
        if param.name not in params or params[param.name] is None:
            if param.required:
                raise ValidationError(_("规则“%(kind)s”缺少参数 %(name)s。") % {"kind": spec.label, "name": name})
            cleaned[param.name] = param.default
            continue
        value = params[param.name]
        if param.type is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError(_("参数 %(name)s 应为整数。") % {"name": name})
        if param.type is bool and not isinstance(value, bool):
            raise ValidationError(_("参数 %(name)s 应为 true 或 false。") % {"name": name})
        if param.type is str and (not isinstance(value, str) or not value.strip()):
            raise ValidationError(_("参数 %(name)s 应为非空文字。") % {"name": name})
        if param.type is list and (not isinstance(value, list) or not value):
            raise ValidationError(_("参数 %(name)s 应为非空列表。") % {"name": name})
        if param.minimum is not None and value < param.minimum:
            raise ValidationError(
                _("参数 %(name)s 不能小于 %(min)d。") % {"name": name, "min": param.minimum}
            )
        cleaned[param.name] = value
    if kind == "declarations":
        cleaned["items"] = _validate_declarations(cleaned["items"])
    if kind == "reapplication_cooldown" and cleaned["scope"] not in {"programme", "category"}:
        raise ValidationError(_("参数 scope 只能是 programme 或 category。"))
    return cleaned
