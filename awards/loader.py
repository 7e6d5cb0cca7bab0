"""Load programme configuration from YAML, and export it back.

A seed file holds one document of a `kind`: `organiser` (a list of organisers), `rubric`,
`cycle` (a programme, its cycle, categories, stages, review bodies and rules) or `letter` (the
metadata of an official letter). Every document is checked against the schema in
awards/schema.py (documented field by field in docs/configuration.md): unknown fields, required
fields, value types, repeated keys in a mapping, repeated codes in a list and the same code
defined by two documents are refused, naming the file and the field. Loading is all-or-nothing:
everything is written in one transaction, so a bad document anywhere leaves the database as it
was. Loading the same files twice changes nothing. Every create or change is written to the
activity log. A category without a quota loads as 待定 with a warning in the report.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.services import log_activity, model_snapshot
from core.yaml_loading import DuplicateKeyError, LoadReport, load_all
from reviews.selectors import minimum_quota, prize_change_refusal
from reviews.workflow import validate_stage_params

from .models import (
    Category,
    CategoryRubric,
    Cycle,
    EligibilityRule,
    FeedbackRelease,
    LetterCycle,
    OfficialLetter,
    Organiser,
    Programme,
    ReviewBody,
    Rubric,
    RubricCriterion,
    Stage,
)
from .rubrics import criterion_tree_problems
from .services import adopt_rubric
from .rule_kinds import RULE_KINDS, validate_rule
from .schema import section, type_problem

SEED_DIR = Path(__file__).resolve().parent / "seeds"

# The stored columns of each section, from the one schema (awards/schema.py); export uses them too.
ORGANISER_FIELDS = section("organisers[]").columns
UNIT_FIELDS = section("organisers[].recommending_units[]").columns
PROGRAMME_FIELDS = section("programme").columns
CYCLE_FIELDS = section("cycle").columns
CATEGORY_FIELDS = section("cycle.categories[]").columns
STAGE_FIELDS = section("cycle.stages[]").columns
BODY_FIELDS = section("cycle.review_bodies[]").columns
RUBRIC_FIELDS = section("rubric-document").columns
LETTER_FIELDS = section("letter-document").columns


class SeedError(Exception):
    """A problem in a seed file, naming the file, the field and what is wrong."""

    def __init__(self, source: str, field_path: str, problem: str):
        self.source, self.field_path, self.problem = source, field_path, problem
        super().__init__(f"{source}: {field_path}: {problem}")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.message_dict.items())
    return " ".join(str(m) for m in exc.messages)


def _json_problem(value: Any, path: str = "") -> str:
    """Lists and mappings are stored as JSON: only text, numbers, true/false, null, lists and mappings."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return _("%(path)s键“%(key)s”应为文字（请加引号）") % {"path": path, "key": key}
            problem = _json_problem(item, f"{path}{key}: ")
            if problem:
                return problem
        return ""
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = _json_problem(item, f"{path}[{index}] ")
            if problem:
                return problem
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return _("%(path)s不能是 NaN 或无穷大") % {"path": path}
    if value is None or isinstance(value, (str, int, float, bool)):
        return ""
    return _("%(path)s应为文字、数字、true/false、列表或键值对，当前为 %(v)r（日期样式的文字请加引号）") % {"path": path, "v": value}


