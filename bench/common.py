"""Shared pieces of the benchmarks: the database, the scale data, timing and the printed table.

Everything runs against PostgreSQL on 127.0.0.1 (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_portal) with bench.settings.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_portal"


def database_url() -> str:
    return os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)


def ensure_database(*, fresh: bool = False) -> str:
    """Create the benchmark database if it is missing (or drop and recreate it with fresh=True)."""
    import psycopg

    url = urlparse(database_url())
    name = url.path.lstrip("/")
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"benchmarks run against a database on this machine only, not {url.hostname}")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return name


def setup_django() -> None:
    database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_scale_data(applications: int, out=sys.stdout) -> None:
    """Migrate, then build the scale cycle through `seed_demo --applications N` unless it is there."""
    from django.core.management import call_command

    from applications.models import Application

    call_command("migrate", verbosity=0)
    existing = Application.objects.filter(cycle__code="scale-demo").count()
    if existing and existing != applications:
        sys.exit(f"bench database holds a scale cycle of {existing} applications, not {applications}: rerun with --fresh")
    if not existing:
        started = time.monotonic()
        call_command("seed_demo", force=True, applications=applications, stdout=out)
        out.write(f"seed_demo --applications {applications}: {time.monotonic() - started:.1f} s\n")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass
class Timing:
    name: str
    samples: list[float]
    queries: int
    bytes: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(client, url: str, *, name: str, warmup: int, iterations: int) -> Timing:
    """Warm up, count queries once, then time `iterations` GETs (status must be 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name}: GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # now: the log is cleared again at the start of every later request
    size = len(response.content)
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return Timing(name, samples, queries, size)


def machine() -> str:
    """What the figures were measured on, including how busy the machine was."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (1/5/15 min)"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def print_pair(ours: Timing, bare: Timing, out=sys.stdout) -> float:
    ratio = ours.median / bare.median
    out.write(
        f"{ours.name:<44} median {ms(ours.median)} ms  p95 {ms(ours.p95)} ms  {ours.queries:3d} queries  {ours.bytes // 1024:5d} KiB\n"
        f"{'  bare view':<44} median {ms(bare.median)} ms  p95 {ms(bare.p95)} ms  {bare.queries:3d} queries  {bare.bytes // 1024:5d} KiB\n"
        f"{'  ratio (median / p95)':<44} {ratio:6.2f}×  /  {ours.p95 / bare.p95:5.2f}×   target ≤ 2×: {'met' if ratio <= 2 else 'MISSED'}\n"
    )
    return ratio


def login(client, user) -> None:
    """Sign `user` in on a test Client with the second factor passed when they have one (seed_demo
    gives its staff and experts an authenticator; without this every staff page answers 302)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.twofactor import confirmed_totp, must_use_second_factor

    client.force_login(user)
    device = confirmed_totp(user)
    if device is None and must_use_second_factor(user):  # a scale expert: an authenticator of the bench's own
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def _get(client, url: str, name: str):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{name}: GET {url} answered {response.status_code}")
    return response


def measure_pair(ours_client, ours_url: str, floor_client, floor_url: str, *, name: str, warmup: int,
                 iterations: int) -> tuple[Timing, Timing]:
    """Our page and its floor timed in turns (A B A B …), so a burst of load on the shared machine
    falls on both alike. Queries and size are taken from one untimed request each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for client, url, label in ((ours_client, ours_url, name), (floor_client, floor_url, "floor")):
        for _ in range(warmup):
            _get(client, url, label)
        with CaptureQueriesContext(connection) as captured:
            response = _get(client, url, label)
        timings.append(Timing(label, [], len(captured), len(response.content)))
    for _ in range(iterations):
        for timing, (client, url) in zip(timings, ((ours_client, ours_url), (floor_client, floor_url))):
            started = time.perf_counter()
            _get(client, url, timing.name)
            timing.samples.append(time.perf_counter() - started)
    return timings[0], timings[1]
