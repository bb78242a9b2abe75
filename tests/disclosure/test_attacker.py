"""Disclosure control checked by an attacker written apart from it.

Random releases are drawn with a known structure (states adding up to the country, groups to
"all", age bands to the workforce, one workforce count read by three indicators); the attacker
knows that structure and everything the protected release publishes, and solves, with SciPy's
own linear programming, for the least and greatest value of every small count. None may be
narrowed below the threshold, at thresholds 3, 5 and 10."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from healthforce.disclosure import protect

COUNTRY = "VEN"
BANDS = ("<25", "25-34", "35-44", "45-54", "55-64", "65+")


@st.composite
def releases(draw: st.DrawFn) -> dict[tuple[str, str, str], int]:
    """True counts by (measure, area, group): the workforce by age band, those of recorded sex
    and the women among them, per state and group, skewed to small counts."""
    states = [f"VE-{chr(65 + i)}" for i in range(draw(st.integers(2, 4)))]
    groups = [f"g{i}" for i in range(draw(st.integers(2, 3)))]
    bands = BANDS[: draw(st.integers(2, 4))]
    small = st.one_of(st.integers(0, 6), st.integers(0, 40))
    counts: dict[tuple[str, str, str], int] = {}
    for s, g in itertools.product(states, groups):
        total = 0
        for b in bands:
            n = draw(small)
            counts[(f"age:{b}", s, g)] = n
            total += n
        counts[("workforce", s, g)] = total
        recorded = total - draw(st.integers(0, min(total, 3)))  # some of unrecorded sex
        counts[("sex_recorded", s, g)] = recorded
        counts[("female", s, g)] = draw(st.integers(0, recorded))
    return counts


def _table(counts: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    """The release's rows for DENSITY, PCT_FEMALE and AGE_DISTRIBUTION at both levels, with
    "all" groups and the country's rows, as the catalogue lays them out."""
    states = sorted({a for _, a, _ in counts})
    groups = sorted({g for _, _, g in counts})
    measures = sorted({m for m, _, _ in counts})
    full = dict(counts)
    for m in measures:  # groups to "all", states to the country
        for a in states:
            full[(m, a, "all")] = sum(counts[(m, a, g)] for g in groups)
        for g in [*groups, "all"]:
            full[(m, COUNTRY, g)] = sum(full[(m, a, g)] for a in states)
    rows = []
    for (m, a, g), n in full.items():
        level = "country" if a == COUNTRY else "state"
        workforce = full[("workforce", a, g)]
        if m == "workforce":
            rows.append(("DENSITY", level, a, g, "", n, 10_000))
        elif m == "female":
            rows.append(("PCT_FEMALE", level, a, g, "", n, full[("sex_recorded", a, g)]))
        elif m == "sex_recorded":
            rows.append(("SEX_RECORDED", level, a, g, "", n, workforce))
        else:
            rows.append(("AGE_DISTRIBUTION", level, a, g, m.split(":", 1)[1], n, workforce))
    frame = pd.DataFrame(
        rows, columns=["code", "level", "area", "grp", "category", "numerator", "denominator"]
    )
    frame.insert(1, "year", 2024)
    frame["value"] = frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0)
    return frame


def _known(public: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    """What the attacker reads off the published rows, by (measure, area, group)."""
    known: dict[tuple[str, str, str], float] = {}
    for r in public[~public["suppressed"]].itertuples(index=False):
        if r.code == "DENSITY":
            known[("workforce", r.area, r.grp)] = r.numerator
        elif r.code == "PCT_FEMALE":
            known[("female", r.area, r.grp)] = r.numerator
            known[("sex_recorded", r.area, r.grp)] = r.denominator
        elif r.code == "SEX_RECORDED":
            known[("sex_recorded", r.area, r.grp)] = r.numerator
            known[("workforce", r.area, r.grp)] = r.denominator
        else:
            known[(f"age:{r.category}", r.area, r.grp)] = r.numerator
            known[("workforce", r.area, r.grp)] = r.denominator
    return known


def attack(full: list[tuple[str, str, str]], public: pd.DataFrame) -> dict[tuple, tuple]:
    """The least and greatest value of each unpublished count, from every published one and
    the structure of the release (SciPy's linear programming)."""
    known = _known(public)
    unknown = [k for k in full if k not in known]
    col = {k: i for i, k in enumerate(unknown)}
    states = sorted({a for _, a, _ in full if a != COUNTRY})
    groups = sorted({g for _, _, g in full if g != "all"})
    bands = sorted({m for m, _, _ in full if m.startswith("age:")})
    equations: list[tuple[list[tuple[str, str, str]], tuple[str, str, str]]] = []
    for m in {m for m, _, _ in full}:
        for a in [*states, COUNTRY]:
            equations.append(([(m, a, g) for g in groups], (m, a, "all")))
        for g in [*groups, "all"]:
            equations.append(([(m, a, g) for a in states], (m, COUNTRY, g)))
    for a, g in itertools.product([*states, COUNTRY], [*groups, "all"]):
        equations.append(([(b, a, g) for b in bands], ("workforce", a, g)))
    a_eq, b_eq = [], []
    for members, total in equations:
        row, rhs = np.zeros(len(unknown)), 0.0
        for k, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
            if k in col:
                row[col[k]] += sign
            else:
                rhs -= sign * known[k]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    ub = [(0, None)] * len(unknown)
    for k in full:  # the women are at most those of recorded sex, these at most the workforce
        above = {"female": "sex_recorded", "sex_recorded": "workforce"}.get(k[0])
        if above is not None:
            w = (above, k[1], k[2])
            if w in known and k in col:
                ub[col[k]] = (0, known[w])
    out = {}
    for k, i in col.items():
        c = np.zeros(len(unknown))
        c[i] = 1.0
        bounds = []
        for sense in (1.0, -1.0):
            res = linprog(
                sense * c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=ub, method="highs"
            )
            bounds.append(sense * res.fun if res.status == 0 else np.inf)
        out[k] = (bounds[0], bounds[1])
    return out


@settings(max_examples=25, deadline=None, derandomize=True)
@given(counts=releases(), threshold=st.sampled_from([3, 5, 10]))
def test_no_small_count_can_be_narrowed_by_an_outsider(
    counts: dict[tuple[str, str, str], int], threshold: int
) -> None:
    table = _table(counts)
    public = protect(table, threshold).table
    full_counts = _full_counts(table)
    intervals = attack(list(full_counts), public)
    for key, (low, high) in intervals.items():
        true = full_counts[key]
        if 1 <= true < threshold:
            assert high - low >= threshold - 1e-6, (key, true, low, high)
    # every small count is withheld, and every published figure is the true one
    known = _known(public)
    for key, value in known.items():
        assert value == full_counts[key]
        assert not 1 <= value < threshold


def _full_counts(table: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    for r in table.itertuples(index=False):
        if r.code == "DENSITY":
            out[("workforce", r.area, r.grp)] = float(r.numerator)
        elif r.code == "PCT_FEMALE":
            out[("female", r.area, r.grp)] = float(r.numerator)
        elif r.code == "SEX_RECORDED":
            out[("sex_recorded", r.area, r.grp)] = float(r.numerator)
        else:
            out[(f"age:{r.category}", r.area, r.grp)] = float(r.numerator)
    return out
