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
from awards.selectors import cycle_budget, format_wan
from core.display import as_decimal, grouped
from core.files import open_stream
from reviews.selectors import approval_for_cycle, committed_amount, publicity_for_cycle, score_summary, winners_for_cycle

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


# --- 荣誉证书 -----------------------------------------------------------------------------------


def award_title(cycle: Cycle, category) -> str:
    """What a winner receives, e.g. 2023年度长宁区政府质量奖区长质量奖先进质量管理模式（项目）."""
    programme = cycle.programme.name
    name = category.name
    if programme in name or name in programme:
        return f"{cycle.name}{name if len(name) >= len(programme) else programme}"
    return f"{cycle.name}{programme}{name}"


def _approval(cycle: Cycle):

    approval = approval_for_cycle(cycle)
    if approval is None:
        raise DocumentDataError(_("评选周期 %(code)s 尚未记录批准表彰，不能生成该文书。") % {"code": cycle.code})
    return approval


def certificate_context(award, approval) -> dict:
    cycle = award.cycle
    return {
        "name": award.application.applicant_name,
        "citation_before": "荣获",
        "award_name": award_title(cycle, award.category),
        "citation_after": "。",
        "issuer": cycle.programme.organiser.name,
        "date_text": date_text(approval.approved_on),
        "number": f"{cycle.code}-{award.pk:04d}",
    }


def build_certificate(subject: Subject) -> RenderSpec:
    award = subject.winner
    approval = award.approval
    certificate = certificate_context(award, approval)
    return RenderSpec(
        template="documents/pdf/certificate.html",
        context={"certificates": [certificate]},
        title=f"荣誉证书 {certificate['name']}",
        filename=f"荣誉证书-{certificate['number']}.pdf",
        author=certificate["issuer"],
    )


def build_certificate_batch(subject: Subject) -> RenderSpec:

    cycle = subject.cycle
    winners = winners_for_cycle(cycle)
    if not winners:
        raise DocumentDataError(_("评选周期 %(code)s 尚无获奖对象。") % {"code": cycle.code})
    certificates = [certificate_context(row.award, row.award.approval) for row in winners]
    return RenderSpec(
        template="documents/pdf/certificate.html",
        context={"certificates": certificates},
        title=f"荣誉证书（{cycle.programme.name}{cycle.name}，{len(certificates)}份）",
        filename=f"{cycle.code}-荣誉证书.pdf",
        author=cycle.programme.organiser.name,
    )


# --- 表彰决定 -----------------------------------------------------------------------------------


def _unit(category) -> str:
    return "个" if category.is_collective else "名"


def build_award_decision(subject: Subject) -> RenderSpec:

    cycle = subject.cycle
    approval = _approval(cycle)
    winners = winners_for_cycle(cycle)
    if not winners:
        raise DocumentDataError(_("评选周期 %(code)s 尚无获奖对象。") % {"code": cycle.code})
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
    stages = "、".join(stage.name for stage in cycle.stages.all() if stage.kind not in ("approval", "award"))
    total = len(winners)
    paragraphs = [
        f"{cycle.name}{programme.name}评选工作按照{stages}等程序进行，评选结果已向社会公示。",
        f"经研究，决定授予以下 {total} 个对象{cycle.name}{programme.name}：{'；'.join(rewards)}。",
    ]
    committed = committed_amount(cycle)
    if committed:
        funding = cycle.work_plan_funding_source or cycle.funding_source
        paragraphs.append(f"本次表彰奖金合计 {format_wan(committed)} 万元。{funding}")
    paragraphs.append("希望受表彰的单位和个人珍惜荣誉，再接再厉，充分发挥示范引领作用。")
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


# --- 公示 ---------------------------------------------------------------------------------------


