"""Build the supply model's plain inputs from the registry (the only module here that reads it).

Parameters are estimated from the registry's history over the last ``window`` years, with
documented defaults where the history is thin; all of them can be overridden afterwards.

- Stock: the workforce on the base date, read from the dated history as the indicators read it
  (:func:`healthforce.store.timeline.in_workforce`), by occupation, the state of the facility of
  their open assignment (else of their residence), sex and single-year age (ages clipped to the
  model); those on an open cooperation assignment are counted apart.
- Cooperation staff: open cooperation assignments, leaving at their end dates.
- Exits by cause (retirement by sex, five-year band and occupation; death; other exits and
  emigration by occupation, and by state where at least 10 were recorded): events over
  person-years at risk from the workforce on each 1 January of the window
  (:mod:`healthforce.forecast.hazards`, which documents the method and its defaults).
- Immigration and returns by occupation and area: events per year over the window.
- Entrants' age and sex: those of entries during the window, by occupation.
- Training pipeline: intake by programme occupation and institution state from the cohorts;
  future intake = mean of the last three intakes; completion from finished cohorts; 90 % of
  graduates enter practice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, func, select

from healthforce.forecast.hazards import Events, estimate, person_years
from healthforce.forecast.spec import Cooperation, Dims, Pipeline, SupplyParams
from healthforce.store.areas import states
from healthforce.store.models import (
    Assignment,
    Facility,
    Movement,
    Post,
    TrainingCohort,
    TrainingInstitution,
    TrainingProgramme,
    Worker,
)
from healthforce.store.models.workforce import assignment_open_on
from healthforce.store.timeline import workforce_on

ENTRY_SHARE = 0.9
#: Exits that are neither retirement nor death (emigration is a movement of its own).
OTHER_EXITS = ("resignation", "dismissal", "end_of_contract", "other")


def base_date_of(engine: Engine) -> dt.date:
    """The registry's reference date: the first 1 January after its latest movement."""
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(Movement.date))).scalar_one()
    if latest is None:  # no movements: the latest dated fact, never the machine's today
        from healthforce.errors import OutsideDataError
        from healthforce.store.timeline import reference_date

        latest = reference_date(engine)
        if latest is None:
            raise OutsideDataError(
                0, None, "the registry has no dated data yet / el registro aún no tiene datos"
            )
    first_of_year = (latest.month, latest.day) == (1, 1)
    return dt.date(latest.year + (0 if first_of_year else 1), 1, 1)


