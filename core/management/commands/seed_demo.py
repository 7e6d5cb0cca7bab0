"""Demo data for local use: one user per role, open demo cycles, and what each app adds.

Each app may provide `<app>/demo.py` with `seed_demo_data(context: dict)`; they run in order. The
context holds the demo users, organisers and cycles, and `password`, the one every demo account uses.
"""

import importlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import Role, RoleAssignment, User
from awards.demo import ensure_demo_cycles
from awards.models import Organiser
from core.models import EmailNotification

DEMO_PASSWORD = "demo-pass-2026"  # nosec B105 - published local-only demo password; refuses to run with DEBUG off

# username, full name, e-mail, roles [(role, organiser code or None)], language, superuser
DEMO_USERS = [
    ("admin", "系统管理员", "admin@demo.local", [], "zh-hans", True),
    ("cn-admin", "长宁项目管理员", "cn-admin@demo.local", [(Role.ADMIN, "changning")], "zh-hans", False),
    ("cn-staff", "长宁评审办公室", "cn-staff@demo.local", [(Role.STAFF, "changning")], "zh-hans", False),
    ("xh-admin", "徐汇项目管理员", "xh-admin@demo.local", [(Role.ADMIN, "xuhui")], "zh-hans", False),
    ("xh-staff", "徐汇评审办公室", "xh-staff@demo.local", [(Role.STAFF, "xuhui")], "zh-hans", False),
    *[(f"cn-expert{i}", f"长宁专家{i}", f"cn-expert{i}@demo.local", [(Role.EXPERT, "changning")], "zh-hans", False) for i in range(1, 8)],
    *[(f"xh-expert{i}", f"徐汇专家{i}", f"xh-expert{i}@demo.local", [(Role.EXPERT, "xuhui")], "zh-hans", False) for i in range(1, 6)],
    ("cn-recommender", "长宁区商务委（推荐）", "cn-recommender@demo.local", [(Role.RECOMMENDER, "changning")], "zh-hans", False),
    ("xh-recommender", "徐汇区行业协会（推荐）", "xh-recommender@demo.local", [(Role.RECOMMENDER, "xuhui")], "zh-hans", False),
    ("org-applicant", "上海示例精密制造有限公司", "org@demo.local", [(Role.APPLICANT, None)], "zh-hans", False),
    ("person-applicant", "王质量", "person@demo.local", [(Role.APPLICANT, None)], "zh-hans", False),
    ("foreign-applicant", "Anna Schmidt", "anna@demo.local", [(Role.APPLICANT, None)], "en", False),
    ("xh-small-applicant", "上海徐汇小微科技有限公司", "small@demo.local", [(Role.APPLICANT, None)], "zh-hans", False),
]

DEMO_APPS = ["accounts", "applications", "reviews", "documents"]


class Command(BaseCommand):
    help = "Create demo users of every role (password %s) and open demo cycles. Local use only." % DEMO_PASSWORD

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--applications", type=int, default=0, help="also build a realistic cycle with N applications")

    def handle(self, *args, force, applications, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a published password: it refuses to run with DEBUG off. Use --force if you really mean it.")
        # The demo's e-mails (hundreds) go to files, one per message, and are summarised in one
        # line, so they do not bury the server address that `make run` prints next.
        mail_dir = Path(settings.VAR_DIR) / "demo-mail"
        if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "smtp.EmailBackend")):
            mail_dir.mkdir(parents=True, exist_ok=True)
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir)):
                before = EmailNotification.objects.count()
                self.seed(applications=applications)
                sent = EmailNotification.objects.count() - before
            self.stdout.write(f"seed_demo: {sent} demo e-mails written to {mail_dir}/ (not printed)")
        else:
            self.seed(applications=applications)

    def seed(self, *, applications):
        call_command("load_programmes", verbosity=0, stdout=self.stdout)
        with transaction.atomic():
            organisers = {o.code: o for o in Organiser.objects.all()}
            users = {}
            for username, full_name, email, roles, language, superuser in DEMO_USERS:
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"email": email, "full_name": full_name, "preferred_language": language, "email_verified": True},
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                user.is_superuser = superuser
                user.is_staff = superuser or any(role in (Role.ADMIN, Role.STAFF) for role, _org in roles)
                user.save()
                for role, organiser_code in roles:
                    RoleAssignment.objects.get_or_create(user=user, role=role, organiser=organisers.get(organiser_code))
                users[username] = user
            cycles = ensure_demo_cycles(actor=users["admin"])
            context = {"users": users, "organisers": organisers, "cycles": {c.code: c for c in cycles}, "stdout": self.stdout,
                       "applications": applications, "password": DEMO_PASSWORD}
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed_demo_data(context)
        self.stdout.write(self.style.SUCCESS(f"Demo users ready (password: {DEMO_PASSWORD}): " + ", ".join(users)))
        if applications != 0:
            self.build_scale_cycle(applications, actor=users["cn-staff"])

    def build_scale_cycle(self, applications: int, *, actor) -> None:
        """The scale cycle (bench/scale.py): bulk inserts, one transaction; never built twice."""
        from bench.scale import ScaleCycleExists, build_scale_cycle

        if applications < 0:
            raise CommandError("--applications must be a positive number.")
        try:
            report = build_scale_cycle(applications=applications, password=DEMO_PASSWORD, actor=actor, stdout=self.stdout)
        except ScaleCycleExists as exc:
            if exc.existing == applications:
                self.stdout.write(self.style.NOTICE(f"{exc.code}: already built with {applications} applications; nothing to do."))
                return
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
