"""Deployment plans from and to the registry: build the placement problem, report the plan,
write it to a file, and apply a plan file through the audited registry API.

Who is placed: active workers of the chosen occupations with residence coordinates and no open
assignment (a new cohort), or, with ``movable=True``, also those already assigned (a what-if
re-deployment) except international cooperation staff, who stay fixed in their posts. Where:
funded posts of open facilities with coordinates, vacant on the date. A facility x occupation
lacking workers for its team norm gets a higher penalty when left unfilled; in states whose
density of those occupations is below ``underserved_per_10k`` the penalty is weighted x1.5.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from healthforce.deploy.allocate import Allocation, allocate
from healthforce.deploy.network import Placement
from healthforce.errors import OutsideDataError
from healthforce.store.areas import states
from healthforce.store.models import (
    Area,
    AreaPopulation,
    Assignment,
    Facility,
    Movement,
    Post,
    TeamNorm,
    Worker,
)
from healthforce.store.models.workforce import assignment_open_on
from healthforce.store.timeline import reference_date, workforce_on

UNDERSERVED_WEIGHT = 1.5


@dataclass
class DeploymentProblem:
    placement: Placement
    slot_posts: list[list[str]]  # vacant post external ids of each slot
    facility_code: dict[int, str]
    facility_area: dict[int, str]
    current_by_area: dict[str, int]  # staff of these occupations on the date (before)
    staying_by_area: dict[str, int]  # of whom not being placed (the base of "after")
    population_by_area: dict[str, float]
    teams: np.ndarray
    facility_name: dict[int, str] = field(default_factory=dict)
    area_name: dict[str, str] = field(default_factory=dict)  # state code -> its name


def build_problem(
    engine: Engine,
    occupations: list[str],
    *,
    movable: bool = False,
    on: dt.date | None = None,
    underserved_per_10k: float = 10.0,
) -> DeploymentProblem:
    on = on or reference_date(engine)  # the registry's latest data, never the machine's today
    if on is None:
        raise OutsideDataError(0, None, "the registry has no dated data yet / aún no hay datos")
    state_of = states(engine).of
    with engine.connect() as conn:
        facilities = conn.execute(
            select(
                Facility.id,
                Facility.code,
                Facility.type,
                Facility.area_id,
                Facility.latitude,
                Facility.longitude,
                Facility.name,
            ).where(Facility.status == "open", Facility.latitude.is_not(None))
        ).all()
        area_names: dict[str, str] = dict(conn.execute(select(Area.code, Area.name)).all())
        posts = conn.execute(
            select(Post.id, Post.external_id, Post.facility_id, Post.occupation_code).where(
                Post.funded.is_(True), Post.occupation_code.in_(occupations)
            )
        ).all()
        open_assignments = conn.execute(
            select(Assignment.post_id, Assignment.worker_id, Assignment.contract_type).where(
                assignment_open_on(on),
            )
        ).all()
        workers = conn.execute(
            select(
                Worker.id,
                Worker.external_id,
                Worker.occupation_code,
                Worker.residence_lat,
                Worker.residence_lon,
            ).where(
                # in the workforce on the date, by the registry's dated history
                Worker.id.in_(select(workforce_on(conn.dialect.name, on).c.worker_id)),
                Worker.occupation_code.in_(occupations),
            )
        ).all()
        norms = conn.execute(
            select(TeamNorm.facility_type, TeamNorm.occupation_code, TeamNorm.headcount)
        ).all()
        population = conn.execute(
            select(Area.code, AreaPopulation.population)
            .join(Area, Area.id == AreaPopulation.area_id)
            .where(
                AreaPopulation.sex == "T",
                AreaPopulation.age_band == "total",
                AreaPopulation.year == on.year - 1,
            )
        ).all()
    fac = {f[0]: f for f in facilities}
    assigned = {w: (p, c) for p, w, c in open_assignments}
    occupied_by = {p: (w, c) for p, w, c in open_assignments}
    worker_rows = [
        w
        for w in workers
        if (w[0] not in assigned) or (movable and assigned[w[0]][1] != "cooperation")
    ]
    to_place = {w[0] for w in worker_rows}
    norm = {(t, o): h for t, o, h in norms if o in occupations}
    slots: dict[tuple[int, str], list[str]] = {}
    staying: dict[tuple[int, str], int] = {}
    for pid, ext, fid, occ in posts:
        if fid not in fac:
            continue
        holder = occupied_by.get(pid)
        key = (fid, occ)
        if holder is None:
            slots.setdefault(key, []).append(ext)
        elif holder[0] in to_place:
            slots.setdefault(key, []).append(ext)  # movable: the post is up for grabs
        else:
            staying[key] = staying.get(key, 0) + 1
    for fid, f in fac.items():
        for occ in occupations:
            need = norm.get((f[2], occ), 0)
            if need > staying.get((fid, occ), 0):
                slots.setdefault((fid, occ), [])
    keys = sorted(slots)
    staying_by_area: dict[str, int] = {}
    for key, n in staying.items():
        area = state_of.get(fac[key[0]][3], "?")
        staying_by_area[area] = staying_by_area.get(area, 0) + n
    current_by_area: dict[str, int] = {}
    for pid, _ext, fid, _occ in posts:
        if pid in occupied_by and fid in fac:
            area = state_of.get(fac[fid][3], "?")
            current_by_area[area] = current_by_area.get(area, 0) + 1
    pop = {code: float(p) for code, p in population}
    density = {a: current_by_area.get(a, 0) / pop[a] * 10_000 for a in pop if pop[a]}
    placement = Placement(
        worker_ids=np.array([w[1] for w in worker_rows], dtype=object),
        worker_lat=np.array([np.nan if w[3] is None else w[3] for w in worker_rows], dtype=float),
        worker_lon=np.array([np.nan if w[4] is None else w[4] for w in worker_rows], dtype=float),
        worker_occupation=np.array([w[2] for w in worker_rows], dtype=object),
        slot_facility=np.array([k[0] for k in keys], dtype=np.int64),
        slot_lat=np.array([fac[k[0]][4] for k in keys], dtype=float),
        slot_lon=np.array([fac[k[0]][5] for k in keys], dtype=float),
        slot_occupation=np.array([k[1] for k in keys], dtype=object),
        slot_capacity=np.array([len(slots[k]) for k in keys], dtype=np.int64),
        slot_critical=np.array(
            [max(0, norm.get((fac[k[0]][2], k[1]), 0) - staying.get(k, 0)) for k in keys],
            dtype=np.int64,
        ),
        slot_weight=np.array(
            [
                UNDERSERVED_WEIGHT
                if density.get(state_of.get(fac[k[0]][3], "?"), 0) < underserved_per_10k
                else 1.0
                for k in keys
            ]
        ),
        slot_area=np.array([state_of.get(fac[k[0]][3], "?") for k in keys], dtype=object),
    )
    teams = np.array(sorted({k[0] for k in keys if norm.get((fac[k[0]][2], k[1]))}), dtype=np.int64)
    return DeploymentProblem(
        placement,
        [slots[k] for k in keys],
        {f: fac[f][1] for f in fac},
        {f: state_of.get(fac[f][3], "?") for f in fac},
        current_by_area,
        staying_by_area,
        pop,
        teams,
        {f: fac[f][6] for f in fac},
        area_names,
    )


def solve(problem: DeploymentProblem, **options: object) -> Allocation:
    return allocate(problem.placement, teams=problem.teams, **options)  # type: ignore[arg-type]


def plan_table(
    problem: DeploymentProblem, result: Allocation, hardship: dict[str, int] | None = None
) -> pd.DataFrame:
    """One row per assignment: worker, facility, occupation, post, distance; with
    ``hardship`` (facility code -> months), the longest term at each hardship post."""
    p = problem.placement
    remaining = [list(posts) for posts in problem.slot_posts]
    rows = []
    for w, s, km in zip(
        result.worker.tolist(), result.slot.tolist(), result.distance_km.tolist(), strict=True
    ):
        post = remaining[s].pop() if remaining[s] else None
        rows.append(
            {
                "worker": p.worker_ids[w],
                "facility": problem.facility_code[int(p.slot_facility[s])],
                "area": p.slot_area[s],
                "occupation": p.slot_occupation[s],
                "post": post,
                "distance_km": round(float(km), 3),
            }
        )
    table = pd.DataFrame(
        rows, columns=["worker", "facility", "area", "occupation", "post", "distance_km"]
    )
    if hardship:
        table["max_term_months"] = table["facility"].map(hardship).astype("Int64")
    return table


def report(
    problem: DeploymentProblem, result: Allocation, within_km: float = 10.0
) -> dict[str, object]:
    """The plan in figures: distances, unfilled posts by priority, teams, density and equity by
    area before and after."""
    p = problem.placement
    d = result.distance_km
    after = dict(problem.staying_by_area)
    for s in result.slot.tolist():
        area = str(p.slot_area[s])
        after[area] = after.get(area, 0) + 1
    pop = problem.population_by_area

    def densities(counts: dict[str, int]) -> dict[str, float]:
        return {a: counts.get(a, 0) / pop[a] * 10_000 for a in pop if pop[a]}

    before_d, after_d = densities(problem.current_by_area), densities(after)

    def equity(x: dict[str, float]) -> float:
        """Highest / lowest density among areas that have any (areas with none are counted in
        ``areas_without_staff``)."""
        staffed = [v for v in x.values() if v > 0]
        return max(staffed) / min(staffed) if staffed else float("nan")

    return {
        "placed": int(result.worker.size),
        "unplaced": int(result.unplaced.size),
        "unfilled_posts": int(result.unfilled.sum()),
        "unfilled_priority_posts": int(result.unfilled_critical.sum()),
        "unreachable_slots": [
            problem.facility_code[int(p.slot_facility[s])] for s in result.unreachable.tolist()
        ][:50],
        "distance_km": {q: float(np.percentile(d, q)) if d.size else 0.0 for q in (10, 50, 90, 99)},
        f"share_within_{within_km:g}_km": float((d <= within_km).mean()) if d.size else 0.0,
        "complete_teams": result.complete_teams,
        "complete_teams_flow_only": result.complete_teams_flow_only,
        "optimal_on": (
            "the complete graph (certified) / el grafo completo (certificado)"
            if result.certified
            else "the candidate graph only (not certified: --certify) / solo el grafo de candidatos"
            if result.certified is None
            else "the candidate graph; certification stopped before it was reached / no certificado"
        ),
        "arcs_priced_in": result.priced_arcs,
        "team_facilities": int(problem.teams.size),
        "density_before": before_d,
        "density_after": after_d,
        "equity_before": equity(before_d),
        "equity_after": equity(after_d),
        "areas_without_staff_before": sum(1 for v in before_d.values() if v == 0),
        "areas_without_staff_after": sum(1 for v in after_d.values() if v == 0),
    }


def rotation_from_registry(
    engine: Engine, occupations: list[str], start: dt.date, quarters: int = 8
) -> pd.DataFrame:
    """The rotation plan of fixed-term (cooperation) staff whose terms end in the window. The
    incoming pool: workers of the same occupations with a home location and no post, in the
    workforce on ``start`` (from the dated history) or joining it during the window (an
    imported cohort's entries, planned ahead), each available from the day they join."""
    from healthforce.deploy.rotation import Term, plan_rotation, quarter_of

    month = start.month - 1 + 3 * quarters
    end = dt.date(start.year + month // 12, month % 12 + 1, 1)
    with engine.connect() as conn:
        leaving = conn.execute(
            select(
                Worker.external_id,
                Post.external_id,
                Facility.code,
                Post.occupation_code,
                Facility.latitude,
                Facility.longitude,
                Assignment.end_date,
            )
            .join(Assignment, Assignment.worker_id == Worker.id)
            .join(Post, Post.id == Assignment.post_id)
            .join(Facility, Facility.id == Post.facility_id)
            .where(
                Assignment.contract_type == "cooperation",
                Post.occupation_code.in_(occupations),
                Assignment.end_date >= start,
                Assignment.end_date < end,
                Facility.latitude.is_not(None),
            )
        ).all()
        doctors = conn.execute(
            select(Facility.code, Post.occupation_code)
            .join(Post, Post.facility_id == Facility.id)
            .join(Assignment, Assignment.post_id == Post.id)
            .where(
                Post.occupation_code.in_(["2211", "2212"]),
                assignment_open_on(start),
            )
        ).all()
        assigned = select(Assignment.worker_id).where(
            (Assignment.end_date.is_(None)) | (Assignment.end_date >= start)
        )
        present = select(workforce_on(conn.dialect.name, start).c.worker_id)
        joining = dict(
            conn.execute(
                select(Movement.worker_id, func.min(Movement.date))
                .where(
                    Movement.kind.in_(("entry", "return")),
                    Movement.date > start,
                    Movement.date < end,
                )
                .group_by(Movement.worker_id)
            ).all()
        )
        pool = conn.execute(
            select(
                Worker.id,
                Worker.external_id,
                Worker.residence_lat,
                Worker.residence_lon,
                Worker.occupation_code,
            ).where(
                Worker.occupation_code.in_(occupations),
                Worker.residence_lat.is_not(None),
                Worker.id.not_in(assigned),
                Worker.id.in_(present) | Worker.id.in_(list(joining)),
            )
        ).all()
    doctors_at: dict[str, int] = {}
    for code, _occ in doctors:
        doctors_at[code] = doctors_at.get(code, 0) + 1
    terms = [
        Term(w, post, f, o, float(lat), float(lon), ends)
        for w, post, f, o, lat, lon, ends in leaving
        if lat is not None and lon is not None and ends is not None
    ]
    available = [_as_date(joining.get(r[0])) or start for r in pool]
    return plan_rotation(
        terms,
        np.array([r[1] for r in pool], dtype=object),
        np.array([r[2] for r in pool], dtype=float),
        np.array([r[3] for r in pool], dtype=float),
        np.array([r[4] for r in pool], dtype=object),
        np.array([quarter_of(d) for d in available], dtype=object),
        doctors_at,
        start,
        quarters,
        incoming_from=np.array(available, dtype=object),
    )


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