def load_supply(
    engine: Engine,
    *,
    horizon: int = 20,
    window: int = 5,
    age_min: int = 20,
    ages: int = 60,
    base_date: dt.date | None = None,
    as_known_then: bool = False,
) -> tuple[Dims, SupplyParams]:
    """The supply model's inputs on ``base_date`` (default: the registry's reference date).
    With ``as_known_then``, only what was known on that date is used (no training cohort that
    took in students after it): a back-cast must not see the future it is judged against."""
    base = base_date or base_date_of(engine)
    found = states(engine)
    state_of, state_codes = found.of, found.codes
    since = dt.date(base.year - window, 1, 1)
    with engine.connect() as conn:
        current = _workforce(conn, base)
        earlier = {
            day: _workforce(conn, day)
            for day in (dt.date(y, 1, 1) for y in range(since.year, base.year))
        }
        events = conn.execute(
            select(
                Movement.kind,
                Movement.reason,
                Movement.date,
                Movement.origin_area_id,
                Movement.destination_area_id,
                Movement.origin_country,
                Worker.occupation_code,
                Worker.sex,
                Worker.birth_date,
            )
            .join(Worker, Worker.id == Movement.worker_id)
            .where(Movement.date >= since, Movement.date < base)
        ).all()
        cohorts = conn.execute(
            select(
                TrainingProgramme.occupation_code,
                TrainingProgramme.duration_years,
                TrainingInstitution.area_id,
                TrainingCohort.intake_year,
                TrainingCohort.enrolled,
                TrainingCohort.graduated,
            )
            .join(TrainingProgramme, TrainingProgramme.id == TrainingCohort.programme_id)
            .join(TrainingInstitution, TrainingInstitution.id == TrainingProgramme.institution_id)
            .where(TrainingCohort.intake_year <= (base.year if as_known_then else 9999))
        ).all()
    occupations = sorted({r[1] for r in current})
    dims = Dims(
        tuple(occupations), tuple(state_codes), base.year, horizon, ("F", "M"), age_min, ages
    )
    oi = {c: i for i, c in enumerate(occupations)}
    ai = {c: i for i, c in enumerate(state_codes)}
    si = {"F": 0, "M": 1}

    def strata(sex: str) -> tuple[tuple[int, float], ...]:
        """The projection's two sex strata a worker counts in: their own, or for another or an
        unrecorded sex half in each (headcounts kept; rates those of both sexes)."""
        return ((si[sex], 1.0),) if sex in si else ((0, 0.5), (1, 0.5))

    o, a, s, g = dims.shape

    def aged(rows: list[Any], day: dt.date) -> np.ndarray:
        """The aged stock [O, A, S, G] on ``day`` (cooperation staff apart), ages on it."""
        out = np.zeros((o, a, s, g))
        for _wid, occ, sex, birth, area_id, contract, _end, _fte in rows:
            area, k = state_of.get(area_id), oi.get(occ)
            if area is None or k is None or contract == "cooperation":
                continue
            age = day.year - birth.year if birth else age_min + 20
            for stratum, weight in strata(sex):
                out[k, ai[area], stratum, int(np.clip(age - age_min, 0, g - 1))] += weight
        return out

    stock = aged(current, base)
    coop = np.zeros((o, a))
    coop_leaving = np.zeros((horizon, o, a))
    fte_sum, fte_n = np.zeros(o), np.zeros(o)
    for _wid, occ, _sex, _birth, area_id, contract, end, fte in current:
        area = state_of.get(area_id)
        if area is None:
            continue
        k, j = oi[occ], ai[area]
        fte_sum[k] += fte
        fte_n[k] += 1
        if contract == "cooperation":
            coop[k, j] += 1
            if end is not None and 0 <= end.year - base.year < horizon:
                coop_leaving[end.year - base.year, k, j] += 1
    exposure = person_years([*(aged(rows, day) for day, rows in earlier.items()), stock])
    if window == 0 or not exposure.any():  # no window: today's stock for one year
        exposure = stock.copy()
    years = float(max(window, 1))
    retired = np.zeros((o, s, g))
    died = np.zeros((s, g))
    other = np.zeros((o, a + 1))  # by state of origin; the last column: no state recorded
    emig_oa = np.zeros((o, a))
    immig = np.zeros((o, a))
    returns = np.zeros((o, a))
    entry_age = np.zeros((o, g))
    entry_sex = np.zeros((o, s))
    transfers = np.zeros((o, a, a))
    for kind, reason, when, origin, dest, origin_country, occ, sex, birth in events:
        ko = oi.get(occ)
        if ko is None:
            continue
        age = (when.year - birth.year) if birth else age_min + 20
        gi = int(np.clip(age - age_min, 0, g - 1))
        if kind == "exit" and reason == "retirement":
            for stratum, weight in strata(sex):
                retired[ko, stratum, gi] += weight
        elif kind == "exit" and reason == "death":
            for stratum, weight in strata(sex):
                died[stratum, gi] += weight
        origin_state = state_of.get(origin) if origin is not None else None
        if kind == "exit" and reason in OTHER_EXITS:
            other[ko, a if origin_state is None else ai[origin_state]] += 1
        dest_state = state_of.get(dest) if dest is not None else None
        moved = origin_state is not None and dest_state is not None and origin_state != dest_state
        if kind == "transfer" and moved:  # a move within a state is no flow between states
            transfers[ko, ai[str(origin_state)], ai[str(dest_state)]] += 1
        if kind == "emigration" and origin_state is not None:
            emig_oa[ko, ai[origin_state]] += 1
        elif kind == "return" and dest_state is not None:
            returns[ko, ai[dest_state]] += 1
        if kind == "entry":
            entry_age[ko, gi] += 1
            for stratum, weight in strata(sex):
                entry_sex[ko, stratum] += weight
            if reason == "recruitment" and origin_country and dest_state is not None:
                immig[ko, ai[dest_state]] += 1
    exits = estimate(
        exposure, Events(retired, died, other, emig_oa), np.arange(age_min, age_min + g)
    )
    for k in range(o):
        if entry_age[k].sum() == 0:
            entry_age[k, 5] = 1.0
        if entry_sex[k].sum() == 0:
            entry_sex[k] = 0.5
    pipeline = _pipeline([tuple(r) for r in cohorts], dims, oi, ai, state_of)
    params = SupplyParams(
        stock=stock,
        retirement=exits.retirement,
        mortality=exits.mortality,
        other_exit=exits.other_exit,
        emigration=exits.emigration,
        immigration=immig / years,
        returns=returns / years,
        entry_age=entry_age / entry_age.sum(axis=1, keepdims=True),
        entry_sex=entry_sex / entry_sex.sum(axis=1, keepdims=True),
        pipeline=pipeline,
        fte=np.where(fte_n > 0, fte_sum / np.maximum(fte_n, 1), 1.0),
        migration=_migration(transfers, exposure.sum(axis=(2, 3))),
        cooperation=Cooperation(coop, coop_leaving, np.zeros(o), 2),
        events={
            **exits.events,
            "immigration": immig.sum(axis=1),
            "returns": returns.sum(axis=1),
        },
    )
    return dims, params


