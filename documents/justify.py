"""Inter-character justification for Chinese text, which WeasyPrint does not do by itself.

GB/T 9704 sets the body on a grid of 28 characters: every line but a paragraph's last one ends at the
right edge of the text block. WeasyPrint (70) justifies a line only by widening its spaces
(``weasyprint.layout.inline.justify_line``), and a Chinese line has none, so ``text-align: justify``
leaves it ragged. CSS Text 3 calls what is needed ``text-justify: inter-character``: the extra width
is shared among the gaps after CJK characters (ideographs, kana, full-width punctuation), as well as
the spaces; letters and digits of a Latin word are never pulled apart.

Two functions of WeasyPrint are wrapped, once per process (``install()``, called by
documents.rendering before every layout):

* ``inline.count_expandable_spaces`` counts, besides spaces, the CJK characters of a text box, so
  that ``justify_line`` spreads the extra width over them too;
* ``Layout.set_text(justify=True)`` (called when a justified box is drawn and when its width is
  recomputed) adds that spacing, as Pango letter spacing, to the same characters.

Pango gives a run's first and last glyph only half of their letter spacing; the count below does the
same so that the laid-out width and the drawn width agree. tests/documents/test_layout.py measures
the result on the PDF (every justified line ends within one character of the block's edge).
"""

from __future__ import annotations

import threading

import weasyprint

SUPPORTED_VERSIONS = ("70.",)

_lock = threading.Lock()
_installed = False


def is_cjk(char: str) -> bool:
    """A character after which a Chinese line may take extra space: CJK ideographs, kana, CJK and
    full-width punctuation (，。、；：“”（）《》〔〕…)."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK symbols and punctuation, kana, ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= code <= 0xFE4F  # CJK compatibility forms
        or 0xFF00 <= code <= 0xFF60  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
        or char in "“”‘’—…·"
    )


def expansion_points(text: str) -> float:
    """How many letter spacings Pango adds to `text` when every CJK character gets one."""
    marks = [is_cjk(char) for char in text]
    count = float(sum(marks))
    if marks and marks[0]:
        count -= 0.5
    if marks and marks[-1]:
        count -= 0.5
    return max(count, 0.0)


def install() -> None:
    """Teach WeasyPrint inter-character justification (idempotent)."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        if not weasyprint.__version__.startswith(SUPPORTED_VERSIONS):
            # Another WeasyPrint: its internals may differ, so lines stay justified at spaces only
            # (ragged Chinese lines) rather than being drawn wrong. The layout test then fails.
            _installed = True
            return
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import inline
        from weasyprint.text import line_break
        from weasyprint.text.ffi import TO_UNITS, ffi, pango

        original_count = inline.count_expandable_spaces

        def count_expandable_spaces(box):
            if isinstance(box, boxes.TextBox):
                return original_count(box) + expansion_points(box.text)
            if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
                return sum(count_expandable_spaces(child) for child in box.children)
            return 0

        original_set_text = line_break.Layout.set_text

        def set_text(self, text, justify=False):
            original_set_text(self, text, justify=justify)
            spacing = self.justification_spacing if justify else 0
            if not spacing or not self.text:
                return
            base = self.style["letter_spacing"]
            base = 0 if base == "normal" else base
            value = int((base + spacing) * TO_UNITS)
            attr_list = pango.pango_layout_get_attributes(self.layout)
            if attr_list == ffi.NULL:
                attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
            offset = 0
            for char in self.text:
                size = len(char.encode("utf-8"))
                if is_cjk(char):
                    attr = pango.pango_attr_letter_spacing_new(value)
                    attr.start_index, attr.end_index = offset, offset + size
                    pango.pango_attr_list_change(attr_list, attr)
                offset += size
            pango.pango_layout_set_attributes(self.layout, attr_list)

        inline.count_expandable_spaces = count_expandable_spaces
        line_break.Layout.set_text = set_text
        _installed = True

