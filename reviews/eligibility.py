"""Reading the automatic eligibility results (Application.eligibility_snapshot) for 资格审查.

The snapshot is produced by the applicant side (applications/eligibility.py) at submission. This
module reads it tolerantly (a list of results, or {"results": [...]}) into AutoResult rows, and
merges staff's findings (confirm or override, with reason) over them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

PASS, FAIL, REVIEW = "pass", "fail", "review"
_ALIASES = {
    PASS: {"pass", "passed", "ok", "true", "met", "yes", "符合"},
    FAIL: {"fail", "failed", "false", "not_met", "no", "blocked", "不符合"},
    REVIEW: {"review", "needs_review", "manual", "unknown", "warning", "待审核", "需人工审核"},
}


@dataclass(frozen=True)
class AutoResult:
    key: str
    label: str
    result: str  # pass / fail / review
    reason: str


@dataclass(frozen=True)
class ReviewedResult:
    auto: AutoResult
    finding: object | None  # EligibilityFinding

    @property
    def final(self) -> str:
        return self.finding.result if self.finding is not None else self.auto.result

    @property
    def needs_decision(self) -> bool:
        return self.finding is None and self.auto.result != PASS


def _result_of(item: dict) -> str:
    for key in ("outcome", "result", "status", "passed", "ok"):
        if key in item:
            value = str(item[key]).strip().lower()
            for canonical, aliases in _ALIASES.items():
                if value in aliases:
                    return canonical
    return REVIEW


def automatic_results(application) -> list[AutoResult]:
    snapshot = application.eligibility_snapshot
    if isinstance(snapshot, dict):
        items = snapshot.get("results") or snapshot.get("rules") or snapshot.get("checks") or []
    elif isinstance(snapshot, list):
        items = snapshot
    else:
        items = []
    results = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        base = str(item.get("rule_id") or item.get("key") or item.get("code") or item.get("id") or item.get("kind") or index)
        key = base if base not in seen else f"{base}-{index}"
        seen.add(key)
        label = str(item.get("label") or item.get("description") or item.get("title") or item.get("name") or item.get("kind") or key)
        reason = item.get("reason") or item.get("message") or item.get("detail") or ""
        if isinstance(reason, (list, tuple)):
            reason = "；".join(str(r) for r in reason)
        results.append(AutoResult(key=key[:80], label=label[:300], result=_result_of(item), reason=str(reason)))
    return results


def reviewed_results(application, findings) -> list[ReviewedResult]:
    by_key = {f.rule_key: f for f in findings}
    rows = [ReviewedResult(auto, by_key.pop(auto.key, None)) for auto in automatic_results(application)]
    # Findings for rules no longer in the snapshot (e.g. after a re-run) stay visible.
    for finding in by_key.values():
        rows.append(ReviewedResult(AutoResult(finding.rule_key, finding.label, finding.automatic_result or REVIEW, ""), finding))
    return rows


def eligibility_blocker(application, findings) -> str | None:
    """Why the eligibility stage may not be passed yet: undecided results or a confirmed failure."""
    rows = reviewed_results(application, findings)
    undecided = [r.auto.label for r in rows if r.needs_decision]
    if undecided:
        return _("资格审查尚有未确认的条件：%(l)s") % {"l": "、".join(undecided)}
    failed = [r.auto.label for r in rows if r.final == FAIL]
    if failed:
        return _("资格审查结论为不符合的条件：%(l)s（请改判或作不通过处理）") % {"l": "、".join(failed)}
    return None


