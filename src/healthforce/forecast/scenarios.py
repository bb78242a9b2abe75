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

Errors name the file, the key and the value: an unknown key, a number where a table belongs
(``emigration = 2``), a factor or share out of range, and (when applied) a rate the factors push
outside [0, 1].
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from healthforce.errors import Problem, ValidationError
from healthforce.forecast.spec import EXITS, Dims, Pipeline, SupplyParams

MULTIPLIERS = ("intake", "emigration", "other_exit", "immigration", "returns")
SHARES = ("completion", "entry_share")
KNOWN = {
    "name",
    "description",
    "exits",
    "retirement",
    "graduates_to",
    "cooperation",
    "need",
    *MULTIPLIERS,
    *SHARES,
}


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
    problems: list[Problem] = []

    def bad(key: str, value: object, reason: str) -> None:
        problems.append(Problem("scenario", source, key, value, reason, source=source))

    for key in data:
        if key not in KNOWN:
            bad(key, data[key], "unknown parameter / parámetro desconocido")
        elif key == "exits":
            if data[key] not in EXITS:
                bad(key, data[key], f"one of {', '.join(EXITS)} / uno de {', '.join(EXITS)}")
        elif key not in ("name", "description") and not isinstance(data[key], dict):
            bad(
                key,
                data[key],
                f"a table is expected, e.g. [{key}] then all = … (one line each) / se espera "
                f"una tabla, p. ej. [{key}] y debajo all = …",
            )
    if problems:  # the checks below read the tables
        return problems
    occupations = set(dims.occupations)
    for section in (*MULTIPLIERS, *SHARES):
        for key, value in data.get(section, {}).items():
            where = f"{section}.{key}"
            if key != "all" and key not in occupations:
                bad(where, key, "unknown occupation / ocupación desconocida")
            if not isinstance(value, int | float) or value < 0:
                bad(where, value, "must be a number >= 0 / debe ser un número >= 0")
            elif section in SHARES and value > 1:
                bad(where, value, "a share must be in [0, 1] / proporción fuera de [0, 1]")
    for key, value in data.get("graduates_to", {}).items():
        if key not in dims.areas:
            bad(f"graduates_to.{key}", key, "unknown area / área desconocida")
        elif not isinstance(value, int | float) or not 0 <= value <= 1:
            bad(f"graduates_to.{key}", value, "a share must be in [0, 1] / fuera de [0, 1]")
    if sum(v for v in data.get("graduates_to", {}).values() if isinstance(v, int | float)) > 1:
        bad("graduates_to", data["graduates_to"], "shares add up to more than 1 / suman más de 1")
    shift = data.get("retirement", {}).get("age_shift", 0)
    if not isinstance(shift, int) or abs(shift) > 15:
        bad("retirement.age_shift", shift, "whole years between -15 and 15 / años enteros")
    for key in data.get("retirement", {}):
        if key != "age_shift":
            bad(f"retirement.{key}", key, "unknown parameter / parámetro desconocido")
    for key, value in data.get("need", {}).items():
        where = f"need.{key}"
        if key == "service":
            problems.extend(_check_service(value, occupations, source))
            continue
        if key == "wisn":
            found = Path(source).parent / str(value) if isinstance(value, str) else None
            if found is None or not found.exists():
                bad(
                    where,
                    value,
                    "no such workload file (a path from the scenario's folder) "
                    "/ no existe el archivo de carga de trabajo",
                )
            continue
        if key == "target_year":
            last = dims.base_year + dims.horizon
            if not isinstance(value, int) or not dims.base_year < value <= last:
                bad(where, value, f"a year after {dims.base_year}, by {last} / un año del período")
        elif key != "core" and key not in occupations:
            bad(where, key, "unknown occupation (or core) / ocupación desconocida")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            bad(where, value, "a density per 10,000, >= 0 / una densidad por 10.000, >= 0")
    replacement = data.get("cooperation", {}).get("replacement")
    if replacement is not None and (
        not isinstance(replacement, int | float) or not 0 <= replacement <= 1
    ):
        bad("cooperation.replacement", replacement, "a share in [0, 1] / fuera de [0, 1]")
    return problems


#: The settings of a service-based need, and what each must be.
SERVICE = ("population", "rate", "services", "minutes", "hours_per_fte")


def population_group(text: str) -> tuple[str, int, int | None] | None:
    """(sex, first age, last age or None for no upper limit) of a group written "F 15-49",
    "T 65+", "M all"; None when it is not one."""
    parts = text.split()
    if len(parts) != 2 or parts[0] not in ("F", "M", "T"):
        return None
    sex, ages = parts
    if ages == "all":
        return sex, 0, None
    if ages.endswith("+") and ages[:-1].isdigit():
        return sex, int(ages[:-1]), None
    low, _, high = ages.partition("-")
    if low.isdigit() and high.isdigit() and int(low) <= int(high):
        return sex, int(low), int(high)
    return None


def _check_service(section: object, occupations: set[str], source: str) -> list[Problem]:
    problems: list[Problem] = []

    def bad(key: str, value: object, reason: str) -> None:
        problems.append(Problem("scenario", source, key, value, reason, source=source))

    if not isinstance(section, dict):
        return [
            Problem(
                "scenario", source, "need.service", section, "a table per occupation", source=source
            )
        ]
    for occ, spec in section.items():
        where = f"need.service.{occ}"
        if occ not in occupations:
            bad(where, occ, "unknown occupation / ocupación desconocida")
            continue
        if not isinstance(spec, dict):
            bad(where, spec, "a table: population, rate, services, minutes, hours_per_fte")
            continue
        for key in SERVICE:
            if key not in spec:
                bad(f"{where}.{key}", None, "missing / falta")
        for key, value in spec.items():
            if key not in SERVICE:
                bad(f"{where}.{key}", value, "unknown parameter / parámetro desconocido")
            elif key == "population":
                if not isinstance(value, str) or population_group(value) is None:
                    bad(
                        f"{where}.population",
                        value,
                        'a group like "F 15-49", "T 65+" or "T all" / un grupo como "F 15-49"',
                    )
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                bad(f"{where}.{key}", value, "a number >= 0 / un número >= 0")
            elif key == "hours_per_fte" and value == 0:
                bad(f"{where}.{key}", value, "hours of a full-time worker cannot be 0")
    return problems


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
