"""What a plan leaves, with the reason a programme manager reads: unplaced workers and vacant
posts, by name and in kilometres."""

from __future__ import annotations

import numpy as np

from healthforce.deploy.allocate import allocate
from healthforce.deploy.leftovers import unplaced, vacant
from healthforce.deploy.network import Placement
from healthforce.deploy.plan import DeploymentProblem


def _problem() -> DeploymentProblem:
    # doctors W0 and W1 near Caracas, one doctor post there; nurse W2 in Maracaibo, the nurse
    # post in Cumaná (~600 km); a post for a third occupation nobody has
    p = Placement(
        worker_ids=np.array(["W0", "W1", "W2"], dtype=object),
        worker_lat=np.array([10.50, 10.55, 10.65]),
        worker_lon=np.array([-66.90, -66.95, -71.63]),
        worker_occupation=np.array(["2211", "2211", "2221"], dtype=object),
        slot_facility=np.array([1, 2, 3]),
        slot_lat=np.array([10.49, 10.45, 10.49]),
        slot_lon=np.array([-66.88, -64.17, -66.88]),
        slot_occupation=np.array(["2211", "2221", "3221"], dtype=object),
        slot_capacity=np.array([1, 1, 1]),
        slot_critical=np.array([0, 0, 0]),
        slot_weight=np.ones(3),
        slot_area=np.array(["VE-A", "VE-B", "VE-A"], dtype=object),
    )
    return DeploymentProblem(
        p,
        [["P1"], ["P2"], ["P3"]],
        {1: "F1", 2: "F2", 3: "F1"},
        {1: "VE-A", 2: "VE-B", 3: "VE-A"},
        {},
        {},
        {},
        np.array([1, 2]),
        {1: "Hospital Vargas", 2: "Ambulatorio Cumaná"},
        {"VE-A": "Distrito Capital", "VE-B": "Sucre"},
    )


def test_each_unplaced_worker_and_vacant_post_says_why() -> None:
    problem = _problem()
    result = allocate(problem.placement, k=3, k_slot=3)
    out = unplaced(problem, result).set_index("worker")
    assert set(out.index) == {"W1", "W2"}  # W0 lives closest to the doctor post
    assert out.loc["W1", "nearest_vacant_facility"] == "Hospital Vargas"
    assert out.loc["W1", "state"] == "Distrito Capital"
    assert "went to workers living closer" in out.loc["W1", "reason"]
    assert out.loc["W2", "nearest_vacant_facility"] == "Ambulatorio Cumaná"
    assert out.loc["W2", "distance_km"] > 600
    assert "farther than the plan moves anyone" in out.loc["W2", "reason"]
    still = vacant(problem, result).set_index("facility_name")
    nurse = still.loc["Ambulatorio Cumaná"]
    assert nurse["vacant_posts"] == 1 and not bool(nurse["completes_team"])
    assert nurse["nearest_unplaced_km"] > 600
    assert "farther than the penalty for leaving it vacant (300 km)" in nurse["reason"]
    assert "Enfermería" in nurse["occupation"] or "Nursing" in nurse["occupation"]
    nobody = still[still["reason"].str.contains("no worker of the occupation")]
    assert len(nobody) == 1 and nobody.iloc[0]["state"] == "Distrito Capital"
