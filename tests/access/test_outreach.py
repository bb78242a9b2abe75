"""Outreach planning: a known answer, the optimum of an independent MILP (SciPy) on random
networks, the specialists' days and reach honoured, and the problem read from the registry."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy import Engine, insert, select

from healthforce.access.outreach import (
    OutreachProblem,
    OutreachRules,
    cadence,
    hospital_distance,
    outreach_problem,
    outreach_schedules,
    plan_outreach,
)
from healthforce.geo.sphere import haversine_km
from healthforce.store.models import Facility, ServiceRequest
from healthforce.store.registry import Registry
from tests.access import add_cardiologist
from tests.indicators import registry


def _problem(rng: np.random.Generator, n_c: int, n_s: int, n_j: int) -> OutreachProblem:
    c_lat, c_lon = rng.uniform(0, 2, n_c), rng.uniform(0, 2, n_c)
    j_lat, j_lon = rng.uniform(0, 2, n_j), rng.uniform(0, 2, n_j)
    spec = rng.integers(0, n_s, n_j)
    return OutreachProblem(
        centre_ids=[f"C{i}" for i in range(n_c)],
        centre_lat=c_lat,
        centre_lon=c_lon,
        specialties=[f"s{i}" for i in range(n_s)],
        demand=rng.integers(0, 40, (n_c, n_s)).astype(float),
        hospital_km=hospital_distance(c_lat, c_lon, n_s, spec, j_lat, j_lon),
        specialist_ids=[f"J{i}" for i in range(n_j)],
        specialist_specialty=spec,
        specialist_lat=j_lat,
        specialist_lon=j_lon,
        days=rng.integers(1, 6, n_j),
        max_km=rng.uniform(60, 200, n_j),
    )


def _milp_optimum(p: OutreachProblem, r: OutreachRules) -> float:
    """The same model written independently: integer visits x[j, c], patients y[c, s]."""
    n_c, n_s, n_j = p.centre_lat.size, len(p.specialties), len(p.specialist_ids)
    reach = (r.working_day_hours - r.session_hours) * r.km_per_hour / 2
    d = haversine_km(
        p.specialist_lat[:, None], p.specialist_lon[:, None], p.centre_lat, p.centre_lon
    )
    nx, ny = n_j * n_c, n_c * n_s
    km = np.where(np.isfinite(p.hospital_km), p.hospital_km, 0.0)
    saving = (r.km_weight * km + r.wait_weight * r.hospital_wait_days).ravel()
    cost = np.concatenate([2 * d.ravel() * r.specialist_km_weight, -saving])
    upper_x = np.where((d <= np.minimum(p.max_km, reach)[:, None]), np.inf, 0).ravel()
    bounds = Bounds(np.zeros(nx + ny), np.concatenate([upper_x, p.demand.ravel()]))
    rows = []
    for j in range(n_j):  # days
        a = np.zeros(nx + ny)
        a[j * n_c : (j + 1) * n_c] = 1
        rows.append((a, p.days[j]))
    for c in range(n_c):  # patients seen <= visits x patients per visit
        for s in range(n_s):
            a = np.zeros(nx + ny)
            a[nx + c * n_s + s] = 1
            for j in np.flatnonzero(p.specialist_specialty == s):
                a[j * n_c + c] = -r.patients_per_visit
            rows.append((a, 0))
    a_ub = np.array([a for a, _ in rows])
    ub = np.array([b for _, b in rows], dtype=float)
    integrality = np.concatenate([np.ones(nx), np.zeros(ny)])
    res = milp(
        cost,
        constraints=LinearConstraint(a_ub, -np.inf, ub),
        bounds=bounds,
        integrality=integrality,
    )
    assert res.success
    return float(-res.fun)


def test_known_answer() -> None:
    p = OutreachProblem(
        centre_ids=["A", "B"],
        centre_lat=np.array([0.5, 1.0]),
        centre_lon=np.array([0.0, 0.0]),
        specialties=["cardiology"],
        demand=np.array([[12.0], [12.0]]),
        hospital_km=np.array([[55.6], [111.2]]),
        specialist_ids=["J"],
        specialist_specialty=np.array([0]),
        specialist_lat=np.array([0.0]),
        specialist_lon=np.array([0.0]),
        days=np.array([1]),
        max_km=np.array([150.0]),
    )
    plan = plan_outreach(p)
    # B saves 12 x (111.2 + 60) - 2 x 111.2 = 1,832 against A's 1,276: one visit, to B.
    assert (plan.centre, plan.visits, plan.patients) == (["B"], [1], [12])
    assert plan.seen_locally == 12 and plan.demand == 24
    assert plan.patient_km_after == pytest.approx(12 * 55.6)
    p.days = np.array([4])
    assert sorted(plan_outreach(p).centre) == ["A", "B"]  # one visit each: demand is 12


@pytest.mark.parametrize("seed", range(6))
def test_equals_an_independent_milp(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = _problem(rng, 8, 3, 5)
    r = OutreachRules()
    plan = plan_outreach(p, r)
    assert plan.objective == pytest.approx(_milp_optimum(p, r), abs=0.5)
    visits: dict[str, int] = {}
    for j, v, km in zip(plan.specialist, plan.visits, plan.km, strict=True):
        visits[j] = visits.get(j, 0) + v
        assert km <= 125 + 1e-9  # the road and a four-hour clinic fit in a nine-hour day
    for j, n in visits.items():
        assert n <= p.days[p.specialist_ids.index(j)]
    assert plan.seen_locally <= plan.demand


def test_problem_from_the_registry(db: Engine) -> None:
    registry.build(db)
    with Registry(db).change(actor="t", source="t") as c:
        c.upsert(
            "facilities",
            {
                "code": ["F1", "F2"],
                "name": ["C1", "H2"],
                "type": ["primary_care_centre", "general_hospital"],
                "level_of_care": ["1", "2"],
                "ownership": ["public", "private_fp"],
                "area": ["VE-A", "VE-B"],
                "latitude": [10.5, 10.0],
                "longitude": [-66.9, -66.9],
            },
        )
        add_cardiologist(c)
    with db.begin() as conn:
        centre = conn.execute(select(Facility.id).where(Facility.code == "F1")).scalar_one()
        conn.execute(
            insert(ServiceRequest),
            [
                {
                    "external_id": f"R{i}",
                    "referring_facility_id": centre,
                    "patient_ref": f"P{i}",
                    "specialty_code": "cardiology",
                    "priority": "routine",
                    "requested_on": dt.date(2024, 1, 1) + dt.timedelta(days=i),
                    "status": "open",
                }
                for i in range(261)
            ],
        )
    p = outreach_problem(db, dt.date(2024, 12, 31), months=12)
    assert p.centre_ids == ["F1"] and p.specialist_ids == ["W9"]
    assert p.demand[0, 0] == pytest.approx(261 * 28 / (12 * 30.44))  # per four weeks
    assert p.hospital_km[0, 0] == pytest.approx(55.6, abs=0.1)
    plan = plan_outreach(p)
    assert plan.visits == [2]  # 20 patients per four weeks: two visits of 12
    columns, unplaced = outreach_schedules(db, plan, dt.date(2025, 1, 1))
    assert unplaced == []
    assert (columns["facility"], columns["every_weeks"]) == (["F1"], [2])  # fortnightly
    assert columns["timezone"] == ["America/Caracas"]  # the centre's place, not UTC
    with Registry(db).change(actor="t", source="t") as c:
        assert c.upsert("schedules", columns).inserted == 1
    # Applying the same plan again writes nothing (it used to add the visit on another day).
    again, unplaced = outreach_schedules(db, plan, dt.date(2025, 1, 1))
    assert (again["external_id"], unplaced) == ([], [])


def test_cadence() -> None:
    assert [cadence(v) for v in (1, 2, 3, 4, 5, 6, 8)] == [
        [4],
        [2],
        [2, 4],
        [1],
        [1, 4],
        [1, 2],
        [1, 1],
    ]
