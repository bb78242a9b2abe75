"""The attacker: what an outsider can infer about each suppressed count from everything a release
publishes.

Every relation of the release (:mod:`healthforce.disclosure.cells`) is a linear equation or
inequality over its cells; the published cells are known numbers, the suppressed ones unknowns,
each at least zero. For every count that the threshold rule protects (a count of people from 1
to ``threshold - 1``), two linear programmes (HiGHS) find the least and the greatest value the
published figures allow. The count is **exposed** when that interval is narrower than the
threshold (``high - low < threshold``): an outsider must not be able to tell it apart from
every count of the threshold or more, nor narrow it to fewer than ``threshold + 1`` values.
The unknowns are split into the connected groups of relations that link them, and each group is
one model solved for each of its protected cells, warm-started. Every solution found is a
registry the outsider cannot rule out: a cell whose values over the solutions seen so far (the
true values among them) already span the threshold is safe without a programme of its own.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from healthforce.disclosure.cells import Cells, Relation

_EPS = 1e-6


@dataclass(frozen=True)
class Exposure:
    """A protected cell an outsider can pin down: its true value and the interval inferred."""

    cell: int
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Audit:
    """The attacker's result over a release."""

    protected: int  # counts the threshold rule protects
    suppressed: int  # cells withheld (protected and their complements)
    exposed: tuple[Exposure, ...]
    #: per protected cell: for an exposed one, the interval the outsider infers; for a safe
    #: one, values the outsider cannot rule out, at least ``threshold`` apart (the audit stops
    #: once it has found them)
    intervals: dict[int, tuple[float, float]]

    @property
    def safe(self) -> bool:
        return not self.exposed


def small(values: Any, threshold: int) -> Any:
    """Which counts the threshold rule protects: more than none and fewer than the threshold
    (an array or a pandas Series in, the same out)."""
    return (values > 0) & (values < threshold)


def protected_cells(cells: Cells, threshold: int) -> np.ndarray:
    """The counts the threshold rule protects: counts of people from 1 to threshold - 1."""
    return np.asarray(cells.sensitive & small(cells.values, threshold))


def components(relations: list[Relation], unknown: np.ndarray) -> list[tuple[list[int], list[int]]]:
    """The unknown cells split into groups linked by relations: (cells, relation positions)."""
    parent = {int(c): int(c) for c in np.flatnonzero(unknown)}

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching: list[tuple[int, list[int]]] = []
    for r, rel in enumerate(relations):
        inside = [c for c in (*rel.members, rel.total) if c in parent]
        if not inside:
            continue
        touching.append((r, inside))
        root = find(inside[0])
        for c in inside[1:]:
            other = find(c)
            if other != root:
                parent[other] = root
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for c in parent:
        groups.setdefault(find(c), ([], []))[0].append(c)
    for r, inside in touching:
        groups[find(inside[0])][1].append(r)
    return list(groups.values())


def _solver() -> Any:
    """A HiGHS instance that prints nothing. HiGHS writes its banner to the process's standard
    output when the first instance is made, before any option can be set, which would corrupt a
    command's output (a CSV or JSON on stdout): that first instance is made with the standard
    output pointed at /dev/null."""
    import highspy

    global _quiet
    if not _quiet:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _quiet = True
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    # each cell's programme differs from the last only in its objective, which leaves the last
    # basis primal feasible: the primal simplex starts from there (the dual would start over)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 4)  # kSimplexStrategyPrimal
    return h


_quiet = False


def _model(cells: Cells, members: list[int], rels: list[int], unknown: np.ndarray) -> Any:
    import highspy

    h = _solver()
    column = {c: i for i, c in enumerate(members)}
    n = len(members)
    h.addVars(n, np.zeros(n), np.full(n, highspy.kHighsInf))
    for r in rels:
        rel = cells.constraints[r]
        coef: dict[int, float] = {}
        known = 0.0  # sum(members) - total over the published cells
        for c in rel.members:
            if unknown[c]:
                coef[column[c]] = coef.get(column[c], 0.0) + 1.0
            else:
                known += cells.values[c]
        if unknown[rel.total]:
            coef[column[rel.total]] = coef.get(column[rel.total], 0.0) - 1.0
        else:
            known -= cells.values[rel.total]
        idx = np.array(list(coef), dtype=np.int32)
        val = np.array([coef[i] for i in coef], dtype=float)
        upper = -known
        lower = upper if rel.exact else -highspy.kHighsInf
        h.addRow(lower, upper, len(idx), idx, val)
    return h


def _bound(h: Any, n: int, i: int, sense: object) -> tuple[float, np.ndarray | None]:
    """The least or greatest value of column ``i``, and the solution reaching it (None when
    unbounded)."""
    import highspy

    cost = np.zeros(n)
    cost[i] = 1.0
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.changeObjectiveSense(sense)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        value = float(h.getInfo().objective_function_value)
        return value, np.asarray(h.getSolution().col_value, dtype=float)
    if status in (
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return (math.inf if sense == highspy.ObjSense.kMaximize else -math.inf), None
    raise RuntimeError(f"disclosure audit: the attacker's model could not be solved ({status})")


def audit(
    cells: Cells, suppressed: np.ndarray, threshold: int, only: np.ndarray | None = None
) -> Audit:
    """Every protected count's interval as an outsider infers it, and those exposed; with
    ``only`` (a mask of cells), the protected counts among them alone. Withholding more never
    narrows an interval (the outsider knows less), so a caller that withheld more cells since
    an audit need only check again the counts that audit found exposed."""
    import highspy

    protected = protected_cells(cells, threshold)
    unknown = suppressed.copy()
    exposed: list[Exposure] = []
    intervals: dict[int, tuple[float, float]] = {}
    for found in np.flatnonzero(protected & ~unknown):  # published although protected
        v = float(cells.values[found])
        intervals[int(found)] = (v, v)
        exposed.append(Exposure(int(found), v, v, v))
    wanted = protected if only is None else protected & only
    for members, rels in components(cells.constraints, unknown):
        targets = [i for i, c in enumerate(members) if wanted[c]]
        if not targets:
            continue
        if not rels:  # linked to nothing: anything from zero up
            for i in targets:
                intervals[members[i]] = (0.0, math.inf)
            continue
        h = _model(cells, members, rels, unknown)
        n = len(members)
        # every solution is a registry the outsider cannot rule out: the range of values seen
        # over them (the true values first) is inside every cell's interval, so a cell whose
        # seen range is already wide enough needs no programme of its own
        seen_low = cells.values[members].astype(float)
        seen_high = seen_low.copy()
        for i in targets:
            c = members[i]
            low, high = seen_low[i], seen_high[i]
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                if high - low >= threshold - _EPS:
                    break
                bound, solution = _bound(h, n, i, sense)
                if solution is not None:
                    np.minimum(seen_low, solution, out=seen_low)
                    np.maximum(seen_high, solution, out=seen_high)
                if sense == highspy.ObjSense.kMinimize:
                    low = bound
                else:
                    high = bound
            intervals[c] = (float(low), float(high))
            if high - low < threshold - _EPS:
                exposed.append(Exposure(c, float(cells.values[c]), float(low), float(high)))
    return Audit(
        protected=int(protected.sum()),
        suppressed=int(suppressed.sum()),
        exposed=tuple(sorted(exposed, key=lambda e: e.cell)),
        intervals=intervals,
    )
