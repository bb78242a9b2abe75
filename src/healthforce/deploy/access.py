"""Population access to staffed care: who lives within X km of a facility whose team norm is
met, which places are left uncovered, and where N more workers would raise coverage most.

Population is represented by weighted points (a grid or sampled points in each area, carrying
the area's population). "Where to add workers" is a budgeted maximal-coverage problem: completing
facility f costs its missing workers and covers the points within X km. A greedy heuristic picks
the best coverage per worker; its gap to an upper bound is reported. The bound uses
submodularity: OPT <= f(greedy) + the best fractional use of the budget on the candidates'
marginal gains over the greedy solution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from healthforce.deploy.network import Array
from healthforce.geo.sphere import chord, unit_vectors


def covered(point_lat: Array, point_lon: Array, fac_lat: Array, fac_lon: Array, km: float) -> Array:
    """Boolean per point: is there a facility within ``km``?"""
    if not fac_lat.size:
        return np.zeros(point_lat.size, dtype=bool)
    tree = cKDTree(unit_vectors(fac_lat, fac_lon))
    d, _ = tree.query(unit_vectors(point_lat, point_lon), k=1)
    return np.asarray(d <= float(chord(km)))


@dataclass(frozen=True)
class Coverage:
    share_by_area: dict[str, float]
    covered_population: float
    total_population: float
    uncovered_points: Array  # indices of points without staffed care

    @property
    def share(self) -> float:
        return self.covered_population / self.total_population if self.total_population else 0


def coverage(
    point_lat: Array,
    point_lon: Array,
    point_pop: Array,
    point_area: Array,
    staffed_lat: Array,
    staffed_lon: Array,
    km: float,
) -> Coverage:
    hit = covered(point_lat, point_lon, staffed_lat, staffed_lon, km)
    shares = {}
    for area in np.unique(point_area).tolist():
        m = point_area == area
        total = float(point_pop[m].sum())
        shares[str(area)] = float(point_pop[m & hit].sum()) / total if total else 0.0
    return Coverage(
        shares, float(point_pop[hit].sum()), float(point_pop.sum()), np.flatnonzero(~hit)
    )


@dataclass(frozen=True)
class Expansion:
    chosen: list[int]  # candidate facility indices, in the order picked
    workers_used: int
    gained_population: float
    upper_bound: float

    @property
    def gap(self) -> float:
        """Relative gap of the greedy choice to the upper bound (0 = proven optimal)."""
        return 1 - self.gained_population / self.upper_bound if self.upper_bound else 0.0


def where_to_add(
    point_lat: Array,
    point_lon: Array,
    point_pop: Array,
    already: Array,
    cand_lat: Array,
    cand_lon: Array,
    cand_cost: Array,
    budget: int,
    km: float,
) -> Expansion:
    """Greedy budgeted maximal coverage: complete candidate facilities (each costing its missing
    workers) to cover the most population not ``already`` covered, within ``budget`` workers."""
    tree = cKDTree(unit_vectors(point_lat, point_lon))
    reach = tree.query_ball_point(unit_vectors(cand_lat, cand_lon), r=float(chord(km)))
    cover = [np.asarray(r, dtype=np.int64) for r in reach]
    done = already.copy()
    chosen: list[int] = []
    used, gained = 0, 0.0
    cost = np.maximum(cand_cost.astype(int), 1)
    while True:
        gains = np.array([point_pop[c[~done[c]]].sum() if c.size else 0.0 for c in cover])
        ratio = np.where((cost + used <= budget) & (gains > 0), gains / cost, -1)
        best = int(np.argmax(ratio)) if ratio.size else -1
        if best < 0 or ratio[best] <= 0:
            break
        chosen.append(best)
        used += int(cost[best])
        gained += float(gains[best])
        done[cover[best]] = True
    # Upper bound: greedy value + fractional knapsack of marginal gains over the greedy set.
    gains = np.array([point_pop[c[~done[c]]].sum() if c.size else 0.0 for c in cover])
    order = np.argsort(-gains / cost)
    room, extra = float(budget), 0.0
    for i in order.tolist():
        if room <= 0 or gains[i] <= 0:
            break
        take = min(1.0, room / cost[i])
        extra += take * gains[i]
        room -= take * cost[i]
    return Expansion(chosen, used, gained, gained + extra)
