"""scripts/scan_summary.py: a scanner that checked nothing never prints a pass line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def summarise(tmp_path, kind: str, report: dict | None) -> subprocess.CompletedProcess:
    path = tmp_path / "report.json"
    if report is not None:
        path.write_text(json.dumps(report), encoding="utf-8")
    return subprocess.run([sys.executable, "scripts/scan_summary.py", kind, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_pip_audit_that_skipped_every_dependency_is_a_warning_not_a_pass(tmp_path):
    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"},
                               {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited: celery (5.7.0)"}],
              "fixes": []}
    result = summarise(tmp_path, "pip-audit", report)
    assert result.returncode == 2
    assert "PASSED" not in result.stdout and "No known vulnerabilities" not in result.stdout
    assert result.stdout.splitlines()[0] == "WARNING: pip-audit checked NOTHING; not checked for known vulnerabilities (2): django, celery"


def test_pip_audit_partly_skipped_names_what_was_not_checked(tmp_path):
    report = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []},
                               {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited: celery (5.7.0)"}]}
    result = summarise(tmp_path, "pip-audit", report)
    assert result.returncode == 2
    assert "checked only 1 of 2 dependencies; not checked for known vulnerabilities (1): celery" in result.stdout
    assert "PASSED" not in result.stdout


def test_pip_audit_with_a_vulnerability_fails(tmp_path):
    report = {"dependencies": [{"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]}]}
    result = summarise(tmp_path, "pip-audit", report)
    assert result.returncode == 1
    assert result.stdout.strip() == "FAILED: pip-audit: django 5.2.0 has known vulnerabilities: PYSEC-2025-1"


def test_pip_audit_that_checked_everything_passes(tmp_path):
    report = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}, {"name": "celery", "version": "5.7.0", "vulns": []}]}
    result = summarise(tmp_path, "pip-audit", report)
    assert (result.returncode, result.stdout.strip()) == (0, "PASSED: pip-audit: 2 dependencies checked, no known vulnerabilities")


def test_missing_report_is_a_warning(tmp_path):
    result = summarise(tmp_path, "pip-audit", None)
    assert result.returncode == 2 and result.stdout.startswith("WARNING: pip-audit produced no readable report")


def test_bandit_that_scanned_no_file_is_a_warning(tmp_path):
    result = summarise(tmp_path, "bandit", {"errors": [], "metrics": {"_totals": {"loc": 0}}, "results": []})
    assert (result.returncode, result.stdout.strip()) == (2, "WARNING: bandit checked NOTHING: no Python file was scanned.")


def test_bandit_finding_fails(tmp_path):
    report = {"errors": [], "metrics": {"_totals": {"loc": 10}, "./a.py": {"loc": 10}},
              "results": [{"test_id": "B105", "filename": "./a.py", "line_number": 3, "issue_text": "Possible hardcoded password"}]}
    result = summarise(tmp_path, "bandit", report)
    assert (result.returncode, result.stdout.strip()) == (1, "FAILED: bandit B105 ./a.py:3: Possible hardcoded password")
