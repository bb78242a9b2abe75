"""A placement certified optimal on the full graph, not only on its candidate graph.

The min-cost flow is solved on candidate arcs (each worker's k nearest slots, each slot's k'
nearest workers). Its optimality on every possible arc is then checked with the flow's dual: node
potentials ``pi`` under which every residual arc has a non-negative reduced cost
(``cost + pi[tail] - pi[head] >= 0``), found as shortest distances in the residual network
(:func:`potentials`). An arc left out, from worker ``i`` to slot ``j``, could improve the plan
only if its reduced cost is negative: ``km(i, j) * SCALE < pi[j] - pi[i]``. :func:`price` finds
every such arc with a spatial index instead of enumerating pairs: slots are grouped by
potential, and for each group a worker need only look within ``(max pi of the group - pi[i])``
of home. The most negative arcs found (:data:`PER_WORKER` per worker) are added and the flow
solved again, until none prices negative: the plan is then optimal on the complete worker x
slot graph (linear-programming duality), which the tests check against SciPy's assignment
solver and a HiGHS linear program on instances where the candidate graph alone misses the
optimum. The price is time: each round solves the flow again, and on large instances the dual
settles slowly (111 s on 50,000 workers, where the certified objective is 3.9 % below the
candidate graph's), so the check is asked for (``certify=True``, ``deploy plan --certify``), not
run by default.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from scipy.spatial import cKDTree

from healthforce.deploy.network import Array, CostFunction, Placement
from healthforce.geo.sphere import chord, unit_vectors

#: Slot groups by potential in :func:`price` (more groups: smaller search radii, more queries).
GROUPS = 16
#: Arcs added per worker and round of pricing, the most negative first (column generation adds
#: a few of the best columns at a time, not every improving one). 40 takes fewer rounds than 10
#: on 12,000 workers x 3,000 facilities (5 instead of 7) but on 50,000 x 12,000 prices in two
#: million arcs whose solves cost more than the rounds saved (183 s against 111 s).
PER_WORKER = 10


def potentials(
    nodes: int, tails: Array, heads: Array, caps: Array, costs: Array, flows: Array
) -> Array | None:
    """Node potentials certifying an optimal flow (integer costs): minus the shortest distance
    from each node to a virtual sink joined to every node at cost 0, over the residual arcs
    (Bellman-Ford, vectorised). None when the residual network has a negative cycle (the flow
    is not optimal)."""
    forward, backward = flows < caps, flows > 0
    u = np.concatenate([tails[forward], heads[backward]])
    v = np.concatenate([heads[forward], tails[backward]])
    c = np.concatenate([costs[forward], -costs[backward]]).astype(np.int64)
    order = np.argsort(u, kind="stable")
    u, v, c = u[order], v[order], c[order]
    if not u.size:
        return np.zeros(nodes, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
    sources = u[starts]
    dist = np.zeros(nodes, dtype=np.int64)
    for _ in range(nodes + 1):
        best = np.minimum.reduceat(dist[v] + c, starts)
        shorter = best < dist[sources]
        if not shorter.any():
            return -dist
        dist[sources[shorter]] = best[shorter]
    return None


def price(
    p: Placement,
    pi_worker: Array,
    pi_slot: Array,
    free: Array,
    present: tuple[Array, Array],
    cost: CostFunction,
    scale: int,
) -> tuple[Array, Array]:
    """Every worker-slot arc not in ``present`` with a negative reduced cost, for workers in
    ``free`` (``cost`` must be great-circle km, the bound the spatial search relies on)."""
    n_slots = p.slots
    have = np.unique(present[0].astype(np.int64) * n_slots + present[1])  # sorted arc keys
    found_w: list[Array] = []
    found_s: list[Array] = []
    ok = free & np.isfinite(p.worker_lat) & np.isfinite(p.worker_lon)
    for occ in np.unique(p.slot_occupation):
        w_idx = np.flatnonzero(ok & (p.worker_occupation == occ))
        s_idx = np.flatnonzero((p.slot_occupation == occ) & (p.slot_capacity > 0))
        if not w_idx.size or not s_idx.size:
            continue
        wv = unit_vectors(p.worker_lat[w_idx], p.worker_lon[w_idx])
        s_idx = s_idx[np.argsort(pi_slot[s_idx], kind="stable")]
        for group in np.array_split(s_idx, min(GROUPS, s_idx.size)):
            reach_km = (pi_slot[group].max() - pi_worker[w_idx]) / scale
            looking = reach_km > 0
            if not looking.any():
                continue
            tree = cKDTree(unit_vectors(p.slot_lat[group], p.slot_lon[group]))
            hits = tree.query_ball_point(wv[looking], chord(reach_km[looking]) * (1 + 1e-9))
            sizes = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
            total = int(sizes.sum())
            if not total:
                continue
            ww = np.repeat(w_idx[looking], sizes)
            ss = group[np.fromiter(chain.from_iterable(hits), dtype=np.int64, count=total)]
            reduced = np.round(cost(ww, ss) * scale) + pi_worker[ww] - pi_slot[ss]
            negative = reduced < 0
            ww, ss = ww[negative], ss[negative]
            keys = ww.astype(np.int64) * n_slots + ss
            at = np.minimum(np.searchsorted(have, keys), max(have.size - 1, 0))
            new = have[at] != keys if have.size else np.ones(keys.size, dtype=bool)
            found_w.append(ww[new])
            found_s.append(ss[new])
    if not found_w:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ww, ss = np.concatenate(found_w), np.concatenate(found_s)
    reduced = np.round(cost(ww, ss) * scale) + pi_worker[ww] - pi_slot[ss]
    order = np.lexsort((reduced, ww))  # by worker, most negative first
    ww, ss = ww[order], ss[order]
    first = np.r_[True, ww[1:] != ww[:-1]]
    rank = np.arange(ww.size) - np.maximum.accumulate(np.where(first, np.arange(ww.size), 0))
    keep = rank < PER_WORKER
    return ww[keep], ss[keep]
