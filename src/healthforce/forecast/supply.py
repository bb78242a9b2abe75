"""The supply engine: a cohort-component stock-and-flow model, vectorised over draws.

Order of operations inside a projection year t -> t+1 (the stock S_t is the headcount on
1 January of year t):

1. **Exits** are taken from the start-of-year stock: retirement (by occupation, sex, age),
   mortality (sex, age), other exits (occupation, area) and emigration (occupation, area) act as
   competing risks, p = 1 - (1-r1)(1-r2)(1-r3)(1-r4), or with ``exits = "simultaneous"`` as a
   system-dynamics model with yearly steps takes them, p = min(1, r1 + r2 + r3 + r4); their
   split is proportional to the rates.
2. **Internal migration** moves the stayers between areas (transfer matrix per occupation).
3. **Entrants** of the year join at their age of entry: new graduates (intake of year
   t - duration x completion x share entering practice), immigrants and returning workers.
   Entrants are not exposed to exit risks in the year they enter.
4. **Ageing**: everyone moves up one year of age; those leaving the last age group retire
   (``aged_out``) unless the last group is open.

So S_{t+1}[a+1] = stay(S_t[a]) + E_t[a]: exits-then-ageing, not simultaneous flows. For one
stock with constant entries I and attrition a this gives S_t = I/a + (S_0 - I/a)(1 - a)^t.
International cooperation staff form a separate, non-aged stock that leaves at the end of fixed
terms and is partly replaced. Every year: S_{t+1} - S_t = inflows - outflows (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from healthforce.forecast.spec import Array, Dims, SupplyParams, check

INFLOWS = ("graduates", "immigration", "returns", "migration_in")
OUTFLOWS = ("retirement", "mortality", "other_exit", "emigration", "aged_out", "migration_out")


@dataclass(frozen=True)
class SupplyResult:
    dims: Dims
    headcount: Array  # [T+1, D, O, A] aged stock (cooperation staff apart)
    by_sex: Array | None  # [T+1, D, O, A, S] when asked for
    cooperation: Array  # [T+1, D, O, A]
    flows: dict[str, Array]  # each [T, D, O, A]
    fte_per_head: Array  # [O]
    #: Headcount by sex and single-year age, summed over areas [T+1, D, O, S, G], when
    #: ``by_sex`` (cooperation staff apart: they are not aged).
    ages: Array | None = None

    @property
    def draws(self) -> int:
        return int(self.headcount.shape[1])

    @property
    def total(self) -> Array:
        """Headcount including cooperation staff, [T+1, D, O, A]."""
        return np.asarray(self.headcount + self.cooperation)

    @property
    def fte(self) -> Array:
        return np.asarray(self.total * self.fte_per_head[None, None, :, None])


def _draws(params: SupplyParams) -> int:
    """The number of draws: the leading axis of any parameter that has one."""
    nominal = {
        "retirement": None,
        "mortality": 2,
        "other_exit": None,
        "emigration": 2,
        "immigration": 2,
        "returns": 2,
    }
    found = 1
    for name, nd in nominal.items():
        a = np.asarray(getattr(params, name))
        if nd is not None and a.ndim == nd + 1:
            found = max(found, a.shape[0])
    if np.asarray(params.retirement).ndim == 4:
        found = max(found, params.retirement.shape[0])
    if np.asarray(params.other_exit).ndim == 3:
        found = max(found, params.other_exit.shape[0])
    p = params.pipeline
    for a, nd in ((p.intake, 3), (p.completion, 1), (p.entry_share, 1)):
        if np.asarray(a).ndim == nd + 1:
            found = max(found, np.asarray(a).shape[0])
    return found


def _lead(a: Array, nominal: int) -> Array:
    """Give an array a leading draw axis (size 1 when it has none)."""
    a = np.asarray(a)
    return a if a.ndim == nominal + 1 else a[None]


def _exit_rates(dims: Dims, p: SupplyParams, dtype: Any) -> list[Array]:
    """The exit rates by cause, each laid out to broadcast on the state [D, O, S, G, A]:
    retirement [D,O,S,G,1], mortality [D,1,S,G,1], other exits and emigration [D,O,1,1,A]."""
    o, a, s, g = dims.shape
    ret = np.asarray(p.retirement)
    ret = _lead(
        ret if ret.ndim in (3, 4) and ret.shape[-3] == o else np.broadcast_to(ret, (o, s, g)), 3
    )[..., None]
    mort = _lead(p.mortality, 2)[:, None, :, :, None]
    other = np.asarray(p.other_exit)
    other = (
        _lead(other, 2)
        if other.ndim >= 2 and other.shape[-1] == a and other.shape[-2] == o
        else _lead(np.broadcast_to(other[..., None], (*other.shape, a)), 2)
    )
    other = other[:, :, None, None, :]
    emig = _lead(p.emigration, 2)[:, :, None, None, :]
    return [np.asarray(r, dtype=dtype) for r in (ret, mort, other, emig)]


def _keep_factor(dims: Dims, rates: list[Array], dtype: Any, exits: str) -> Array:
    """The share staying each year, [D, O, S, G, A + 1] (the last column 1: it is the
    entrants' column of the state, see :func:`project_supply`), by how the rates combine
    (``exits``, :attr:`SupplyParams.exits`): competing, the age part (1 - retirement)
    (1 - mortality) times the area part (1 - other)(1 - emigration); simultaneous, one less
    their sum (at most 1). One pass over the full array."""
    o, a, s, g = dims.shape
    ret, mort, other, emig = rates
    lead = max(ret.shape[0], mort.shape[0], other.shape[0], emig.shape[0])
    keep = np.empty((lead, o, s, g, a + 1), dtype=dtype)
    people = keep[..., :a]
    if exits == "simultaneous":  # 1 - min(1, r1 + r2 + r3 + r4)
        np.add(ret + mort, other + emig, out=people)
        np.minimum(people, 1, out=people)
        np.subtract(1, people, out=people)
    else:  # competing: (1 - r1)(1 - r2) x (1 - r3)(1 - r4)
        np.multiply((1 - ret) * (1 - mort), (1 - other) * (1 - emig), out=people)
    keep[..., a] = 1
    return keep


def project_supply(
    dims: Dims,
    params: SupplyParams,
    *,
    dtype: Any = np.float64,
    by_sex: bool | None = None,
    detail: bool | None = None,
) -> SupplyResult:
    """Project the workforce from ``dims.base_year`` over ``dims.horizon`` years.

    ``detail`` splits exits by cause (default: for runs of up to 50 draws); ``by_sex`` keeps
    the headcount by sex (default: deterministic runs).

    The state is laid out [D, O, S, G, A + 1]: areas last, and one column more holding the
    entrants' share at each sex and age. Migration, the entrants and ageing are then one
    matrix product per draw and occupation: the state at ages 0..G-2 (sex and age flattened)
    times [[transfer matrix], [the year's entrants by area]] written one age up, so
    next[g + 1] = stayers[g] @ M + share[g] x entrants (what falls across the sexes lands on
    age 0, which is emptied after)."""
    check(dims, params)
    o, a, s, g = dims.shape
    d = _draws(params)
    horizon = dims.horizon
    by_sex = d == 1 if by_sex is None else by_sex
    detail = d <= 50 if detail is None else detail
    rates = _exit_rates(dims, params, dtype)
    keep = _keep_factor(dims, rates, dtype, params.exits)
    entry = (
        np.asarray(params.entry_sex)[:, :, None] * np.asarray(params.entry_age)[:, None, :]
    ).astype(dtype)  # [O, S, G]
    x = np.empty((d, o, s, g, a + 1), dtype=dtype)
    x[..., :a] = np.moveaxis(np.asarray(params.stock, dtype=dtype), 1, -1)[None]
    x[..., a] = entry[None]
    spare = np.empty_like(x)  # double buffer: each step writes the next state into it
    spare[..., a] = entry[None]
    mig = np.eye(a, dtype=dtype)[None].repeat(o, axis=0)  # [O, A, A], rows sum to 1
    if params.migration is not None:
        m = np.array(params.migration, dtype=dtype)
        idx = np.arange(a)
        m[:, idx, idx] = 0
        m[:, idx, idx] = 1 - m.sum(axis=-1)
        mig = m
    right = np.empty((d, o, a + 1, a), dtype=dtype)  # [[M], [entrants]] per draw, occupation
    right[:, :, :a, :] = mig[None]
    staying = np.einsum("oaa->oa", mig)[None]  # [1, O, A]: the share not transferred
    immigration = np.broadcast_to(_lead(params.immigration, 2), (d, o, a)).astype(dtype)
    returns = np.broadcast_to(_lead(params.returns, 2), (d, o, a)).astype(dtype)
    headcount = np.zeros((horizon + 1, d, o, a), dtype=dtype)
    sexes = np.zeros((horizon + 1, d, o, a, s), dtype=dtype) if by_sex else None
    ages = np.zeros((horizon + 1, d, o, s, g), dtype=dtype) if by_sex else None
    flows = {
        name: np.zeros((horizon, d, o, a), dtype=dtype)
        for name in (
            "graduates",
            "immigration",
            "returns",
            "exits",
            "aged_out",
            "migration_in",
            "migration_out",
            "cooperation_arrivals",
            "cooperation_leaving",
            *(("retirement", "mortality", "other_exit", "emigration") if detail else ()),
        )
    }
    coop, leaving, replacement, term = _cooperation(params, d, o, a, horizon, dtype)
    cooperation = np.zeros((horizon + 1, d, o, a), dtype=dtype)
    cooperation[0] = coop
    headcount[0] = np.einsum("dosga->doa", x[..., :a])
    if sexes is not None and ages is not None:
        sexes[0] = np.moveaxis(x[..., :a].sum(axis=3), 2, -1)
        ages[0] = x[..., :a].sum(axis=-1)
    total_rate: Array = np.asarray(sum(rates)) if detail else np.zeros(1)
    for t in range(horizon):
        year = dims.base_year + t
        start = headcount[t]
        people = x[..., :a]
        if detail:
            exits_full = people * (1 - keep[..., :a])
            safe = np.where(total_rate > 0, total_rate, 1)
            for name, r in zip(
                ("retirement", "mortality", "other_exit", "emigration"), rates, strict=True
            ):
                flows[name][t] = (exits_full * (r / safe)).sum(axis=(2, 3))
        x *= keep
        stayed = np.einsum("dosga->doa", people)  # [D, O, A]
        flows["exits"][t] = start - stayed
        arrived = np.einsum("doa,oab->dob", stayed, mig)  # stayers by area after transfers
        kept = stayed * staying
        flows["migration_out"][t] = stayed - kept
        flows["migration_in"][t] = arrived - kept
        grads = np.broadcast_to(params.pipeline.graduates(year), (d, o, a)).astype(dtype)
        flows["graduates"][t] = grads
        flows["immigration"][t] = immigration
        flows["returns"][t] = returns
        entrants = grads + immigration + returns  # [D, O, A]
        right[:, :, a, :] = entrants
        flat, into = x.reshape(d, o, s * g, a + 1), spare.reshape(d, o, s * g, a + 1)
        np.matmul(flat[:, :, :-1, :], right, out=into[:, :, 1:, :a])
        last = np.matmul(x[:, :, :, -1, :], right)  # [D, O, S, A]: the oldest, and entrants
        spare[:, :, :, 0, :a] = 0
        if dims.last_age_open:
            spare[:, :, :, -1, :a] += last
            aged_out = np.zeros((d, o, a), dtype=dtype)
        else:
            aged_out = last.sum(axis=2)
        x, spare = spare, x
        flows["aged_out"][t] = aged_out
        headcount[t + 1] = arrived + entrants - aged_out
        if sexes is not None and ages is not None:
            sexes[t + 1] = np.moveaxis(x[..., :a].sum(axis=3), 2, -1)
            ages[t + 1] = x[..., :a].sum(axis=-1)
        # Cooperation: terms end, a share is replaced by staff on new terms.
        out = np.minimum(leaving[t], coop)
        arrivals = out * replacement
        if t + term < horizon:
            leaving[t + term] += arrivals
        coop = coop - out + arrivals
        cooperation[t + 1] = coop
        flows["cooperation_leaving"][t] = out
        flows["cooperation_arrivals"][t] = arrivals
    return SupplyResult(
        dims, headcount, sexes, cooperation, flows, np.asarray(params.fte, dtype=float), ages
    )


def _cooperation(
    params: SupplyParams, d: int, o: int, a: int, horizon: int, dtype: Any
) -> tuple[Array, Array, Array, int]:
    c = params.cooperation
    if c is None:
        zero = np.zeros((d, o, a), dtype=dtype)
        return zero, np.zeros((horizon, d, o, a), dtype=dtype), np.zeros((o, 1)), 2
    leaving = np.zeros((horizon, d, o, a), dtype=dtype)
    n = min(horizon, np.asarray(c.leaving).shape[0])
    leaving[:n] = np.asarray(c.leaving, dtype=dtype)[:n, None]
    stock = np.broadcast_to(np.asarray(c.stock, dtype=dtype), (d, o, a)).copy()
    return stock, leaving, np.asarray(c.replacement, dtype=dtype)[:, None], c.term_years
