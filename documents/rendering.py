"""HTML → PDF with WeasyPrint, the one place that does it.

Every kind builds a template name and a context (documents.kinds); this module adds the print
stylesheet's fonts, renders the template and lays it out. The Celery task, the management
command and the benchmark all call ``render_pdf`` so that they measure and produce the same thing.
"""

from __future__ import annotations

import io
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from .fonts import font_face_css, font_stacks

logger = logging.getLogger(__name__)

_local = threading.local()


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    html_seconds: float
    layout_seconds: float
    html: str = ""  # the HTML laid out

    @property
    def seconds(self) -> float:
        return self.html_seconds + self.layout_seconds


def subsetter_in_use() -> str:
    """Which library WeasyPrint subsets fonts with: 'harfbuzz' (fast) or 'fonttools' (slow)."""
    from weasyprint.pdf import fonts as pdf_fonts

    if pdf_fonts.harfbuzz_subset and pdf_fonts.harfbuzz.hb_version_atleast(4, 1, 0):
        return "harfbuzz"
    return "fonttools"


def print_context(*, title: str, author: str = "") -> dict:
    """What every PDF template needs besides its own data: fonts and metadata."""
    faces, missing = font_face_css()
    if missing:
        logger.warning(
            "Pre-subset fonts missing (%s): PDFs fall back to the full system faces and render "
            "slowly. Run scripts/build_fonts.py.",
            ", ".join(missing),
        )
    return {"font_faces": faces, "fonts": font_stacks(), "pdf_title": title, "pdf_author": author}


def _font_config():
    # One FontConfiguration per thread: it registers the @font-face files with fontconfig once
    # and is reused for every document the worker renders.
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "font_config", None)
    if config is None:
        config = FontConfiguration()
        _local.font_config = config
    return config


def _layout(html: str):
    from weasyprint import HTML

    from .justify import install

    install()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=_font_config())


def content_bottom(page) -> float:
    """Where the lowest text or table of a laid-out page ends (CSS px from the page's top)."""
    from weasyprint.formatting_structure import boxes

    lowest = 0.0

    def walk(box) -> None:
        nonlocal lowest
        if isinstance(box, (boxes.LineBox, boxes.ReplacedBox, boxes.TableRowBox)):
            lowest = max(lowest, box.position_y + box.margin_height())
            return
        for child in getattr(box, "children", ()):
            walk(child)

    root = page._page_box.children[0] if page._page_box.children else None
    if root is not None:
        walk(root)
    return lowest


def imprint_top(page) -> float | None:
    """The top of the footnote area (where the 版记 sits) of a laid-out page, or None."""
    from weasyprint.formatting_structure import boxes

    areas = [child for child in page._page_box.children if isinstance(child, boxes.FootnoteAreaBox) and child.children]
    return min(area.position_y for area in areas) if areas else None


@dataclass(frozen=True)
class ImprintPlacement:
    """Where GB/T 9704 puts the 版记: at the foot of the last page, which is an even page (the back
    of the last sheet when printed on both sides)."""

    overlay: bool  # drawn at the foot of the document's last page
    blank_pages: int  # pages without page numbers added before the 版记 page
    number: int | None  # page number printed on a 版记 page of its own (None: none)


def place_imprint(*, pages: int, free_bottom: bool) -> ImprintPlacement:
    """`pages`: pages of the document without the 版记; `free_bottom`: the 版记 fits below the last
    page's text. 版记页前有空白页的，空白页和版记页均不编排页码 (GB/T 9704-2012, 7.5)."""
    if pages % 2 == 0 and free_bottom:
        return ImprintPlacement(overlay=True, blank_pages=0, number=None)
    if pages % 2 == 1:
        return ImprintPlacement(overlay=False, blank_pages=0, number=pages + 1)
    return ImprintPlacement(overlay=False, blank_pages=1, number=None)


