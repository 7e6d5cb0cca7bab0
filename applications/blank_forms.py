"""Blank application forms (申报表) per category, generated from the same configuration as the
online form: a printable page and an .xlsx workbook for offices that collect paper copies."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from awards.models import ApplicantKind, Category
from awards.selectors import rule_params

from .forms import ApplicationForm, OrganisationProfileForm, PersonProfileForm, localised
from .models import Application
from .sections import sections_for


def _profile_rows(category: Category) -> tuple[str, list[tuple[str, str]]]:
    if category.applicant_kind == ApplicantKind.ORGANISATION:
        form = OrganisationProfileForm()
        return _("申报组织基本信息"), [(str(f.label), str(f.help_text or "")) for f in form.fields.values()]
    form = PersonProfileForm()
    return _("申报人基本信息"), [(str(f.label), str(f.help_text or "")) for f in form.fields.values()]


def blank_form_rows(category: Category) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section title, [(field label, hint)])] for the blank form of a category."""
    rows = [_profile_rows(category)]
    application = Application(cycle=category.cycle, category=category)
    form = ApplicationForm(application=application)
    for section in sections_for(category):
        if section.code == "declarations":
            items = (rule_params(category, "declarations") or {}).get("items", [])
            rows.append(
                (
                    str(section.title),
                    [
                        ("□ " + localised(item), _("组织主要负责人适用") if item.get("when") == "is_org_head" else "")
                        for item in items
                    ],
                )
            )
            continue
        if section.code == "attachments":
            hint = _("自评报告") if category.applicant_kind == ApplicantKind.ORGANISATION else _("佐证材料")
            rows.append((str(section.title), [(hint, _("PDF、JPEG、PNG、Word 或 Excel"))]))
            continue
        names = form.section_fields.get(section.code, [])
        fields = []
        for name in names:
            field = form.fields[name]
            fields.append((str(field.label), str(field.help_text or "")))
        if fields:
            rows.append((str(section.title), fields))
    return rows


def blank_form_xlsx(category: Category) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("申报表")[:31]
    thin = Side(style="thin", color="888888")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    title = f"{category.cycle.programme.name}（{category.cycle.name}）{category.name} {_('申报表')}"
    sheet.append([title])
    sheet.merge_cells("A1:C1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for section_title, fields in blank_form_rows(category):
        sheet.append([])
        sheet.append([section_title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for label, hint in fields:
            sheet.append([label, "", hint])
            row = sheet.max_row
            for column in (1, 2, 3):
                cell = sheet.cell(row=row, column=column)
                cell.border = border
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
