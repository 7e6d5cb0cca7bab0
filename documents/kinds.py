"""The document kinds: for each, a function that reads the portal's data and returns what to render.

Nothing here is retyped from the seeds: figures (ratios, quotas, totals) come from
awards.selectors, texts from the configuration (Cycle, Programme, OfficialLetter).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from applications.sections import TEXT_SECTIONS
from awards.models import Cycle, OfficialLetter, ProjectType
from awards.selectors import RATIO_ROUNDING_NOTE, cycle_budget, format_wan
from core.display import as_decimal, grouped
from core.files import open_stream
from reviews.models import Approval, Award, Publicity
from reviews.selectors import approval_for_cycle, committed_amount, publicity_for_cycle, score_summary, winners_for_cycle

from .rendering import title_lines

CHINESE_NUMERALS = "一二三四五六七八九十"
BATCH_PARTS = 20  # a batch is laid out in at most this many parts: the progress figure moves 20 times


def cycle_label(cycle: Cycle) -> str:
    """How messages name a cycle: its programme and name, e.g. 长宁区政府质量奖（2023年度）, never its code."""
    return f"{cycle.programme.name}（{cycle.name}）"


def not_approved(cycle: Cycle) -> str:
    return _("“%(cycle)s”尚未记录批准表彰，不能生成该文书。") % {"cycle": cycle_label(cycle)}


def no_winners(cycle: Cycle) -> str:
    return _("“%(cycle)s”尚无获奖对象。") % {"cycle": cycle_label(cycle)}


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
    feedback: object | None = None  # a reviews.FeedbackReport

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
    imprint: dict | None = None  # 版记 (printed_by, date_text): placed by documents.rendering on an even page
    # A batch: the template rendered once per part, (the part's context, how many items it holds); the
    # pages are put together into one PDF and the items counted as each part is laid out.
    parts: tuple = ()


@dataclass(frozen=True)
class KindSpec:
    code: str
    label: object  # lazy translation
    subject: str  # "cycles", "cycle", "application", "winner"
    build: Callable[[Subject], RenderSpec]
    official_letter: bool = False
    readiness: Callable[[Subject], str | None] | None = None  # see not_ready()
    batch: bool = False  # rendered in parts, with a progress figure (RenderSpec.parts)


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


def folded(text: str) -> str:
    """Configured text without the spaces YAML's folded scalars (`>-`) put where a line was broken
    between two Chinese characters ("（项目），␣质量金奖"); spaces the author wrote around numbers and
    Latin words ("3 年以上", "GB/T 19580") stay."""
    from .justify import is_cjk

    text = text or ""
    return "".join(
        char for index, char in enumerate(text)
        if not (char == " " and 0 < index < len(text) - 1 and is_cjk(text[index - 1]) and is_cjk(text[index + 1]))
    )


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

        def quota(figure, unit: str) -> str:
            value = figure.previous_quota if previous else (figure.quota or None)
            return "" if value is None else f"{value} {unit}".strip()

        return {
            "key": key,
            "when": when,
            "collective_ratio": collective.previous_ratio if previous else collective.ratio,
            "collective_quota": quota(collective, cycle.form_quota_unit_collective),
            "individual_ratio": individual.previous_ratio if previous else individual.ratio,
            "individual_quota": quota(individual, cycle.form_quota_unit_individual),
        }

    return {
        "ratio_rule": str(RATIO_ROUNDING_NOTE),  # stated under the table, as on every screen showing a ratio
        "title": f"{cycle.year} 年度上海市评比达标表彰项目申报表",
        "contact_name": cycle.contact_name,
        "contact_phone": cycle.contact_phone,
        "name": programme.name,
        "project_types": [
            {"label": label, "checked": cycle.project_type == value} for value, label in ProjectType.choices
        ],
        "mark": cycle.project_type_mark or "√",
        "host": programme.host,
        "reason_and_basis": folded(cycle.reason_and_basis),
        "period": f"{cycle.activity_period_years} 年",
        "scope": folded(cycle.scope_text),
        "award_setup": folded(cycle.award_setup_text) or "；".join(row.category.name for row in budget.categories),
        "figures": [figures("previous", "上届", True), figures("current", "本届", False)],
        "held_on": cycle.held_on_text or date_text(cycle.held_on),
        "previous_held_on": cycle.previous_held_on_text,
        "reward_standard": folded(reward_standard(cycle, budget)),
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
        raise DocumentDataError(_("“%(cycle)s”未配置工作方案。") % {"cycle": cycle_label(cycle)})
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
                blocks.append({"kind": "text", "text": folded(paragraph)})
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
    names = "、".join(cycle_label(cycle) for cycle in cycles)
    raise DocumentDataError(_("没有配置包含“%(cycles)s”的请示（公文）。") % {"cycles": names})


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


def letter_context(letter_id: str, *, title: str, paragraphs: list[dict], issuer: str, dated, masthead: str = "",
                    doc_number: str = "", signer: str = "", addressee: str = "", attachments: Sequence[str] = (),
                    note: str = "") -> dict:
    """The context of one letter after GB/T 9704 as documents/pdf/_letter.html lays it out."""
    return {
        "id": letter_id,
        "masthead": masthead,
        "masthead_size_mm": masthead_size_mm(masthead),
        "doc_number": doc_number,
        "signer": signer,
        "title_lines": title_lines(title),
        "addressee": addressee,
        "paragraphs": paragraphs,
        "attachments": list(attachments),
        "issuer": issuer,
        "date_text": date_text(dated),
        "note": note,
    }


def build_request(subject: Subject) -> RenderSpec:
    letter = subject.letter or letter_for(subject.cycles)
    subject.letter = letter
    cycles = letter_cycles(letter, subject.cycles) if subject.cycles else list(
        letter.cycles.order_by("lettercycle__order")
    )
    covering = letter_context(
        "covering", masthead=letter.issuer, doc_number=letter.document_number, signer=letter.signer, title=letter.title,
        addressee=letter.addressee, paragraphs=[{"text": text} for text in letter.body or []],
        attachments=[line for line in (letter.attachment_note or "").splitlines() if line.strip()],
        issuer=letter.issuer, dated=letter.issued_on, note=f"（{letter.disclosure}）" if letter.disclosure else "",
    )
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
        context={"package": {"letter": covering, "inner_letter": inner, "programmes": programmes}},
        title=f"{letter.document_number} {letter.title}",
        filename=f"{letter.document_number}{letter.title}.pdf",
        author=letter.issuer,
        imprint=imprint,
    )


def build_project_form(subject: Subject) -> RenderSpec:
    cycle = subject.cycle
    form = project_form_context(cycle)
    return RenderSpec(template="documents/pdf/project_form.html", context={"form": form}, author=cycle.programme.host,
                      title=f"{form['title']}（{cycle.programme.name}）", filename=f"{cycle.code}-申报表.pdf")


def build_work_plan(subject: Subject) -> RenderSpec:
    cycle = subject.cycle
    plan = work_plan_context(cycle)
    return RenderSpec(template="documents/pdf/work_plan.html", context={"plan": plan}, title=plan["title"],
                      filename=f"{cycle.code}-工作方案.pdf", author=cycle.programme.host)


# --- 荣誉证书 -----------------------------------------------------------------------------------


def _district_of(cycle: Cycle) -> str:
    """长宁区 from 长宁区政府质量奖 or from the organiser's short name."""
    short = getattr(cycle.programme.organiser, "short_name", "") or ""
    name = cycle.programme.name
    return short if short and name.startswith(short) else ""


