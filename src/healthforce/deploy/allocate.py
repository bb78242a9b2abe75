"""Optimal placement as a min-cost flow (Google OR-Tools), then a team-completion step.

Network: each worker (supply 1) may go to a candidate slot (cost: distance, less any preference
bonus) or stay unplaced (cost 0); each slot must receive exactly its vacant posts, from workers
or from a dummy "unfilled" node whose arcs cost a penalty per unfilled post (higher for the posts
that complete the facility's team norm, and weighted up in underserved areas). The solution is
optimal on the candidate graph.

A plain min-cost flow fills posts one by one and does not value a *complete* team. The team step
is a Lagrangian-style reward: facilities that the flow left just short of their norm get a higher
penalty on their missing posts and the flow is solved again, a few rounds; the best round by
(complete teams, cost) is kept, and both figures are reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from healthforce.deploy.certify import potentials, price
from healthforce.deploy.network import Array, CostFunction, Placement, candidates, haversine

SCALE = 100  # costs in hundredths of a km (OR-Tools needs integers)


@dataclass(frozen=True)
class Allocation:
    worker: Array  # worker index of each assignment
    slot: Array  # slot index of each assignment
    distance_km: Array
    fixed: Array  # bool: kept from the fixed assignments
    unfilled: Array  # [slots] posts left unfilled
    unfilled_critical: Array  # [slots] of which complete a team norm
    unplaced: Array  # worker indices not placed
    unreachable: Array  # slot indices with no candidate worker at all
    objective: float  # total cost in km-equivalents (distance + penalties)
    complete_teams: int
    complete_teams_flow_only: int
    arcs: int
    #: Whether the plan is optimal on the complete worker x slot graph (checked with the flow's
    #: dual, :mod:`healthforce.deploy.certify`); None when not checked (a custom cost).
    certified: bool | None = None
    priced_arcs: int = 0  # arcs the check added to the candidate graph


def _team_complete(p: Placement, placed: Array, teams: Array) -> Array:
    """Facilities (ids in ``teams``) whose every slot received its critical posts."""
    short = placed < p.slot_critical
    incomplete = set(p.slot_facility[short].tolist())
    return np.array([f not in incomplete for f in teams.tolist()], dtype=bool)


@dataclass(frozen=True)
class _Network:
    """A solved flow: its arcs (tails, heads, capacities, integer costs) and their flows."""

    tails: Array
    heads: Array
    caps: Array
    costs: Array
    flows: Array

    def potentials(self, nodes: int) -> Array | None:
        return potentials(nodes, self.tails, self.heads, self.caps, self.costs, self.flows)


def _solve(
    p: Placement,
    w: Array,
    s: Array,
    cost_km: Array,
    capacity: Array,
    penalty: Array,
    critical_penalty: Array,
) -> tuple[Array, Array, Array, float, _Network]:
    n_w, n_s = p.workers, p.slots
    dummy, sink = n_w + n_s, n_w + n_s + 1
    vacancies = int(capacity.sum())
    crit = np.minimum(p.slot_critical, capacity)
    tails = np.concatenate([w, np.arange(n_w), np.full(n_s, dummy), np.full(n_s, dummy), [dummy]])
    heads = np.concatenate(
        [n_w + s, np.full(n_w, sink), n_w + np.arange(n_s), n_w + np.arange(n_s), [sink]]
    )
    caps = np.concatenate([np.ones(w.size), np.ones(n_w), crit, capacity - crit, [vacancies]])
    costs = np.concatenate(
        [
            np.round(cost_km * SCALE),
            np.zeros(n_w),
            np.round(critical_penalty * SCALE),
            np.round(penalty * SCALE),
            [0],
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    supplies = np.concatenate([np.ones(n_w), -capacity, [vacancies, -n_w]]).astype(np.int64)
    flow.set_nodes_supplies(np.arange(n_w + n_s + 2, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    f = flow.flows(arcs)
    m = w.size
    used = f[:m] > 0
    unfilled_crit = f[m + n_w : m + n_w + n_s]
    unfilled_rest = f[m + n_w + n_s : m + n_w + 2 * n_s]
    network = _Network(tails, heads, caps.astype(np.int64), costs.astype(np.int64), f)
    return used, unfilled_crit, unfilled_rest, flow.optimal_cost() / SCALE, network


def allocate(
    p: Placement,
    *,
    k: int = 10,
    k_slot: int = 5,
    cost: CostFunction | None = None,
    penalty_km: float = 300.0,
    critical_penalty_km: float = 600.0,
    team_rounds: int = 3,
    team_reward: float = 2.0,
    teams: Array | None = None,
    certify: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Allocation:
    """Place workers in slots; ``teams`` are the facility ids whose team norm can be met. With
    ``certify`` (and the default great-circle cost), the plan chosen is then made optimal on
    the complete graph, arcs pricing negative under the flow's dual added until none does
    (:attr:`Allocation.certified` says whether it got there within :data:`CERTIFY_ROUNDS`).
    ``progress`` is told each step (a line of text), for the long runs."""
    say = progress or _quiet
    p.check()
    certify = certify and cost is None
    cost = cost or haversine(p)
    capacity = p.slot_capacity.astype(np.int64).copy()
    fixed_w = np.array([w for w, _ in p.fixed], dtype=np.int64)
    fixed_s = np.array([s for _, s in p.fixed], dtype=np.int64)
    np.subtract.at(capacity, fixed_s, 1)
    free = np.ones(p.workers, dtype=bool)
    free[fixed_w] = False
    w, s = candidates(p, k, k_slot)
    if p.preference_bonus:  # every preferred pair is a candidate: the check prices no bonus
        wished = np.array(list(p.preference_bonus), dtype=np.int64).reshape(-1, 2)
        pairs = np.unique(np.vstack([np.column_stack([w, s]), wished]), axis=0)
        same = p.worker_occupation[pairs[:, 0]] == p.slot_occupation[pairs[:, 1]]
        w, s = pairs[same, 0], pairs[same, 1]
    keep = free[w]
    w, s = w[keep], s[keep]
    km = _arc_costs(p, cost, w, s)
    base_pen = penalty_km * p.slot_weight
    crit_pen = critical_penalty_km * p.slot_weight
    # Workers fixed elsewhere must not also be placed: give them no arcs (done above), and they
    # still hold their supply node, which goes unplaced at no cost.
    placed_fixed = np.zeros(p.slots, dtype=np.int64)
    np.add.at(placed_fixed, fixed_s, 1)
    teams = np.array(sorted(set(p.slot_facility.tolist())) if teams is None else teams)
    best: tuple[tuple[int, float], Array, Array, Array, float, Array, _Network] | None = None
    flow_only = 0
    reward = np.ones(p.slots)
    for round_ in range(team_rounds + 1):
        say(
            f"solving the flow on {w.size:,} candidate arcs, team round {round_ + 1} / "
            f"resolviendo el flujo, ronda {round_ + 1}"
        )
        used, u_crit, u_rest, _objective, network = _solve(
            p, w, s, km, capacity, base_pen, crit_pen * reward
        )
        placed = placed_fixed.copy()
        np.add.at(placed, s[used], 1)
        complete = _team_complete(p, placed, teams)
        true_cost = float(km[used].sum() + (u_crit * crit_pen).sum() + (u_rest * base_pen).sum())
        score = (int(complete.sum()), -true_cost)
        if round_ == 0:
            flow_only = score[0]
        if best is None or score > best[0]:
            best = (score, used, u_crit, u_rest, true_cost, reward.copy(), network)
        # Reward: facilities missing at most two critical posts get their penalty raised.
        missing = np.maximum(p.slot_critical - placed, 0)
        per_facility: dict[int, int] = {}
        for fac, miss in zip(p.slot_facility.tolist(), missing.tolist(), strict=True):
            per_facility[fac] = per_facility.get(fac, 0) + miss
        near = np.array([0 < per_facility[f] <= 2 for f in p.slot_facility.tolist()])
        if not near.any():
            break  # no team is one or two posts short: nothing left to reward
        reward = np.where(near, reward * team_reward, reward)
    assert best is not None
    (_score, used, u_crit, u_rest, true_cost, reward, network) = best
    certified: bool | None = None
    priced = 0
    if certify:
        chosen = crit_pen * reward
        certified, w, s, km, network, priced = _certified(
            p, w, s, km, capacity, base_pen, chosen, free, cost, network, say
        )
        m = w.size
        used = network.flows[:m] > 0
        u_crit = network.flows[m + p.workers : m + p.workers + p.slots]
        u_rest = network.flows[m + p.workers + p.slots : m + p.workers + 2 * p.slots]
        placed = placed_fixed.copy()
        np.add.at(placed, s[used], 1)
        _score = (int(_team_complete(p, placed, teams).sum()), 0.0)
        true_cost = float(km[used].sum() + (u_crit * chosen).sum() + (u_rest * base_pen).sum())
    placed_w = np.concatenate([fixed_w, w[used]])
    placed_s = np.concatenate([fixed_s, s[used]])
    dist = cost(placed_w, placed_s) if placed_w.size else np.zeros(0)
    placed_any = np.zeros(p.workers, dtype=bool)
    placed_any[placed_w] = True
    reachable = np.zeros(p.slots, dtype=bool)
    reachable[s] = True
    reachable[fixed_s] = True
    return Allocation(
        worker=placed_w,
        slot=placed_s,
        distance_km=dist,
        fixed=np.concatenate([np.ones(fixed_w.size, bool), np.zeros(int(used.sum()), bool)]),
        unfilled=u_crit + u_rest,
        unfilled_critical=u_crit,
        unplaced=np.flatnonzero(~placed_any),
        unreachable=np.flatnonzero(~reachable & (p.slot_capacity > 0)),
        objective=true_cost,
        complete_teams=int(_score[0]),
        complete_teams_flow_only=flow_only,
        arcs=int(w.size),
        certified=certified,
        priced_arcs=priced,
    )


def _quiet(_message: str) -> None:
    """No progress to tell."""


def _arc_costs(p: Placement, cost: CostFunction, w: Array, s: Array) -> Array:
    """Arc costs in km, less any preference bonus."""
    km = cost(w, s)
    if p.preference_bonus:
        bonus = np.array(
            [p.preference_bonus.get((int(a), int(b)), 0.0) for a, b in zip(w, s, strict=True)]
        )
        km = np.maximum(km - bonus, 0)
    return np.asarray(km)


#: At most this many rounds of pricing (each adds every arc pricing negative); a plan still not
#: certified after them says so.
CERTIFY_ROUNDS = 30


def _certified(
    p: Placement,
    w: Array,
    s: Array,
    km: Array,
    capacity: Array,
    penalty: Array,
    critical_penalty: Array,
    free: Array,
    cost: CostFunction,
    network: _Network,
    say: Callable[[str], None],
) -> tuple[bool, Array, Array, Array, _Network, int]:
    """The flow made optimal on the complete graph (see :mod:`healthforce.deploy.certify`):
    whether it is, the arcs and their costs, the solved network, the arcs added."""
    nodes = p.workers + p.slots + 2
    added = 0
    for round_ in range(CERTIFY_ROUNDS):
        say(
            f"certifying, round {round_ + 1}: {added:,} arcs priced in so far / certificando, "
            f"ronda {round_ + 1}"
        )
        pi = network.potentials(nodes)
        if pi is None:  # the solver's flow has a negative cycle: it is not optimal
            raise RuntimeError("min-cost flow returned a flow that is not optimal")
        new_w, new_s = price(
            p, pi[: p.workers], pi[p.workers : p.workers + p.slots], free, (w, s), cost, SCALE
        )
        if not new_w.size:
            return True, w, s, km, network, added
        w, s = np.concatenate([w, new_w]), np.concatenate([s, new_s])
        km = np.concatenate([km, _arc_costs(p, cost, new_w, new_s)])
        added += int(new_w.size)
        network = _solve(p, w, s, km, capacity, penalty, critical_penalty)[4]
    return False, w, s, km, network, added


def greedy(p: Placement, cost: CostFunction | None = None) -> Allocation:
    """Baseline: each worker, in order, takes the nearest compatible slot with room."""
    cost = cost or haversine(p)
    capacity = p.slot_capacity.astype(np.int64).copy()
    w, s = candidates(p, k=25, k_slot=0)
    km = cost(w, s)
    order = np.lexsort((km, w))
    taken: dict[int, int] = {}
    for i in order.tolist():
        wi, si = int(w[i]), int(s[i])
        if wi in taken or capacity[si] <= 0:
            continue
        taken[wi] = si
        capacity[si] -= 1
    ww = np.array(list(taken), dtype=np.int64)
    ss = np.array(list(taken.values()), dtype=np.int64)
    placed = np.zeros(p.slots, dtype=np.int64)
    np.add.at(placed, ss, 1)
    crit_unfilled = np.maximum(p.slot_critical - placed, 0)
    unfilled = p.slot_capacity - placed
    dist = cost(ww, ss) if ww.size else np.zeros(0)
    teams = np.array(sorted(set(p.slot_facility.tolist())))
    complete = int(_team_complete(p, placed, teams).sum())
    placed_any = np.zeros(p.workers, dtype=bool)
    placed_any[ww] = True
    return Allocation(
        ww,
        ss,
        dist,
        np.zeros(ww.size, bool),
        unfilled,
        crit_unfilled,
        np.flatnonzero(~placed_any),
        np.zeros(0, dtype=np.int64),
        float(dist.sum()),
        complete,
        complete,
        int(w.size),
    )
