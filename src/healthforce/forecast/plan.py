"""The planning run: baseline and scenarios, need and gap, uncertainty bands, one tidy table.

Default need (documented, overridable with ``need_per_10k``): doctors, nurses and midwives
(ISCO 2211, 2212, 2221, 2222, 3221, 3222) together reach WHO's 44.5 per 10,000 in the same mix
as today, or keep today's density where it is already higher; every other occupation keeps
today's density. Need grows with the projected population.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from healthforce.forecast.gap import years_until_balance
from healthforce.forecast.hazards import DEFAULT_RETIREMENT, MINIMUM_EVENTS
from healthforce.forecast.loader import load_supply
from healthforce.forecast.need import population_need
from healthforce.forecast.population import load_population
from healthforce.forecast.scenarios import Scenario, apply, load_scenario
from healthforce.forecast.service import service_need
from healthforce.forecast.spec import Array, Dims, SupplyParams
from healthforce.forecast.supply import SupplyResult, project_supply
from healthforce.forecast.uncertainty import monte_carlo, percentiles, population_factor
from healthforce.reference.codes import Lang
from healthforce.reference.occupations import CORE_GROUPS, occupations

SDG_THRESHOLD = 44.5
#: The flows each projection reports, in people a year (exits by cause, entries by source,
#: transfers between states, international cooperation).
FLOWS = (
    "graduates",
    "immigration",
    "returns",
    "migration_in",
    "migration_out",
    "retirement",
    "mortality",
    "other_exit",
    "emigration",
    "aged_out",
    "cooperation_arrivals",
    "cooperation_leaving",
)
#: The percentiles of the bands: the 90 % and the 80 % band, and the median.
QUANTILES = (5, 10, 50, 90, 95)


@dataclass
class Plan:
    dims: Dims
    params: SupplyParams
    population: Array  # [T+1, A]
    need: Array  # [T+1, O, A], the baseline's
    runs: dict[str, SupplyResult] = field(default_factory=dict)
    uncertainty: pd.DataFrame | None = None
    #: How the population was obtained (recorded, shared out, extrapolated), said per span.
    notes: list[str] = field(default_factory=list)
    #: Each run's Monte Carlo draws, when there are any (bands at any level come from their
    #: sums, never from summed percentiles). Every run draws the same random numbers, so
    #: scenarios differ by their parameters, not by their luck.
    draws: dict[str, SupplyResult] = field(default_factory=dict)
    #: The scenarios run beside the baseline, and the registry's reference date planned from.
    scenarios: list[Scenario] = field(default_factory=list)
    #: Need by run where a scenario sets its own norm (``[need]``); else :attr:`need`.
    needs: dict[str, Array] = field(default_factory=dict)
    #: Each run's need in each draw [T+1, D, O, A]: its need with the population drawn
    #: around its projection (:func:`healthforce.forecast.uncertainty.population_factor`).
    need_draws: dict[str, Array] = field(default_factory=dict)

    def banded(self, run: str = "baseline") -> dict[str, Array]:
        """A run's draws of supply, need and gap ([T+1, D, O, A] each) by the prefix of their
        band columns: the gap of a draw is that draw's supply less that draw's need."""
        if run not in self.draws:
            raise ValueError(f"no draws of {run!r}: plan(..., draws=N)")
        supply = np.asarray(self.draws[run].total, dtype=float)
        need = self.need_draws[run]
        return {"": supply, "need_": need, "gap_": supply - need}

    @property
    def draw_count(self) -> int:
        """How many Monte Carlo draws each run has (0: none)."""
        return next(iter(self.draws.values())).draws if self.draws else 0

    @property
    def base_date(self) -> dt.date:
        """The date planned from: 1 January of the base year (the registry's reference date
        rounded up to a year's start, :func:`healthforce.forecast.loader.base_date_of`)."""
        return dt.date(self.dims.base_year, 1, 1)

    def table(self) -> pd.DataFrame:
        """Tidy: scenario, year, occupation, area, supply, need, gap (and baseline bands)."""
        frames = []
        keys = self._cells(self.dims.years)
        for name, run in self.runs.items():
            supply = run.total[:, 0]
            need = self.needs.get(name, self.need)
            per_head = np.asarray(run.fte_per_head)[None, :, None]
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        **keys,
                        "supply": supply.ravel(),
                        "fte": run.fte[:, 0].ravel(),
                        "need": need.ravel(),
                        "gap": (supply - need).ravel(),
                        # the needed heads at today's FTE per head of the occupation
                        "need_fte": (need * per_head).ravel(),
                        "gap_fte": (run.fte[:, 0] - need * per_head).ravel(),
                    }
                )
            )
        table = pd.concat(frames, ignore_index=True)
        if self.uncertainty is not None:
            table = table.merge(
                self.uncertainty, on=["scenario", "year", "occupation", "area"], how="left"
            )
        return table

    def _cells(self, years: list[int]) -> dict[str, Array]:
        """The year, occupation and area of every cell of a [years, O, A] array, flattened."""
        y, o, a = np.meshgrid(years, self.dims.occupations, self.dims.areas, indexing="ij")
        return {"year": y.ravel(), "occupation": o.ravel(), "area": a.ravel()}

    def flows(self) -> pd.DataFrame:
        """Tidy: scenario, year (the flow from 1 January of it to the next), occupation, area,
        flow (:data:`FLOWS`), value in people a year; each run's central projection."""
        frames = []
        keys = self._cells(self.dims.years[:-1])
        for name, run in self.runs.items():
            for flow in FLOWS:
                if flow in run.flows:
                    frames.append(
                        pd.DataFrame(
                            {
                                "scenario": name,
                                **keys,
                                "flow": flow,
                                "value": run.flows[flow][:, 0].ravel(),
                            }
                        )
                    )
        return pd.concat(frames, ignore_index=True)

    def age_sex(self, band: int = 5) -> pd.DataFrame:
        """Tidy: scenario, year, occupation, sex, age band (``band`` years), headcount, the
        whole country (cooperation staff apart: they are not aged); each run's central
        projection."""
        dims = self.dims
        ages = np.arange(dims.age_min, dims.age_min + dims.ages)
        starts = (ages - dims.age_min) // band * band + dims.age_min
        labels = [f"{a}-{a + band - 1}" for a in sorted(set(starts))]
        if dims.last_age_open:
            labels[-1] = f"{sorted(set(starts))[-1]}+"
        frames = []
        for name, run in self.runs.items():
            if run.ages is None:
                continue
            values = np.asarray(run.ages[:, 0])  # [T+1, O, S, G]
            banded = np.stack(
                [values[..., starts == start].sum(axis=-1) for start in sorted(set(starts))],
                axis=-1,
            )  # [T+1, O, S, B]
            years, occs, sexes, bands = np.meshgrid(
                dims.years, dims.occupations, dims.sexes, labels, indexing="ij"
            )
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "year": years.ravel(),
                        "occupation": occs.ravel(),
                        "sex": sexes.ravel(),
                        "age_band": bands.ravel(),
                        "headcount": banded.ravel(),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def national(self) -> pd.DataFrame:
        """Supply, need and gap by scenario, year and occupation, summed over areas, with the
        year the national gap closes."""
        t = (
            self.table()
            .groupby(["scenario", "year", "occupation"], as_index=False)[
                ["supply", "fte", "need", "gap", "need_fte", "gap_fte"]
            ]
            .sum()
        )
        closes = {}
        for (scenario, occ), g in t.groupby(["scenario", "occupation"]):
            closes[(scenario, occ)] = years_until_balance(g["gap"].to_numpy(), g["year"].tolist())
        t["balance_year"] = [
            closes[(s, o)] for s, o in zip(t["scenario"], t["occupation"], strict=True)
        ]
        if self.draws:
            t = t.merge(self.national_bands(), on=["scenario", "year", "occupation"], how="left")
        order = {run: i for i, run in enumerate(self.runs)}  # the baseline first
        return t.sort_values(
            ["scenario", "year", "occupation"],
            key=lambda c: c.map(order) if c.name == "scenario" else c,
            kind="stable",
            ignore_index=True,
        )

    def national_bands(self) -> pd.DataFrame:
        """Each run's national bands of supply, need and gap: the percentiles of each draw's
        national sum (summing the states' percentiles would widen them: the states' draws do
        not all fall short together)."""
        return pd.concat(
            percentiles(self.dims, self.banded(run), QUANTILES, by_area=False).assign(scenario=run)
            for run in self.draws
        )


