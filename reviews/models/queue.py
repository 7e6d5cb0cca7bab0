"""The staff queue's saved filters (常用筛选), one list per staff user and cycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import OrganiserScopedMixin, Timestamped


class SavedQueueFilter(OrganiserScopedMixin, Timestamped):
    """A named set of queue filters and sort order a staff user keeps for a cycle."""

    organiser_path = "cycle__programme__organiser"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queue_filters",
                             verbose_name=_("用户"))
    cycle = models.ForeignKey("awards.Cycle", on_delete=models.CASCADE, related_name="+", verbose_name=_("评选周期"))
    name = models.CharField(_("名称"), max_length=60)
    query = models.CharField(_("筛选条件"), max_length=1000, help_text=_("筛选与排序，按队列页的查询参数保存"))

    class Meta:
        verbose_name = verbose_name_plural = _("常用筛选")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "cycle", "name"], name="saved_queue_filter_unique_name")]

    def __str__(self) -> str:
        return self.name
