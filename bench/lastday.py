"""The last scoring day under load: 100 experts and 50 applicants at once, through gunicorn +
PostgreSQL + Redis on 127.0.0.1.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> BENCH_BROKER_URL=redis://127.0.0.1:6379/<n> \
        .venv/bin/python bench/lastday.py [--duration 120] [--workers 3] [--port 8765] [--code DIR] [--json out.json]

Needs the scale cycle (seed_demo --applications N) in the database. Each expert client is one of 100
accounts `lastday-expert-NNN` of the scale cycle's organiser, each assigned (through the real services,
with its 回避 declaration) to --per-expert applications at 资料评审 that it has not scored before; it
opens its home page, then for each assignment opens the scoresheet, saves a draft, submits every item
with an opinion and lands on its home page again (bench/locust_lastday.py). The 50 applicants are the
draft savers of bench/loadtest.py. Clients start signed in (PBKDF2 logins are not what is measured);
the experts' sessions carry a passed second factor.

After the run every acknowledged scoresheet save is compared with the database (0 lost scores: the
items of the last acknowledged save of each scoresheet are the stored ones, and a submitted one is
submitted), and the drafts as bench/loadtest.py does. Printed: requests, failures and p50/p95/p99 per
request kind, the check counts, and what the run wrote to the session and item-score tables
(pg_stat_user_tables). --code DIR runs gunicorn on another checkout of the portal (for a "before"
figure with the same clients and data). Gunicorn's cache (the throttles) is Redis (BENCH_BROKER_URL's
server, the same database number); nothing is flushed.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench import loadtest  # noqa: E402

KINDS = ["expert home", "scoresheet page", "save scoresheet (draft)", "submit scoresheet", "expert home (after submit)",
         "save draft", "edit page"]
STAGE = "material-review"


def prepare_experts(count: int, per_expert: int) -> list[dict]:
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from accounts.models import Role, RoleAssignment, User
    from applications.models import Application
    from awards.models import Cycle
    from reviews import services
    from reviews.models import Assignment, ExpertProfile

    cycle = Cycle.objects.select_related("programme__organiser").get(code="scale-demo")
    organiser = cycle.programme.organiser
    stage = cycle.stages.get(code=STAGE)
    staff = User.objects.get(username="cn-staff")
    password = make_password(loadtest.PASSWORD)
    candidates = list(Application.objects.filter(current_stage=stage, status="in_review")
                      .annotate(n=Count("assignments")).order_by("n", "pk").values_list("pk", flat=True))
    cursor = 0
    experts = []
    for i in range(1, count + 1):
        username = f"lastday-expert-{i:03d}"
        user, created = User.objects.get_or_create(username=username, defaults={
            "email": f"{username}@load.bench.local", "full_name": f"压测专家{i}", "email_verified": True, "password": password})
        if created:
            RoleAssignment.objects.create(user=user, role=Role.EXPERT, organiser=organiser)
        profile, _ = ExpertProfile.objects.get_or_create(user=user, organiser=organiser, defaults={
            "name": f"压测专家{i:03d}", "employer": f"压测专家单位{i}"})
        open_ids = list(Assignment.objects.filter(expert=profile, stage=stage, status="active")
                        .exclude(scoresheet__status="submitted").values_list("application_id", flat=True))
        mine = set(Assignment.objects.filter(expert=profile).values_list("application_id", flat=True))
        while len(open_ids) < per_expert and cursor < len(candidates) * 3:
            pk = candidates[cursor % len(candidates)]
            cursor += 1
            if pk in mine:
                continue
            application = Application.objects.get(pk=pk)
            try:
                services.assign_expert(stage=stage, application=application, expert=profile, actor=staff)
            except Exception:  # noqa: BLE001 - a conflict or a full panel: take the next application
                continue
            services.declare_conflict(expert=profile, application=application, has_conflict=False, reason="", actor=user)
            open_ids.append(pk)
            mine.add(pk)
        experts.append({"username": username, "stage": STAGE, "applications": open_ids[:per_expert], "profile": profile.pk})
    return experts


def sessions(accounts: list[dict]) -> list[dict]:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    result = []
    for account in accounts:
        client = Client()
        common.login(client, User.objects.get(username=account["username"]))
        result.append({**account, "session": client.cookies[settings.SESSION_COOKIE_NAME].value})
    return result


def verify_scores(records: list[dict], experts: list[dict]) -> dict:
    from reviews.models import ItemScore, Scoresheet

    profile = {e["username"]: e["profile"] for e in experts}
    counts = {"acknowledged_saves": 0, "acknowledged_submits": 0, "lost_scores": 0, "errors": 0}
    problems = []
    for record in records:
        counts["errors"] += len(record["errors"])
        last: dict[int, dict] = {}
        for ack in record["acks"]:
            counts["acknowledged_submits" if ack["kind"] == "submit" else "acknowledged_saves"] += 1
            last[ack["application"]] = ack
        pending = record.get("pending")
        if pending:  # a save still in flight when the run stopped: the server may have done it or not
            counts["in_flight_at_stop"] = counts.get("in_flight_at_stop", 0) + 1
        for application, ack in last.items():
            sheet = Scoresheet.objects.filter(assignment__expert_id=profile[record["username"]],
                                              assignment__application_id=application, assignment__stage__code=STAGE).first()
            stored = {f"item_{c}": s for c, s in ItemScore.objects.filter(scoresheet=sheet).values_list("criterion_id", "score")} if sheet else {}
            sent = {k: v for k, v in ack["items"].items() if v != ""}
            same = sheet is not None and set(stored) == set(sent) and all(float(stored[k]) == float(v) for k, v in sent.items())
            if ack["kind"] == "submit":
                same = same and sheet.status == Scoresheet.Status.SUBMITTED and sheet.opinion == ack["opinion"]
            if not same and pending and pending["application"] == application:
                continue  # the later, unacknowledged save may have been applied instead: not a lost score
            if not same:
                counts["lost_scores"] += 1
                problems.append(f"{record['username']} application {application}: the acknowledged {ack['kind']} is not stored")
    return {"counts": counts, "problems": problems}


def table_writes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
                       "WHERE relname IN ('django_session', 'reviews_itemscore')")
        return {name: ins + upd + dele for name, ins, upd, dele in cursor.fetchall()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=120)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--experts", type=int, default=100)
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--per-expert", type=int, default=12)
    parser.add_argument("--code", help="serve this checkout of the portal instead (a 'before' figure)")
    parser.add_argument("--stop-timeout", type=int, default=120,
                        help="seconds the clients get to finish the request in flight at the end (so none is cut off)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    common.setup_django()
    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")

    experts = sessions(prepare_experts(args.experts, args.per_expert))
    applicants = loadtest.with_sessions(loadtest.prepare_accounts("load-own", args.applicants))
    baseline = loadtest.baseline_of(applicants)
    workdir = Path(tempfile.mkdtemp(prefix="portal-lastday-"))
    (workdir / "experts.json").write_text(json.dumps(experts))
    (workdir / "applicants.json").write_text(json.dumps(applicants))
    code = Path(args.code).resolve() if args.code else common.ROOT
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_DATABASE_URL": common.database_url(),
           "DJANGO_CACHE_URL": broker}
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{args.port}", "--timeout", "60", "--log-level", "warning",
         "--error-logfile", str(workdir / "gunicorn.log")], cwd=code, env=env, start_new_session=True)
    try:
        loadtest.HOST, loadtest.PORT = "127.0.0.1", args.port
        loadtest.wait_for_port()
        import urllib.request

        for _ in range(3 * args.workers):  # every worker imports the portal before the clock starts
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/accounts/login/", timeout=60).read()
        before = table_writes()
        users = len(experts) + len(applicants)
        run_env = {**os.environ, "LASTDAY_EXPERTS": str(workdir / "experts.json"), "LASTDAY_RESULTS": str(workdir / "experts-results.json"),
                   "LOAD_ACCOUNTS": str(workdir / "applicants.json"), "LOAD_RESULTS": str(workdir / "applicants-results.json"),
                   "LASTDAY_EXPERT_COUNT": str(len(experts)), "LASTDAY_APPLICANTS": str(len(applicants)),
                   "LOAD_THINK_MIN": "0.5", "LOAD_THINK_MAX": "2"}
        start_load = common.machine()
        command = [str(Path(sys.executable).parent / "locust"), "-f", str(Path(__file__).with_name("locust_lastday.py")),
                   "--headless", "--users", str(users), "--spawn-rate", "15", "--run-time", f"{args.duration}s",
                   "--stop-timeout", str(args.stop_timeout), "--host", f"http://127.0.0.1:{args.port}", "--csv", str(workdir / "lastday"),
                   "--only-summary", "--loglevel", "WARNING"]
        with open(workdir / "locust.log", "w") as log:
            subprocess.run(command, env=run_env, check=False, timeout=args.duration + args.stop_timeout + 120, stdout=log, stderr=subprocess.STDOUT)
        end_load = common.machine()
        time.sleep(1)
        writes = {k: v - before.get(k, 0) for k, v in table_writes().items()}
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    stats = {}
    with open(workdir / "lastday_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = row
    scores = verify_scores(json.loads((workdir / "experts-results.json").read_text()), experts)
    drafts = loadtest.verify(json.loads((workdir / "applicants-results.json").read_text()), baseline)
    print(f"\nlast scoring day: {len(experts)} experts + {len(applicants)} applicants, {args.duration} s, gunicorn "
          f"{args.workers} workers ({code}), PostgreSQL {common.database_url()}, cache {broker}\n"
          f"start: {start_load}\nend:   {end_load}\n")
    print("| request | count | failures | p50 | p95 | p99 | req/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    result = {"kinds": {}, "load": f"{start_load} → {end_load}"}
    for name in [*KINDS, "Aggregated"]:
        row = stats.get(name)
        if row:
            print(f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} ms | {row['95%']} ms | "
                  f"{row['99%']} ms | {float(row['Requests/s']):.1f} |")
            result["kinds"][name] = {k: row[k] for k in ("Request Count", "Failure Count", "50%", "95%", "99%", "Requests/s")}
    print(f"\nscores: {scores['counts']}\ndrafts: {drafts['counts']}\nrows written: {writes}")
    for problem in (scores["problems"] + drafts["problems"])[:10]:
        print("  !", problem)
    result.update(scores=scores["counts"], drafts=drafts["counts"], writes=writes)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    bad = scores["counts"]["lost_scores"] or scores["counts"]["errors"] or drafts["counts"].get("lost_writes") or drafts["counts"].get("errors")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
