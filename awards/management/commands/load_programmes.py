from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from awards.loader import SeedError, load_programmes


class Command(BaseCommand):
    help = "Load programme configuration from YAML files (default: the shipped seed files). All or nothing; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="YAML files or folders; default: awards/seeds/")

    def handle(self, *args, paths, **options):
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(path.rglob("*.yaml")))
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(f"{path}: (文件): 不存在")
        try:
            report = load_programmes(files or None)
        except SeedError as exc:
            raise CommandError(f"未导入任何内容。{exc}") from exc
        verbosity = options.get("verbosity", 1)
        if verbosity >= 2:
            for line in report.created:
                self.stdout.write(f"新增 {line}")
        if verbosity >= 1:
            for line in report.updated:
                self.stdout.write(f"更新 {line}")
        if verbosity < 1:
            return
        for line in report.warnings:
            self.stderr.write(self.style.WARNING(f"注意：{line}"))
        summary = f"新增 {len(report.created)}，更新 {len(report.updated)}，未变 {report.unchanged}"
        self.stdout.write(self.style.SUCCESS(summary))
