"""The supply model's specification: frozen, plain arrays, no database.

Layout of every array (axes in this order, any of them may be size 1 to broadcast):

- ``O`` occupations, ``A`` areas, ``S`` sexes, ``G`` single-year ages (``age_min`` upwards);
- a Monte Carlo run adds a leading draw axis ``D`` to the parameters it varies.

Rates are annual probabilities in [0, 1]; counts are people per year.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from healthforce.errors import Problem, ValidationError

Array = np.ndarray


@dataclass(frozen=True)
class Dims:
    occupations: tuple[str, ...]
    areas: tuple[str, ...]
    base_year: int
    horizon: int = 20
    sexes: tuple[str, ...] = ("F", "M")
    age_min: int = 20
    ages: int = 50
    #: Keep survivors in the last age group instead of retiring them when they age out of it.
    last_age_open: bool = False

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (len(self.occupations), len(self.areas), len(self.sexes), self.ages)

    @property
    def years(self) -> list[int]:
        return [self.base_year + t for t in range(self.horizon + 1)]


@dataclass(frozen=True)
class Pipeline:
    """The training pipeline: graduates entering practice in year t come from intake t - duration.

    ``intake`` [Y, O, A] holds the yearly intake from ``first_year``; years before it count zero.
    """

    intake: Array
    first_year: int
    duration: Array  # [O] whole years
    completion: Array  # [O] share of an intake that graduates
    entry_share: Array  # [O] share of graduates who enter practice
    destination: Array | None = None  # [O, A, A]: graduates of area a placed in area b (rows=1)

    def with_new_intake(self, base_year: int, factor: float | Array) -> Pipeline:
        """The pipeline with the intake from ``base_year`` on multiplied by ``factor`` (one
        number, or one per occupation [O]); the cohorts enrolled before are left as they are."""
        intake = np.array(self.intake, dtype=float)
        years = np.arange(self.first_year, self.first_year + intake.shape[-3])
        intake[..., years >= base_year, :, :] *= np.asarray(factor, dtype=float).reshape(-1, 1)
        return replace(self, intake=intake)

    def graduates(self, year: int) -> Array:
        """Graduates entering practice in ``year``, [O, A] (or [D, O, A])."""
        o = self.duration.shape[-1]
        out = np.zeros(self.intake.shape[:-3] + self.intake.shape[-2:], dtype=float)
        for k in range(o):
            intake_year = year - int(self.duration[k])
            i = intake_year - self.first_year
            if 0 <= i < self.intake.shape[-3]:
                out[..., k, :] = (
                    self.intake[..., i, k, :]
                    * self.completion[..., k, None]
                    * self.entry_share[..., k, None]
                )
        if self.destination is not None:
            out = np.einsum("...oa,oab->...ob", out, self.destination)
        return out


@dataclass(frozen=True)
class Cooperation:
    """International cooperation staff on fixed terms, outside the aged stock.

    ``stock`` [O, A] at the base year; ``leaving`` [T, O, A] terms ending in each projection
    year; a share ``replacement`` [O] of leavers is replaced by new staff on ``term_years``.
    """

    stock: Array
    leaving: Array
    replacement: Array
    term_years: int = 2


@dataclass(frozen=True)
class SupplyParams:
    stock: Array  # [O, A, S, G] headcount at the base year
    retirement: Array  # [O, S, G] or [S, G]
    mortality: Array  # [S, G]
    other_exit: Array  # [O] or [O, A]
    emigration: Array  # [O, A]
    immigration: Array  # [O, A] people per year
    returns: Array  # [O, A] people per year
    entry_age: Array  # [O, G] distribution of age at entry, rows sum to 1
    entry_sex: Array  # [O, S] shares, rows sum to 1
    pipeline: Pipeline
    fte: Array  # [O] FTE per head
    migration: Array | None = None  # [O, A, A] annual transfer rates, off-diagonal
    cooperation: Cooperation | None = None
    names: dict[str, str] = field(default_factory=dict)
    #: The events each estimate rests on, per occupation [O] (mortality: one total), for the
    #: Monte Carlo's sampling error; an estimate that is a default, or given, has none.
    events: dict[str, Array] = field(default_factory=dict)
    #: How the four exit rates combine within a year (:data:`EXITS`): "competing" (the
    #: default: each acts on those the others leave, 1 - (1-r1)(1-r2)(1-r3)(1-r4)) or
    #: "simultaneous" (as a system-dynamics model with yearly steps: every flow is taken
    #: from the start-of-year stock, r1 + r2 + r3 + r4, at most everyone).
    exits: str = "competing"

    def with_(self, **changes: object) -> SupplyParams:
        return replace(self, **changes)  # type: ignore[arg-type]


RATES = ("retirement", "mortality", "other_exit", "emigration")
EXITS = ("competing", "simultaneous")
COUNTS = ("immigration", "returns")


def check(dims: Dims, params: SupplyParams, source: str = "parameters") -> None:
    """Refuse rates outside [0, 1], negative counts or intake, a horizon of zero."""
    problems: list[Problem] = []

    def bad(key: str, value: object, reason: str) -> None:
        problems.append(Problem("forecast", source, key, value, reason, source=source))

    if dims.horizon < 1:
        bad("horizon", dims.horizon, "must be at least 1 year / al menos 1 año")
    if params.exits not in EXITS:
        bad("exits", params.exits, f"one of {', '.join(EXITS)} / uno de {', '.join(EXITS)}")
    for name in RATES:
        a = np.asarray(getattr(params, name))
        if a.size and (np.nanmin(a) < 0 or np.nanmax(a) > 1):
            bad(
                name,
                float(np.nanmin(a) if np.nanmin(a) < 0 else np.nanmax(a)),
                "rate outside [0, 1] (with the scenario's factors, if any) / tasa fuera de "
                "[0, 1] (con los factores del escenario, si los hay)",
            )
    for name in (*COUNTS, "stock"):
        a = np.asarray(getattr(params, name))
        if a.size and np.nanmin(a) < 0:
            bad(name, float(np.nanmin(a)), "negative / negativo")
    if np.asarray(params.pipeline.intake).size and np.nanmin(params.pipeline.intake) < 0:
        bad(
            "intake", float(np.nanmin(params.pipeline.intake)), "negative intake / ingreso negativo"
        )
    for name in ("completion", "entry_share"):
        a = np.asarray(getattr(params.pipeline, name))
        if np.nanmin(a) < 0 or np.nanmax(a) > 1:
            bad(name, float(np.nanmax(a)), "share outside [0, 1] / proporción fuera de [0, 1]")
    if params.migration is not None:
        m = np.asarray(params.migration)
        off = m.sum(axis=-1) - np.diagonal(m, axis1=-2, axis2=-1)
        if np.nanmin(m) < 0 or np.nanmax(off) > 1:
            bad(
                "migration",
                float(np.nanmax(off)),
                "transfer rates must be in [0, 1] and sum "
                "to at most 1 per area / tasas de traslado fuera de rango",
            )
    if problems:
        raise ValidationError(problems)
