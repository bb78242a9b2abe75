"""The placement problem as plain arrays, and its candidate graph.

Workers (with a residence and an occupation) are to be placed in vacant posts. Posts of the same
occupation in the same facility are interchangeable, so the graph has one **slot** per facility
x occupation with vacancies, with a capacity. Candidate arcs: each worker's ``k`` nearest slots
of their occupation, plus each slot's ``k_slot`` nearest workers, so that remote posts are never
left without candidates. Costs are pluggable (haversine km by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from healthforce.errors import Problem, ValidationError
from healthforce.geo.sphere import haversine_km, unit_vectors

Array = np.ndarray
#: cost(worker indices, slot indices) -> km (or any non-negative cost), vectorised
CostFunction = Callable[[Array, Array], Array]


@dataclass(frozen=True)
class Placement:
    """What is to be placed where.

    Workers: ``worker_ids``, ``worker_lat/lon`` (residence), ``worker_occupation``.
    Slots (facility x occupation with vacancies): ``slot_facility`` (facility id),
    ``slot_lat/lon``, ``slot_occupation``, ``slot_capacity`` (vacant posts),
    ``slot_critical`` (how many workers of that occupation the facility lacks to meet its team
    norm; may exceed the vacancies, and a slot may have no vacancy: then the team cannot be
    completed),
    ``slot_weight`` (priority multiplier, > 1 for underserved areas), ``slot_area``.
    ``fixed`` pairs (worker index, slot index) are kept as they are.
    """

    worker_ids: Array
    worker_lat: Array
    worker_lon: Array
    worker_occupation: Array
    slot_facility: Array
    slot_lat: Array
    slot_lon: Array
    slot_occupation: Array
    slot_capacity: Array
    slot_critical: Array
    slot_weight: Array
    slot_area: Array
    fixed: list[tuple[int, int]] = field(default_factory=list)
    preference_bonus: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def workers(self) -> int:
        return int(self.worker_ids.size)

    @property
    def slots(self) -> int:
        return int(self.slot_facility.size)

    def check(self) -> None:
        """Workers without coordinates, more fixed assignments than capacity: clear errors."""
        problems: list[Problem] = []
        no_xy = np.flatnonzero(~np.isfinite(self.worker_lat) | ~np.isfinite(self.worker_lon))
        for i in no_xy[:50]:
            problems.append(
                Problem(
                    "workers",
                    str(self.worker_ids[i]),
                    "residence",
                    None,
                    "no coordinates: cannot be placed / sin coordenadas",
                )
            )
        used = np.zeros(self.slots, dtype=np.int64)
        for w, s in self.fixed:
            used[s] += 1
            if self.worker_occupation[w] != self.slot_occupation[s]:
                problems.append(
                    Problem(
                        "workers",
                        str(self.worker_ids[w]),
                        "fixed",
                        str(self.slot_facility[s]),
                        "fixed to a post of another occupation / ocupación distinta",
                    )
                )
        for s in np.flatnonzero(used > self.slot_capacity).tolist():
            problems.append(
                Problem(
                    "posts",
                    str(self.slot_facility[s]),
                    "fixed",
                    int(used[s]),
                    f"more fixed assignments than the "
                    f"{int(self.slot_capacity[s])} vacant posts / más "
                    f"asignaciones fijas que cargos",
                )
            )
        if problems:
            raise ValidationError(problems)


def haversine(p: Placement) -> CostFunction:
    """Great-circle km between residence and facility."""

    def cost(w: Array, s: Array) -> Array:
        return haversine_km(p.worker_lat[w], p.worker_lon[w], p.slot_lat[s], p.slot_lon[s])

    return cost


def candidates(p: Placement, k: int = 10, k_slot: int = 5) -> tuple[Array, Array]:
    """Candidate (worker, slot) arcs: k nearest compatible slots per worker, plus k_slot nearest
    compatible workers per slot; deduplicated, fixed pairs included."""
    ws: list[Array] = []
    ss: list[Array] = []
    ok_w = np.isfinite(p.worker_lat) & np.isfinite(p.worker_lon)
    for occ in np.unique(p.slot_occupation):
        w_idx = np.flatnonzero((p.worker_occupation == occ) & ok_w)
        s_idx = np.flatnonzero(p.slot_occupation == occ)
        if not w_idx.size or not s_idx.size:
            continue
        wv = unit_vectors(p.worker_lat[w_idx], p.worker_lon[w_idx])
        sv = unit_vectors(p.slot_lat[s_idx], p.slot_lon[s_idx])
        kk = min(k, s_idx.size)
        _, near = cKDTree(sv).query(wv, k=kk)
        near = near.reshape(w_idx.size, kk)
        ws.append(np.repeat(w_idx, kk))
        ss.append(s_idx[near.ravel()])
        kw = min(k_slot, w_idx.size)
        if kw == 0:
            continue
        _, near_w = cKDTree(wv).query(sv, k=kw)
        near_w = near_w.reshape(s_idx.size, kw)
        ws.append(w_idx[near_w.ravel()])
        ss.append(np.repeat(s_idx, kw))
    if p.fixed:
        fixed = np.array(p.fixed)
        ws.append(fixed[:, 0])
        ss.append(fixed[:, 1])
    if not ws:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.unique(np.column_stack([np.concatenate(ws), np.concatenate(ss)]), axis=0)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
