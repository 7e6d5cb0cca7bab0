"""The applicant sees their own 陈述答辩 / 现场评审 appointment on their application page."""

from django.utils import timezone

from applications.models import Application
from reviews.models import ScheduleEntry


def test_applicant_sees_own_schedule(client, db):
    from django.core.management import call_command

    call_command("seed_demo", "--force", verbosity=0)
    entry = ScheduleEntry.objects.select_related("application__applicant", "stage").first()
    assert entry is not None, "the demo data schedules a presentation slot"
    client.force_login(entry.application.applicant)
    page = client.get(f"/applications/{entry.application.pk}/").content.decode()
    assert "评审日程" in page
    assert entry.stage.name in page
    assert timezone.localtime(entry.starts_at).strftime("%Y-%m-%d %H:%M") in page
    other = Application.objects.exclude(applicant=entry.application.applicant).filter(schedule__isnull=True).first()
    if other is not None:
        client.force_login(other.applicant)
        assert "评审日程" not in client.get(f"/applications/{other.pk}/").content.decode()
