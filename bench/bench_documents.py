#!/usr/bin/env python
"""Benchmark of document rendering. Prints figures; not a test.

    .venv/bin/python bench/bench_documents.py                 # everything (needs Redis for part 3)
    .venv/bin/python bench/bench_documents.py --no-workers    # parts 1 and 2 only
    .venv/bin/python bench/bench_documents.py --fonttools     # parts 1–2 with WeasyPrint's slow fontTools subsetter

1. CJK vs Latin: the same layouts (a one-page form, a one-page letter, a two-page form, the
   13-page 请示 package) rendered with the portal's CJK faces and with the CJK text replaced by
   Latin letters in DejaVu Serif. Target: a typical one- or two-page document ≤ 3× Latin.
2. Raw WeasyPrint time for a document's HTML vs the full task path (load the row, build the
   context from the database, render, store, record). Target: ≤ 20 % overhead.
3. A batch of 100 certificates rendered by one and by two real `celery worker` processes fed
   through Redis (db 14, or BENCH_BROKER_URL; a queue of the run's own, nothing flushed).
   Target: two workers ≥ 1.7× as fast as one.

It works on its own database (a temporary SQLite file unless DATABASE_URL is set) and media dir.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-documents-"))
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ["DJANGO_MEDIA_ROOT"] = str(WORK / "media")
os.environ["DJANGO_DEBUG"] = "false"
os.environ["CELERY_BROKER_URL"] = BROKER
os.environ["CELERY_RESULT_BACKEND"] = BROKER
# A queue of this run's own: the broker database may be shared, so nothing in it is flushed.
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"bench-documents-{os.getpid()}"

CJK = re.compile(r"[\u2014\u2018-\u201d\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u3400-\u4dbf]")
LATIN_CSS = '<style>* { font-family: "DejaVu Serif" !important; word-break: break-all; }</style></head>'


def latin_twin(html: str) -> str:
    """The same HTML with every CJK character replaced by a Latin letter, set in DejaVu Serif."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    counter = iter(range(10**9))
    return CJK.sub(lambda _m: letters[next(counter) % 26], html).replace("</head>", LATIN_CSS, 1)


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def setup_database() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_programmes", verbosity=0)


def part_cjk_vs_latin(repeat: int) -> None:
    from awards.models import Cycle
    from documents import generation
    from documents.rendering import html_to_pdf, render_html, subsetter_in_use

    quality = Cycle.objects.get(code="changning-quality-2023")
    hongqiao = Cycle.objects.get(code="changning-hongqiao-2023")
    from reviews.models import Award

    application = Award.objects.filter(cycle=quality, category__code="district-mode").first().application
    cases = [
        ("project_form (1-page form)", "project_form", {"cycles": [quality]}),
        ("publicity_notice (1-page letter)", "publicity_notice", {"cycles": [hongqiao]}),
        ("application (2-page form)", "application", {"application": application}),
        ("request (13-page package)", "request", {"cycles": [quality, hongqiao]}),
    ]
    print(f"\n1. CJK vs Latin layout (WeasyPrint subsets fonts with {subsetter_in_use()}; best of {repeat})")
    print(f"   {'document':34s} {'pages':>5s} {'CJK s':>8s} {'Latin s':>8s} {'ratio':>6s}")
    html_to_pdf(latin_twin("<html><head></head><body>warm-up</body></html>"))
    for label, kind, subject in cases:
        built = generation.build_subject(kind=kind, **subject)
        spec = generation.build_spec(kind=kind, subject=built)
        html = render_html(spec.template, spec.context, title=spec.title)
        latin = latin_twin(html)
        _content, pages = html_to_pdf(html)
        cjk_time = best(lambda: html_to_pdf(html), repeat)
        latin_time = best(lambda: html_to_pdf(latin), repeat)
        target = "" if "package" in label else ("  ok (≤ 3×)" if cjk_time <= 3 * latin_time else "  OVER 3×")
        print(f"   {label:34s} {pages:5d} {cjk_time:8.3f} {latin_time:8.3f} {cjk_time / latin_time:5.2f}×{target}")


