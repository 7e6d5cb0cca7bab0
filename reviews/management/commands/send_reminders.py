"""Run the reminder sweep once (what beat runs on its schedule): `manage.py send_reminders [--date YYYY-MM-DD]`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reviews import services


class Command(BaseCommand):
    help = "Send the reminders due (each once per person per event); --date sweeps as of another day."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to sweep as of (YYYY-MM-DD); default today in Asia/Shanghai")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD)") from None
        result = services.send_due_reminders(today=today)
        for reminder in result.sent:
            self.stdout.write(f"sent {reminder.kind} to {reminder.recipient.username} ({reminder.event_key})")
        self.stdout.write(f"{len(result.sent)} sent, {result.already} already sent before")
        for problem in result.uncovered:
            self.stderr.write(f"not computed: {problem}")
