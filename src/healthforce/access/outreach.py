"""Outreach planning: which specialist visits which primary care centre, how often.

The model (a min-cost flow, solved exactly by OR-Tools):

- A *visit* is one day a specialist spends at a centre: a clinic of ``session_hours`` seeing
  ``patients_per_visit`` patients, plus the road both ways. A specialist offers ``days``
  outreach days per four weeks; a centre is reachable when it lies within the specialist's
  ``max_km`` and the road there and back plus the clinic fits in a working day.
- A patient seen at their own centre neither travels to the nearest place where the specialty
  is practised (``hospital_km``) nor waits in that place's queue (``hospital_wait_days``): each
  patient seen locally saves ``km_weight`` x km + ``wait_weight`` x days. A visit that is not
  full saves only for the patients it sees (the last visit to a centre is priced apart).
- Each visit costs the specialist's road (``specialist_km_weight`` x 2 x km).

The plan maximises savings minus the specialists' road, within every specialist's days; it
never sends a specialist where the visit costs more than it saves. Visits are counted per four
weeks, so 4 is a weekly clinic, 2 fortnightly and 1 monthly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from sqlalchemy import Engine, func, select

from healthforce.geo.sphere import haversine_km
from healthforce.store.areas import area_zones
from healthforce.store.models import Assignment, Facility, Post, Schedule, ServiceRequest, Worker
from healthforce.store.models.workforce import assignment_open_on, practised_specialty

Array = npt.NDArray[np.float64]
SCALE = 100  # costs in hundredths, integers for the solver


@dataclass
class OutreachProblem:
    centre_ids: list[str]
    centre_lat: Array
    centre_lon: Array
    specialties: list[str]
    demand: Array  # patients per four weeks, [centre, specialty]
    hospital_km: Array  # [centre, specialty]: road to where the specialty is practised
    specialist_ids: list[str]
    specialist_specialty: npt.NDArray[np.int64]
    specialist_lat: Array
    specialist_lon: Array
    days: npt.NDArray[np.int64]  # outreach days per four weeks
    max_km: Array


@dataclass(frozen=True)
class OutreachRules:
    patients_per_visit: int = 12
    session_hours: float = 4.0
    working_day_hours: float = 9.0
    km_per_hour: float = 50.0
    km_weight: float = 1.0
    wait_weight: float = 2.0
    hospital_wait_days: float = 30.0
    specialist_km_weight: float = 1.0


@dataclass
class OutreachPlan:
    specialist: list[str] = field(default_factory=list)
    centre: list[str] = field(default_factory=list)
    specialty: list[str] = field(default_factory=list)
    visits: list[int] = field(default_factory=list)  # per four weeks
    patients: list[int] = field(default_factory=list)
    km: list[float] = field(default_factory=list)  # specialist's one-way road
    demand: int = 0
    seen_locally: int = 0
    patient_km_before: float = 0.0
    patient_km_after: float = 0.0
    specialist_km: float = 0.0
    objective: float = 0.0


def hospital_distance(
    centre_lat: Array,
    centre_lon: Array,
    n_specialties: int,
    specialist_specialty: npt.NDArray[np.int64],
    specialist_lat: Array,
    specialist_lon: Array,
) -> Array:
    """km from each centre to the nearest specialist base of each specialty (inf if none)."""
    out = np.full((centre_lat.size, n_specialties), np.inf)
    for s in range(n_specialties):
        mine = specialist_specialty == s
        if mine.any():
            d = haversine_km(
                centre_lat[:, None], centre_lon[:, None], specialist_lat[mine], specialist_lon[mine]
            )
            out[:, s] = d.min(axis=1)
    return out


def plan_outreach(p: OutreachProblem, rules: OutreachRules | None = None) -> OutreachPlan:
    """The optimal visits (exact min-cost flow)."""
    r = rules or OutreachRules()
    n_c, n_s, n_j = p.centre_lat.size, len(p.specialties), len(p.specialist_ids)
    per = r.patients_per_visit
    demand = np.rint(p.demand).astype(np.int64)
    full, rest = demand // per, demand % per
    needed = full + (rest > 0)
    reach_km = (r.working_day_hours - r.session_hours) * r.km_per_hour / 2
    tails, heads, caps, costs, km_of, pair = [], [], [], [], [], []
    for j in range(n_j):
        s = int(p.specialist_specialty[j])
        d = haversine_km(p.specialist_lat[j], p.specialist_lon[j], p.centre_lat, p.centre_lon)
        ok = np.flatnonzero((d <= min(p.max_km[j], reach_km)) & (needed[:, s] > 0))
        tails.append(np.full(ok.size, j))
        heads.append(n_j + ok * n_s + s)  # node of (centre, specialty)
        caps.append(np.minimum(needed[ok, s], p.days[j]))
        costs.append(np.rint(2 * d[ok] * r.specialist_km_weight * SCALE))
        km_of.append(d[ok])
        pair.append(np.column_stack([np.full(ok.size, j), ok]))
    assign = np.concatenate(tails).size if tails else 0
    source, sink = n_j + n_c * n_s, n_j + n_c * n_s + 1
    saving = r.km_weight * np.where(np.isfinite(p.hospital_km), p.hospital_km, 0.0)
    saving = saving + r.wait_weight * r.hospital_wait_days
    cs = np.flatnonzero(needed.ravel() > 0)
    c_idx, s_idx = np.divmod(cs, n_s)
    full_cap, rest_cap = full.ravel()[cs], (rest.ravel()[cs] > 0).astype(np.int64)
    value = saving[c_idx, s_idx]
    all_tails = np.concatenate([*tails, np.full(n_j, source), n_j + cs, n_j + cs, [source]]).astype(
        np.int32
    )
    all_heads = np.concatenate(
        [*heads, np.arange(n_j), np.full(cs.size, sink), np.full(cs.size, sink), [sink]]
    ).astype(np.int32)
    all_caps = np.concatenate([*caps, p.days, full_cap, rest_cap, [int(p.days.sum())]])
    all_costs = np.concatenate(
        [
            *costs,
            np.zeros(n_j),
            -np.rint(value * per * SCALE),
            -np.rint(value * rest.ravel()[cs] * SCALE),
            [0],
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        all_tails, all_heads, all_caps.astype(np.int64), all_costs.astype(np.int64)
    )
    total = int(p.days.sum())
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("outreach plan: the flow did not solve / no se resolvió")
    f = flow.flows(arcs)
    plan = OutreachPlan(objective=-flow.optimal_cost() / SCALE)
    visits = f[:assign]
    pairs = np.concatenate(pair) if pair else np.empty((0, 2), np.int64)
    kms = np.concatenate(km_of) if km_of else np.empty(0)
    served_sessions = np.zeros((n_c, n_s), np.int64)
    cells = []
    for k in np.flatnonzero(visits > 0):
        j, c = pairs[k]
        s = int(p.specialist_specialty[j])
        served_sessions[c, s] += visits[k]
        cells.append((c, s))
        plan.specialist.append(p.specialist_ids[j])
        plan.centre.append(p.centre_ids[c])
        plan.specialty.append(p.specialties[s])
        plan.visits.append(int(visits[k]))
        plan.km.append(float(kms[k]))
        plan.specialist_km += 2 * float(kms[k]) * int(visits[k])
    seen = np.minimum(served_sessions * per, demand)
    # patients of each visit: the centre's seen patients shared in visit order
    left = seen.copy()
    for i, (c, s) in enumerate(cells):
        n = min(left[c, s], plan.visits[i] * per)
        plan.patients.append(int(n))
        left[c, s] -= n
    km = np.where(np.isfinite(p.hospital_km), p.hospital_km, 0.0)
    plan.demand = int(demand.sum())
    plan.seen_locally = int(seen.sum())
    plan.patient_km_before = float((demand * km).sum())
    plan.patient_km_after = float(((demand - seen) * km).sum())
    return plan


def outreach_problem(
    engine: Engine,
    day: dt.date,
    *,
    months: int = 12,
    days: int = 4,
    max_km: float = 150.0,
) -> OutreachProblem:
    """The registry's problem: demand is the last ``months`` of referrals from first-level
    facilities, per four weeks; specialists are the workers with an open assignment to a post
    of a specialty on ``day``, based at that post's facility."""
    since = day - dt.timedelta(days=round(months * 30.44))
    specialty = practised_specialty()
    with engine.connect() as conn:
        referrals = conn.execute(
            select(
                Facility.code,
                Facility.latitude,
                Facility.longitude,
                ServiceRequest.specialty_code,
                func.count(),
            )
            .join(Facility, Facility.id == ServiceRequest.referring_facility_id)
            .where(
                ServiceRequest.requested_on >= since,
                ServiceRequest.requested_on <= day,
                Facility.level_of_care == "1",
                Facility.latitude.is_not(None),
            )
            .group_by(
                Facility.code, Facility.latitude, Facility.longitude, ServiceRequest.specialty_code
            )
        ).all()
        specialists = conn.execute(
            select(Worker.external_id, specialty, Facility.latitude, Facility.longitude)
            .join(Assignment, Assignment.worker_id == Worker.id)
            .join(Post, Post.id == Assignment.post_id)
            .join(Facility, Facility.id == Post.facility_id)
            .where(
                assignment_open_on(day),
                specialty.is_not(None),
                Facility.latitude.is_not(None),
            )
            .distinct()
            .order_by(Worker.external_id)
        ).all()
    specialties = sorted({str(r[3]) for r in referrals} | {str(s[1]) for s in specialists})
    s_index = {s: i for i, s in enumerate(specialties)}
    centres = {r[0]: (float(r[1] or 0), float(r[2] or 0)) for r in referrals}
    c_ids = sorted(centres)
    c_index = {c: i for i, c in enumerate(c_ids)}
    demand = np.zeros((len(c_ids), len(specialties)))
    per_four_weeks = 28 / (months * 30.44)
    for code, _lat, _lon, spec, n in referrals:
        demand[c_index[code], s_index[spec]] += n * per_four_weeks
    first_post: dict[str, Any] = {}
    for s in specialists:
        first_post.setdefault(s[0], s)
    chosen = list(first_post.values())
    lat = np.array([c[0] for c in (centres[c] for c in c_ids)], dtype=float)
    lon = np.array([c[1] for c in (centres[c] for c in c_ids)], dtype=float)
    j_spec = np.array([s_index[s[1]] for s in chosen], dtype=np.int64)
    j_lat = np.array([s[2] for s in chosen], dtype=float)
    j_lon = np.array([s[3] for s in chosen], dtype=float)
    return OutreachProblem(
        centre_ids=c_ids,
        centre_lat=lat,
        centre_lon=lon,
        specialties=specialties,
        demand=demand,
        hospital_km=hospital_distance(lat, lon, len(specialties), j_spec, j_lat, j_lon),
        specialist_ids=[s[0] for s in chosen],
        specialist_specialty=j_spec,
        specialist_lat=j_lat,
        specialist_lon=j_lon,
        days=np.full(len(chosen), days, dtype=np.int64),
        max_km=np.full(len(chosen), max_km),
    )


