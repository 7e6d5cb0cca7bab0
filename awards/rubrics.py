"""Rubric trees: validation that children sum to their parent and roots to the total."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _


def points(value) -> str:
    """Points without trailing zeros: Decimal("150.00") → "150", Decimal("2.50") → "2.5"."""
    return format(Decimal(str(value)).normalize(), "f")


def criterion_tree_problems(nodes: list[dict], total: Decimal, where: str = "") -> list[str]:
    """Check a nested list of {code, name, max_points, children}. Returns human-readable problems."""
    problems: list[str] = []
    root_sum = sum((Decimal(str(n["max_points"])) for n in nodes), Decimal(0))
    if nodes and root_sum != total:
        problems.append(_("%(where)s一级条款分值之和为 %(sum)s，应等于总分 %(total)s。") % {"where": where, "sum": points(root_sum), "total": points(total)})

    def walk(node: dict) -> None:
        children = node.get("children") or []
        if children:
            child_sum = sum((Decimal(str(c["max_points"])) for c in children), Decimal(0))
            if child_sum != Decimal(str(node["max_points"])):
                problems.append(
                    _("%(where)s条款 %(code)s 的下级分值之和为 %(sum)s，应等于其分值 %(max)s。")
                    % {"where": where, "code": node["code"], "sum": points(child_sum), "max": points(node["max_points"])}
                )
            for child in children:
                walk(child)

    for node in nodes:
        walk(node)
    return problems


def rubric_problems(rubric) -> list[str]:
    """The same check for a saved Rubric and its criteria rows."""
    children = defaultdict(list)
    for criterion in rubric.criteria.all():
        children[criterion.parent_id].append(criterion)

    def as_tree(parent_id):
        return [
            {"code": c.code, "max_points": c.max_points, "children": as_tree(c.pk)}
            for c in sorted(children[parent_id], key=lambda c: (c.order, c.pk))
        ]

    return criterion_tree_problems(as_tree(None), rubric.total_points)


def leaf_criteria(rubric) -> list:
    """The criteria experts score (those without children), in order."""
    criteria = list(rubric.criteria.all())
    parents = {c.parent_id for c in criteria if c.parent_id}
    by_parent = defaultdict(list)
    for c in criteria:
        by_parent[c.parent_id].append(c)
    ordered: list = []

    def walk(parent_id):
        for c in sorted(by_parent[parent_id], key=lambda c: (c.order, c.pk)):
            if c.pk in parents:
                walk(c.pk)
            else:
                ordered.append(c)

    walk(None)
    return ordered
