"""Page benchmarks: our pages against fair floors doing the same read and building the same cells
(DESIGN §7: ≤ 2× the floor, ≤ 300 ms median, ≤ 300 KiB of HTML).

    .venv/bin/python bench/bench_pages.py [--applications 10000] [--iterations 20] [--warmup 3] [--json out.json]
    .venv/bin/python bench/bench_pages.py --growth small.json large.json     # the growth table of two runs

Builds the scale cycle on first use (seed_demo --applications N into BENCH_DATABASE_URL), then times,
in one process with Django's test Client and the full middleware stack, each page and its floor
(bench/bare.py) in turns — A B A B — so that load from other processes falls on both alike. The load
average is printed before and after. Pages (scale cycle `scale-demo`):

- the staff queue, first and last page;
- the 资料评审 stage page (every application at the stage; page 1 of 50);
- the rankings of 质量金奖 先进质量管理模式 at 资料评审 (the largest category) and at 陈述答辩
  (1,000 applications × 7 experts at 10,000), page 1 of 100: the page reads the category's stored ranking
  (reviews.selectors.rankings) after digesting its data in one aggregate query, and so does its floor;
- the expert home of the expert with the most assignments (due first, finished work paged);
- the cycle dashboard;
- the applicant dashboard of a typical applicant and of a holding group's account.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

MAX_MS = 300
MAX_KIB = 300


def growth(small_path: str, large_path: str) -> int:
    small, large = (json.loads(Path(p).read_text()) for p in (small_path, large_path))
    print(f"\ngrowth: {small['applications']:,} → {large['applications']:,} applications\n"
          f"load average during the {small['applications']:,} run: {small['load']}\n"
          f"load average during the {large['applications']:,} run: {large['load']}\n")
    print(f"| page | median {small['applications']:,} | median {large['applications']:,} | × | queries | KiB {small['applications']:,} → {large['applications']:,} |")
    print("| --- | --- | --- | --- | --- | --- |")
    def key(name: str) -> str:  # the page, without the sizes its name states
        return name.split(" (")[0]

    by_key = {key(name): figures for name, figures in large["pages"].items()}
    for name, a in small["pages"].items():
        name = key(name)
        b = by_key.get(name)
        if b is None:
            continue
        print(f"| {name} | {a['median_ms']:.1f} ms | {b['median_ms']:.1f} ms | {b['median_ms'] / a['median_ms']:.2f} | "
              f"{a['queries']} → {b['queries']} | {a['kib']:.0f} → {b['kib']:.0f} |")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=10000)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--json", help="write the figures to this file (for --growth)")
    parser.add_argument("--growth", nargs=2, metavar=("SMALL", "LARGE"))
    args = parser.parse_args(argv)
    if args.growth:
        return growth(*args.growth)

    common.ensure_database(fresh=args.fresh)
    common.setup_django()
    common.ensure_scale_data(args.applications)

    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from applications.models import Application, ApplicationStatus
    from awards.models import Cycle
    from reviews.models import Assignment

    cycle = Cycle.objects.get(code="scale-demo")
    staff = User.objects.get(username="cn-staff")
    queue_count = Application.objects.filter(cycle=cycle).exclude(status=ApplicationStatus.DRAFT).count()
    last_page = -(-queue_count // 50)
    busiest = (Assignment.objects.filter(stage__cycle=cycle).values("expert__user_id").annotate(n=Count("id"))
               .order_by("-n").first())
    expert = User.objects.get(pk=busiest["expert__user_id"])
    at_stage = Application.objects.filter(cycle=cycle, current_stage__code="material-review", status="in_review").count()
    ranked = {code: Application.objects.filter(cycle=cycle, category__code="gold-mode", current_stage__order__gte=order)
              .exclude(status__in=["draft", "withdrawn", "submitted"]).count()
              for code, order in cycle.stages.filter(code__in=["material-review", "presentation"]).values_list("code", "order")}
    typical = (Application.objects.filter(cycle=cycle, status=ApplicationStatus.IN_REVIEW, organisation__isnull=False)
               .exclude(applicant__username="scale-demo-group").order_by("pk").values_list("applicant_id", flat=True).first())
    typical_user = User.objects.get(pk=typical)
    group_user = User.objects.get(username="scale-demo-group")

    def client_for(user):
        client = Client()
        common.login(client, user)
        return client

    staff_client, expert_client = client_for(staff), client_for(expert)
    start_load = common.machine()
    out = sys.stdout
    out.write(f"\nPostgreSQL {common.database_url()} · {queue_count:,} applications in the staff queue · "
              f"{args.warmup} warm-up + {args.iterations} timed requests each, ours and the floor in turns\n"
              f"start: {start_load}\n\n")
    c = "/staff/cycles/scale-demo"
    pages = [
        ("staff queue, page 1", staff_client, f"{c}/applications/", "/bench/bare/queue/scale-demo/"),
        (f"staff queue, last page ({last_page})", staff_client, f"{c}/applications/?page={last_page}",
         f"/bench/bare/queue/scale-demo/?page={last_page}"),
        (f"资料评审 stage page ({at_stage:,} applications)", staff_client, f"{c}/stages/material-review/",
         "/bench/bare/stage/scale-demo/material-review/"),
        (f"ranking 资料评审 gold-mode ({ranked.get('material-review', 0):,})", staff_client,
         f"{c}/stages/material-review/ranking/?category=gold-mode",
         "/bench/bare/ranking-page/scale-demo/material-review/?category=gold-mode"),
        (f"ranking 陈述答辩 gold-mode ({ranked.get('presentation', 0):,} × 7)", staff_client,
         f"{c}/stages/presentation/ranking/?category=gold-mode",
         "/bench/bare/ranking-page/scale-demo/presentation/?category=gold-mode"),
        (f"expert home ({busiest['n']:,} assignments)", expert_client, "/reviews/expert/", "/bench/bare/expert/"),
        ("cycle dashboard", staff_client, f"{c}/dashboard/", "/bench/bare/cycle-dashboard/scale-demo/"),
        ("applicant dashboard, typical", client_for(typical_user), "/applications/", "/bench/bare/dashboard/"),
        ("applicant dashboard, group (20)", client_for(group_user), "/applications/", "/bench/bare/dashboard/"),
    ]
    results = {}
    out.write("| page | ours: median / p95 | queries | KiB | floor: median / p95 | queries | ratio | targets (≤ 2×, ≤ 300 ms, ≤ 300 KiB) |\n")
    out.write("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
    for name, client, url, floor_url in pages:
        iterations = args.iterations if "ranking" not in name else max(5, args.iterations // 2)
        ours, floor = common.measure_pair(client, url, client, floor_url, name=name, warmup=args.warmup, iterations=iterations)
        ratio = ours.median / floor.median
        met = [ratio <= 2, ours.median * 1000 <= MAX_MS, ours.bytes <= MAX_KIB * 1024]
        out.write(f"| {name} | {ours.median * 1000:.1f} / {ours.p95 * 1000:.1f} ms | {ours.queries} | {ours.bytes / 1024:.0f} | "
                  f"{floor.median * 1000:.1f} / {floor.p95 * 1000:.1f} ms | {floor.queries} | **{ratio:.2f}×** | "
                  f"{' · '.join('met' if m else 'MISSED' for m in met)} |\n")
        out.flush()
        results[name] = {"median_ms": ours.median * 1000, "p95_ms": ours.p95 * 1000, "queries": ours.queries,
                         "kib": ours.bytes / 1024, "floor_median_ms": floor.median * 1000, "ratio": ratio}
    end_load = common.machine()
    out.write(f"\nend: {end_load}\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"applications": args.applications, "load": f"{start_load} → {end_load}",
                                               "pages": results}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
