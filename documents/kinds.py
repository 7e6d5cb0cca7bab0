"""The document kinds: for each, a function that reads the portal's data and returns what to render.

Nothing here is retyped from the seeds: figures (ratios, quotas, totals) come from
awards.selectors, texts from the configuration (Cycle, Programme, OfficialLetter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from awards.models import Cycle, OfficialLetter, ProjectType
from awards.selectors import cycle_budget, format_wan

from .rendering import title_lines

CHINESE_NUMERALS = "一二三四五六七八九十"


class DocumentDataError(Exception):
    """The data a document needs is missing or inconsistent: retrying will not help."""


@dataclass
class Subject:
    """What a document is about. Which fields are set depends on the kind."""

    organiser: object
    cycles: list = field(default_factory=list)
    application: object | None = None
    winner: object | None = None
    letter: object | None = None

    @property
    def cycle(self):
        return self.cycles[0] if self.cycles else None


@dataclass(frozen=True)
class RenderSpec:
    template: str
    context: dict
    title: str
    filename: str
    author: str = ""


@dataclass(frozen=True)
class KindSpec:
    code: str
    label: object  # lazy translation
    subject: str  # "cycles", "cycle", "application", "winner"
    build: Callable[[Subject], RenderSpec]
    official_letter: bool = False


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (section numbers of a 工作方案)."""
    if number <= 10:
        return CHINESE_NUMERALS[number - 1]
    tens, units = divmod(number, 10)
    prefix = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return prefix + "十" + (CHINESE_NUMERALS[units - 1] if units else "")


def date_text(value) -> str:
    """成文日期 with Arabic numerals, as GB/T 9704 asks: 2022年12月5日."""
    if not value:
        return ""
    if isinstance(value, str):
        from datetime import date

        value = date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def city_of(organiser) -> str:
    name = getattr(organiser, "name", "") or ""
    return name[: name.index("市") + 1] if "市" in name else ""


# --- 申报表 -------------------------------------------------------------------------------------


def reward_standard(cycle: Cycle, budget) -> str:
    """奖励标准: computed from the categories' prizes when there is money, so that the text can
    never disagree with the quota table; otherwise the configured text (e.g. 精神奖励)."""
    if not budget.money_prizes:
        return cycle.reward_standard_text or budget.reward_text
    by_level: dict[str, list[str]] = {}
    for row in budget.categories:
        if row.prize_amount is None:
            continue
        by_level.setdefault(row.category.level, []).append(f"{row.category.name}{row.prize_wan} 万元/个")
    groups = ["，".join(items) for items in by_level.values()]
    return "；".join(groups) + f"。合计 {budget.total_wan} 万元。"


def project_form_context(cycle: Cycle) -> dict:
    budget = cycle_budget(cycle)
    programme = cycle.programme

    def figures(key: str, when: str, previous: bool) -> dict:
        collective, individual = budget.collective, budget.individual

        def quota(figure) -> str:
            value = figure.previous_quota if previous else (figure.quota or None)
            return "" if value is None else str(value)

        return {
            "key": key,
            "when": when,
            "collective_ratio": collective.previous_ratio if previous else collective.ratio,
            "collective_quota": quota(collective),
            "individual_ratio": individual.previous_ratio if previous else individual.ratio,
            "individual_quota": quota(individual),
        }

    return {
        "title": f"{cycle.year} 年度上海市评比达标表彰项目申报表",
        "contact_name": cycle.contact_name,
        "contact_phone": cycle.contact_phone,
        "name": programme.name,
        "project_types": [
            {"label": label, "checked": cycle.project_type == value} for value, label in ProjectType.choices
        ],
        "host": programme.host,
        "reason_and_basis": cycle.reason_and_basis,
        "period": f"{cycle.activity_period_years} 年",
        "scope": cycle.scope_text,
        "award_setup": cycle.award_setup_text or "；".join(row.category.name for row in budget.categories),
        "figures": [figures("previous", "上届", True), figures("current", "本届", False)],
        "held_on": cycle.held_on_text or date_text(cycle.held_on),
        "previous_held_on": cycle.previous_held_on_text,
        "reward_standard": reward_standard(cycle, budget),
        "funding_source": cycle.funding_source,
        "budget": budget,
    }


# --- 工作方案 -----------------------------------------------------------------------------------


def quota_table_context(cycle: Cycle, budget) -> dict:
    levels: list[dict] = []
    columns = []
    for row in budget.categories:
        category = row.category
        if levels and levels[-1]["name"] == category.level:
            levels[-1]["span"] += 1
        else:
            levels.append({"name": category.level, "span": 1})
        columns.append(
            {
                "level": category.level,
                "track": category.track,
                "quota": "" if row.quota is None else row.quota,
                "prize_wan": row.prize_wan if row.prize_amount is not None else (category.reward_text or "—"),
            }
        )
    name = cycle.programme.name
    city = city_of(cycle.programme.organiser)
    caption = name if not city or name.startswith(city) else f"{city}{name}"
    return {"caption": caption, "levels": levels, "columns": columns, "total_label": budget.total_label}


def criteria_paragraphs(cycle: Cycle) -> list[str]:
    items = []
    for category in cycle.categories.all():
        for criterion in category.criteria or []:
            items.append(f"{criterion.get('label', '')}{criterion.get('text', '')}")
    return [text + ("；" if index < len(items) - 1 else "。") for index, text in enumerate(items)]