def _with_imprint(document, imprint: dict, context: dict) -> tuple[bytes, int]:
    """The PDF of `document` with the 版记 placed after place_imprint: the document and the 版记 are each
    laid out once; the 版记 is a page of its own, laid out apart (a few milliseconds) and either drawn onto
    the last page or appended, after a blank page when needed."""
    from pypdf import PdfReader, PdfWriter

    pages = len(document.pages)

    def imprint_page(number):
        html = render_to_string("documents/pdf/imprint.html", {**context, "imprint": imprint, "page_number": number})
        return _layout(html)

    # The 版记 page is laid out once, with the page number place_imprint will give it: pages + 1 after an odd
    # last page (a page of its own), none after an even one (drawn onto the last page, or after a blank page).
    probe = imprint_page(pages + 1 if pages % 2 else None)
    top = imprint_top(probe.pages[0])
    free = top is not None and content_bottom(document.pages[-1]) <= top - 4 * 96 / 25.4
    placement = place_imprint(pages=pages, free_bottom=free)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document.write_pdf())))
    if placement.overlay:
        writer.pages[-1].merge_page(PdfReader(io.BytesIO(probe.write_pdf())).pages[0])
    else:
        width, height = writer.pages[-1].mediabox.width, writer.pages[-1].mediabox.height
        for _blank in range(placement.blank_pages):
            writer.add_blank_page(width=width, height=height)
        writer.add_page(PdfReader(io.BytesIO(probe.write_pdf())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """Lay out HTML and return the PDF bytes and the page count."""
    document = _layout(html)
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name: str, context: dict, *, title: str, author: str = "", imprint: dict | None = None) -> RenderedPdf:
    """Render a template to PDF, laid out once.

    GB/T 9704 does not let the 署名 and 成文日期 stand alone on a page: the print stylesheet forbids a
    page break before them (gbt9704.css, .signoff), so the last lines of the letter move with them. A
    `imprint` (版记: printed_by, date_text) goes on the last, even page (_with_imprint).
    """
    started = time.perf_counter()
    full_context = {**print_context(title=title, author=author), **context}
    html = render_to_string(template_name, full_context)
    html_seconds = time.perf_counter() - started
    document = _layout(html)
    if imprint:
        content, pages = _with_imprint(document, imprint, full_context)
    else:
        content, pages = document.write_pdf(), len(document.pages)
    total = time.perf_counter() - started
    return RenderedPdf(
        content=content, pages=pages, html_seconds=html_seconds, layout_seconds=total - html_seconds, html=html,
    )


def render_pdf_parts(template_name: str, parts, *, title: str, author: str = "", on_progress=None) -> RenderedPdf:
    """Render a batch: the template once per part ((context, items) pairs), laid out one after the
    other with the same fonts and put together into one PDF (WeasyPrint's Document.copy).
    on_progress(done_items, total_items) is called after each part."""
    started = time.perf_counter()
    total = sum(items for _context, items in parts)
    base = print_context(title=title, author=author)
    html_seconds = 0.0
    documents, done = [], 0
    for context, items in parts:
        begun = time.perf_counter()
        html = render_to_string(template_name, {**base, **context})
        html_seconds += time.perf_counter() - begun
        documents.append(_layout(html))
        done += items
        if on_progress is not None:
            on_progress(done, total)
    pages = [page for document in documents for page in document.pages]
    content = documents[0].copy(pages).write_pdf()
    elapsed = time.perf_counter() - started
    return RenderedPdf(content=content, pages=len(pages), html_seconds=html_seconds, layout_seconds=elapsed - html_seconds)


def render_html(template_name: str, context: dict, *, title: str, author: str = "") -> str:
    return render_to_string(template_name, {**print_context(title=title, author=author), **context})


NO_BREAK_BEFORE = set("，。、；：？！）》」』”’〕】,.;:!?)%")
NO_BREAK_AFTER = set("（《「『“‘〔【(")


def _breakable(text: str, index: int) -> bool:
    """May a title line end before text[index]?"""
    before, after = text[index - 1], text[index]
    prefix = text[:index]
    if prefix.count("（") > prefix.count("）") or prefix.count("《") > prefix.count("》"):
        return False  # keep a bracketed phrase on one line
    if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
        return False  # never split 2023 or a Latin word
    if inside_word(text, index):
        return False  # nor 评比达标
    return after not in NO_BREAK_BEFORE and before not in NO_BREAK_AFTER


def title_lines(title: str, *, max_chars: int = 20) -> list[str]:
    """Split a 2号 title into lines of at most ``max_chars`` characters, as even as possible
    with longer lines first (a 梯形 layout), never inside a number or before closing punctuation.
    Explicit line breaks in the configured title win."""
    title = title.strip()
    if "\n" in title:
        return [line.strip() for line in title.splitlines() if line.strip()]
    if len(title) <= max_chars:
        return [title]
    count = math.ceil(len(title) / max_chars)
    lines, start = [], 0
    for index in range(count - 1):
        remaining = len(title) - start
        ideal = start + math.ceil(remaining / (count - index))
        candidates = sorted(range(start + 1, min(start + max_chars, len(title) - 1) + 1), key=lambda i: (abs(i - ideal), -i))
        cut = next((i for i in candidates if _breakable(title, i)), ideal)
        lines.append(title[start:cut])
        start = cut
    lines.append(title[start:])
    return lines


# --- words that stay on one line --------------------------------------------------------------
#
# Chinese may break between any two characters, but a line of a title, a table header or a label that
# ends inside a word ("评 / 比达标", "先进质量管 / 理模式", "统一社会信用代 / 码") reads wrong. CSS has
# `word-break: keep-all` for this, which WeasyPrint does not implement, and no dictionary of Chinese
# words ships with Debian's Python. So the documents carry their own short glossary of the words their
# titles, headers and labels are made of; a bracketed phrase such as （项目） also stays whole. Text is
# cut into these words (longest first), and lines break only between them.

GLOSSARY = tuple(sorted(set("""
关于 开展 提请 报送 申报 项目 请示 评比达标 表彰 活动 工作 方案 评选 决定 获奖 对象 名单 公示 拟表彰
长宁区 上海市 人民政府 政府 质量奖 质量 金奖 区长 先进 管理 模式 卓越 绩效 成果 个人 集体 组织 单位
虹桥 友谊奖 评分 汇总 排名 申报书 申报表 荣誉 证书 统一 社会 信用 代码 信用代码 法定 代表人 联系人
联系 电话 地址 首席 质量官 成立 日期 注册地 名称 类型 证件 国籍 工作单位 职务 所在区 推荐 状态 提交 时间
开始 从事 生活 评审 专家 资料 陈述 答辩 现场 综合 评价 得分 专家数 受理 编号 序号 姓名 年度 奖项 数量
奖金 万元 合计 比例 名额 举办 上届 本届 标准 经费 来源 意见 签字人 公章 用途 文件名 大小 核验 营业 收入
利润 政策性 亏损 经营 情况 近年 附件 材料 承诺 条件 符合 参评 第五届 徐汇区 区委 常委会 书记 专题会
""".split()), key=len, reverse=True))

_OPEN, _CLOSE = "（《“〔【(", "）》”〕】)"


def keep_words(text: str) -> list[str]:
    """`text` cut into pieces that must not be broken: glossary words, bracketed phrases, runs of
    Latin letters and digits, and single other characters (with the punctuation that may not start a
    line attached to the piece before it)."""
    pieces: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in _OPEN:
            close = _CLOSE[_OPEN.index(char)]
            end = text.find(close, index + 1)
            if 0 < end - index <= 14:  # a short bracketed phrase: （项目） （设在区市场监管局）
                pieces.append(text[index:end + 1])
                index = end + 1
                continue
        if char.isascii() and char.isalnum():
            end = index
            while end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] in ".-%"):
                end += 1
            pieces.append(text[index:end])
            index = end
            continue
        word = next((w for w in GLOSSARY if text.startswith(w, index)), char)
        if pieces and (word[0] in NO_BREAK_BEFORE or pieces[-1][-1:] in NO_BREAK_AFTER):
            pieces[-1] += word
        else:
            pieces.append(word)
        index += len(word)
    return pieces


def inside_word(text: str, index: int) -> bool:
    """Would a line break before text[index] cut one of keep_words' pieces?"""
    position = 0
    for piece in keep_words(text):
        if position < index < position + len(piece):
            return True
        position += len(piece)
        if position >= index:
            return False
    return False
