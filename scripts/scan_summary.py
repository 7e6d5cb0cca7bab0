"""Read a security scanner's JSON report and say honestly what it checked (used by scripts/test.sh).

    python scripts/scan_summary.py pip-audit REPORT.json
    python scripts/scan_summary.py bandit REPORT.json

Prints one line per outcome and exits with:
  0  the scanner checked everything it was given and found nothing        ("PASSED: ...")
  1  the scanner found problems                                           ("FAILED: ...")
  2  the scanner checked nothing or only part of it (e.g. its vulnerability
     service was unreachable): never a pass line, a WARNING naming what was
     not checked                                                          ("WARNING: ...")
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PASSED, FAILED, INCOMPLETE = 0, 1, 2


def pip_audit(report: dict) -> int:
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    status = PASSED
    if vulnerable:
        for dep in vulnerable:
            ids = ", ".join(v.get("id", "?") for v in dep["vulns"])
            print(f"FAILED: pip-audit: {dep['name']} {dep.get('version', '')} has known vulnerabilities: {ids}")
        status = FAILED
    if not dependencies:
        print("WARNING: pip-audit checked nothing: it reported no dependencies at all.")
        return max(status, INCOMPLETE)
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        names = ", ".join(f"{d['name']} {d.get('version', '')}".strip() for d in skipped)
        what = "checked NOTHING" if not audited else f"checked only {len(audited)} of {len(dependencies)} dependencies"
        print(f"WARNING: pip-audit {what}; not checked for known vulnerabilities ({len(skipped)}): {names}")
        print(f"WARNING: pip-audit's reason: {'; '.join(reasons)} (is its vulnerability service reachable from here?)")
        if status == PASSED:
            status = INCOMPLETE
    if status == PASSED:
        print(f"PASSED: pip-audit: {len(audited)} dependencies checked, no known vulnerabilities")
    return status


def bandit(report: dict) -> int:
    totals = report.get("metrics", {}).get("_totals", {})
    files = [name for name in report.get("metrics", {}) if name != "_totals"]
    results = report.get("results", [])
    errors = report.get("errors", [])
    if results:
        for result in results:
            print(f"FAILED: bandit {result.get('test_id')} {result.get('filename')}:{result.get('line_number')}: {result.get('issue_text')}")
        return FAILED
    if not files or not totals.get("loc"):
        print("WARNING: bandit checked NOTHING: no Python file was scanned.")
        return INCOMPLETE
    if errors:
        names = ", ".join(e.get("filename", "?") for e in errors)
        print(f"WARNING: bandit could not scan {len(errors)} files: {names}")
        return INCOMPLETE
    print(f"PASSED: bandit: {len(files)} files ({totals['loc']} lines) scanned, no findings")
    return PASSED


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"pip-audit", "bandit"}:
        print(__doc__, file=sys.stderr)
        return 64
    path = Path(argv[2])
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"WARNING: {argv[1]} produced no readable report ({exc}): nothing was checked.")
        return INCOMPLETE
    return pip_audit(report) if argv[1] == "pip-audit" else bandit(report)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