def build_publicity_notice(subject: Subject) -> RenderSpec:

    cycle = subject.cycle
    notice = publicity_for_cycle(cycle)
    if notice is None:
        raise DocumentDataError(_("评选周期 %(code)s 尚未发布公示。") % {"code": cycle.code})
    publicity = notice.publicity
    programme = cycle.programme
    paragraphs: list[dict] = [{"text": line.strip()} for line in (publicity.notice or "").splitlines() if line.strip()]
    for group in notice.groups:
        rows = []
        foreign = False
        for entry in group.entries:
            foreign = foreign or bool(entry.nationality and entry.nationality not in ("中国", "China", "CN"))
            rows.append({"name": entry.applicant_name, "detail": entry.unit})
            if entry.nationality and entry.nationality not in ("中国", "China", "CN"):
                rows[-1]["detail"] = "，".join(part for part in (entry.nationality, entry.unit) if part)
        paragraphs.append({
            "table": "documents/pdf/_winner_table.html",
            "data": {
                "caption": f"{group.category.name}（{len(rows)}{_unit(group.category)}）",
                "name_label": "名称" if group.category.is_collective else "姓名",
                "detail_label": "国籍、工作单位" if foreign else ("所在区" if group.category.is_collective else "工作单位"),
                "rows": rows,
            },
        })
    unit = "个工作日" if publicity.unit == "working_days" else "天"
    paragraphs.append({
        "text": f"公示期为 {date_text(publicity.start_date)}至{date_text(publicity.end_date)}（{publicity.span}{unit}）。"
        "公示期间，任何单位和个人对公示对象有异议的，可在公示期内以书面形式实名反映，并提供必要的证明材料。"
    })
    if publicity.contact:
        paragraphs.append({"text": f"联系方式：{publicity.contact}"})
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
        }},
        title=f"{title} {application.number or ''} {application.applicant_name}".strip(),
        filename=f"申报书-{application.number or application.pk}.pdf",
        author=application.applicant_name,
    )


# --- 评分汇总 -----------------------------------------------------------------------------------


def _score(value) -> str:
    return "—" if value is None else format(value, "f")


def build_score_summary(subject: Subject) -> RenderSpec:
    cycle = subject.cycle
    stages = [stage for stage in cycle.stages.all() if stage.kind in ("scored_review", "comprehensive")]
    if not stages:
        raise DocumentDataError(_("评选周期 %(code)s 没有评分环节。") % {"code": cycle.code})
    categories = list(cycle.categories.all())
    blocks = []
    for stage_number, stage in enumerate(stages, start=1):
        for category_number, category in enumerate(categories, start=1):
            summary = score_summary(stage=stage, category=category)
            head = ["排名", "受理编号", "申报对象"]
            if summary.weights:
                head += [f"{name}（×{weight}）" for _code, name, weight in summary.stage_columns]
            else:
                head += [f"专家{chr(65 + index)}" for index in range(len(summary.experts))]
            head += ["得分", "专家数"]
            rows = []
            for row in summary.rows:
                cells = [row.rank, row.application.number or "", row.application.applicant_name]
                if summary.weights:
                    cells += [_score(row.stage_scores.get(code)) for code, _name, _weight in summary.stage_columns]
                else:
                    cells += [_score(value) for value in row.expert_scores]
                cells += [_score(row.score), row.expert_count]
                rows.append(cells)
            blocks.append({
                "number": chinese_number(stage_number), "stage": stage.name,
                "category_number": chinese_number(category_number), "category": category.name,
                "head": head, "rows": rows, "note": f"计分方法：{summary.method_label}。",
            })
    title = f"{cycle.programme.name}（{cycle.name}）评分汇总及排名"
    return RenderSpec(
        template="documents/pdf/score_summary.html",
        context={"summary": {"title_lines": title_lines(title), "blocks": blocks}},
        title=title,
        filename=f"{cycle.code}-评分汇总.pdf",
        author=cycle.programme.office or cycle.programme.host,
    )


KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    KINDS[spec.code] = spec
    return spec


register(KindSpec("request", _("请示（含申报表、工作方案）"), "cycles", build_request, official_letter=True))
register(KindSpec("project_form", _("评比达标表彰项目申报表"), "cycle", build_project_form))
register(KindSpec("work_plan", _("工作方案"), "cycle", build_work_plan))
register(KindSpec("application", _("申报书"), "application", build_application))
register(KindSpec("score_summary", _("评分汇总及排名"), "cycle", build_score_summary))
register(KindSpec("publicity_notice", _("公示"), "cycle", build_publicity_notice, official_letter=True))
register(KindSpec("award_decision", _("表彰决定"), "cycle", build_award_decision, official_letter=True))
register(KindSpec("certificate", _("荣誉证书"), "winner", build_certificate))
register(KindSpec("certificate_batch", _("荣誉证书（全部获奖者）"), "cycle", build_certificate_batch))