def work_plan_context(cycle: Cycle) -> dict:
    plan = cycle.work_plan or {}
    if isinstance(plan, list):  # the model's help text allows a bare list of sections
        plan = {"sections": plan}
    sections = plan.get("sections") or []
    if not sections:
        raise DocumentDataError(_("评选周期 %(code)s 未配置工作方案。") % {"code": cycle.code})
    budget = cycle_budget(cycle)
    rendered = []
    for number, section in enumerate(sections, start=1):
        blocks = []
        for paragraph in section.get("paragraphs") or []:
            marker = paragraph.strip()
            if marker == "{{quota_table}}":
                blocks.append({"kind": "quota_table", "table": quota_table_context(cycle, budget)})
            elif marker == "{{criteria_list}}":
                blocks.extend({"kind": "text", "text": text} for text in criteria_paragraphs(cycle))
            else:
                blocks.append({"kind": "text", "text": paragraph})
        rendered.append({"number": chinese_number(number), "title": section.get("title", ""), "blocks": blocks})
    title = plan.get("title") or f"{cycle.programme.name}表彰项目工作方案"
    return {"title": title, "title_lines": title_lines(title), "sections": rendered, "budget": budget}


# --- 请示 package -------------------------------------------------------------------------------


def letter_for(cycles: list[Cycle]) -> OfficialLetter:
    """The newest 请示 configured for all of these cycles."""
    if not cycles:
        raise DocumentDataError(_("请示须指定至少一个评选周期。"))
    organiser_ids = {cycle.programme.organiser_id for cycle in cycles}
    if len(organiser_ids) != 1:
        raise DocumentDataError(_("一份请示只能包含同一主办机构的评选周期。"))
    candidates = (
        OfficialLetter.objects.filter(organiser_id=organiser_ids.pop(), kind="request")
        .prefetch_related("cycles")
        .order_by("-issued_on", "-id")
    )
    wanted = {cycle.pk for cycle in cycles}
    for letter in candidates:
        if wanted <= {cycle.pk for cycle in letter.cycles.all()}:
            return letter
    codes = "、".join(cycle.code for cycle in cycles)
    raise DocumentDataError(_("没有配置包含评选周期 %(codes)s 的请示（公文）。") % {"codes": codes})


def letter_cycles(letter: OfficialLetter, requested: list[Cycle]) -> list[Cycle]:
    """The requested cycles in the letter's own order (附件1, 附件2 …)."""
    ordered = list(
        Cycle.objects.filter(lettercycle__letter=letter, pk__in=[c.pk for c in requested])
        .select_related("programme__organiser")
        .prefetch_related("categories")
        .order_by("lettercycle__order", "code")
    )
    return ordered


def masthead_size_mm(text: str) -> float:
    """发文机关标志: as large as fits the 156 mm text block, at most 15 mm per character."""
    return round(min(15.0, 148.0 / max(len(text), 1)), 2)


def build_request(subject: Subject) -> RenderSpec:
    letter = subject.letter or letter_for(subject.cycles)
    subject.letter = letter
    cycles = letter_cycles(letter, subject.cycles) if subject.cycles else list(
        letter.cycles.order_by("lettercycle__order")
    )
    body = list(letter.body or [])
    masthead = letter.issuer
    covering = {
        "id": "covering",
        "masthead": masthead,
        "masthead_size_mm": masthead_size_mm(masthead),
        "doc_number": letter.document_number,
        "signer": letter.signer,
        "title_lines": title_lines(letter.title),
        "addressee": letter.addressee,
        "paragraphs": [{"text": text} for text in body],
        "attachments": [line for line in (letter.attachment_note or "").splitlines() if line.strip()],
        "issuer": letter.issuer,
        "date_text": date_text(letter.issued_on),
        "note": f"（{letter.disclosure}）" if letter.disclosure else "",
    }
    inner = None
    if letter.inner_letter:
        data = letter.inner_letter
        inner = {
            "id": "inner",
            "heading": data.get("heading") or "附件",
            "title_lines": title_lines(data.get("title", "")),
            "addressee": data.get("addressee", ""),
            "paragraphs": [{"text": text} for text in data.get("body") or []],
            "attachments": list(data.get("attachments") or []),
            "issuer": data.get("issuer", ""),
            "date_text": date_text(data.get("issued_on")),
        }
    programmes = [
        {"number": number, "cycle": cycle, "form": project_form_context(cycle), "plan": work_plan_context(cycle)}
        for number, cycle in enumerate(cycles, start=1)
    ]
    imprint = None
    if letter.printed_by:
        imprint = {"printed_by": letter.printed_by, "date_text": date_text(letter.printed_on or letter.issued_on)}
    return RenderSpec(
        template="documents/pdf/request.html",
        context={"package": {"letter": covering, "inner_letter": inner, "programmes": programmes, "imprint": imprint}},
        title=f"{letter.document_number} {letter.title}",
        filename=f"{letter.document_number}{letter.title}.pdf",
        author=letter.issuer,
    )


def build_project_form(subject: Subject) -> RenderSpec:
    cycle = subject.cycle
    form = project_form_context(cycle)
    return RenderSpec(
        template="documents/pdf/project_form.html",
        context={"form": form},
        title=f"{form['title']}（{cycle.programme.name}）",
        filename=f"{cycle.code}-申报表.pdf",
        author=cycle.programme.host,
    )


def build_work_plan(subject: Subject) -> RenderSpec:
    cycle = subject.cycle
    plan = work_plan_context(cycle)
    return RenderSpec(
        template="documents/pdf/work_plan.html",
        context={"plan": plan},
        title=plan["title"],
        filename=f"{cycle.code}-工作方案.pdf",
        author=cycle.programme.host,
    )


KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    KINDS[spec.code] = spec
    return spec


register(KindSpec("request", _("请示（含申报表、工作方案）"), "cycles", build_request, official_letter=True))
register(KindSpec("project_form", _("评比达标表彰项目申报表"), "cycle", build_project_form))
register(KindSpec("work_plan", _("工作方案"), "cycle", build_work_plan))


def money(value: Decimal | None) -> str:
    return format_wan(value)
