"""Page benchmarks: our pages against bare views doing the same read and render (DESIGN §7: ≤ 2×).

    .venv/bin/python bench/bench_pages.py [--applications 10000] [--iterations 30] [--warmup 5] [--fresh]

Builds the scale cycle on first use (seed_demo --applications N into the bench database), then
times, in one process with Django's test Client and the full middleware stack:

- the staff queue of the scale cycle (/staff/cycles/scale-demo/applications/), first and last page;
- the category ranking of 质量金奖 先进质量管理模式 at 陈述答辩 (1,000 applications × 7 experts ×
  23 items), and reviews.selectors.category_ranking() on its own;
- the applicant dashboard (/applications/) of a typical applicant and of a holding group's account
  with 20 applications.

It prints median and p95 of each, the query counts, and the ratio of medians to the bare view.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=10000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database first")
    args = parser.parse_args(argv)

    common.ensure_database(fresh=args.fresh)
    common.setup_django()
    common.ensure_scale_data(args.applications)

    from django.test import Client

    from accounts.models import User
    from applications.models import Application, ApplicationStatus
    from awards.models import Cycle
    from reviews.selectors import category_ranking

    cycle = Cycle.objects.get(code="scale-demo")
    staff = User.objects.get(username="cn-staff")
    queue_count = Application.objects.filter(cycle=cycle).exclude(status=ApplicationStatus.DRAFT).count()
    last_page = -(-queue_count // 50)
    stage = cycle.stages.get(code="presentation")
    category = cycle.categories.get(code="gold-mode")
    typical = (Application.objects.filter(cycle=cycle, status=ApplicationStatus.IN_REVIEW, organisation__isnull=False)
               .exclude(applicant__username="scale-demo-group").order_by("pk").values_list("applicant_id", flat=True).first())
    typical_user = User.objects.get(pk=typical)
    group_user = User.objects.get(username="scale-demo-group")

    out = sys.stdout
    out.write(f"\nPostgreSQL {common.database_url()} · {queue_count} applications in the staff queue · "
              f"{args.warmup} warm-up + {args.iterations} timed requests each\n{common.machine()}\n\n")
    kw = {"warmup": args.warmup, "iterations": args.iterations}
    ratios = {}

    client = Client()
    client.force_login(staff)
    for label, query in (("page 1", ""), (f"page {last_page}", f"?page={last_page}")):
        ours = common.measure(client, f"/staff/cycles/scale-demo/applications/{query}", name=f"staff queue, {label}", **kw)
        bare = common.measure(client, f"/bench/bare/queue/scale-demo/{query}", name="bare", **kw)
        ratios[ours.name] = common.print_pair(ours, bare)

    url = "/staff/cycles/scale-demo/stages/presentation/ranking/?category=gold-mode"
    ours = common.measure(client, url, name="ranking page, 1,000 × 7 experts", warmup=2, iterations=max(5, args.iterations // 3))
    bare = common.measure(client, "/bench/bare/ranking/scale-demo/presentation/?category=gold-mode", name="bare",
                          warmup=2, iterations=max(5, args.iterations // 3))
    ratios[ours.name] = common.print_pair(ours, bare)
    samples = []
    for _ in range(max(5, args.iterations // 3)):
        started = time.perf_counter()
        rows = category_ranking(stage=stage, category=category)
        samples.append(time.perf_counter() - started)
    out.write(f"{'  category_ranking() alone':<44} median {common.ms(statistics.median(samples))} ms  ({len(rows)} rows)\n")

    for label, user in (("dashboard, typical applicant", typical_user), ("dashboard, group account (20 applications)", group_user)):
        client = Client()
        client.force_login(user)
        ours = common.measure(client, "/applications/", name=label, **kw)
        bare = common.measure(client, "/bench/bare/dashboard/", name="bare", **kw)
        ratios[ours.name] = common.print_pair(ours, bare)

    out.write(f"\nsummary (ratio of medians, target ≤ 2×) — {common.machine()}:\n")
    for name, ratio in ratios.items():
        out.write(f"  {name:<44} {ratio:5.2f}×  {'met' if ratio <= 2 else 'MISSED'}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
