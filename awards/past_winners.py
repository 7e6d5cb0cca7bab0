"""Reading the office's list of earlier winners (Excel .xlsx): name, credit code or ID number, award, year.

Every row is checked (check characters via core.identity, the award against the programme's levels,
the year) and the whole list is shown as a preview; nothing is written until the staff confirm it
(awards.services.import_past_winners, all or nothing).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.identity import mask_identity, normalise_code, validate_credit_code, validate_foreign_permanent_id, validate_resident_id

# Column headings the office's lists use (Chinese or English), in the order of the template.
HEADINGS = {
    "name": ("名称", "获奖者", "获奖者名称", "单位名称", "姓名", "name"),
    "identifier": ("统一社会信用代码或身份证号码", "统一社会信用代码", "身份证号码", "证件号码", "代码", "credit code or id number", "id"),
    "award": ("奖项", "所获奖项", "获奖等级", "award"),
    "year": ("年度", "获奖年度", "年份", "year"),
}
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024


def classify_identifier(value) -> tuple[str, str]:
    """("credit_code" | "id_number", normalised value), or ValidationError saying what is wrong."""
    code = normalise_code(str(value or ""))
    if not code:
        raise ValidationError(_("未填写统一社会信用代码或身份证号码。"))
    if len(code) != 18:
        raise ValidationError(_("应为18位统一社会信用代码或身份证号码，当前为%(n)d位。") % {"n": len(code)})
    if code[:17].isascii() and code[:17].isdigit():
        validator = validate_foreign_permanent_id if code[0] == "9" and not code[1].isalpha() else validate_resident_id
        try:
            validator(code)
            return "id_number", code
        except ValidationError as exc:
            id_problem = exc.messages[0]
        try:
            return "credit_code", validate_credit_code(code)
        except ValidationError:
            raise ValidationError(id_problem) from None
    return "credit_code", validate_credit_code(code)


@dataclass
class Row:
    line: int  # the row number in the sheet
    name: str = ""
    identifier: str = ""
    identifier_kind: str = ""
    award: str = ""
    year: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def masked(self) -> str:
        return mask_identity(self.identifier) if not self.problems else self.identifier

    def as_dict(self) -> dict:
        return {"line": self.line, "name": self.name, "identifier": self.identifier, "identifier_kind": self.identifier_kind,
                "award": self.award, "year": self.year}


@dataclass
class Preview:
    rows: list[Row]
    problems: list[str]  # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows) and not any(r.problems for r in self.rows)

    @property
    def bad_rows(self) -> list[Row]:
        return [r for r in self.rows if r.problems]


def _column_map(header: tuple) -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = str(cell or "").strip().lower()
        for key, names in HEADINGS.items():
            if text in names and key not in found:
                found[key] = index
    missing = [HEADINGS[k][0] for k in HEADINGS if k not in found]
    return found, missing


def read_workbook(upload, *, levels: list[str], existing: set[tuple[int, str, str]]) -> Preview:
    """Parse and check an uploaded .xlsx. `levels`: the award levels the programme has (e.g. 区长质量奖);
    `existing`: (year, identifier, award) already in the register (a second import of a row is refused)."""
    from openpyxl import load_workbook

    if upload.size > MAX_BYTES:
        return Preview([], [_("文件超过 5 MB。")])
    name = (upload.name or "").lower()
    if not name.endswith(".xlsx"):
        return Preview([], [_("请上传 Excel 文件（.xlsx）。")])
    try:
        book = load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same clear answer
        return Preview([], [_("无法读取该文件：请确认是 Excel（.xlsx）格式且未加密。")])
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None:
        return Preview([], [_("工作表是空的。")])
    columns, missing = _column_map(header)
    if missing:
        return Preview([], [_("第1行应为列标题：名称、统一社会信用代码或身份证号码、奖项、年度；缺少：%(m)s。") % {"m": "、".join(missing)}])
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    this_year = timezone.localdate().year
    for number, values in enumerate(lines, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            return Preview(rows, [_("每次最多导入 %(n)d 行。") % {"n": MAX_ROWS}])
        cell = lambda key: values[columns[key]] if columns[key] < len(values) else None  # noqa: E731
        row = Row(line=number, name=str(cell("name") or "").strip(), award=str(cell("award") or "").strip())
        if not row.name:
            row.problems.append(_("未填写名称。"))
        try:
            row.identifier_kind, row.identifier = classify_identifier(cell("identifier"))
        except ValidationError as exc:
            row.identifier = normalise_code(str(cell("identifier") or ""))
            row.problems.append(exc.messages[0])
        if row.award not in levels:
            row.problems.append(_("奖项“%(a)s”不是本奖项的等级；应为：%(l)s。") % {"a": row.award, "l": "、".join(levels)})
        year = cell("year")
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        if isinstance(year, str) and year.strip().rstrip("年").isdigit():
            year = int(year.strip().rstrip("年"))
        if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= this_year:
            row.problems.append(_("年度应为 1990 至 %(y)d 之间的年份。") % {"y": this_year})
        else:
            row.year = year
        key = (row.year, row.identifier, row.award)
        if row.identifier and row.year:
            if key in seen:
                row.problems.append(_("与第%(n)d行重复。") % {"n": seen[key]})
            elif key in existing:
                row.problems.append(_("名单中已有该获奖记录。"))
            seen.setdefault(key, number)
        rows.append(row)
    if not rows:
        return Preview([], [_("文件中没有获奖记录。")])
    return Preview(rows, [])
