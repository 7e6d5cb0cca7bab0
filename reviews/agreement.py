"""Inter-rater agreement of a panel: ICC(2,1) and ICC(2,k) (Shrout & Fleiss 1979, case 2: two-way random
effects, absolute agreement) and Kendall's coefficient of concordance W (with the correction for ties).

Pure functions over a complete matrix (rows: applications, columns: experts), computed with numpy; ranks
(average ranks for ties) and the significance tests (F for the ICC, χ² for W) come from scipy.stats. No
database, no Django. `complete_block` states how a matrix with missing sheets is reduced to a complete one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class ICCResult:
    single: float  # ICC(2,1): the reliability of one expert's score
    average: float  # ICC(2,k): the reliability of the mean of the k experts' scores (what the ranking uses)
    f_value: float  # F = BMS / EMS, tested against 1
    p_value: float
    applications: int
    experts: int


def icc2(matrix: Sequence[Sequence[float]]) -> ICCResult:
    """ICC(2,1) and ICC(2,k) of an n × k matrix (n ≥ 2 targets, k ≥ 2 judges, no missing cell).

    With BMS the between-targets mean square, JMS the between-judges mean square and EMS the residual mean
    square of the two-way ANOVA (Shrout & Fleiss 1979, Table 2):
    ICC(2,1) = (BMS − EMS) / (BMS + (k − 1)·EMS + k·(JMS − EMS)/n),  ICC(2,k) = (BMS − EMS) / (BMS + (JMS − EMS)/n).
    """
    x = np.asarray(matrix, dtype=float)
    n, k = x.shape
    if n < 2 or k < 2:
        raise ValueError("ICC needs at least 2 applications and 2 experts")
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    single_den = bms + (k - 1) * ems + k * (jms - ems) / n
    average_den = bms + (jms - ems) / n
    single = float((bms - ems) / single_den) if single_den else float("nan")
    average = float((bms - ems) / average_den) if average_den else float("nan")
    f_value = float(bms / ems) if ems else float("inf")
    p_value = float(stats.f.sf(f_value, n - 1, (n - 1) * (k - 1))) if ems else 0.0
    return ICCResult(single, average, f_value, p_value, n, k)


@dataclass(frozen=True)
class ConcordanceResult:
    w: float
    chi_square: float  # m(n − 1)W, χ² with n − 1 degrees of freedom
    p_value: float
    applications: int
    experts: int


def kendall_w(matrix: Sequence[Sequence[float]]) -> ConcordanceResult:
    """Kendall's W of an n × m matrix (n objects ranked, m judges): each judge's scores are turned into ranks
    (ties share the average rank), S = Σ (Rᵢ − R̄)², W = 12 S / (m²(n³ − n) − m Σ T), T = Σ (t³ − t) over
    each judge's groups of t tied objects (Kendall & Babington Smith 1939; Siegel 1956, ch. 9)."""
    x = np.asarray(matrix, dtype=float)
    n, m = x.shape
    if n < 2 or m < 2:
        raise ValueError("Kendall's W needs at least 2 applications and 2 experts")
    ranks = np.column_stack([stats.rankdata(x[:, j]) for j in range(m)])
    sums = ranks.sum(axis=1)
    s = float(((sums - sums.mean()) ** 2).sum())
    ties = 0.0
    for j in range(m):
        _values, counts = np.unique(x[:, j], return_counts=True)
        ties += float((counts ** 3 - counts).sum())
    denominator = m ** 2 * (n ** 3 - n) - m * ties
    w = 12 * s / denominator if denominator else float("nan")
    chi_square = m * (n - 1) * w
    p_value = float(stats.chi2.sf(chi_square, n - 1)) if denominator else float("nan")
    return ConcordanceResult(float(w), float(chi_square), p_value, n, m)


@dataclass(frozen=True)
class Block:
    applications: list  # row keys, in the order given
    experts: list  # column keys
    matrix: list[list[float]]
    left_out_experts: list  # experts dropped to make the block complete
    left_out_applications: int  # applications with a sheet outside the block


def complete_block(scores: Mapping[tuple[object, object], float], applications: Sequence, experts: Sequence) -> Block | None:
    """The complete applications × experts block the agreement measures rest on.

    Start from every expert with a submitted sheet and keep only the applications each of them scored. While
    that leaves no block of at least 2 applications, or when dropping one expert gives a larger block (more
    cells, n × k), drop the expert whose removal gives the largest block (ties: the expert with fewer sheets,
    then the later in the given order). Stop at 2 experts. None when no block of at least 2 × 2 exists.
    Missing sheets are never filled in: a cell the block holds is a sheet an expert submitted."""
    applications = list(applications)
    current = list(experts)

    def rows_for(chosen) -> list:
        return [a for a in applications if all((a, e) in scores for e in chosen)]

    def size(chosen) -> int:
        rows = rows_for(chosen)
        return len(rows) * len(chosen) if len(rows) >= 2 and len(chosen) >= 2 else 0

    sheets = {e: sum(1 for a in applications if (a, e) in scores) for e in current}
    best = size(current)
    while len(current) > 2:
        options = []
        for position, expert in enumerate(current):
            rest = current[:position] + current[position + 1:]
            options.append((size(rest), -sheets[expert], position, rest))
        top = max(options, key=lambda option: option[:3])
        if best and top[0] <= best:
            break  # no block yet: keep dropping; a block: drop only while it grows
        best, current = top[0], top[3]
    if best == 0:
        return None
    rows = rows_for(current)
    dropped = [e for e in experts if e not in current]
    outside = sum(1 for a in applications if a not in rows and any((a, e) in scores for e in experts))
    return Block(rows, current, [[float(scores[(a, e)]) for e in current] for a in rows], dropped, outside)