def default_need(
    dims: Dims,
    params: SupplyParams,
    population: Array,
    need_per_10k: dict[str, float] | None = None,
) -> Array:
    density = today_density(params, population)
    core = _core(dims)
    scale = max(1.0, SDG_THRESHOLD / max(float(density[core].sum()), 1e-9))
    ratio = np.where(core, density * scale, density)
    for occ, value in (need_per_10k or {}).items():
        ratio[dims.occupations.index(occ)] = value
    return population_need(population[:, None, :], ratio[None, :, None])


def today_density(params: SupplyParams, population: Array) -> Array:
    """Today's national density per 10,000 population by occupation [O] (cooperation staff
    included)."""
    stock = params.stock.sum(axis=(2, 3))  # [O, A]
    if params.cooperation is not None:
        stock = stock + params.cooperation.stock
    pop0 = max(float(population[0].sum()), 1.0)
    return np.asarray(stock.sum(axis=1) / pop0 * 10_000)


def _core(dims: Dims) -> Array:
    """Which occupations are doctors, nurses and midwives (WHO's SDG 3.c core) [O]."""
    groups = occupations()
    return np.array([o in groups and groups[o].group in CORE_GROUPS for o in dims.occupations])


def ratio_need(
    dims: Dims,
    params: SupplyParams,
    population: Array,
    targets: dict[str, float],
    target_year: int | None = None,
) -> Array:
    """Need [T+1, O, A] from densities per 10,000 population that move from today's national
    density to ``targets`` (per occupation, by ISCO-08 code; ``"core"``: doctors, nurses and
    midwives together, in today's mix) in a straight line reached in ``target_year`` (at once
    when None) and held after it; occupations without a target keep today's density."""
    today = today_density(params, population)
    target = today.copy()
    if "core" in targets:
        core = _core(dims)
        now = float(today[core].sum())
        if now > 0:
            target[core] = today[core] * targets["core"] / now
    for occ, value in targets.items():
        if occ in dims.occupations:
            target[dims.occupations.index(occ)] = value
    steps = np.array([y - dims.base_year for y in dims.years], dtype=float)
    span = None if target_year is None else max(target_year - dims.base_year, 1)
    weight = np.ones_like(steps) if span is None else np.clip(steps / span, 0, 1)
    ratio = today[None, :] + (target - today)[None, :] * weight[:, None]  # [T+1, O]
    return population_need(population[:, None, :], ratio[:, :, None])