class _Loader:
    def __init__(self, actor=None):
        self.actor = actor
        self.report = LoadReport()
        self.defined: dict[tuple[str, str], str] = {}
        self.programmes: dict[str, tuple[str, dict]] = {}
        self.reasons: dict[tuple[str, int], str] = {}  # a reason the file gives for a change (e.g. prize_change_reason)

    # -- generic helpers -------------------------------------------------------------------
    def fields(self, data: dict, section_key: str, source: str, where: str) -> dict:
        """Check `data` against its schema section; return the values of its stored columns."""
        spec = section(section_key)
        if not isinstance(data, dict):
            raise SeedError(source, where or section_key, "应为键值对（mapping）")
        allowed = spec.names
        unknown = sorted(set(data) - set(allowed), key=str)
        here = (lambda key: f"{where}.{key}" if where else str(key))
        if unknown:
            raise SeedError(source, here(unknown[0]), f"未知字段；允许的字段：{', '.join(allowed)}")
        for item in spec.fields:
            value = data.get(item.name)
            if value is None or (value == "" and item.type == "code"):
                if item.required:
                    raise SeedError(source, here(item.name), _("必填"))
                if value is None and item.name in data and not item.nullable and item.type not in ("list", "mapping"):
                    raise SeedError(source, here(item.name), type_problem(item, value) or _("不能为空"))
                continue
            problem = type_problem(item, value)
            if problem:
                raise SeedError(source, here(item.name), problem)
            if item.column and item.type in ("list", "mapping"):  # stored as JSON
                problem = _json_problem(value)
                if problem:
                    raise SeedError(source, here(item.name), problem)
        structured = {f.name for f in spec.fields if f.type in ("list", "mapping")}
        return {k: data[k] for k in spec.columns if k in data and not (data[k] is None and k in structured)}

    def unique_codes(self, items: list, source: str, where: str) -> None:
        """A list keyed by code must not repeat a code: the second entry would overwrite the first."""
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(code, str) or not code:
                continue
            if code in first:
                raise SeedError(
                    source, f"{where}[{index}].code",
                    _("代码“%(code)s”重复（%(where)s[%(first)d] 已使用）；每项的代码须不同") % {"code": code, "where": where, "first": first[code]},
                )
            first[code] = index

    def claim(self, kind: str, code: str, source: str, field_path: str) -> None:
        """The same organiser, rubric, cycle or letter defined by two documents: the second would win silently."""
        key = (kind, code)
        if key in self.defined:
            raise SeedError(source, field_path, _("代码“%(code)s”已在 %(first)s 中定义；同一代码只能定义一次") % {"code": code, "first": self.defined[key]})
        self.defined[key] = source

    def upsert(self, model, lookup: dict, values: dict, source: str, where: str, organiser=None):
        """Create or update one row; validate with full_clean; log only real changes."""
        instance = model.objects.filter(**lookup).first()
        creating = instance is None
        if creating:
            instance = model(**lookup)
        before = None if creating else model_snapshot(instance)
        for name, value in values.items():
            field_ = model._meta.get_field(name)
            if isinstance(field_, (models.CharField, models.TextField)) and not isinstance(value, str) and not (value is None and field_.null):
                raise SeedError(source, f"{where}.{name}", f"应为文字，当前为 {value!r}；数字或日期样式的文字请加引号")
            setattr(instance, name, value)
        try:
            instance.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            key = next(iter(getattr(exc, "message_dict", {}) or {"": None}))
            raise SeedError(source, f"{where}.{key}" if key and key != "__all__" else where, _messages(exc)) from None
        after = model_snapshot(instance)
        if creating:
            instance.save()
            after = model_snapshot(instance)
            self.report.created.append(f"{model._meta.verbose_name} {instance}")
            log_activity(actor=self.actor, action="config.create", target=instance, after=after, reason=f"load_programmes {source}", organiser=organiser)
        elif before != after:
            instance.save()
            self.report.updated.append(f"{model._meta.verbose_name} {instance}")
            changed = [k for k in after if before.get(k) != after.get(k)]
            log_activity(
                actor=self.actor,
                action="config.update",
                target=instance,
                before={k: before.get(k) for k in changed},
                after={k: after.get(k) for k in changed},
                reason=" ".join(filter(None, [f"load_programmes {source}", self.reasons.get((model._meta.label_lower, instance.pk))])),
                organiser=organiser,
            )
        else:
            self.report.unchanged += 1
        return instance

    def remove_missing(self, queryset, keep_ids: set, source: str, where: str, organiser=None):
        for obj in queryset.exclude(pk__in=keep_ids):
            before = model_snapshot(obj)
            try:
                with transaction.atomic():
                    obj.delete()
            except models.ProtectedError:
                raise SeedError(source, where, f"“{obj}”已有业务数据引用，不能从配置中删除") from None
            self.report.updated.append(f"删除 {obj._meta.verbose_name} {obj}")
            log_activity(actor=self.actor, action="config.delete", target=obj, before=before, reason=f"load_programmes {source}", organiser=organiser)

    # -- kinds -----------------------------------------------------------------------------
    def load_organisers(self, doc: dict, source: str) -> None:
        self.fields(doc, "organiser-document", source, "")
        items = doc.get("organisers")
        if not items:
            raise SeedError(source, "organisers", "应为非空列表")
        self.unique_codes(items, source, "organisers")
        for index, item in enumerate(items):
            values = self.fields(item, "organisers[]", source, f"organisers[{index}]")
            code = values.pop("code")
            self.claim("organiser", code, source, f"organisers[{index}].code")
            organiser = self.upsert(Organiser, {"code": code}, values, source, f"organisers[{index}]", organiser=None)
            self._load_recommending_units(organiser, item.get("recommending_units") or [], source, f"organisers[{index}].recommending_units")

    def _load_recommending_units(self, organiser, items: list, source: str, where: str) -> None:
        """Units are added or updated by name; a unit left out of the file is kept (applications refer to it)."""
        unit_model = apps.get_model("applications", "RecommendingUnit")
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            values = self.fields(item, "organisers[].recommending_units[]", source, f"{where}[{index}]")
            name = values.pop("name")
            if name in seen:
                raise SeedError(source, f"{where}[{index}].name",
                                _("名称“%(name)s”重复（%(where)s[%(first)d] 已使用）") % {"name": name, "where": where, "first": seen[name]})
            seen[name] = index
            self.upsert(unit_model, {"organiser": organiser, "name": name}, values, source, f"{where}[{index}]", organiser=organiser)

    def load_rubric(self, doc: dict, source: str) -> None:
        values = self.fields(doc, "rubric-document", source, "")
        values["total_points"] = Decimal(str(values["total_points"]))
        self.claim("rubric", values["code"], source, "code")
        criteria = doc.get("criteria")
        if not criteria:
            raise SeedError(source, "criteria", "应为非空列表")
        self._check_criteria(criteria, source, "criteria", {})
        problems = criterion_tree_problems(criteria, values["total_points"])
        if problems:
            raise SeedError(source, "criteria", problems[0])
        code = values.pop("code")
        organiser = None
        if doc.get("organiser") is not None:
            organiser = Organiser.objects.filter(code=doc["organiser"]).first()
            if organiser is None:
                raise SeedError(source, "organiser", f"未找到主办机构“{doc['organiser']}”（先在 organisers.yaml 中定义）")
        existing = Rubric.objects.filter(code=code).first()
        if existing is not None and existing.organiser_id != getattr(organiser, "pk", None):
            raise SeedError(
                source, "organiser",
                f"评分标准“{code}”已属于{existing.organiser or '系统模板'}，文件写的是{organiser or '系统模板'}；评分标准的归属不能通过导入改变",
            )
        values["organiser"] = organiser
        rubric = self.upsert(Rubric, {"code": code}, values, source, "rubric", organiser)
        keep: set[int] = set()

        def walk(nodes: list, parent, where: str) -> None:
            for order, node in enumerate(nodes, start=1):
                crit = self.upsert(
                    RubricCriterion,
                    {"rubric": rubric, "code": str(node["code"])},
                    {
                        "parent": parent,
                        "name": node["name"],
                        "max_points": Decimal(str(node["max_points"])),
                        "kind": node.get("kind", "plain"),
                        "order": order,
                        "guidance": node.get("guidance", ""),
                        "name_en": node.get("name_en", ""),
                        "feedback_enabled": node.get("feedback_enabled", True),
                    },
                    source,
                    f"{where}[{order - 1}]",
                )
                keep.add(crit.pk)
                walk(node.get("children") or [], crit, f"{where}[{order - 1}].children")

        walk(criteria, None, "criteria")
        self.remove_missing(rubric.criteria.all(), keep, source, "criteria")

    def _check_criteria(self, nodes: list, source: str, where: str, seen: dict[str, str]) -> None:
        """Criterion codes are unique across the whole tree (the rubric's rows are keyed by code)."""
        for index, node in enumerate(nodes):
            here = f"{where}[{index}]"
            self.fields(node, "criteria[]", source, here)
            code = node["code"]
            if code in seen:
                raise SeedError(source, f"{here}.code", _("条款号“%(code)s”重复（%(first)s 已使用）") % {"code": code, "first": seen[code]})
            seen[code] = here
            points = Decimal(str(node["max_points"]))
            if points < 0:
                raise SeedError(source, f"{here}.max_points", "分值不能为负数")
            if node.get("kind", "plain") not in {"process", "result", "plain"}:
                raise SeedError(source, f"{here}.kind", "应为 process、result 或 plain")
            if node.get("children") is not None:
                self._check_criteria(node["children"], source, f"{here}.children", seen)

    def load_cycle(self, doc: dict, source: str) -> Cycle:
        self.fields(doc, "cycle-document", source, "")
        organiser = Organiser.objects.filter(code=doc.get("organiser")).first()
        if organiser is None:
            raise SeedError(source, "organiser", f"未找到主办机构“{doc.get('organiser')}”（先在 organisers.yaml 中定义）")
        programme_values = self.fields(doc.get("programme"), "programme", source, "programme")
        programme_code = programme_values.pop("code")
        seen = self.programmes.get(programme_code)
        if seen is not None and seen[1] != programme_values:
            differing = sorted(k for k in set(seen[1]) | set(programme_values) if seen[1].get(k) != programme_values.get(k))
            raise SeedError(
                source, f"programme.{differing[0]}",
                _("奖项“%(code)s”在 %(first)s 中的定义与此处不同；同一奖项的各届文件须写得一致") % {"code": programme_code, "first": seen[0]},
            )
        self.programmes.setdefault(programme_code, (source, programme_values))
        existing = Programme.objects.filter(code=programme_code).select_related("organiser").first()
        if existing and existing.organiser_id != organiser.pk:
            raise SeedError(source, "programme.code", f"奖项“{programme_code}”属于另一个主办机构")
        programme = self.upsert(
            Programme, {"code": programme_code}, {**programme_values, "organiser": organiser}, source, "programme", organiser
        )

        raw = doc.get("cycle")
        values = self.fields(raw, "cycle", source, "cycle")
        self.claim("cycle", values["code"], source, "cycle.code")
        if "feedback_release" in values and values["feedback_release"] not in FeedbackRelease.values:
            raise SeedError(source, "cycle.feedback_release", _("应为 %(l)s 之一") % {"l": "、".join(FeedbackRelease.values)})
        for key in ("notice",):
            values.setdefault(key, {})
        values.setdefault("work_plan", {})
        previous = raw.get("previous_cycle")
        values["previous_cycle"] = Cycle.objects.filter(code=previous).first() if previous else None
        if previous and values["previous_cycle"] is None:
            raise SeedError(source, "cycle.previous_cycle", f"未找到上届“{previous}”")
        code = values.pop("code")
        existing_cycle = Cycle.objects.filter(code=code).first()
        if existing_cycle and existing_cycle.programme_id != programme.pk:
            raise SeedError(source, "cycle.code", f"周期“{code}”属于另一个奖项")
        cycle = self.upsert(Cycle, {"code": code}, {**values, "programme": programme}, source, "cycle", organiser)

        for child in ("review_bodies", "stages", "categories"):
            self.unique_codes(raw.get(child) or [], source, f"cycle.{child}")
        body_codes = self._load_bodies(cycle, raw.get("review_bodies") or [], source, organiser)
        self._load_stages(cycle, raw.get("stages") or [], body_codes, source, organiser)
        self._load_categories(cycle, raw.get("categories") or [], source, organiser)
        return cycle

    def _load_bodies(self, cycle, items, source, organiser) -> set[str]:
        keep, codes = set(), set()
        for index, item in enumerate(items):
            where = f"cycle.review_bodies[{index}]"
            values = self.fields(item, "cycle.review_bodies[]", source, where)
            quorum = item.get("quorum") or {}
            if not isinstance(quorum, dict) or set(quorum) - {"numerator", "denominator", "strict"}:
                raise SeedError(source, f"{where}.quorum", "应为 {numerator, denominator, strict}")
            self.fields(quorum, "quorum", source, f"{where}.quorum")
            numerator, denominator = quorum.get("numerator", 0), quorum.get("denominator", 1)
            if not isinstance(numerator, int) or not isinstance(denominator, int) or denominator <= 0 or numerator < 0 or numerator > denominator:
                raise SeedError(source, f"{where}.quorum", "分子、分母应为整数，0 ≤ 分子 ≤ 分母，分母 > 0")
            code = values.pop("code")
            codes.add(code)
            body = self.upsert(
                ReviewBody,
                {"cycle": cycle, "code": code},
                {**values, "quorum_numerator": numerator, "quorum_denominator": denominator, "quorum_strict": bool(quorum.get("strict", True))},
                source,
                where,
                organiser,
            )
            keep.add(body.pk)
        self.remove_missing(cycle.review_bodies.all(), keep, source, "cycle.review_bodies", organiser)
        return codes

    def _load_stages(self, cycle, items, body_codes, source, organiser) -> None:
        if not items:
            raise SeedError(source, "cycle.stages", "至少需要一个评审环节")
        for index, item in enumerate(items):  # every stage checked before any is read by another
            self.fields(item, "cycle.stages[]", source, f"cycle.stages[{index}]")
        codes = [item["code"] for item in items]
        kinds = {item["code"]: item["kind"] for item in items}
        # Reordering moves existing rows out of the way first, so the unique (cycle, order)
        # constraint never collides; nothing is touched when the order is unchanged.
        # A renamed or new code counts as a move too: its row is created at an order an old row holds.
        current_order = dict(cycle.stages.values_list("code", "order"))
        if any(current_order.get(code) != index + 1 for index, code in enumerate(codes)) and current_order:
            cycle.stages.update(order=models.F("order") + 1000)
        keep = set()
        for index, item in enumerate(items):
            where = f"cycle.stages[{index}]"
            values = self.fields(item, "cycle.stages[]", source, where)
            code = values.pop("code")
            try:
                params = validate_stage_params(values.get("kind", ""), values.get("params") or {})
            except ValidationError as exc:
                raise SeedError(source, f"{where}.params", _messages(exc)) from None
            if values.get("kind") == "comprehensive":
                for ref in params["weights"]:
                    if kinds.get(ref) != "scored_review" or codes.index(ref) > index:
                        raise SeedError(source, f"{where}.params.weights.{ref}", "应为此前的评分评审环节代码")
            if values.get("kind") == "meeting" and params["body"] not in body_codes:
                raise SeedError(source, f"{where}.params.body", f"未定义的评审机构“{params['body']}”")
            values["params"] = params
            stage = self.upsert(Stage, {"cycle": cycle, "code": code}, {**values, "order": index + 1}, source, where, organiser)
            keep.add(stage.pk)
        self.remove_missing(cycle.stages.all(), keep, source, "cycle.stages", organiser)

    def _load_categories(self, cycle, items, source, organiser) -> None:
        if not items:
            raise SeedError(source, "cycle.categories", "至少需要一个奖项类别")
        keep = set()
        for index, item in enumerate(items):
            where = f"cycle.categories[{index}]"
            values = self.fields(item, "cycle.categories[]", source, where)
            code = values.pop("code")
            if values.get("prize_amount") is not None:
                values["prize_amount"] = Decimal(str(values["prize_amount"]))
                if values["prize_amount"] < 0:
                    raise SeedError(source, f"{where}.prize_amount", "奖金不能为负数")
            quota = values.get("quota")
            if quota is not None and quota < 0:
                raise SeedError(source, f"{where}.quota", "名额应为不小于0的整数（或留空表示待定）")
            for listed, item_section in (("benefits", "cycle.categories[].benefits[]"), ("criteria", "cycle.categories[].criteria[]")):
                entries = values.get(listed) or []
                for position, entry in enumerate(entries):
                    self.fields(entry, item_section, source, f"{where}.{listed}[{position}]")
                self.unique_codes(entries, source, f"{where}.{listed}")
            existing = Category.objects.filter(cycle=cycle, code=code).first()
            if existing is not None and "prize_amount" in values:
                refusal = prize_change_refusal(existing, values["prize_amount"], reason=item.get("prize_change_reason") or "")
                if refusal:
                    raise SeedError(source, f"{where}.prize_change_reason", refusal)
                if item.get("prize_change_reason"):
                    self.reasons[("awards.category", existing.pk)] = str(item["prize_change_reason"])
            floor = minimum_quota(existing) if existing is not None else 0
            if floor and (quota is None or quota < floor):
                raise SeedError(source, f"{where}.quota", f"已有 {floor} 个对象列入推荐名单或获奖，名额不能少于 {floor}，也不能改为待定")
            category = self.upsert(Category, {"cycle": cycle, "code": code}, values, source, where, organiser)
            if category.quota is None:  # null, or not written for a new category: 待定
                self.report.warnings.append(
                    _("%(source)s: %(where)s.quota: “%(name)s”未设定名额，按待定导入；确定后请在配置文件或管理后台填写。")
                    % {"source": source, "where": where, "name": category.name}
                )
            keep.add(category.pk)
            self._load_category_rubrics(category, item.get("rubrics") or {}, source, f"{where}.rubrics", organiser)
            self._load_rules(category, item.get("rules") or [], source, f"{where}.rules", organiser)
        self.remove_missing(cycle.categories.all(), keep, source, "cycle.categories", organiser)

    def _load_category_rubrics(self, category, mapping, source, where, organiser) -> None:
        if not isinstance(mapping, dict):
            raise SeedError(source, where, "应为 {组织类型: 评分标准代码}")
        keep = set()
        for org_type, rubric_code in mapping.items():
            if not isinstance(org_type, str) or not isinstance(rubric_code, str):
                raise SeedError(source, f"{where}.{org_type}", "组织类型和评分标准代码应为文字，如 {\"\": gbt-19580-2012}")
            rubric = Rubric.objects.filter(code=rubric_code).first()
            if rubric is None:
                raise SeedError(source, f"{where}.{org_type or '默认'}", f"未找到评分标准“{rubric_code}”")
            try:  # a template is copied to the organiser on first use (the one rule: awards.services.adopt_rubric)
                rubric = adopt_rubric(rubric=rubric, organiser=organiser, actor=self.actor, reason=f"load_programmes {source}")
            except ValueError as exc:
                raise SeedError(source, f"{where}.{org_type or '默认'}", str(exc)) from None
            choice = self.upsert(
                CategoryRubric, {"category": category, "organisation_type": org_type or ""}, {"rubric": rubric}, source, where
            )
            keep.add(choice.pk)
        self.remove_missing(category.rubric_choices.all(), keep, source, where)

    def _load_rules(self, category, items, source, where, organiser) -> None:
        if not isinstance(items, list):
            raise SeedError(source, where, "应为列表")
        keep = set()
        for index, item in enumerate(items):
            here = f"{where}[{index}]"
            values = self.fields(item, "cycle.categories[].rules[]", source, here)
            try:
                params = validate_rule(values.get("kind", ""), values.get("params") or {})
            except ValidationError as exc:
                field_name = "params" if values.get("kind") in RULE_KINDS else "kind"
                raise SeedError(source, f"{here}.{field_name}", _messages(exc)) from None
            severity = values.get("severity", EligibilityRule.Severity.BLOCKING)
            if severity not in EligibilityRule.Severity.values:
                raise SeedError(source, f"{here}.severity", "应为 blocking 或 review")
            rule = self.upsert(
                EligibilityRule,
                {"category": category, "order": index + 1},
                {"kind": values["kind"], "params": params, "severity": severity, "description": values.get("description", ""),
                 "enabled": values.get("enabled", True)},
                source,
                here,
                organiser,
            )
            keep.add(rule.pk)
        self.remove_missing(category.rules.all(), keep, source, where, organiser)

    def load_letter(self, doc: dict, source: str) -> None:
        values = self.fields(doc, "letter-document", source, "")
        organiser = Organiser.objects.filter(code=doc.get("organiser")).first()
        if organiser is None:
            raise SeedError(source, "organiser", f"未找到主办机构“{doc.get('organiser')}”")
        code = values.pop("code")
        self.claim("letter", code, source, "code")
        letter = self.upsert(
            OfficialLetter,
            {"code": code},
            {**values, "organiser": organiser, "kind": doc.get("letter_kind", "request")},
            source,
            "letter",
            organiser,
        )
        wanted = doc.get("cycles") or []
        links = []
        for index, cycle_code in enumerate(wanted):
            if not isinstance(cycle_code, str):
                raise SeedError(source, f"cycles[{index}]", f"应为周期代码（文字），当前为 {cycle_code!r}")
            cycle = Cycle.objects.filter(code=cycle_code, programme__organiser=organiser).first()
            if cycle is None:
                raise SeedError(source, f"cycles[{index}]", f"未找到本机构的周期“{cycle_code}”")
            links.append((cycle, index))
        current = list(LetterCycle.objects.filter(letter=letter).values_list("cycle_id", "order"))
        if current != [(c.pk, i) for c, i in links]:
            LetterCycle.objects.filter(letter=letter).delete()
            LetterCycle.objects.bulk_create([LetterCycle(letter=letter, cycle=c, order=i) for c, i in links])
            log_activity(actor=self.actor, action="config.update", target=letter, before={"cycles": [c for c, _o in current]}, after={"cycles": [c.pk for c, _i in links]}, reason=f"load_programmes {source}", organiser=organiser)


