"""Rotation plans and population access, by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from healthforce.deploy.access import coverage, where_to_add
from healthforce.deploy.rotation import EXTENDED_BEYOND, Term, plan_rotation


def test_rotation_replaces_and_never_leaves_a_facility_without_its_last_doctor() -> None:
    terms = [
        Term("C1", "P1", "F1", "2211", 10.0, -66.0, dt.date(2025, 2, 10)),  # last doctor of F1
        Term("C2", "P2", "F2", "2211", 10.5, -66.5, dt.date(2025, 2, 20)),  # F2 keeps another
        Term("C3", "P3", "F3", "2211", 11.0, -67.0, dt.date(2025, 5, 1)),
    ]
    incoming = np.array(["N1", "N2"])
    result = plan_rotation(
        terms,
        incoming,
        np.array([11.0, 10.9]),
        np.array([-67.0, -66.9]),
        np.array(["2211", "2211"]),
        np.array(["2025-Q2", "2025-Q2"]),
        doctors_at={"F1": 1, "F2": 2, "F3": 1},
        start=dt.date(2025, 1, 1),
        quarters=4,
    )
    assert result["worker"].is_unique  # one row per leaver, however long they stay on
    by = result.set_index("worker")
    assert by.loc["C1", "quarter"] == "2025-Q1" and by.loc["C1", "leaves"] == "2025-Q2"
    assert by.loc["C1", "status"] == "extended (last doctor), replaced in 2025-Q2"
    assert by.loc["C2", "status"] == "left, post vacant" and by.loc["C2", "leaves"] == "2025-Q1"
    assert by.loc["C3", "status"] == "replaced"
    assert set(by["replacement"].dropna()) == {"N1", "N2"}
    assert by.loc["C3", "replacement"] == "N1"  # the nearest incoming worker to F3
    # replacements start the day after the term ends, or when an extended leaver is replaced
    assert by.loc["C3", "starts"] == dt.date(2025, 5, 2) and by.loc["C3", "post"] == "P3"
    assert by.loc["C1", "starts"] == dt.date(2025, 4, 1)  # the quarter N2 is available
    assert by.loc["C2", "starts"] is None
    # with nobody arriving, the last doctor stays on beyond the window, in one row
    alone = plan_rotation(
        terms[:1],
        np.array([], dtype=object),
        np.array([]),
        np.array([]),
        np.array([], dtype=object),
        np.array([], dtype=object),
        doctors_at={"F1": 1},
        start=dt.date(2025, 1, 1),
        quarters=4,
    )
    assert len(alone) == 1 and alone.iloc[0]["status"] == EXTENDED_BEYOND
    assert alone.iloc[0]["leaves"] is None


def test_coverage_and_where_to_add() -> None:
    # Four villages on a line, 1,000 people each, 0.1 degree (about 11 km) apart.
    lat = np.full(4, 10.0)
    lon = np.array([-66.0, -65.9, -65.8, -65.7])
    pop = np.full(4, 1_000.0)
    area = np.array(["A", "A", "B", "B"])
    result = coverage(lat, lon, pop, area, np.array([10.0]), np.array([-66.0]), km=5)
    assert result.share_by_area == {"A": 0.5, "B": 0.0}
    assert result.uncovered_points.tolist() == [1, 2, 3]
    done = np.array([True, False, False, False])
    # Candidates: near village 2 (costs 1 worker), near 3-4 midpoint (covers both, costs 3).
    expansion = where_to_add(
        lat,
        lon,
        pop,
        done,
        np.array([10.0, 10.0]),
        np.array([-65.9, -65.75]),
        np.array([1, 3]),
        budget=4,
        km=6,
    )
    assert expansion.chosen == [0, 1]
    assert expansion.gained_population == pytest.approx(3_000)
    assert expansion.gap == pytest.approx(0)
