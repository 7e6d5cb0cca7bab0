from django.core.management.base import BaseCommand, CommandError

from awards.loader import export_cycle_yaml
from awards.models import Cycle


class Command(BaseCommand):
    help = "Print a cycle (with its organiser and rubrics) as YAML that load_programmes reads back identically."

    def add_arguments(self, parser):
        parser.add_argument("code", help="cycle code, e.g. changning-quality-2023")

    def handle(self, *args, code, **options):
        try:
            self.stdout.write(export_cycle_yaml(code), ending="")
        except Cycle.DoesNotExist:
            raise CommandError(f"未找到评选周期“{code}”。") from None
