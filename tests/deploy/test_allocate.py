"""Placement: optimal against SciPy's assignment solver, constraints hold, bad input is named."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from healthforce.deploy.allocate import allocate, greedy
from healthforce.deploy.network import Placement, haversine
from healthforce.errors import ValidationError


def random_instance(
    seed: int, workers: int, slots: int, occupations: int = 1, capacity: int = 1, fixed: int = 0
) -> Placement:
    rng = np.random.default_rng(seed)
    p = Placement(
        worker_ids=np.array([f"W{i}" for i in range(workers)]),
        worker_lat=rng.uniform(8, 11, workers),
        worker_lon=rng.uniform(-70, -63, workers),
        worker_occupation=rng.integers(0, occupations, workers),
        slot_facility=np.arange(slots),
        slot_lat=rng.uniform(8, 11, slots),
        slot_lon=rng.uniform(-70, -63, slots),
        slot_occupation=rng.integers(0, occupations, slots),
        slot_capacity=rng.integers(1, capacity + 1, slots),
        slot_critical=rng.integers(0, 2, slots),
        slot_weight=np.ones(slots),
        slot_area=np.zeros(slots, dtype=int),
    )
    pairs = []
    for w in range(min(fixed, workers)):
        same = np.flatnonzero(p.slot_occupation == p.worker_occupation[w])
        if same.size:
            pairs.append((w, int(same[w % same.size])))
    used: dict[int, int] = {}
    kept = []
    for w, s in pairs:
        if used.get(s, 0) < p.slot_capacity[s]:
            used[s] = used.get(s, 0) + 1
            kept.append((w, s))
    return Placement(**{**p.__dict__, "fixed": kept})


@pytest.mark.parametrize("seed", range(8))
def test_cost_equals_the_assignment_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    workers, slots = int(rng.integers(3, 12)), int(rng.integers(3, 12))
    p = random_instance(seed, workers, slots)
    result = allocate(
        p, k=slots, k_slot=workers, penalty_km=1e5, critical_penalty_km=1e5, team_rounds=0
    )
    ww, ss = np.meshgrid(np.arange(workers), np.arange(slots), indexing="ij")
    matrix = haversine(p)(ww.ravel(), ss.ravel()).reshape(workers, slots)
    rows, cols = linear_sum_assignment(matrix)
    assert result.worker.size == min(workers, slots)
    # Costs are integers of 0.01 km inside the solver: equal up to that rounding.
    assert result.distance_km.sum() == pytest.approx(
        matrix[rows, cols].sum(), abs=0.01 * min(workers, slots)
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    workers=st.integers(1, 40),
    slots=st.integers(1, 25),
    fixed=st.integers(0, 5),
)
def test_capacity_compatibility_and_fixed_assignments_hold(
    seed: int, workers: int, slots: int, fixed: int
) -> None:
    p = random_instance(seed, workers, slots, occupations=3, capacity=3, fixed=fixed)
    result = allocate(p, k=4, k_slot=3)
    counts = np.bincount(result.slot, minlength=p.slots)
    assert (counts <= p.slot_capacity).all()
    assert (p.worker_occupation[result.worker] == p.slot_occupation[result.slot]).all()
    assert len(set(result.worker.tolist())) == result.worker.size  # nobody placed twice
    placed = set(zip(result.worker.tolist(), result.slot.tolist(), strict=True))
    assert set(p.fixed) <= placed
    assert (counts + result.unfilled == p.slot_capacity).all()  # every post accounted for


def test_bad_input_is_explicit() -> None:
    p = random_instance(1, 5, 3)
    lat = p.worker_lat.copy()
    lat[2] = np.nan
    with pytest.raises(ValidationError, match="no coordinates") as info:
        allocate(Placement(**{**p.__dict__, "worker_lat": lat}))
    assert info.value.problems[0].record == "W2"
    too_many = Placement(
        **{
            **p.__dict__,
            "fixed": [(0, 0), (1, 0)],
            "worker_occupation": np.zeros(5, dtype=int),
            "slot_occupation": np.zeros(3, dtype=int),
            "slot_capacity": np.ones(3, dtype=int),
        }
    )
    with pytest.raises(ValidationError, match="more fixed assignments"):
        allocate(too_many)


def test_posts_no_one_can_reach_are_reported() -> None:
    p = random_instance(2, 6, 4, occupations=1)
    occ = p.slot_occupation.copy()
    occ[3] = 9  # no worker of occupation 9 exists
    result = allocate(Placement(**{**p.__dict__, "slot_occupation": occ}))
    assert result.unreachable.tolist() == [3]
    assert result.unfilled[3] == p.slot_capacity[3]


def test_stability_of_the_candidate_graph() -> None:
    p = random_instance(5, 2_000, 600, occupations=3, capacity=3)
    base = allocate(p, k=10, k_slot=5)
    double = allocate(p, k=20, k_slot=10)
    assert abs(double.objective - base.objective) / base.objective < 0.005
    assert double.objective <= base.objective + 1e-6  # more candidates never cost more


def test_better_than_greedy() -> None:
    p = random_instance(6, 1_500, 700, occupations=2, capacity=2)
    ours, base = allocate(p), greedy(p)
    assert ours.unfilled_critical.sum() <= base.unfilled_critical.sum()
    assert ours.objective <= (
        base.distance_km.sum()
        + (base.unfilled_critical * 600).sum()
        + ((base.unfilled - base.unfilled_critical) * 300).sum()
    )


def test_runs_on_chile_national_facility_list(shared_data: Path) -> None:
    path = shared_data / "facilities" / "chile_deis_establecimientos_20260310.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle, delimiter=";")
            if r["Latitud"].strip() and r["EstadoFuncionamiento"].lower().startswith("vigente")
        ]
    lat = np.array([float(r["Latitud"]) for r in rows])
    lon = np.array([float(r["Longitud"]) for r in rows])
    n = lat.size
    assert n > 5_000
    rng = np.random.default_rng(0)
    occ = np.repeat([0, 1], n)  # a doctor and a nurse post per establishment: the norm
    fac = np.tile(np.arange(n), 2)
    anchor = rng.integers(0, n, 6_000)
    p = Placement(
        worker_ids=np.arange(6_000).astype(str),
        worker_lat=lat[anchor] + rng.normal(0, 0.05, 6000),
        worker_lon=lon[anchor] + rng.normal(0, 0.05, 6000),
        worker_occupation=rng.integers(0, 2, 6_000),
        slot_facility=fac,
        slot_lat=lat[fac],
        slot_lon=lon[fac],
        slot_occupation=occ,
        slot_capacity=np.ones(2 * n, dtype=int),
        slot_critical=np.ones(2 * n, dtype=int),
        slot_weight=np.ones(2 * n),
        slot_area=np.zeros(2 * n, dtype=int),
    )
    result = allocate(p, teams=np.arange(n))
    # A few workers are left unplaced rather than sent further than the unfilled penalty
    # (300 km) is worth; every post is accounted for.
    assert result.worker.size + result.unplaced.size == 6_000
    assert result.worker.size > 0.98 * 6_000
    assert np.median(result.distance_km) < 15
    assert result.complete_teams > result.complete_teams_flow_only  # the team step helps


@pytest.mark.parametrize("seed", range(12))
def test_certified_optimum_where_the_candidate_graph_misses_it(seed: int) -> None:
    """With one candidate slot per worker and one worker per slot, the candidate graph alone
    misses the optimum; pricing the arcs left out with the flow's dual reaches SciPy's
    assignment optimum on the complete graph, and says it is certified."""
    rng = np.random.default_rng(100 + seed)
    workers, slots = int(rng.integers(15, 40)), int(rng.integers(15, 40))
    p = random_instance(100 + seed, workers, slots)
    penalties = {"penalty_km": 1e5, "critical_penalty_km": 1e5, "team_rounds": 0}
    narrow = allocate(p, k=1, k_slot=1, **penalties)
    result = allocate(p, k=1, k_slot=1, certify=True, **penalties)
    ww, ss = np.meshgrid(np.arange(workers), np.arange(slots), indexing="ij")
    matrix = haversine(p)(ww.ravel(), ss.ravel()).reshape(workers, slots)
    rows, cols = linear_sum_assignment(matrix)
    optimum = matrix[rows, cols].sum()
    assert result.certified is True and narrow.certified is None
    assert result.worker.size == min(workers, slots)
    assert result.distance_km.sum() == pytest.approx(optimum, abs=0.01 * min(workers, slots))
    if narrow.distance_km.sum() > optimum + 0.01 * min(workers, slots):
        assert result.priced_arcs > 0  # the candidate graph missed it; pricing found it


def test_certified_with_capacities_occupations_fixed_and_penalties() -> None:
    """Against a HiGHS linear program over every worker-slot arc (capacities, occupations,
    critical posts, penalties, fixed workers), on an instance where k = 1 is not enough."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    p = random_instance(7, 60, 25, occupations=2, capacity=3, fixed=4)
    penalties = {"penalty_km": 150.0, "critical_penalty_km": 400.0, "team_rounds": 0}
    result = allocate(p, k=1, k_slot=1, certify=True, **penalties)
    narrow = allocate(p, k=1, k_slot=1, **penalties)
    assert result.certified is True and result.priced_arcs > 0
    # LP: x[w, s] for compatible free pairs, u_crit[s], u_rest[s] unfilled; each slot receives
    # exactly its free capacity; each worker at most one slot
    fixed_w = {w for w, _ in p.fixed}
    capacity = p.slot_capacity.astype(float).copy()
    for _, s in p.fixed:
        capacity[s] -= 1
    pairs = [
        (w, s)
        for w in range(p.workers)
        for s in range(p.slots)
        if w not in fixed_w and p.worker_occupation[w] == p.slot_occupation[s]
    ]
    pw = np.array([a for a, _ in pairs])
    ps = np.array([b for _, b in pairs])
    km = np.round(haversine(p)(pw, ps) * 100) / 100
    crit = np.minimum(p.slot_critical, capacity)
    n, m = len(pairs), p.slots
    c = np.concatenate([km, np.full(m, 400.0), np.full(m, 150.0)])
    rows = np.concatenate([ps, np.arange(m), np.arange(m)])
    cols = np.arange(n + 2 * m)
    a_eq = coo_matrix((np.ones(n + 2 * m), (rows, cols)), shape=(m, n + 2 * m))
    a_ub = coo_matrix((np.ones(n), (pw, np.arange(n))), shape=(p.workers, n + 2 * m))
    bounds = (
        [(0, 1)] * n
        + [(0, float(x)) for x in crit]
        + [(0, float(x - y)) for x, y in zip(capacity, crit, strict=True)]
    )
    lp = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.ones(p.workers),
        A_eq=a_eq,
        b_eq=capacity,
        bounds=bounds,
        method="highs",
    )
    assert lp.status == 0
    assert result.objective == pytest.approx(lp.fun, abs=0.01 * p.workers)
    assert narrow.objective > result.objective  # k = 1 alone missed it


def test_long_runs_tell_their_progress() -> None:
    p = random_instance(3, 30, 20)
    told: list[str] = []
    allocate(p, k=1, k_slot=1, team_rounds=1, certify=True, progress=told.append)
    assert any(line.startswith("solving the flow on") for line in told)
    assert any(line.startswith("certifying, round 1") for line in told)
