"""Export benchmark: each Excel export of the scale cycle as a real background job, run by a real
`celery worker` process through Redis, with the worker's peak memory.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> BENCH_BROKER_URL=redis://127.0.0.1:6379/<n> \
        .venv/bin/python bench/bench_exports.py [--kinds applications,scores,rankings,winners]

The worker runs with `-c 1 --max-tasks-per-child 1`, so every export runs in a fresh child process
and the job's recorded `worker_peak_kib` (ru_maxrss of that process, taken when the workbook is
stored) is the peak of that export alone (plus the ~100 MiB of a loaded Django). Reported per export:
rows written, file size, CPU time and wall time of the worker, peak RSS. Targets: 10,000 rows ≤ 10 s
of worker time; every item score of the 10,000-application cycle within 300 MiB.

The broker database may be shared: the run uses a queue of its own and deletes only that queue's
keys at the end (nothing is flushed). Exported files (in a media directory of the run's own) are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
QUEUE = f"bench-exports-{os.getpid()}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", default="applications,rankings,winners,scores")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    common.setup_django()

    import redis
    from django.db import transaction

    from accounts.models import User
    from awards.models import Cycle
    from config.celery import app
    from reviews import services
    from reviews.models import ExportJob

    redis.Redis.from_url(BROKER).ping()
    app.conf.update(broker_url=BROKER, result_backend=None, task_always_eager=False, task_default_queue=QUEUE)
    cycle = Cycle.objects.select_related("programme__organiser").get(code="scale-demo")
    staff = User.objects.get(username="cn-staff")
    media = tempfile.mkdtemp(prefix="bench-exports-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="false",
               DATABASE_URL=common.database_url(), CELERY_BROKER_URL=BROKER, CELERY_RESULT_BACKEND="",
               CELERY_TASK_DEFAULT_QUEUE=QUEUE, DJANGO_MEDIA_ROOT=media)
    log = Path(media) / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-c", "1", "--max-tasks-per-child", "1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", QUEUE, "-n", f"{QUEUE}@%h"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    print(f"\nexports of {cycle.code} · PostgreSQL {common.database_url()} · broker {BROKER} (queue {QUEUE})\n"
          f"start: {common.machine()}\n")
    print("| export | rows | file | worker CPU | worker wall | worker peak RSS | targets |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    try:
        time.sleep(3)
        for kind in args.kinds.split(","):
            ExportJob.objects.filter(cycle=cycle, kind=kind, status__in=["queued", "running"]).update(status="failed")
            with transaction.atomic():
                job = services.request_export(cycle=cycle, kind=kind, actor=staff)
            deadline = time.monotonic() + args.timeout
            while True:
                job.refresh_from_db()
                if job.status in ("done", "failed"):
                    break
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise SystemExit(f"{kind}: not done in time (worker log {log})")
                time.sleep(0.5)
            if job.status == "failed":
                raise SystemExit(f"{kind} failed: {job.error}")
            mib = job.worker_peak_kib / 1024
            per_10k = job.cpu_seconds * 10000 / max(job.rows_done, 1)
            print(f"| {kind} | {job.rows_done:,} | {job.size / 1024 / 1024:.1f} MiB | {job.cpu_seconds:.1f} s "
                  f"({per_10k:.1f} s per 10,000 rows) | {job.seconds:.1f} s | {mib:.0f} MiB | "
                  f"{'≤ 300 MiB met' if mib <= 300 else '≤ 300 MiB MISSED'}"
                  f"{'' if job.rows_done < 9000 or job.rows_done > 20000 else (' · ≤ 10 s met' if job.cpu_seconds <= 10 else ' · ≤ 10 s MISSED')} |",
                  flush=True)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        shutil.rmtree(media, ignore_errors=True)  # the exported files (the job rows stay, marked done)
        redis.Redis.from_url(BROKER).delete(QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}")
    print(f"\nend: {common.machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
