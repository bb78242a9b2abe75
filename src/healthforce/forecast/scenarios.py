"""Scenarios: named TOML files that override the baseline's parameters.

::

    name = "Train and retain"
    description = "Intake +20 %, emigration -30 %, retirement two years later"
    exits = "simultaneous"  # optional: how exit rates combine (default "competing")

    [intake]            # multiply future intake (from the base year)
    all = 1.2
    "2211" = 1.5        # per occupation (ISCO-08), on top of "all"

    [emigration]        # multiply emigration rates; also other_exit, immigration, returns
    all = 0.7

    [completion]        # set the completion rate of training (a share in [0, 1])
    "2211" = 0.8

    [retirement]
    age_shift = 2       # retirement rates apply this many years of age later

    [graduates_to]      # share of each occupation's graduates placed in these areas
    "VE-Z" = 0.10

    [cooperation]
    replacement = 0.5   # share of cooperation staff replaced when their term ends

    [need]              # the scenario's own norm, per 10,000 population
    target_year = 2035  # reached in a straight line from today's density, held after
    core = 44.5         # doctors, nurses and midwives together (WHO's SDG 3.c threshold)
    "3253" = 10         # per occupation; the others keep today's density
    wisn = "workload.xlsx"  # or WISN staffing need where a workload file covers a facility

    [need.service."2222"]   # or service-based need (FTE), per occupation
    population = "F 15-49"  # who needs it: sex (F, M, T) and ages (15-49, 65+, all)
    rate = 0.03             # needs a year per person (here: births)
    services = 5            # services per need
    minutes = 45            # minutes per service
    hours_per_fte = 1600    # productive hours a year of one full-time worker

Checked by the pydantic models of :mod:`healthforce.forecast.scenario_file`. Errors name the
file, the key and the value: an unknown key, a number where a table belongs
(``emigration = 2``), a factor or share out of range, an unknown occupation or area, and (when
applied) a rate the factors push outside [0, 1].
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from healthforce.errors import Problem, ValidationError
from healthforce.forecast.scenario_file import problems
from healthforce.forecast.spec import Dims, Pipeline, SupplyParams

SHARES = ("completion", "entry_share")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    settings: dict[str, Any]
    source: str


def load_scenario(path: Path, dims: Dims) -> Scenario:
    """Read and check a scenario file against the model's occupations and areas."""
    name = str(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ValidationError(
            [Problem("scenario", name, "*", None, "no such file / no existe el archivo")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            [Problem("scenario", name, "*", None, f"not valid TOML: {exc}")]
        ) from None
    problems = check_settings(data, dims, name)
    if problems:
        raise ValidationError(problems)
    return Scenario(str(data.get("name", path.stem)), str(data.get("description", "")), data, name)


def check_settings(data: dict[str, Any], dims: Dims, source: str) -> list[Problem]:
    """The problems of a scenario's settings (:mod:`healthforce.forecast.scenario_file`)."""
    return problems(data, dims, source)


def _factors(section: dict[str, Any], dims: Dims) -> np.ndarray:
    f = np.full(len(dims.occupations), float(section.get("all", 1.0)))
    for i, occ in enumerate(dims.occupations):
        if occ in section:
            f[i] *= float(section[occ])
    return f


def apply(scenario: Scenario, dims: Dims, params: SupplyParams) -> SupplyParams:
    """The baseline parameters with the scenario's overrides, checked: a rate the scenario
    pushes outside [0, 1] is refused naming its file and section."""
    from healthforce.forecast.spec import check

    out = _apply(scenario, dims, params)
    check(dims, out, source=scenario.source)
    return out


def _apply(scenario: Scenario, dims: Dims, params: SupplyParams) -> SupplyParams:
    s = scenario.settings
    p = params
    pipe = p.pipeline
    if "intake" in s:
        pipe = pipe.with_new_intake(dims.base_year, _factors(s["intake"], dims))
    for name in SHARES:
        if name in s:
            values = np.array(getattr(pipe, name), dtype=float)
            for i, occ in enumerate(dims.occupations):
                value = s[name].get(occ, s[name].get("all"))
                if value is not None:
                    values[..., i] = value
            pipe = replace(pipe, **{name: values})  # type: ignore[arg-type]
    if "graduates_to" in s:
        pipe = _place_graduates(pipe, s["graduates_to"], dims)
    changes: dict[str, Any] = {"pipeline": pipe, "exits": s.get("exits", p.exits)}
    for name in ("emigration", "other_exit", "immigration", "returns"):
        if name in s:
            base = np.asarray(getattr(p, name), dtype=float)
            f = _factors(s[name], dims)
            changes[name] = base * (f[:, None] if base.ndim >= 2 else f)
    shift = s.get("retirement", {}).get("age_shift", 0)
    if shift:
        changes["retirement"] = shift_ages(np.asarray(p.retirement, dtype=float), shift)
    if "cooperation" in s and p.cooperation is not None:
        r = float(s["cooperation"].get("replacement", 0.0))
        changes["cooperation"] = replace(
            p.cooperation, replacement=np.full(len(dims.occupations), r)
        )
    return p.with_(**changes)


def shift_ages(rates: np.ndarray, shift: int) -> np.ndarray:
    """Rates by age (last axis) applying ``shift`` years later (earlier when negative)."""
    out = np.zeros_like(rates)
    if shift > 0:
        out[..., shift:] = rates[..., :-shift]
        out[..., -1] = np.maximum(out[..., -1], rates[..., -1])
    else:
        out[..., :shift] = rates[..., -shift:]
        out[..., shift:] = rates[..., -1:]
    return out


def _place_graduates(pipe: Pipeline, shares: dict[str, float], dims: Dims) -> Pipeline:
    a = len(dims.areas)
    o = len(dims.occupations)
    dest = np.zeros((o, a, a)) if pipe.destination is None else np.array(pipe.destination)
    if pipe.destination is None:
        dest[:, np.arange(a), np.arange(a)] = 1.0
    sent = sum(shares.values())
    dest *= 1 - sent
    for area, share in shares.items():
        dest[:, :, dims.areas.index(area)] += share
    return replace(pipe, destination=dest)