def wisn_need(
    engine: Engine, dims: Dims, population: Array, workload: Path, otherwise: Array
) -> Array:
    """Need [T+1, O, A] where a WISN workload file covers a state's facilities: the staff
    their workload requires (summed by occupation and state), growing with the state's
    population; ``otherwise`` for the occupations and states the file does not cover."""
    from healthforce.forecast.workload import wisn_from_file
    from healthforce.store.areas import states
    from healthforce.store.models import Facility

    table = wisn_from_file(engine, workload, staff=False)
    state_of = states(engine).of
    with engine.connect() as conn:
        where = dict(conn.execute(select(Facility.code, Facility.area_id)).all())
    need = np.array(otherwise, dtype=float)
    growth = population / np.where(population[0] > 0, population[0], 1)[None, :]  # [T+1, A]
    base: dict[tuple[int, int], float] = {}
    for facility, occupation, required in table[["facility", "occupation", "required"]].itertuples(
        index=False
    ):
        area = where.get(facility)
        state = state_of.get(area) if area is not None else None
        if state in dims.areas and occupation in dims.occupations:
            key = (dims.occupations.index(occupation), dims.areas.index(state))
            base[key] = base.get(key, 0.0) + float(required)
    for (k, j), required in base.items():
        need[:, k, j] = required * growth[:, j]
    return need


