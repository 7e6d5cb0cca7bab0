"""Load test: 50 applicants saving drafts concurrently through gunicorn + PostgreSQL on 127.0.0.1.

    .venv/bin/python bench/loadtest.py [--users 50] [--duration 60] [--workers 3] [--variant own|shared|both]

- own:    every client signs in as its own applicant and saves its own draft repeatedly.
- shared: two clients per application (the same account in two browsers / two colleagues), so
          saves collide: a stale save must be refused with the conflict message (HTTP 409), never
          silently applied.

The tool is locust (bench/requirements.txt), headless, against gunicorn on 127.0.0.1 with
bench.settings; each run is bounded by --duration (default 60 s) plus a 15 s stop timeout.
Afterwards every application is read back from the database and compared with the writes its
clients were told were saved:

- lost writes: an acknowledged save whose content is not the application's final content, although
  no later acknowledged save of the application exists (must be 0);
- silent overwrites: two acknowledged saves claiming the same version, or a save acknowledged
  for a version other than the one it was based on + 1 (must be 0);
- the version counter and the activity log ("application.save" entries) must grow by exactly the
  number of acknowledged saves.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

HOST, PORT = "127.0.0.1", 8765
PASSWORD = "load-pass-2026!"
CYCLE = "demo-changning-quality"


def prepare_accounts(prefix: str, count: int) -> list[dict]:
    """`count` applicants with an organisation and a draft in the open demo cycle (real services)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, RoleAssignment, User
    from applications import services
    from applications.models import Application, OrganisationProfile, OrganisationType
    from awards.models import Cycle
    from bench.scale import credit_code, organisation_name

    cycle = Cycle.objects.get(code=CYCLE)
    category = cycle.categories.get(code="gold-mode")
    password = make_password(PASSWORD)  # hashed once for all the accounts
    accounts = []
    for i in range(1, count + 1):
        username = f"{prefix}-{i:02d}"
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@load.bench.local", "full_name": username, "email_verified": True,
                                         "password": password})
        if created:
            RoleAssignment.objects.create(user=user, role=Role.APPLICANT)
        index = 700000 + (0 if prefix.endswith("own") else 1000) + i
        organisation, _ = OrganisationProfile.objects.get_or_create(
            credit_code=credit_code(index, tag="L"),
            defaults=dict(owner=user, name=organisation_name(20000 + index % 20000) + f"（压测{i}）", org_type=OrganisationType.ENTERPRISE,
                          registered_district="长宁区", established_on="2015-06-01", legal_representative="压测", contact_name="压测",
                          contact_mobile="13800000000"),
        )
        application = Application.objects.filter(cycle=cycle, organisation=organisation).first()
        if application is None:
            application = services.application_create(actor=user, category=category, organisation=organisation)
        accounts.append({"username": username, "password": PASSWORD, "application": application.pk})
    return accounts


def with_sessions(accounts: list[dict]) -> list[dict]:
    """Sign every client in before the timed run (a real session row each, as the login view makes).

    Password hashing (PBKDF2, 1,000,000 iterations) costs ~0.5 s of CPU per login: 50 logins on two
    cores would fill much of a 60 s window. The test is about saving drafts, so the clients start
    signed in; --login makes them sign in through the login page inside the run instead.
    """
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    clients = []
    for account in accounts:
        client = Client()
        client.force_login(User.objects.get(username=account["username"]))
        clients.append({**account, "session": client.cookies[settings.SESSION_COOKIE_NAME].value})
    return clients


def wait_for_port(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, PORT), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not listen on {HOST}:{PORT}")