def award_title(cycle: Cycle, category) -> str:
    """What a winner receives, composed from the category's level and track rather than by gluing the
    programme's name to the category's: 2023年度长宁区区长质量奖·先进质量管理模式（项目）, 2023年度长宁区“虹桥友谊奖”."""
    district = _district_of(cycle)
    level = (category.level or category.name or "").strip()
    track = (category.track or "").strip()
    if not category.level and category.name:
        programme = cycle.programme.name
        if programme in category.name or category.name in programme:
            return f"{cycle.name}{category.name if len(category.name) >= len(programme) else programme}"
        return f"{cycle.name}{programme}·{category.name}"
    prefix = "" if not district or level.startswith(district) else district
    return f"{cycle.name}{prefix}{level}" + (f"·{track}" if track else "")


def award_title_en(cycle: Cycle, category) -> str:
    """The English award name with the year (2023 Changning "Hongqiao Friendship Award"), from the
    programme's and the category's name_en; "" when the configuration has no English name."""
    programme = (cycle.programme.name_en or "").strip()
    own = (getattr(category, "name_en", "") or "").strip()
    year = cycle.name_en or str(cycle.year)
    if programme and (not own or own.strip('"') in programme):
        return f"{year} {programme}"
    if programme and own:
        return f"{year} {programme}: {own}"
    return f"{year} {own}" if own else ""


def english_date(value) -> str:
    return f"{value.day} {value.strftime('%B')} {value.year}" if value else ""


def _approval(cycle: Cycle):

    approval = approval_for_cycle(cycle)
    if approval is None:
        raise DocumentDataError(not_approved(cycle))
    return approval


def _numbered(awards) -> None:
    """Winners without a 证书编号 get theirs now, by the one rule (reviews.services.assign_certificate_numbers)."""
    from reviews.services import assign_certificate_numbers

    missing = {award.cycle_id: award.cycle for award in awards if not award.certificate_number}
    for cycle in missing.values():
        assign_certificate_numbers(cycle=cycle)
    if missing:
        from reviews.models import Award

        numbers = dict(Award.objects.filter(pk__in=[a.pk for a in awards]).values_list("pk", "certificate_number"))
        for award in awards:
            award.certificate_number = numbers.get(award.pk, award.certificate_number)


