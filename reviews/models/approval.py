"""The government's approval (批准表彰) and the official document number it carries."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import OrganiserScopedMixin, RecordedByStaff

# 机关代字〔年份〕序号号, e.g. 长府〔2023〕12号 (GB/T 9704 uses the hexagonal brackets 〔〕).
DOCUMENT_NUMBER_RE = re.compile(r"^(?P<prefix>[^\s〔〕\[\]]{1,20})〔(?P<year>\d{4})〕(?P<serial>\d{1,5})号$")


def normalise_document_number(value: str) -> str:
    """Accept the look-alike brackets people type ([ ], 【】, 〔 〕 with spaces) and store the official form."""
    value = re.sub(r"\s+", "", value or "")
    for wrong in "[【［(（":
        value = value.replace(wrong, "〔")
    for wrong in "]】］)）":
        value = value.replace(wrong, "〕")
    return value


def validate_document_number(value: str) -> None:
    if not DOCUMENT_NUMBER_RE.match(value or ""):
        raise ValidationError(_("文号格式应为“机关代字〔年份〕序号号”，如：长府〔2023〕12号。"))



class Approval(OrganiserScopedMixin, RecordedByStaff):
    """The government's approval (批准表彰) of the list, recorded from its document."""

    organiser_path = "cycle__programme__organiser"

    cycle = models.ForeignKey("awards.Cycle", on_delete=models.PROTECT, related_name="approvals", verbose_name=_("评选周期"))
    stage = models.OneToOneField("awards.Stage", on_delete=models.PROTECT, related_name="approval", verbose_name=_("审批环节"))
    approved_on = models.DateField(_("批准日期"))
    approving_body = models.CharField(_("批准机关"), max_length=120)
    document_number = models.CharField(_("批准文号"), max_length=60, validators=[validate_document_number])
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("批准")

    def __str__(self) -> str:
        return f"{self.approving_body} {self.document_number}"
