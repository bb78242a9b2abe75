"""Suppression: no suppressed count can be recovered from the published margins."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from healthforce.indicators.suppression import Relation, determined, relations, suppress


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    """A by-group table with categories: groups add up to "all", categories to group totals."""
    areas = draw(st.integers(1, 3))
    groups = draw(st.integers(2, 4))
    categories = draw(st.integers(2, 4))
    rows = []
    for a in range(areas):
        counts = draw(
            st.lists(
                st.lists(st.integers(0, 30), min_size=categories, max_size=categories),
                min_size=groups,
                max_size=groups,
            )
        )
        for g in range(groups):
            total = sum(counts[g])
            for c in range(categories):
                rows.append((f"A{a}", f"G{g}", f"C{c}", counts[g][c], total))
        for c in range(categories):
            rows.append(
                (
                    f"A{a}",
                    "all",
                    f"C{c}",
                    sum(counts[g][c] for g in range(groups)),
                    sum(sum(x) for x in counts),
                )
            )
    frame = pd.DataFrame(rows, columns=["area", "grp", "category", "numerator", "denominator"])
    frame.insert(0, "code", "X")
    frame["value"] = frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0)
    return frame


@settings(max_examples=150, deadline=None)
@given(frame=tables(), threshold=st.integers(2, 8))
def test_no_suppressed_count_can_be_recovered(frame: pd.DataFrame, threshold: int) -> None:
    out = suppress(frame, threshold)
    original = frame.reset_index(drop=True)
    small = out["suppressed"].to_numpy() & out["numerator"].isna().to_numpy()
    num = original["numerator"].to_numpy()
    # Every small count is suppressed ...
    assert (small | ~((num > 0) & (num < threshold))).all()
    # ... and none of the suppressed ones is determined by the published relations.
    assert determined(small, relations(original), len(original)) == []
    # Published figures are untouched.
    kept = ~out["suppressed"]
    assert (out.loc[kept, "numerator"] == original.loc[kept, "numerator"]).all()


def test_a_single_small_cell_gets_a_partner() -> None:
    frame = pd.DataFrame(
        {
            "code": "X",
            "area": "A",
            "grp": ["G1", "G2", "G3", "all"],
            "category": "",
            "numerator": [3, 40, 50, 93],
            "denominator": [100, 100, 100, 300],
        }
    )
    frame["value"] = frame["numerator"] / frame["denominator"]
    out = suppress(frame)
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert np.isnan(out.loc[0, "value"])


def _determined_by_rank(suppressed: np.ndarray, rels: list[Relation]) -> list[int]:
    """The definition, one rank test per cell (slow, obviously right): a cell is determined
    when adding its unit vector to the relations does not raise their rank."""
    unknown = np.flatnonzero(suppressed)
    col = {int(c): i for i, c in enumerate(unknown)}
    rows = []
    for r in rels:
        vec = np.zeros(unknown.size)
        for m in r.members:
            if m in col:
                vec[col[m]] += 1
        if r.total is not None and r.total in col:
            vec[col[r.total]] -= 1
        if vec.any():
            rows.append(vec)
    if not rows or not unknown.size:
        return []
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    out = []
    for i, cell in enumerate(unknown.tolist()):
        e = np.zeros(unknown.size)
        e[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(int(cell))
    return out


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(2, 14),
    data=st.data(),
)
def test_determined_cells_match_the_rank_definition(n: int, data: st.DataObject) -> None:
    suppressed = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    rels = []
    for _ in range(data.draw(st.integers(0, 6))):
        members = tuple(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))
        outside = sorted(set(range(n)) - set(members))
        total = data.draw(st.none() | st.sampled_from(outside)) if outside else None
        rels.append(Relation(members, total))
    assert determined(suppressed, rels, n) == _determined_by_rank(suppressed, rels)