def certificate_context(award, approval) -> dict:
    cycle = award.cycle
    organiser = cycle.programme.organiser
    application = award.application
    context = {
        "name": application.applicant_name,
        "citation_before": "荣获",
        "award_name": award_title(cycle, award.category),
        "citation_after": "。",
        "issuer": organiser.name,
        "date_text": date_text(approval.approved_on),
        "number": award.certificate_number,
        "english": None,
    }
    person = application.person if application.person_id else None
    if award.category.applicant_kind == "foreign_individual" or (person is not None and person.is_foreign):
        # Bilingual: the foreign winner's own (Latin) name first, the Chinese name beside it when there is one;
        # English names of the award and the issuer where the configuration has them.
        context["name_zh"] = person.name_zh if person is not None and person.name_zh != person.name else ""
        context["english"] = {
            "award_name": award_title_en(cycle, award.category),
            "issuer": getattr(organiser, "name_en", "") or "",
            "date_text": english_date(approval.approved_on),
        }
    return context


def build_certificate(subject: Subject) -> RenderSpec:
    award = subject.winner
    approval = award.approval
    _numbered([award])
    certificate = certificate_context(award, approval)
    return RenderSpec(
        template="documents/pdf/certificate.html",
        context={"certificates": [certificate]},
        title=f"荣誉证书 {certificate['name']}",
        filename=f"荣誉证书-{certificate['number'] or award.pk}.pdf",
        author=certificate["issuer"],
    )