KIND_ORDER = {"organiser": 0, "rubric": 1, "cycle": 2, "letter": 3}


def read_seed_files(paths: list[Path]) -> list[tuple[str, dict]]:
    """Parse every file first: a YAML error anywhere stops the load before anything is written."""
    documents: list[tuple[str, dict]] = []
    for path in paths:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedError(source, "(文件)", f"无法读取：{exc}") from None
        try:
            loaded = load_all(text)
        except DuplicateKeyError as exc:
            raise SeedError(
                source, exc.path, _("键“%(key)s”重复（第 %(first)d 行和第 %(line)d 行）；YAML 中同一层的键只能出现一次，后者会覆盖前者")
                % {"key": exc.key, "first": exc.first_line, "line": exc.line},
            ) from None
        except yaml.YAMLError as exc:
            raise SeedError(source, "(YAML)", f"格式错误：{exc}") from None
        except RecursionError:
            raise SeedError(source, "(YAML)", "格式错误：嵌套过深") from None
        for doc in loaded:
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise SeedError(source, "(文档)", "顶层应为键值对（mapping）")
            if not isinstance(doc.get("kind"), str) or doc.get("kind") not in KIND_ORDER:
                raise SeedError(source, "kind", f"应为 {', '.join(KIND_ORDER)} 之一，当前为“{doc.get('kind')}”")
            documents.append((source, doc))
    return documents