def run_locust(accounts: list[dict], *, users: int, duration: int, workdir: Path, label: str, think: tuple[float, float]) -> tuple[list[dict], dict]:
    accounts_file = workdir / f"{label}-accounts.json"
    results_file = workdir / f"{label}-results.json"
    accounts_file.write_text(json.dumps(accounts))
    env = {**os.environ, "LOAD_ACCOUNTS": str(accounts_file), "LOAD_RESULTS": str(results_file),
           "LOAD_THINK_MIN": str(think[0]), "LOAD_THINK_MAX": str(think[1])}
    command = [
        str(Path(sys.executable).parent / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
        "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{duration}s", "--stop-timeout", "15",
        "--host", f"http://{HOST}:{PORT}", "--csv", str(workdir / label), "--only-summary", "--loglevel", "WARNING",
    ]
    with open(workdir / f"{label}-locust.log", "w") as log:
        subprocess.run(command, env=env, check=False, timeout=duration + 120, stdout=log, stderr=subprocess.STDOUT)
    stats = {}
    with open(workdir / f"{label}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = row
    return json.loads(results_file.read_text()), stats


def verify(records: list[dict], baseline: dict[int, tuple[int, int]]) -> dict:
    """Compare every application's final state with its clients' acknowledged writes."""
    from applications.models import Application
    from core.models import ActivityLog

    by_app = defaultdict(list)
    for record in records:
        by_app[record["application"]].append(record)
    result = defaultdict(int)
    problems = []
    for app_id, clients in by_app.items():
        application = Application.objects.get(pk=app_id)
        start_version, start_log = baseline[app_id]
        acks = [ack for c in clients for ack in c["acks"]]
        pending = [c["pending"] for c in clients if c["pending"]]
        result["acknowledged"] += len(acks)
        result["refused"] += sum(c["refused"] for c in clients)
        result["refused_without_message"] += sum(c["refused_without_message"] for c in clients)
        result["errors"] += sum(len(c["errors"]) for c in clients)
        versions = [a["version"] for a in acks]
        if None in versions:
            problems.append(f"application {app_id}: a save was acknowledged without a version in the message")
            continue
        duplicates = len(versions) - len(set(versions))
        mismatched = sum(1 for a in acks if a["version"] != a["sent_version"] + 1)
        result["silent_overwrites"] += duplicates + mismatched
        final = (application.form_data or {}).get("overview", "")
        if acks:
            last = max(acks, key=lambda a: a["version"])
            if last["token"] not in final and not any(p in final for p in pending):
                result["lost_writes"] += 1
                problems.append(f"application {app_id}: last acknowledged write v{last['version']} is not the saved content")
        if application.version - start_version != len(acks):
            result["version_mismatch"] += 1
            problems.append(f"application {app_id}: version grew by {application.version - start_version}, {len(acks)} saves acknowledged")
        logged = ActivityLog.objects.filter(target_type="applications.application", target_id=str(app_id), action="application.save",
                                            pk__gt=start_log).count()
        if logged != len(acks):
            result["log_mismatch"] += 1
            problems.append(f"application {app_id}: {logged} save log entries, {len(acks)} saves acknowledged")
    result["applications"] = len(by_app)
    result["clients"] = len(records)
    return {"counts": dict(result), "problems": problems}


def baseline_of(accounts: list[dict]) -> dict[int, tuple[int, int]]:
    from django.db.models import Max

    from applications.models import Application
    from core.models import ActivityLog

    last_log = ActivityLog.objects.aggregate(m=Max("pk"))["m"] or 0
    return {a["application"]: (Application.objects.get(pk=a["application"]).version, last_log) for a in accounts}


def print_run(label: str, stats: dict, checked: dict, duration: int, out=sys.stdout) -> None:
    save = stats.get("save draft", {})
    page = stats.get("edit page", {})
    counts = checked["counts"]
    out.write(f"\n== {label}: {counts['clients']} clients on {counts['applications']} applications, {duration} s ==\n")
    for name, row in (("save draft (POST)", save), ("edit page (GET)", page)):
        if row:
            out.write(f"  {name:<20} {row['Request Count']:>6} requests  {row['Failure Count']:>4} failures  "
                      f"p50 {row['50%']:>5} ms  p95 {row['95%']:>5} ms  p99 {row['99%']:>5} ms  {float(row['Requests/s']):6.1f} req/s\n")
    aggregated = stats.get("Aggregated", {})
    out.write(f"  all requests         {aggregated.get('Request Count', '?'):>6} requests  {aggregated.get('Failure Count', '?'):>4} failures\n")
    out.write(f"  acknowledged saves {counts.get('acknowledged', 0)}, refused as stale (409) {counts.get('refused', 0)} "
              f"(without the conflict message: {counts.get('refused_without_message', 0)}), client errors {counts.get('errors', 0)}\n")
    out.write(f"  lost writes {counts.get('lost_writes', 0)}, silent overwrites {counts.get('silent_overwrites', 0)}, "
              f"version mismatches {counts.get('version_mismatch', 0)}, log mismatches {counts.get('log_mismatch', 0)}\n")
    for problem in checked["problems"][:10]:
        out.write(f"  ! {problem}\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds per variant (max 300)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2–4 on this machine)")
    parser.add_argument("--variant", choices=["own", "shared", "both"], default="both")
    parser.add_argument("--login", action="store_true", help="clients sign in through the login page inside the timed run")
    parser.add_argument("--think", type=float, nargs=2, default=(0.1, 0.5), metavar=("MIN", "MAX"),
                        help="seconds a client waits between saves (default 0.1 0.5: a stress test, not a typing speed)")
    args = parser.parse_args(argv)
    args.duration = min(args.duration, 300)

    common.ensure_database()
    common.setup_django()
    from django.core.management import call_command

    from awards.models import Cycle

    call_command("migrate", verbosity=0)
    if not Cycle.objects.filter(code=CYCLE).exists():
        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))

    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            raise SystemExit(f"{HOST}:{PORT} is in use (another load test running?): stop it first")
    except OSError:
        pass
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_DATABASE_URL": common.database_url()}
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--workers", str(args.workers),
         "--bind", f"{HOST}:{PORT}", "--timeout", "30", "--log-level", "warning", "--error-logfile", str(workdir / "gunicorn.log")],
        cwd=common.ROOT, env=env, start_new_session=True,
    )
    failed = False
    try:
        wait_for_port()
        sys.stdout.write(f"gunicorn: {args.workers} workers on {HOST}:{PORT}, PostgreSQL {common.database_url()}, logs in {workdir}\n")
        variants = ["own", "shared"] if args.variant == "both" else [args.variant]
        for variant in variants:
            if variant == "own":
                accounts = prepare_accounts("load-own", args.users)
                label = f"{args.users} applicants, each saving its own draft"
            else:
                pairs = max(1, args.users // 2)
                shared = prepare_accounts("load-shared", pairs)
                accounts = [a for a in shared for _ in range(2)]
                label = f"{len(accounts)} clients, two per application"
            if not args.login:
                accounts = with_sessions(accounts)
            baseline = baseline_of(accounts)
            records, stats = run_locust(accounts, users=len(accounts), duration=args.duration, workdir=workdir, label=variant,
                                        think=tuple(args.think))
            checked = verify(records, baseline)
            print_run(label, stats, checked, args.duration)
            sys.stdout.write(f"  measured on {common.machine()}\n")
            counts = checked["counts"]
            failed |= bool(counts.get("errors") or counts.get("lost_writes") or counts.get("silent_overwrites") or counts.get("version_mismatch")
                           or counts.get("log_mismatch") or counts.get("refused_without_message"))
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
