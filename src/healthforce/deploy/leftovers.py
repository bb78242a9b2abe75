"""What a placement plan leaves: the workers it does not place and the posts it leaves vacant,
each with the reason, in the words a programme manager reads (names, kilometres).

- An unplaced worker (a worker without residence coordinates is refused before planning): with
  no vacant post of their occupation anywhere; or with the nearest vacant post of their
  occupation (named, with its distance) either filled by the plan with someone else, or left
  vacant because it lies farther than the plan moves anyone to fill a post of that kind (its
  penalty, in km).
- A vacant post: no worker of its occupation among its candidates; every worker of its
  occupation placed already; or the nearest unplaced worker of its occupation (with the
  distance) living farther than the penalty for leaving it vacant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from healthforce.deploy.allocate import Allocation
from healthforce.deploy.network import haversine
from healthforce.deploy.plan import DeploymentProblem
from healthforce.geo.sphere import unit_vectors
from healthforce.reference.occupations import occupations

UNPLACED = ["worker", "occupation", "nearest_vacant_facility", "state", "distance_km", "reason"]
VACANT = ["facility", "facility_name", "state", "occupation", "vacant_posts", "completes_team"]
VACANT += ["nearest_unplaced_km", "reason"]


def _occupation(code: str) -> str:
    found = occupations().get(str(code))
    return f"{found.name_es} / {found.name_en}" if found else str(code)


def _state(problem: DeploymentProblem, facility: int) -> str:
    code = problem.facility_area.get(facility, "")
    return problem.area_name.get(code, code)


def _nearest(
    from_lat: np.ndarray, from_lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray
) -> np.ndarray:
    """Index of the nearest ``to`` point for each ``from`` point (-1 when there is none)."""
    if not to_lat.size or not from_lat.size:
        return np.full(from_lat.size, -1, dtype=np.int64)
    _, near = cKDTree(unit_vectors(to_lat, to_lon)).query(unit_vectors(from_lat, from_lon))
    return np.asarray(near, dtype=np.int64)


def unplaced(
    problem: DeploymentProblem, result: Allocation, penalty_km: float = 300.0
) -> pd.DataFrame:
    """One row per worker the plan does not place, with the nearest vacant post and why."""
    p = problem.placement
    cost = haversine(p)
    placed_count = np.zeros(p.slots, dtype=np.int64)
    np.add.at(placed_count, result.slot, 1)
    rows = []
    for w in result.unplaced.tolist():
        occ = p.worker_occupation[w]
        row = {"worker": p.worker_ids[w], "occupation": _occupation(occ)}
        open_slots = np.flatnonzero((p.slot_occupation == occ) & (p.slot_capacity > 0))
        if not open_slots.size:
            rows.append({**row, "reason": "no vacant post of the occupation / sin vacantes"})
            continue
        near = open_slots[
            _nearest(
                p.worker_lat[[w]], p.worker_lon[[w]], p.slot_lat[open_slots], p.slot_lon[open_slots]
            )[0]
        ]
        km = float(cost(np.array([w]), np.array([near]))[0])
        facility = int(p.slot_facility[near])
        full = placed_count[near] >= p.slot_capacity[near]
        reason = (
            "its posts went to workers living closer, or to posts completing a team / sus "
            "cargos fueron para trabajadores más cercanos"
            if full
            else f"farther than the plan moves anyone to fill such a post ({penalty_km:g} km "
            f"or more with the penalty) / más lejos de lo que el plan traslada"
        )
        rows.append(
            {
                **row,
                "nearest_vacant_facility": problem.facility_name.get(
                    facility, problem.facility_code[facility]
                ),
                "state": _state(problem, facility),
                "distance_km": round(km, 1),
                "reason": reason,
            }
        )
    return pd.DataFrame(rows, columns=UNPLACED)


def vacant(
    problem: DeploymentProblem,
    result: Allocation,
    penalty_km: float = 300.0,
    critical_penalty_km: float = 600.0,
) -> pd.DataFrame:
    """One row per facility and occupation with posts the plan leaves vacant, and why."""
    p = problem.placement
    left = np.flatnonzero(result.unfilled > 0)
    unreachable = set(result.unreachable.tolist())
    free = result.unplaced
    rows = []
    for s in left.tolist():
        occ = p.slot_occupation[s]
        facility = int(p.slot_facility[s])
        pool = free[p.worker_occupation[free] == occ]
        nearest_km = None
        if s in unreachable:
            reason = "no worker of the occupation among its candidates / sin candidatos"
        elif not pool.size:
            reason = "every worker of the occupation is placed / todos ubicados"
        else:
            i = _nearest(p.slot_lat[[s]], p.slot_lon[[s]], p.worker_lat[pool], p.worker_lon[pool])
            nearest_km = float(haversine(p)(pool[i], np.array([s]))[0])
            weight = float(p.slot_weight[s])
            base = critical_penalty_km if result.unfilled_critical[s] > 0 else penalty_km
            reason = (
                f"the nearest unplaced worker lives farther than the penalty for leaving it "
                f"vacant ({base * weight:g} km) / el trabajador libre más cercano vive más "
                "lejos que la penalización"
            )
        rows.append(
            {
                "facility": problem.facility_code[facility],
                "facility_name": problem.facility_name.get(facility, ""),
                "state": _state(problem, facility),
                "occupation": _occupation(occ),
                "vacant_posts": int(result.unfilled[s]),
                "completes_team": bool(result.unfilled_critical[s] > 0),
                "nearest_unplaced_km": None if nearest_km is None else round(nearest_km, 1),
                "reason": reason,
            }
        )
    return pd.DataFrame(rows, columns=VACANT)