def build_certificate_batch(subject: Subject) -> RenderSpec:

    cycle = subject.cycle
    winners = winners_for_cycle(cycle)
    if not winners:
        raise DocumentDataError(no_winners(cycle))
    _numbered([row.award for row in winners])
    certificates = [certificate_context(row.award, row.award.approval) for row in winners]
    size = max(1, -(-len(certificates) // BATCH_PARTS))
    chunks = [certificates[start:start + size] for start in range(0, len(certificates), size)]
    return RenderSpec(
        template="documents/pdf/certificate.html",
        context={"certificates": certificates},
        parts=tuple(({"certificates": chunk}, len(chunk)) for chunk in chunks),
        title=f"荣誉证书（{cycle.programme.name}{cycle.name}，{len(certificates)}份）",
        filename=f"{cycle.code}-荣誉证书.pdf",
        author=cycle.programme.organiser.name,
    )


# --- 表彰决定 -----------------------------------------------------------------------------------


def _unit(category) -> str:
    """Winners are counted as 个 (organisations, projects) or 人 (individuals)."""
    return "个" if category.is_collective else "人"


def winners_count_text(categories_and_counts) -> str:
    """"3 人", "4 个", or "4 个单位和 3 人" when both kinds won."""
    collective = sum(count for category, count in categories_and_counts if category.is_collective)
    individual = sum(count for category, count in categories_and_counts if not category.is_collective)
    if collective and individual:
        return f"{collective} 个单位（项目）和 {individual} 人"
    return f"{collective} 个单位（项目）" if collective else f"{individual} 人"


def addressees_of_winners(categories) -> str:
    """Whom the closing exhortation addresses: 单位, 个人 or both, as the winners are."""
    kinds = {category.is_collective for category in categories}
    if kinds == {True}:
        return "受表彰的单位"
    if kinds == {False}:
        return "受表彰的个人"
    return "受表彰的单位和个人"


def steps_before_approval(cycle: Cycle) -> str:
    """The procedure that led to the decision: the stages before the approval, in their order (a stage
    that follows the decision, such as 报区委常委会, has not happened yet and is not listed)."""
    stages = list(cycle.stages.all())
    approval = next((stage for stage in stages if stage.kind == "approval"), None)
    before = [stage for stage in stages if approval is None or stage.order < approval.order]
    return "、".join(stage.name for stage in before if stage.kind not in ("approval", "award"))


def decision_sentence(cycle: Cycle, groups: list[dict], rewards: list[str], total: int) -> str:
    """经研究，决定授予张三等 3 人2023年度…，给予精神奖励。 — with 其中 per category when there are several."""
    award = f"{cycle.name}{cycle.programme.name}"
    first = groups[0]["winners"][0]["name"]
    whom = first if total == 1 else f"{first}等 {winners_count_text([(g['category'], g['count']) for g in groups])}"
    if len(groups) == 1:
        category = groups[0]["category"]
        unit = groups[0]["unit"]
        tail = (f"每{unit}奖励人民币 {format_wan(category.prize_amount)} 万元" if category.has_money_prize
                else f"给予{category.reward_text or '精神奖励'}")
        return f"经研究，决定授予{whom}{award}，{tail}。"
    return f"经研究，决定授予{whom}{award}。其中，{'；'.join(rewards)}。"


def build_award_decision(subject: Subject) -> RenderSpec:

    cycle = subject.cycle
    approval = _approval(cycle)
    winners = winners_for_cycle(cycle)
    if not winners:
        raise DocumentDataError(no_winners(cycle))
    programme = cycle.programme
    groups: list[dict] = []
    for row in winners:
        if not groups or groups[-1]["category"].pk != row.category.pk:
            groups.append({"category": row.category, "winners": []})
        detail = ""
        person = row.application.person if row.application.person_id else None
        if person is not None:
            detail = "，".join(part for part in (person.nationality if person.is_foreign else "", person.employer, person.position) if part)
        groups[-1]["winners"].append({"name": row.applicant_name, "detail": detail})
    rewards = []
    for number, group in enumerate(groups, start=1):
        category = group["category"]
        group.update(number=chinese_number(number), name=category.name, count=len(group["winners"]), unit=_unit(category))
        if category.has_money_prize:
            rewards.append(f"{category.name}{group['count']}{group['unit']}，每{group['unit']}奖励人民币 {format_wan(category.prize_amount)} 万元")
        else:
            rewards.append(f"{category.name}{group['count']}{group['unit']}，给予{category.reward_text or '精神奖励'}")
    has_publicity = any(stage.kind == "publicity" for stage in cycle.stages.all())
    paragraphs = [
        f"{cycle.name}{programme.name}评选工作按照{steps_before_approval(cycle)}等程序进行"
        + ("，评选结果已向社会公示。" if has_publicity else "。"),
        decision_sentence(cycle, groups, rewards, len(winners)),
    ]
    committed = committed_amount(cycle)
    if committed:
        funding = cycle.work_plan_funding_source or cycle.funding_source
        paragraphs.append(f"本次表彰奖金合计 {format_wan(committed)} 万元。{funding}")
    paragraphs.append(f"希望{addressees_of_winners(group['category'] for group in groups)}珍惜荣誉，再接再厉，充分发挥示范引领作用。")
    title = f"关于表彰{cycle.name}{programme.name}获奖对象的决定"
    letter = letter_context(
        "decision", masthead=approval.approving_body, doc_number=approval.document_number, title=title,
        addressee="各有关单位", paragraphs=[{"text": text} for text in paragraphs],
        attachments=[f"{cycle.name}{programme.name}获奖名单"], issuer=approval.approving_body, dated=approval.approved_on,
    )
    list_title = f"{cycle.name}{programme.name}获奖名单"
    return RenderSpec(
        template="documents/pdf/award_decision.html",
        context={"decision": {"letter": letter, "groups": groups, "list_title_lines": title_lines(list_title)}},
        title=f"{approval.document_number} {title}",
        filename=f"{cycle.code}-表彰决定.pdf",
        author=approval.approving_body,
    )


# --- 公示 ---------

# Phrases of the web page's notice that make no sense on paper, and what the printed notice says instead.
WEB_PHRASES = (("可通过本页面或下列联系方式", "可通过下列联系方式"), ("可通过本页面或", "可通过"), ("通过本页面", "以书面形式"),
               ("本页面", "本公示"), ("点击", ""), ("在线", ""))


def paper_notice(notice: str) -> list[str]:
    """The staff's 公示说明 as the printed notice carries it: one paragraph per line; the sentence giving
    the 公示期 left out (the paper states the period once, with its dates); web phrases ("可通过本页面…")
    put as they read on paper. The stored text itself is not changed."""
    import re

    paragraphs = []
    for line in notice.splitlines():
        sentences = [part for part in re.findall(r"[^。！？]*[。！？]?", line.strip()) if part]
        kept = []
        for sentence in sentences:
            if re.match(r"^公示期[为是]", sentence.strip()):
                continue
            for web, paper in WEB_PHRASES:
                sentence = sentence.replace(web, paper)
            kept.append(sentence)
        text = "".join(kept).strip()
        if text:
            paragraphs.append(folded(text))
    return paragraphs


# ------------------------------------------------------------------------------------------------


def build_publicity_notice(subject: Subject) -> RenderSpec:

    cycle = subject.cycle
    notice = publicity_for_cycle(cycle)
    if notice is None:
        raise DocumentDataError(_("“%(cycle)s”尚未发布公示。") % {"cycle": cycle_label(cycle)})
    publicity = notice.publicity
    programme = cycle.programme
    unit = "个工作日" if publicity.unit == "working_days" else "天"
    period = f"公示期为 {date_text(publicity.start_date)}至{date_text(publicity.end_date)}（{publicity.span}{unit}）。"
    texts = paper_notice(publicity.notice or "")
    if not any("异议" in text for text in texts):
        texts.append("公示期间，任何单位和个人对公示对象有异议的，可在公示期内以书面形式实名反映，并提供必要的证明材料。")
    paragraphs: list[dict] = [{"text": texts[0] if texts else ""}, {"text": period}, *({"text": text} for text in texts[1:])]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph["text"]]
    if publicity.contact:
        paragraphs.append({"text": f"联系方式：{publicity.contact}"})
    for group in notice.groups:
        rows = []
        foreign = False
        for entry in group.entries:
            is_foreign = bool(entry.nationality and entry.nationality not in ("中国", "China", "CN"))
            foreign = foreign or is_foreign
            rows.append({"name": entry.applicant_name,
                         "detail": "，".join(part for part in (entry.nationality, entry.unit) if part) if is_foreign else entry.unit})
        paragraphs.append({
            "table": "documents/pdf/_winner_table.html",
            "data": {
                "caption": f"{group.category.name}（{len(rows)}{_unit(group.category)}）",
                "name_label": "名称" if group.category.is_collective else "姓名",
                "detail_label": "国籍、工作单位" if foreign else ("所在区" if group.category.is_collective else "工作单位"),
                "rows": rows,
            },
        })
    issuer = programme.office or programme.organiser.office_name or programme.organiser.name
    letter = letter_context("publicity", title=publicity.title, paragraphs=paragraphs, issuer=issuer, dated=publicity.start_date)
    return RenderSpec(
        template="documents/pdf/publicity_notice.html",
        context={"notice": {"letter": letter, "publicity": publicity}},
        title=publicity.title,
        filename=f"{cycle.code}-公示.pdf",
        author=issuer,
    )


# --- 申报书 -------------------------------------------------------------------------------------

def _masked(identity: str) -> str:
    """ID numbers in a PDF that travels to experts: first 4 and last 4 only."""
    identity = identity or ""
    return identity if len(identity) <= 8 else identity[:4] + "*" * (len(identity) - 8) + identity[-4:]


def stored_attachment(attachment) -> dict:
    """Read an attachment back from storage: its SHA-256 against the one recorded at upload, and a PDF's pages.

    The worker that renders the 申报书 may run on another machine than the web process that took the upload;
    this is where a file the shared storage lost, or never had, shows — in the document, not as a crash.
    A storage that cannot be reached raises, and the task retries.
    """
    try:
        handle, _size = open_stream(attachment.file.storage, attachment.file.name)
    except FileNotFoundError:
        return {"pages": None, "verdict": "文件缺失"}
    digest = hashlib.sha256()
    content = io.BytesIO() if attachment.content_type == "application/pdf" else None
    try:
        for chunk in iter(lambda: handle.read(64 * 1024), b""):
            digest.update(chunk)
            if content is not None:
                content.write(chunk)
    finally:
        handle.close()
    pages = None
    if content is not None:
        from pypdf import PdfReader

        try:
            pages = len(PdfReader(content).pages)
        except Exception:  # noqa: BLE001 - an unreadable PDF is still listed, without a page count
            pages = None
    return {"pages": pages, "verdict": "校验一致" if digest.hexdigest() == attachment.sha256 else "校验不符"}


def signature_boxes(application) -> list[dict]:
    """The signature and seal boxes of the printed 申报书: the applicant's declaration (signed by the
    legal representative and sealed for an organisation, signed for a person) and, when a unit
    recommended the application, its opinion with its seal."""
    statement = "本单位（本人）承诺所填报内容及提交材料真实、准确、完整，并对其真实性负责。"
    if application.organisation_id:
        boxes = [{"label": "申报单位声明", "statement": statement.replace("本单位（本人）", "本单位"),
                  "lines": ["法定代表人（签字）："], "seal": True}]
    else:
        boxes = [{"label": "申报人声明", "statement": statement.replace("本单位（本人）", "本人"),
                  "lines": ["申报人（签字）："], "seal": False}]
    if application.recommender_id:
        boxes.append({"label": "推荐单位意见", "statement": "", "lines": ["负责人（签字）："], "seal": True})
    return boxes


def _figure(value) -> str:
    """An amount in 万元 as the table prints it: digits grouped (12,000), "—" when not given."""
    number = as_decimal(value)
    return "—" if number is None else grouped(number)

def build_application(subject: Subject) -> RenderSpec:
    application = subject.application
    cycle = application.cycle
    category = application.category
    fields: list[tuple[str, object]] = [
        ("申报奖项", f"{cycle.programme.name}（{cycle.name}）"),
        ("奖项类别", category.name),
    ]
    if application.organisation_id:
        org = application.organisation
        fields += [
            ("组织名称", org.name), ("统一社会信用代码", org.credit_code), ("组织类型", org.get_org_type_display()),
            ("注册地", org.registered_district), ("成立日期", date_text(org.established_on)),
            ("法定代表人", org.legal_representative), ("联系人", org.contact_name), ("联系电话", org.contact_mobile),
            ("地址", org.address), ("首席质量官", org.chief_quality_officer),
        ]
    elif application.person_id:
        person = application.person
        fields += [
            ("姓名", person.name), ("中文姓名", person.name_zh), ("证件", f"{person.get_id_type_display()} {_masked(person.id_number)}"),
            ("国籍", person.nationality), ("工作单位", person.employer), ("职务", person.position),
            ("工作（生活）所在区", person.work_district),
            ("开始从事质量工作", date_text(person.quality_work_since)),
            ("开始在本区工作（生活）", date_text(person.district_work_since)),
        ]
    fields += [
        ("推荐单位", application.recommender.name if application.recommender_id else "自主申报"),
        ("提交时间", date_text(application.submitted_at.astimezone().date()) if application.submitted_at else "未提交"),
        ("状态", application.get_status_display()),
    ]
    data = application.form_data or {}
    sections = []
    for key, title in TEXT_SECTIONS.items():
        text = (data.get(key) or "").strip() if isinstance(data.get(key), str) else ""
        if text:
            sections.append({"title": title, "paragraphs": [line for line in text.splitlines() if line.strip()]})
    figures = data.get("figures") or {}
    if isinstance(figures, dict) and figures:
        rows = []
        for year in sorted(figures):
            item = figures[year] or {}
            rows.append([year, _figure(item.get("revenue")), _figure(item.get("profit")), "是" if item.get("policy_loss") else "否"])
        sections.append({"title": "近年经营情况", "paragraphs": [],
                         "table": {"head": ["年度", "营业收入（万元）", "利润（万元）", "政策性亏损"], "rows": rows}})
    # Application.criteria holds {"code", "evidence"} per criterion met (older rows: bare codes).
    chosen = {str(c.get("code")) if isinstance(c, dict) else str(c) for c in (application.criteria or [])}
    criteria = [f"{item.get('label', '')}{item.get('text', '')}" for item in category.criteria or [] if str(item.get("code")) in chosen]
    if criteria:
        sections.append({"title": "符合的参评条件", "paragraphs": criteria})
    declared = [key for key, value in (application.declarations or {}).items() if value]
    if declared:
        texts = []
        for rule in category.rules.filter(kind="declarations"):
            for item in (rule.params or {}).get("items", []):
                if item.get("code") in declared:
                    texts.append(item.get("text", ""))
        sections.append({"title": "申报承诺", "paragraphs": texts or declared})
    for number, section in enumerate(sections, start=1):
        section["number"] = chinese_number(number)
    attachments = [
        {"purpose": item.get_purpose_display(), "name": item.original_name, "size": f"{item.size / 1024:.0f} KB", "sha": item.sha256[:16],
         **stored_attachment(item)}
        for item in application.attachments.all()
    ]
    title = f"{cycle.programme.name}申报书"
    return RenderSpec(
        template="documents/pdf/application.html",
        context={"app": {
            "title_lines": title_lines(title), "number": application.number, "fields": fields, "sections": sections,
            "attachments": attachments, "attachments_number": chinese_number(len(sections) + 1),
            "declaration_number": chinese_number(len(sections) + 2), "signatures": signature_boxes(application),
        }},
        title=f"{title} {application.number or ''} {application.applicant_name}".strip(),
        filename=f"申报书-{application.number or application.pk}.pdf",
        author=application.applicant_name,
    )


# --- 评分汇总 -----------------------------------------------------------------------------------


# Up to this many score columns (experts of a scored stage, or stages of the 综合评价) the table has one
# column each on landscape A4 (10.5 pt, 16 mm a column); a wider panel gets a block per application.
SUMMARY_MAX_COLUMNS = 9


def _score(value) -> str:
    return "—" if value is None else format(value, "f")


def aggregation_rule(stage, summary) -> str:
    """The rule that turned the scoresheets into the ranking, in the words of the stage's parameter."""
    from reviews.scoring import SUBMITTED_AT
    from reviews.workflow import param_choice_label

    if summary.weights:
        parts = " + ".join(f"{name} × {weight}" for _code, name, weight in summary.stage_columns)
        rule = f"综合得分 = {parts}（各环节得分为该环节的汇总得分）"
        names = {stage.code: stage.name for stage in stage.cycle.stages.all()}
        ties = [f"{names[code]}得分" if code in names else ("提交时间" if code == SUBMITTED_AT else code) for code in summary.tie_breaks]
        return f"计分方法：{rule}；同分时依次比较{'、'.join(ties)}。" if ties else f"计分方法：{rule}。"
    method = (stage.params or {}).get("aggregation", "mean")
    label = param_choice_label(stage.kind, "aggregation", method)
    return f"计分方法：得分为各位专家所评总分的{label}，保留两位小数；同分时先提交者在前。"


def summary_block(stage, category, summary) -> dict:
    if summary.weights:
        labels = [f"{name}（×{weight}）" for _code, name, weight in summary.stage_columns]
    else:
        labels = [f"专家{chr(65 + index)}" if index < 26 else f"专家{index + 1}" for index in range(len(summary.experts))]
    rows = []
    for row in summary.rows:
        if summary.weights:
            values = [_score(row.stage_scores.get(code)) for code, _name, _weight in summary.stage_columns]
        else:
            values = [_score(value) for value in row.expert_scores]
        rows.append({
            "rank": row.rank if row.score is not None else "—", "number": row.application.number or "", "name": row.application.applicant_name,
            "scores": values, "pairs": list(zip(labels, values)), "score": _score(row.score),
            "sheets": f"{row.sheets.submitted}/{row.sheets.assigned}",
        })
    incomplete = "".join([
        "评分表尚未收齐：", "、".join(f"{r.application.number}（{r.sheets.submitted}/{r.sheets.assigned}）" for r in summary.incomplete), "。",
    ]) if summary.incomplete else ""
    return {
        "stage": stage.name, "category": category.name, "labels": labels, "rows": rows,
        "layout": "columns" if len(labels) <= SUMMARY_MAX_COLUMNS else "blocks",
        "score_label": "综合得分" if summary.weights else "得分",
        "note": aggregation_rule(stage, summary) + incomplete,
    }


def build_score_summary(subject: Subject) -> RenderSpec:
    cycle = subject.cycle
    stages = [stage for stage in cycle.stages.all() if stage.kind in ("scored_review", "comprehensive")]
    if not stages:
        raise DocumentDataError(_("“%(cycle)s”没有评分环节。") % {"cycle": cycle_label(cycle)})
    categories = list(cycle.categories.all())
    sections = []
    for stage_number, stage in enumerate(stages, start=1):
        blocks = []
        for category_number, category in enumerate(categories, start=1):
            block = summary_block(stage, category, score_summary(stage=stage, category=category))
            block["number"] = chinese_number(category_number)
            blocks.append(block)
        sections.append({"number": chinese_number(stage_number), "stage": stage.name, "blocks": blocks})
    title = f"{cycle.programme.name}（{cycle.name}）评分汇总及排名"
    return RenderSpec(
        template="documents/pdf/score_summary.html",
        context={"summary": {"title": title, "sections": sections, "office": cycle.programme.office or cycle.programme.host}},
        title=title,
        filename=f"{cycle.code}-评分汇总.pdf",
        author=cycle.programme.office or cycle.programme.host,
    )


# --- 评价反馈报告 ---------------------------------------------------------------------------------


FEEDBACK_LABELS = {
    "zh": {
        "title": "评价反馈报告", "programme": "申报奖项", "category": "奖项类别", "applicant": "申报对象",
        "number": "受理编号", "stage": "评审环节", "standard": "评价准则", "approved": "审定日期",
        "intro": "本报告由评审专家组依据{standard}对申报材料的评价汇总而成，列出各评分条款的得分档次及评审中识别的优势和改进机会，"
                 "供持续改进参考。报告为专家组的集体意见，不含专家个人信息。",
        "summary": "总体评价", "band_prefix": "得分档次：", "strengths": "优势", "improvements": "改进机会", "none": "无。",
        "no_comments": "专家组未就本条款提出具体的优势或改进机会。",
        "band_note": "得分档次：专家组对该条款评分平均值占条款分值的比例所在的档次（5% 为一档）。",
    },
    "en": {
        "title": "Evaluation Feedback Report", "programme": "Award", "category": "Category", "applicant": "Applicant",
        "number": "Application no.", "stage": "Review stage", "standard": "Criteria", "approved": "Approved on",
        "intro": "This report consolidates the assessment of your application by the expert panel against {standard}. "
                 "For each criterion it gives the score band and the strengths and opportunities for improvement the panel "
                 "identified, for your continuous improvement. It states the panel's collective view and names no expert.",
        "summary": "Overall assessment", "band_prefix": "Score band: ", "strengths": "Strengths",
        "improvements": "Opportunities for improvement", "none": "None.",
        "no_comments": "The panel noted no specific strength or opportunity for improvement on this criterion.",
        "band_note": "Score band: the band (in steps of 5 %) that holds the panel's mean score on the criterion as a share of "
                     "its maximum points.",
    },
}


def feedback_is_english(application) -> bool:
    """虹桥 applicants (foreign nationals) and applicants reading the English interface get the English report."""
    person = application.person if application.person_id else None
    language = getattr(application.applicant, "preferred_language", "") or ""
    return bool(person is not None and person.is_foreign) or language.startswith("en")


def feedback_context(report) -> dict:
    from reviews.selectors import band_of, report_items

    application = report.application
    english = feedback_is_english(application)
    labels = FEEDBACK_LABELS["en" if english else "zh"]
    cycle = report.stage.cycle
    groups: list[dict] = []
    rubric = None
    for item in report_items(report):
        criterion = item.criterion
        rubric = criterion.rubric
        parent = criterion.parent
        key = parent.pk if parent else None
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "title": f"{parent.code} {parent.display_name}" if parent else "", "items": []})
        band = band_of(item.percent, criterion.kind)
        groups[-1]["items"].append({
            "title": f"{criterion.code} {criterion.display_name}",
            "band": f"{band[0]}%–{band[1]}%" if band else "—",
            "band_text": band[2] if band and not english else "",
            "strengths": [line.strip() for line in item.strengths.splitlines() if line.strip()],
            "improvements": [line.strip() for line in item.improvements.splitlines() if line.strip()],
        })
    standard = f"{rubric.standard}" + ("" if english else f"《{rubric.name}》") if rubric else ""
    programme = cycle.programme
    if english:
        issuer = f"Review Office, {programme.display_name}"
        approved = report.approved_at.astimezone().date().isoformat() if report.approved_at else ""
    else:
        issuer = programme.office or programme.organiser.office_name or programme.organiser.name
        approved = date_text(report.approved_at.astimezone().date()) if report.approved_at else ""
    return {
        "english": english, "labels": labels, "title_lines": [labels["title"]] if english else title_lines(labels["title"]),
        "fields": [
            (labels["programme"], f"{programme.display_name} ({cycle.display_name})" if english else f"{programme.name}（{cycle.name}）"),
            (labels["category"], application.category.display_name),
            (labels["applicant"], application.applicant_name),
            (labels["number"], application.number or "—"),
            (labels["stage"], report.stage.display_name),
            (labels["standard"], standard),
            (labels["approved"], approved),
        ],
        "intro": labels["intro"].format(standard=standard),
        "summary": [line.strip() for line in report.summary.splitlines() if line.strip()],
        "groups": groups, "issuer": issuer, "date_text": approved,
    }