def supply_notes(dims: Dims, params: SupplyParams) -> list[str]:
    """What the supply rests on that a planner must know: occupations with no training data
    (no graduates are projected for them, never silently), and cooperation staff who leave at
    the end of their terms unless a scenario replaces them."""
    names = occupations()
    notes = []
    intake = np.asarray(params.pipeline.intake)
    untrained = [
        occ
        for k, occ in enumerate(dims.occupations)
        if not intake.size or not intake[..., k, :].any()
    ]
    if untrained:

        def listed(lang: Lang) -> str:
            return "; ".join(f"{o} {names[o].name(lang)}" if o in names else o for o in untrained)

        notes.append(
            f"No training data for {listed('en')}: no graduates are projected for them; import "
            f"their training cohorts or give an intake in a scenario / Sin datos de formación "
            f"para {listed('es')}: no se proyectan egresados; importe sus cohortes o indique un "
            "ingreso en un escenario"
        )
    if params.events and "mortality" not in params.events:
        notes.append(
            f"Fewer than {MINIMUM_EVENTS} deaths recorded in the window: mortality is the "
            "default schedule (Gompertz), not the registry's own / Menos de "
            f"{MINIMUM_EVENTS} defunciones registradas en el período: la mortalidad es la "
            "tabla por defecto (Gompertz), no la del registro"
        )
    if params.events and "retirement" not in params.events:
        en = ", ".join(f"{r:.0%} a year from {a}" for a, r in DEFAULT_RETIREMENT.items())
        es = ", ".join(f"{r:.0%} al año desde los {a}" for a, r in DEFAULT_RETIREMENT.items())
        notes.append(
            f"No retirement recorded in the window: the default rates are used ({en}) / "
            f"Ninguna jubilación registrada en el período: se usan las tasas por defecto ({es})"
        )
    coop = params.cooperation
    if coop is not None and float(np.asarray(coop.stock).sum()) > 0:
        share = float(np.asarray(coop.replacement).mean()) if np.size(coop.replacement) else 0.0
        n = float(np.asarray(coop.stock).sum())
        notes.append(
            f"{n:,.0f} international cooperation staff leave at the end of their "
            f"{coop.term_years}-year terms, {share:.0%} replaced (a scenario's [cooperation] "
            f"replacement changes it) / {n:,.0f} cooperantes internacionales salen al terminar "
            f"su período de {coop.term_years} años; se reemplaza el {share:.0%}"
        )
    return notes


def scenario_need(
    engine: Engine, dims: Dims, params: SupplyParams, population: Array, scenario: Scenario
) -> Array:
    """Need [T+1, O, A] by a scenario's own ``[need]``: densities reached by a target year,
    WISN where a workload file covers facilities, service-based per occupation."""
    norm = scenario.settings["need"]
    other = ("target_year", "wisn", "service")
    targets = {k: float(v) for k, v in norm.items() if k not in other}
    need = ratio_need(dims, params, population, targets, norm.get("target_year"))
    if "wisn" in norm:
        workload = Path(scenario.source).parent / str(norm["wisn"])
        need = wisn_need(engine, dims, population, workload, need)
    for occ, spec in norm.get("service", {}).items():
        k = dims.occupations.index(occ)
        need[:, k, :] = service_need(
            engine, dims, population, spec, float(params.fte[k]), scenario.source
        )
    return need


def plan(
    engine: Engine,
    *,
    scenarios: list[Path] | None = None,
    draws: int = 0,
    horizon: int = 20,
    seed: int = 0,
    need_per_10k: dict[str, float] | None = None,
) -> Plan:
    """Baseline and scenarios from the registry; Monte Carlo bands when ``draws`` > 0."""
    dims, params = load_supply(engine, horizon=horizon)
    people = load_population(engine, dims)
    population = people.values
    result = Plan(
        dims,
        params,
        population,
        default_need(dims, params, population, need_per_10k),
        notes=people.notes + supply_notes(dims, params),
    )
    inputs = {"baseline": params}
    for path in scenarios or []:
        scenario = load_scenario(path, dims)
        result.scenarios.append(scenario)
        inputs[scenario.name] = apply(scenario, dims, params)
        if scenario.settings.get("need"):
            result.needs[scenario.name] = scenario_need(engine, dims, params, population, scenario)
    for run, given in inputs.items():
        result.runs[run] = project_supply(dims, given)
    if draws:
        factor = population_factor(dims, draws, seed)[:, :, None, :]  # [T+1, D, 1, A]
        for run, given in inputs.items():
            result.draws[run] = monte_carlo(dims, given, draws, seed=seed)
            result.need_draws[run] = result.needs.get(run, result.need)[:, None] * factor
        result.uncertainty = pd.concat(
            percentiles(dims, result.banded(run), QUANTILES).assign(scenario=run) for run in inputs
        )
    return result