def _workforce(conn: Connection, day: dt.date) -> list[Any]:
    """The workforce on ``day`` from the dated history: id, occupation, sex, birth date, the
    area of their open assignment's facility (else of residence), its contract, end and FTE."""
    return list(
        conn.execute(
            select(
                Worker.id,
                Worker.occupation_code,
                Worker.sex,
                Worker.birth_date,
                func.coalesce(Facility.area_id, Worker.residence_area_id),
                Assignment.contract_type,
                Assignment.end_date,
                func.coalesce(Assignment.fte, 1.0),
            )
            .outerjoin(Assignment, (Assignment.worker_id == Worker.id) & assignment_open_on(day))
            .outerjoin(Post, Post.id == Assignment.post_id)
            .outerjoin(Facility, Facility.id == Post.facility_id)
            .where(Worker.id.in_(select(workforce_on(conn.dialect.name, day).c.worker_id)))
        ).all()
    )


def _migration(transfers: np.ndarray, exposure: np.ndarray) -> np.ndarray | None:
    """[O, A, A] yearly transfer rates between states (origin row, destination column): the
    window's transfers over the origin's person-years; rows scaled down where they would add
    up to more than 1. None when the history records no transfer between states."""
    if not transfers.any():
        return None
    rates = transfers / np.maximum(exposure, 1)[:, :, None]
    out = rates.sum(axis=-1, keepdims=True)
    scaled: np.ndarray = np.where(out > 1, rates / np.maximum(out, 1e-12), rates)
    return scaled


def _pipeline(
    cohorts: list[tuple[object, ...]],
    dims: Dims,
    oi: dict[str, int],
    ai: dict[str, int],
    state_of: dict[int, str],
) -> Pipeline:
    o, a = len(dims.occupations), len(dims.areas)
    intake_years = [int(r[3]) for r in cohorts]  # type: ignore[call-overload]
    first = min(intake_years, default=dims.base_year)
    last_year = dims.base_year + dims.horizon
    intake = np.zeros((last_year - first + 1, o, a))
    duration = np.ones(o, dtype=int) * 6
    done_enrolled, done_graduated = np.zeros(o), np.zeros(o)
    recent: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for occ, years, area_id, year, enrolled, graduated in cohorts:
        k = oi.get(str(occ))
        area = state_of.get(area_id) if isinstance(area_id, int) else None
        if k is None or area is None:
            continue
        j = ai[area]
        y = int(year)  # type: ignore[call-overload]
        if y > last_year:
            continue  # planned beyond the projection's end
        intake[y - first, k, j] += float(enrolled)  # type: ignore[arg-type]
        duration[k] = int(years)  # type: ignore[call-overload]
        recent[(k, j)].append((y, float(enrolled)))  # type: ignore[arg-type]
        if y + int(years) <= dims.base_year:  # type: ignore[call-overload]
            done_enrolled[k] += float(enrolled)  # type: ignore[arg-type]
            done_graduated[k] += float(graduated)  # type: ignore[arg-type]
    observed_until = max(intake_years, default=first)
    for (k, j), series in recent.items():
        series.sort()
        level = np.mean([v for _, v in series[-3:]])
        for y in range(observed_until + 1, last_year + 1):
            intake[y - first, k, j] = level
    completion = np.where(done_enrolled > 0, done_graduated / np.maximum(done_enrolled, 1), 0.7)
    return Pipeline(intake, first, duration, np.clip(completion, 0, 1), np.full(o, ENTRY_SHARE))