def default_seed_paths() -> list[Path]:
    return sorted(SEED_DIR.rglob("*.yaml"))


def load_programmes(paths: list[Path] | None = None, *, actor=None) -> LoadReport:
    """Load seed files all-or-nothing; raises SeedError naming file, field and problem."""
    documents = read_seed_files(paths or default_seed_paths())
    documents.sort(key=lambda item: KIND_ORDER[item[1]["kind"]])
    loader = _Loader(actor=actor)
    with transaction.atomic():
        for source, doc in documents:
            kind = doc["kind"]
            if kind == "organiser":
                loader.load_organisers(doc, source)
            elif kind == "rubric":
                loader.load_rubric(doc, source)
            elif kind == "cycle":
                loader.load_cycle(doc, source)
            else:
                loader.load_letter(doc, source)
    return loader.report


def load_cycle_copy(original: str, /, *, source: str, actor=None, quotas: Sequence[int] = (), **fields) -> Cycle:
    """Load a copy of the loaded cycle with code `original`: its exported document with other cycle
    `fields` (a new code, name, year, window …) and, in category order, other `quotas`, through the
    same checks as a seed file. Loading the same copy again updates it. The demo and the scale
    cycles are made so."""
    doc = next(d for d in export_cycle_documents(original) if d["kind"] == "cycle")
    doc["cycle"].update(fields)
    for category, quota in zip(doc["cycle"]["categories"], quotas):
        category["quota"] = quota
    return _Loader(actor=actor).load_cycle(doc, source)


