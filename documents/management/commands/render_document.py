"""python manage.py render_document KIND [--cycle CODE ...] [--application NUMBER] [--award ID] --out FILE"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from awards.models import Cycle
from reviews.models import Award

from ... import generation
from ...kinds import KINDS, DocumentDataError


class Command(BaseCommand):
    help = "Render one document synchronously through the same code path as the Celery task."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--cycle", action="append", default=[], metavar="CODE", help="cycle code (repeatable)")
        parser.add_argument("--application", metavar="NUMBER", help="application number (受理编号) or id")
        parser.add_argument("--award", metavar="ID", help="winner (reviews.Award) id")
        parser.add_argument("--out", required=True, metavar="FILE", help="where to write the PDF ('-' for stdout)")

    def handle(self, *args, kind, cycle, application, award, out, **options):
        subject = {}
        spec = KINDS[kind]
        if spec.subject in ("cycle", "cycles"):
            found = {c.code: c for c in Cycle.objects.select_related("programme__organiser").filter(code__in=cycle)}
            missing = [code for code in cycle if code not in found]
            if missing:
                raise CommandError(f"unknown cycle(s): {', '.join(missing)}")
            subject["cycles"] = [found[code] for code in cycle]
        elif spec.subject == "application":
            from applications.models import Application

            if not application:
                raise CommandError("--application is required for this kind")
            lookup = {"pk": int(application)} if application.isdigit() else {"number": application}
            try:
                subject["application"] = Application.objects.select_related("cycle__programme__organiser").get(**lookup)
            except Application.DoesNotExist:
                raise CommandError(f"unknown application {application}") from None
        else:

            if not award:
                raise CommandError("--award is required for this kind")
            try:
                subject["award"] = Award.objects.select_related("cycle__programme__organiser", "application").get(pk=award)
            except (Award.DoesNotExist, ValueError):
                raise CommandError(f"unknown award {award}") from None
        # Nothing is written unless the whole PDF was made (generation.render_to_file); any failure ends the
        # command with a non-zero status and the reason on stderr.
        try:
            rendered = generation.render_to_file(kind=kind, out=sys.stdout.buffer if out == "-" else out, **subject)
        except DocumentDataError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from exc
        except Exception as exc:  # noqa: BLE001 - a layout or template error: say which, exit non-zero
            raise CommandError(f"rendering {kind} failed: {type(exc).__name__}: {exc}") from exc
        if out != "-":
            self.stderr.write(f"{out}: {rendered.pages} page(s), {len(rendered.content)} bytes, {rendered.seconds:.2f} s")
