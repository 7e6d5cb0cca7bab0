"""The staff queue's saved filters (常用筛选): each staff user names and keeps their own."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from awards.models import Cycle
from core.services import log_activity
from reviews.models import SavedQueueFilter
from reviews.selectors.staff import QueueFilters

MAX_SAVED_FILTERS = 30


def save_queue_filter(*, user, cycle: Cycle, name: str, query: str) -> SavedQueueFilter:
    """Keep the queue's current filters and sort under a name (the same name again replaces them). Only the
    queue's own parameters are kept, as the queue reads them (QueueFilters)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("请为筛选条件命名。"))
    if len(name) > 60:
        raise ValidationError(_("名称不能超过 60 个字。"))
    normalised = QueueFilters.from_query(QueryDict(query or "")).to_query()
    if not normalised:
        raise ValidationError(_("当前没有筛选条件或排序，无需保存。"))
    with transaction.atomic():
        saved = SavedQueueFilter.objects.select_for_update().filter(user=user, cycle=cycle, name=name).first()
        before = {"name": saved.name, "query": saved.query} if saved else None
        if saved is None:
            if SavedQueueFilter.objects.filter(user=user, cycle=cycle).count() >= MAX_SAVED_FILTERS:
                raise ValidationError(_("每个评选周期最多保存 %(n)d 个常用筛选，请先删除不用的。") % {"n": MAX_SAVED_FILTERS})
            saved = SavedQueueFilter(user=user, cycle=cycle, name=name)
        saved.query = normalised
        saved.save()
        log_activity(actor=user, action="reviews.queue_filter.save", target=saved, before=before,
                     after={"name": name, "query": normalised})
    return saved


def delete_queue_filter(*, saved: SavedQueueFilter, actor) -> None:
    with transaction.atomic():
        log_activity(actor=actor, action="reviews.queue_filter.delete", target=saved,
                     before={"name": saved.name, "query": saved.query})
        saved.delete()