def part_task_overhead(repeat: int) -> None:
    from awards.models import Cycle
    from django.core.files.storage import default_storage
    from documents import generation, tasks
    from documents.models import Document
    from documents.rendering import html_to_pdf

    quality = Cycle.objects.get(code="changning-quality-2023")
    hongqiao = Cycle.objects.get(code="changning-hongqiao-2023")
    print(f"\n2. Raw WeasyPrint (HTML → PDF) vs the full task path (best of {repeat})")
    print(f"   {'document':34s} {'raw s':>8s} {'task s':>8s} {'overhead':>9s}")
    for label, kind, cycles in (("project_form", "project_form", [quality]), ("work_plan", "work_plan", [quality]),
                                ("request package", "request", [quality, hongqiao])):
        built = generation.build_subject(kind=kind, cycles=cycles)
        _spec, rendered = generation.render_subject(kind=kind, subject=built)
        html = rendered.html  # the HTML the task finally lays out
        raw = best(lambda: html_to_pdf(html), repeat)
        task_times = []
        for index in range(repeat):
            document = Document.objects.create(kind=kind, organiser=quality.programme.organiser, cycle=quality,
                                               subject_key=f"bench:{kind}:{index}:{time.time_ns()}",
                                               params={"cycles": [c.pk for c in cycles]})
            started = time.perf_counter()
            outcome = tasks.render_document.apply(args=[document.pk]).get()
            task_times.append(time.perf_counter() - started)
            assert outcome == "done", outcome
            document.refresh_from_db()
            default_storage.delete(document.file.name)
        task = min(task_times)
        print(f"   {label:34s} {raw:8.3f} {task:8.3f} {100 * (task / raw - 1):8.1f}%")


def _workers(count: int) -> list[subprocess.Popen]:
    env = dict(os.environ)
    processes = []
    for index in range(count):
        log = open(WORK / f"worker-{count}-{index}.log", "w")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-c", "1", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"bench-{os.getpid()}-{count}-{index}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ))
    return processes


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _batch(awards, count: int, tag: str) -> list[int]:
    from documents.models import Document

    ids = []
    for index in range(count):
        award = awards[index % len(awards)]
        ids.append(Document.objects.create(
            kind="certificate", organiser=award.cycle.programme.organiser, cycle=award.cycle, application=award.application,
            subject_key=f"award:{award.pk}#{tag}-{index}", params={"award": award.pk, "cycles": [award.cycle_id]},
        ).pk)
    return ids


def _wait(ids: list[int], timeout: float) -> None:
    from documents.models import Document, DocumentStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = Document.objects.filter(pk__in=ids, status__in=[DocumentStatus.DONE, DocumentStatus.FAILED]).count()
        if finished == len(ids):
            failed = Document.objects.filter(pk__in=ids, status=DocumentStatus.FAILED).count()
            if failed:
                raise SystemExit(f"{failed} certificate(s) failed: {Document.objects.filter(pk__in=ids, status='failed').first().error}")
            return
        time.sleep(0.25)
    raise SystemExit(f"batch did not finish within {timeout} s")


def part_workers(count: int) -> None:
    import redis
    from awards.models import Cycle
    from documents.tasks import render_document

    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.exceptions.ConnectionError:
        print("\n3. Certificate batch: skipped, Redis is not reachable at", BROKER)
        return
    from reviews.models import Award

    awards = list(Award.objects.filter(cycle__code="changning-quality-2023").select_related("cycle__programme__organiser", "application"))
    print(f"\n3. Batch of {count} certificates (one PDF each) through Redis and real celery workers")
    results = {}
    for workers in (1, 2):
        processes = _workers(workers)
        try:
            warm = _batch(awards, 2 * workers, f"warm{workers}")
            for pk in warm:
                render_document.delay(pk)
            _wait(warm, 120)
            ids = _batch(awards, count, f"run{workers}")
            started = time.perf_counter()
            for pk in ids:
                render_document.delay(pk)
            _wait(ids, 900)
            results[workers] = time.perf_counter() - started
        finally:
            _stop(processes)
        print(f"   {workers} worker process(es): {results[workers]:6.2f} s  ({count / results[workers]:5.1f} certificates/s)")
    queue = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
    redis.Redis.from_url(BROKER).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    speedup = results[1] / results[2]
    print(f"   speed-up with two workers: {speedup:.2f}× {'ok (≥ 1.7×)' if speedup >= 1.7 else 'below 1.7×'} on {os.cpu_count()} CPU(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--count", type=int, default=100, help="certificates in the batch")
    parser.add_argument("--no-workers", action="store_true", help="skip part 3 (Redis and celery workers)")
    parser.add_argument("--fonttools", action="store_true", help="make WeasyPrint subset with fontTools (its slow fallback)")
    options = parser.parse_args()

    print(f"work dir {WORK}; database {os.environ['DATABASE_URL']}")
    setup_database()
    from tests.documents.factories import make_publicity, make_winners

    from awards.models import Cycle

    make_winners(Cycle.objects.get(code="changning-quality-2023"))
    hongqiao = Cycle.objects.get(code="changning-hongqiao-2023")
    make_winners(hongqiao, per_category=6)
    make_publicity(hongqiao)
    if options.fonttools:
        from weasyprint.pdf import fonts as pdf_fonts

        pdf_fonts.harfbuzz_subset = None
    part_cjk_vs_latin(options.repeat)
    part_task_overhead(options.repeat)
    if not options.no_workers and not options.fonttools:
        part_workers(options.count)


if __name__ == "__main__":
    main()