def cadence(visits: int) -> list[int]:
    """Visits per four weeks as recurring clinics, each given as 'every so many weeks':
    4 -> [1] (weekly), 2 -> [2], 1 -> [4], 3 -> [2, 4], 6 -> [1, 2]."""
    out = [1] * (visits // 4)
    rest = visits % 4
    if rest >= 2:
        out.append(2)
    if rest % 2:
        out.append(4)
    return out


def outreach_schedules(
    engine: Engine,
    plan: OutreachPlan,
    day: dt.date,
    *,
    timezone: str | None = None,
    slot_minutes: int = 20,
    start: str = "10:00",
    end: str = "14:00",
) -> tuple[dict[str, list[object]], list[str]]:
    """The plan as schedules (importer columns): each clinic on a weekday the specialist holds
    no other clinic, in the zone of the centre's area unless ``timezone`` is given. A visit
    already written by an earlier run (same specialist, centre, specialty and cadence) is not
    written again, so applying one plan twice changes nothing. Returns the columns and the
    visits that found no free weekday."""
    with engine.connect() as conn:
        held: dict[str, set[int]] = {}
        written: set[tuple[str, str, str, int]] = set()
        for ext, weekday, schedule, centre, specialty, every in conn.execute(
            select(
                Worker.external_id,
                Schedule.weekday,
                Schedule.external_id,
                Facility.code,
                Schedule.specialty_code,
                Schedule.every_weeks,
            )
            .join(Schedule, Schedule.practitioner_id == Worker.id)
            .join(Facility, Facility.id == Schedule.facility_id)
            .where(Schedule.status == "active", Worker.external_id.in_(set(plan.specialist)))
        ):
            held.setdefault(ext, set()).add(weekday)
            if schedule.startswith(f"OUT:{ext}:{centre}:"):
                written.add((ext, centre, specialty, every))
        area_of = dict(
            conn.execute(
                select(Facility.code, Facility.area_id).where(Facility.code.in_(set(plan.centre)))
            ).all()
        )
    zone_of = area_zones(engine).of if timezone is None else (lambda _area: timezone)
    names: tuple[str, ...] = ("external_id", "practitioner", "facility", "specialty", "weekday")
    names += ("start_time", "end_time", "slot_minutes", "every_weeks", "valid_from", "timezone")
    columns: dict[str, list[object]] = {n: [] for n in names}
    unplaced: list[str] = []
    for j, c, s, v in zip(plan.specialist, plan.centre, plan.specialty, plan.visits, strict=True):
        busy = held.setdefault(j, set())
        for every in cadence(v):
            if (j, c, s, every) in written:
                continue
            free = next((d for d in range(5) if d not in busy), None)
            if free is None:
                unplaced.append(f"{j} -> {c} ({s}), every {every} week(s)")
                continue
            busy.add(free)
            values = (f"OUT:{j}:{c}:{free}", j, c, s, free, start, end, slot_minutes, every)
            for n, value in zip(names, (*values, day, zone_of(area_of.get(c))), strict=True):
                columns[n].append(value)
    return columns, unplaced