def build_feedback_report(subject: Subject) -> RenderSpec:
    from django.utils import translation

    report = subject.feedback
    application = report.application
    if not report.is_approved:
        raise DocumentDataError(_("评价反馈报告尚未审定，不能生成。"))
    english = feedback_is_english(application)
    with translation.override("en" if english else "zh-hans"):
        context = feedback_context(report)
    title = FEEDBACK_LABELS["en" if english else "zh"]["title"]
    return RenderSpec(
        template="documents/pdf/feedback_report.html",
        context={"feedback": context},
        title=f"{title} {application.number or ''} {report.stage.name}".strip(),
        filename=f"{'feedback-report' if english else '评价反馈报告'}-{application.number or application.pk}-{report.stage.code}.pdf",
        author=context["issuer"],
    )
# --- readiness: the one rule of whether a kind's data is there ------------------------------------


def _work_plan_missing(subject: Subject) -> str | None:
    plan = subject.cycle.work_plan or {}
    sections = plan if isinstance(plan, list) else plan.get("sections")
    return None if sections else _("“%(cycle)s”未配置工作方案。") % {"cycle": cycle_label(subject.cycle)}


def _letter_missing(subject: Subject) -> str | None:
    try:
        letter_for(list(subject.cycles))
    except DocumentDataError as exc:
        return str(exc)
    for cycle in subject.cycles:  # each programme's 工作方案 is an attachment of the 请示
        missing = _work_plan_missing(Subject(organiser=subject.organiser, cycles=[cycle]))
        if missing:
            return missing
    return None


