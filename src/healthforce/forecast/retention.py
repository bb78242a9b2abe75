"""Retention from the registry's dated history: how long workers stay in the workforce and in
their posts, by area, rural or urban, programme of origin, occupation and cohort.

Survival analysis, as the attraction-and-retention questions need it (Kaplan–Meier, through
lifelines): a **spell in the workforce** runs from an entry or a return to the next exit or
emigration; a **spell in post** from an assignment's start to its end. A spell still running
on the registry's reference date is *censored* there (the worker is known to have stayed at
least that long), never counted as a departure and never left out. Spells that began before
the history (no entry recorded) have no known start and are not used: the analysis is by
cohort of entry. Durations are in years (365.25 days).

Each group reports its spells, departures, the median time (years, with its 95 % confidence
interval; "not reached" when more than half are still in) and the share still in after 1, 2
and 5 years; :func:`curves` gives the survival curves themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from healthforce.errors import HealthforceError
from healthforce.store.areas import states
from healthforce.store.models import Assignment, Facility, Movement, Post, Worker
from healthforce.store.timeline import reference_date

#: What spells can be grouped by.
GROUPS = ("all", "area", "urban_rural", "programme", "occupation", "cohort")
#: The spells: time in the workforce, or in a post.
KINDS = ("workforce", "post")
YEAR = 365.25
MILESTONES = (1, 2, 5)


@dataclass(frozen=True)
class Spells:
    """One row per spell: its group keys, its length in years and whether it ended."""

    frame: pd.DataFrame  # area, urban_rural, programme, occupation, cohort, years, ended
    on: dt.date


def _setting(engine: Engine, on: dt.date | None) -> tuple[dt.date, dict[int, str], dict[str, str]]:
    """The censoring date (default: the registry's reference date), each area's state and each
    state's urban or rural character."""
    if on is None:
        on = reference_date(engine)
        if on is None:
            raise HealthforceError(
                "the registry has no dated data yet / el registro aún no tiene datos"
            )
    found = states(engine)
    return on, found.of, dict(found.urban_rural)


def workforce_spells(engine: Engine, on: dt.date | None = None) -> Spells:
    """Spells in the workforce (entry or return to exit or emigration), censored on ``on``
    (default: the registry's reference date)."""
    on, state_of, urban = _setting(engine, on)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Movement.worker_id,
                Movement.kind,
                Movement.date,
                Movement.destination_area_id,
                Movement.origin_area_id,
                Worker.occupation_code,
                Worker.programme,
                Worker.residence_area_id,
            )
            .join(Worker, Worker.id == Movement.worker_id)
            .where(Movement.kind.in_(["entry", "return", "exit", "emigration"]))
            .where(Movement.date <= on)
            .order_by(Movement.worker_id, Movement.date, Movement.id)
        ).all()
    out = []
    open_: dict[int, tuple[dt.date, str | None, str | None, str | None]] = {}
    for worker, kind, when, dest, _origin, occupation, programme, home in rows:
        if kind in ("entry", "return"):
            place = dest if dest is not None else home
            area = None if place is None else state_of.get(place)
            open_.setdefault(worker, (when, area, occupation, programme))
        elif worker in open_:
            start, area, occ, prog = open_.pop(worker)
            out.append((area, occ, prog, start, when, True))
    for start, area, occ, prog in open_.values():
        out.append((area, occ, prog, start, on, False))
    return Spells(_frame(out, urban), on)


def post_spells(engine: Engine, on: dt.date | None = None) -> Spells:
    """Spells in post (an assignment's start to its end), censored on ``on``."""
    on, state_of, urban = _setting(engine, on)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Facility.area_id,
                Worker.occupation_code,
                Worker.programme,
                Assignment.start_date,
                Assignment.end_date,
            )
            .join(Post, Post.id == Assignment.post_id)
            .join(Facility, Facility.id == Post.facility_id)
            .join(Worker, Worker.id == Assignment.worker_id)
            .where(Assignment.start_date <= on)
        ).all()
    out = [
        (
            None if area is None else state_of.get(area),
            occ,
            prog,
            start,
            end if end is not None and end <= on else on,
            end is not None and end <= on,
        )
        for area, occ, prog, start, end in rows
    ]
    return Spells(_frame(out, urban), on)


def _frame(spells: Iterable[tuple[object, ...]], urban: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        list(spells), columns=["area", "occupation", "programme", "start", "end", "ended"]
    )
    frame["years"] = [
        max((e - s).days, 0) / YEAR for s, e in zip(frame["start"], frame["end"], strict=True)
    ]
    frame["cohort"] = [s.year for s in frame["start"]]
    frame["urban_rural"] = frame["area"].map(urban)
    frame["all"] = "all"
    return frame


def _fitted(spells: Spells, by: str, minimum: int) -> Iterator[tuple[object, pd.DataFrame, Any]]:
    """Each group of at least ``minimum`` spells, with its Kaplan–Meier fit."""
    from lifelines import KaplanMeierFitter

    if by not in GROUPS:
        raise HealthforceError(f"--by {by}: one of {', '.join(GROUPS)} / uno de {GROUPS}")
    frame = spells.frame
    for key, group in frame.groupby(frame[by].fillna("unknown"), sort=True):
        if len(group) >= minimum:
            yield key, group, KaplanMeierFitter().fit(group["years"], event_observed=group["ended"])


def retention(spells: Spells, by: str = "all", minimum: int = 10) -> pd.DataFrame:
    """Per group: spells, departures, the Kaplan–Meier median in years with its 95 % interval
    (NaN: not reached), and the share still in after 1, 2 and 5 years. Groups of fewer than
    ``minimum`` spells are left out (too few to say anything)."""
    from lifelines.utils import median_survival_times

    rows = []
    for key, group, kmf in _fitted(spells, by, minimum):
        median = float(kmf.median_survival_time_)
        interval = median_survival_times(kmf.confidence_interval_)
        low, high = (float(v) for v in interval.iloc[0])
        row = {
            "group": key,
            "spells": len(group),
            "departures": int(group["ended"].sum()),
            "median_years": median if np.isfinite(median) else np.nan,
            "median_low": low if np.isfinite(low) else np.nan,
            "median_high": high if np.isfinite(high) else np.nan,
        }
        for years in MILESTONES:
            row[f"still_in_{years}y"] = float(kmf.predict(years))
        rows.append(row)
    columns = ["group", "spells", "departures", "median_years", "median_low", "median_high"]
    return pd.DataFrame(rows, columns=[*columns, *(f"still_in_{y}y" for y in MILESTONES)])


def curves(spells: Spells, by: str = "all", minimum: int = 10) -> pd.DataFrame:
    """The survival curves: per group, the share still in at each time a spell ended."""
    out = []
    for key, _group, kmf in _fitted(spells, by, minimum):
        curve = kmf.survival_function_.reset_index()
        curve.columns = ["years", "still_in"]
        out.append(curve.assign(group=key))
    if not out:
        return pd.DataFrame(columns=["group", "years", "still_in"])
    joined: pd.DataFrame = pd.concat(out, ignore_index=True)
    return joined[["group", "years", "still_in"]]
