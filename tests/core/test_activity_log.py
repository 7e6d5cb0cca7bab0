import pytest
from django.core.exceptions import PermissionDenied

from core.models import ActivityLog
from core.services import log_activity


def test_activity_log_is_append_only(cn_admin, seeds):
    cycle = seeds["changning-quality-2023"]
    entry = log_activity(actor=cn_admin, action="config.update", target=cycle, before={"a": 1}, after={"a": 2})
    assert entry.organiser.code == "changning"
    entry.reason = "tampered"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        ActivityLog.objects.filter(pk=entry.pk).update(reason="tampered")
    with pytest.raises(PermissionDenied):
        ActivityLog.objects.all().delete()
    assert ActivityLog.objects.get(pk=entry.pk).reason == ""


def test_activity_log_admin_is_read_only(client, cn_staff, seeds):
    cycle = seeds["changning-quality-2023"]
    entry = log_activity(actor=cn_staff, action="config.update", target=cycle)
    client.force_login(cn_staff)
    assert client.get("/admin/core/activitylog/").status_code == 200
    assert client.post(f"/admin/core/activitylog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ActivityLog.objects.filter(pk=entry.pk).exists()