def _no_scored_stage(subject: Subject) -> str | None:
    if subject.cycle.stages.filter(kind__in=("scored_review", "comprehensive")).exists():
        return None
    return _("“%(cycle)s”没有评分环节。") % {"cycle": cycle_label(subject.cycle)}


def _not_published(subject: Subject) -> str | None:
    if Publicity.objects.filter(cycle=subject.cycle).exists():
        return None
    return _("“%(cycle)s”尚未发布公示。") % {"cycle": cycle_label(subject.cycle)}


def _no_approved_winners(subject: Subject) -> str | None:
    cycle = subject.cycle
    if not Approval.objects.filter(cycle=cycle).exists():
        return not_approved(cycle)
    if not Award.objects.filter(cycle=cycle).exists():
        return no_winners(cycle)
    return None


def not_ready(kind: str, subject: Subject) -> str | None:
    """Why the data of `kind` for `subject` is not there yet (表彰决定 before the approval, a 公示 notice
    before publication …), or None. The panel shows the kind disabled with this reason, and
    documents.services.request_document refuses with it: one rule for both."""
    check = KINDS[kind].readiness
    return check(subject) if check is not None else None


KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    KINDS[spec.code] = spec
    return spec


register(KindSpec("request", _("请示（含申报表、工作方案）"), "cycles", build_request, official_letter=True, readiness=_letter_missing))
register(KindSpec("project_form", _("评比达标表彰项目申报表"), "cycle", build_project_form))
register(KindSpec("work_plan", _("工作方案"), "cycle", build_work_plan, readiness=_work_plan_missing))
register(KindSpec("application", _("申报书"), "application", build_application))
register(KindSpec("score_summary", _("评分汇总及排名"), "cycle", build_score_summary, readiness=_no_scored_stage))
register(KindSpec("publicity_notice", _("公示"), "cycle", build_publicity_notice, official_letter=True, readiness=_not_published))
register(KindSpec("award_decision", _("表彰决定"), "cycle", build_award_decision, official_letter=True,
                  readiness=_no_approved_winners))
register(KindSpec("certificate", _("荣誉证书"), "winner", build_certificate))
register(KindSpec("certificate_batch", _("荣誉证书（全部获奖者）"), "cycle", build_certificate_batch, readiness=_no_approved_winners,
                  batch=True))
register(KindSpec("feedback_report", _("评价反馈报告"), "feedback", build_feedback_report))