# -- export ------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        return value
    return value


def _pick(instance, names: list[str]) -> dict:
    return {name: _plain(getattr(instance, name)) for name in names}


def export_cycle_documents(code: str) -> list[dict]:
    """The cycle, its organiser and rubrics as documents load_programmes reads back identically."""
    cycle = Cycle.objects.select_related("programme__organiser", "previous_cycle").get(code=code)
    organiser = cycle.programme.organiser
    categories = list(cycle.categories.prefetch_related("rules", "rubric_choices__rubric").order_by("order", "id"))
    rubric_codes = sorted({choice.rubric.code for c in categories for choice in c.rubric_choices.all()})
    organiser_data = _pick(organiser, ORGANISER_FIELDS)
    units = organiser.recommending_units.order_by("name")
    if units:
        organiser_data["recommending_units"] = [_pick(unit, UNIT_FIELDS) for unit in units]
    documents: list[dict] = [{"kind": "organiser", "organisers": [organiser_data]}]
    for rubric in Rubric.objects.filter(code__in=rubric_codes).select_related("organiser").prefetch_related("criteria").order_by("code"):
        by_parent: dict[int | None, list] = {}
        for criterion in rubric.criteria.all():
            by_parent.setdefault(criterion.parent_id, []).append(criterion)

        def tree(parent_id):
            nodes = []
            for c in sorted(by_parent.get(parent_id, []), key=lambda c: (c.order, c.pk)):
                node = {"code": c.code, "name": c.name, "max_points": _plain(c.max_points), "kind": c.kind}
                if c.guidance:
                    node["guidance"] = c.guidance
                if c.name_en:
                    node["name_en"] = c.name_en
                if not c.feedback_enabled:
                    node["feedback_enabled"] = False
                children = tree(c.pk)
                if children:
                    node["children"] = children
                nodes.append(node)
            return nodes

        owner = {"organiser": rubric.organiser.code} if rubric.organiser_id else {}
        documents.append({"kind": "rubric", **owner, **_pick(rubric, RUBRIC_FIELDS), "criteria": tree(None)})
    cycle_data = _pick(cycle, CYCLE_FIELDS)
    if cycle.previous_cycle_id:
        cycle_data["previous_cycle"] = cycle.previous_cycle.code
    cycle_data["review_bodies"] = [
        {
            **_pick(body, BODY_FIELDS),
            "quorum": {"numerator": body.quorum_numerator, "denominator": body.quorum_denominator, "strict": body.quorum_strict},
        }
        for body in cycle.review_bodies.order_by("id")
    ]
    cycle_data["stages"] = [_pick(stage, STAGE_FIELDS) for stage in cycle.stages.order_by("order")]
    cycle_data["categories"] = [
        {
            **_pick(category, CATEGORY_FIELDS),
            "rubrics": {choice.organisation_type: choice.rubric.code for choice in category.rubric_choices.all()},
            "rules": [
                {"kind": rule.kind, "params": rule.params, "severity": rule.severity, "description": rule.description,
                 **({} if rule.enabled else {"enabled": False})}
                for rule in category.rules.all()
            ],
        }
        for category in categories
    ]
    documents.append(
        {
            "kind": "cycle",
            "organiser": organiser.code,
            "programme": _pick(cycle.programme, PROGRAMME_FIELDS),
            "cycle": cycle_data,
        }
    )
    return documents


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def export_cycle_yaml(code: str) -> str:
    return yaml.dump_all(export_cycle_documents(code), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
