"""A database made before the review pipeline became one app migrates to today's schema with every row kept.

The fixtures are dumps of a database made by commit bd5a071 (see fixtures/README.md), where meetings, the
recommendation list, 公示, objections, approval and awards were the tables of a `decisions` app. `migrate` runs in
a real subprocess against a copy, as an office upgrading its portal would run it.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
ADOPTED = ["approval", "meeting", "publicity", "objection", "recommendation", "award", "benefitgrant", "meetingdecision", "prizepayment"]
# Rows of the dump per former decisions table (seed_demo's 虹桥 meetings, list, 公示 and objection, two winners).
EXPECTED_ROWS = {"approval": 1, "meeting": 3, "publicity": 1, "objection": 1, "recommendation": 3, "award": 2,
                 "benefitgrant": 2, "meetingdecision": 7, "prizepayment": 2}


def _migrate(database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "1"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)



def test_sqlite_database_of_the_decisions_era_migrates_keeping_every_row(tmp_path):
    path = tmp_path / "legacy.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(gzip.decompress((FIXTURES / "main-bd5a071.sqlite.sql.gz").read_bytes()).decode())
    with sqlite3.connect(path) as connection:
        # the columns of that era: later migrations may add columns (e.g. reviews_award.certificate_number)
        columns = {m: ", ".join(c[1] for c in connection.execute(f"PRAGMA table_info(decisions_{m})")) for m in ADOPTED}
        before = {m: connection.execute(f"SELECT {columns[m]} FROM decisions_{m} ORDER BY id").fetchall() for m in ADOPTED}
        logs_before = connection.execute("SELECT count(*) FROM core_activitylog WHERE target_type LIKE 'decisions.%'").fetchone()[0]
        all_logs = connection.execute("SELECT count(*) FROM core_activitylog").fetchone()[0]
    assert {m: len(r) for m, r in before.items()} == EXPECTED_ROWS
    assert logs_before > 0

    result = _migrate(f"sqlite:///{path}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reviews.0002_adopt_decisions... OK" in result.stdout

    with sqlite3.connect(path) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        after = {m: connection.execute(f"SELECT {columns[m]} FROM reviews_{m} ORDER BY id").fetchall() for m in ADOPTED}
        assert not {t for t in tables if t.startswith("decisions_")}
        assert after == before
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("SELECT count(*) FROM django_migrations WHERE app = 'decisions'").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM django_content_type WHERE app_label = 'decisions'").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM core_activitylog").fetchone()[0] == all_logs
        assert connection.execute("SELECT count(*) FROM core_activitylog WHERE target_type LIKE 'reviews.%'").fetchone()[0] >= logs_before
        # Awards still join their approvals, recommendations and applications.
        joined = connection.execute(
            "SELECT count(*) FROM reviews_award a JOIN reviews_approval p ON p.id = a.approval_id "
            "JOIN reviews_recommendation r ON r.id = a.recommendation_id JOIN applications_application x ON x.id = a.application_id"
        ).fetchone()[0]
        assert joined == EXPECTED_ROWS["award"]
    # Migrating again changes nothing.
    again = _migrate(f"sqlite:///{path}")
    assert again.returncode == 0 and "No migrations to apply." in again.stdout


@pytest.mark.integration
def test_postgresql_database_of_the_decisions_era_migrates_keeping_every_row():
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"legacy_{uuid.uuid4().hex[:10]}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
    subprocess.run([*psql, "-d", "postgres", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    try:
        dump = gzip.decompress((FIXTURES / "main-bd5a071.postgres.sql.gz").read_bytes())
        subprocess.run([*psql, "-d", name], input=dump, check=True, capture_output=True)

        def query(sql: str) -> list[str]:
            out = subprocess.run([*psql, "-d", name, "-At", "-c", sql], check=True, capture_output=True, text=True).stdout
            return out.splitlines()

        columns = {m: query("SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns "
                            f"WHERE table_name = 'decisions_{m}'")[0] for m in ADOPTED}
        before = {m: query(f"SELECT ROW({columns[m]})::text FROM decisions_{m} ORDER BY id") for m in ADOPTED}
        assert {m: len(r) for m, r in before.items()} == EXPECTED_ROWS

        result = _migrate(f"postgres://postgres@127.0.0.1:5432/{name}")
        assert result.returncode == 0, result.stdout + result.stderr

        after = {m: query(f"SELECT ROW({columns[m]})::text FROM reviews_{m} ORDER BY id") for m in ADOPTED}
        assert after == before
        assert query("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'decisions\\_%'") == ["0"]
        assert query("SELECT count(*) FROM django_content_type WHERE app_label = 'decisions'") == ["0"]
        # New rows get fresh ids after the adopted ones (the identity sequences came along with the tables).
        nxt = query("SELECT pg_get_serial_sequence('reviews_award', 'id')")
        assert nxt and nxt[0]
        assert int(query(f"SELECT last_value FROM {nxt[0]}")[0]) >= EXPECTED_ROWS["award"]
    finally:
        subprocess.run([*psql, "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
