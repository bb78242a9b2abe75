"""Workers' wishes and the programme's rules for a placement, from a file (CSV or XLSX), one per
row (``deploy plan --wishes FILE``):

======  ==========  =============================  ====  ======  ===============================
worker  kind        target                         km    months  meaning
======  ==========  =============================  ====  ======  ===============================
W1      prefer      a facility (F12) or state      20            soft: a post there counts 20 km
                    (VE-A)                                       nearer (default 20)
W1      exclude     a facility or a state                        hard: never placed there
W1      with        another worker (a spouse)      30            soft: worth 30 km to be placed in
                                                                 the same facility (default 30)
W1      not_with    another worker                               hard: never in the same facility
\\       hardship    a facility                             12    a hardship post: a term there
                                                                 lasts at most 12 months
======  ==========  =============================  ====  ======  ===============================

Preferences and exclusions enter the flow itself: a preferred post costs its km less the bonus,
an excluded one costs more than leaving both worker and post out could (so the optimum never
uses it, certified or not). The pairwise wishes cannot be written as a flow: after the optimum,
a repair step moves one of each pair placed together against a ``not_with`` (the one whose
move costs least, to the nearest post with room, or out), then places spouses together where a
post with room in the other's facility costs no more than the bonus. The plan says what the
repair moved; its optimality certificate is for the plan before the repair. Hardship terms go
into the plan file (``max_term_months``), which ``deploy apply`` honours.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from healthforce.deploy.allocate import Allocation
from healthforce.deploy.network import Array
from healthforce.errors import FileFormatError, Problem, ValidationError
from healthforce.geo.sphere import haversine_km

if TYPE_CHECKING:
    from healthforce.deploy.plan import DeploymentProblem

#: A post a worker must not take costs this many km: more than leaving both out ever does.
EXCLUDED_KM = 1_000_000.0
KINDS = ("prefer", "exclude", "with", "not_with", "hardship")
DEFAULT_KM = {"prefer": 20.0, "with": 30.0}


@dataclass
class Wishes:
    bonus: dict[tuple[int, int], float] = field(default_factory=dict)  # (worker, slot) -> km
    together: list[tuple[int, int, float]] = field(default_factory=list)  # workers, km
    apart: list[tuple[int, int]] = field(default_factory=list)
    hardship: dict[str, int] = field(default_factory=dict)  # facility code -> months
    rows: int = 0


def _read(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise FileFormatError(str(path), f"not a wishes file / no es un archivo: {exc}") from None
    missing = {"worker", "kind", "target"} - set(frame.columns)
    if missing:
        raise FileFormatError(str(path), f"lacks columns / faltan columnas {sorted(missing)}")
    for column in ("km", "months"):
        if column not in frame:
            frame[column] = ""
    return frame.map(lambda v: str(v).strip())


def read_wishes(path: Path, problem: DeploymentProblem) -> Wishes:
    """The wishes of ``path`` for a :class:`~healthforce.deploy.plan.DeploymentProblem`, every
    problem located by row and column (nothing is used when one is found)."""
    frame = _read(path)
    p = problem.placement
    worker_of = {str(w): i for i, w in enumerate(p.worker_ids.tolist())}
    facility_of = {code: fid for fid, code in problem.facility_code.items()}
    areas = set(problem.facility_area.values())
    slots_at: dict[object, list[int]] = {}
    for j, (fid, area) in enumerate(
        zip(p.slot_facility.tolist(), p.slot_area.tolist(), strict=True)
    ):
        slots_at.setdefault(fid, []).append(j)
        slots_at.setdefault(("area", area), []).append(j)
    out, bad = Wishes(rows=len(frame)), []

    def wrong(i: int, column: str, value: object, reason: str) -> None:
        record = str(frame["worker"].iloc[i]) or str(frame["target"].iloc[i])
        bad.append(Problem("wishes", record, column, value, reason, row=i + 2, source=str(path)))

    def number(i: int, column: str, default: float | None) -> float | None:
        text = frame[column].iloc[i]
        if not text:
            return default
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = -1.0
        if value < 0:
            wrong(i, column, text, "a number >= 0 / un número >= 0")
            return None
        return value

    for i, (worker, kind, target) in enumerate(
        zip(frame["worker"], frame["kind"], frame["target"], strict=True)
    ):
        if kind not in KINDS:
            wrong(i, "kind", kind, f"one of {', '.join(KINDS)} / uno de {', '.join(KINDS)}")
            continue
        if kind == "hardship":
            months = number(i, "months", None)
            if target not in facility_of:
                wrong(i, "target", target, "no such facility / no existe el establecimiento")
            elif months is None or months < 1 or months != int(months):
                wrong(i, "months", frame["months"].iloc[i], "whole months >= 1 / meses enteros")
            else:
                out.hardship[target] = int(months)
            continue
        w = worker_of.get(worker)
        if w is None:
            wrong(
                i,
                "worker",
                worker,
                "not among the workers to place / no está entre los que se ubican",
            )
            continue
        if kind in ("with", "not_with"):
            other = worker_of.get(target)
            if other is None or other == w:
                wrong(i, "target", target, "another worker to place / otro trabajador a ubicar")
            elif kind == "with":
                km = number(i, "km", DEFAULT_KM["with"])
                if km is not None:
                    out.together.append((w, other, km))
            else:
                out.apart.append((w, other))
            continue
        where = slots_at.get(facility_of[target]) if target in facility_of else None
        if where is None and target in areas:
            where = slots_at.get(("area", target), [])
        if where is None:
            wrong(i, "target", target, "no such facility or state / no existe")
            continue
        km = EXCLUDED_KM if kind == "exclude" else number(i, "km", DEFAULT_KM["prefer"])
        if km is None:
            continue
        for j in where:
            if p.slot_occupation[j] == p.worker_occupation[w]:
                sign = -1.0 if kind == "exclude" else 1.0
                out.bonus[(w, j)] = sign * km
    if bad:
        raise ValidationError(bad)
    return out


def with_wishes(problem: DeploymentProblem, wishes: Wishes) -> DeploymentProblem:
    """The problem with the wishes' bonuses and exclusions in its placement's costs."""
    p = problem.placement
    merged = {**p.preference_bonus, **wishes.bonus}
    return replace(problem, placement=replace(p, preference_bonus=merged))


Move = dict[str, object]


def respect_pairs(
    problem: DeploymentProblem, result: Allocation, wishes: Wishes
) -> tuple[Allocation, list[Move]]:
    """The plan with the pairwise wishes kept (see the module), and what the repair moved."""
    p = problem.placement
    code = problem.facility_code
    slot_of = dict(zip(result.worker.tolist(), result.slot.tolist(), strict=True))
    fixed = set(result.worker[result.fixed].tolist())
    used = np.zeros(p.slots, dtype=np.int64)
    np.add.at(used, result.slot, 1)
    moves: list[dict[str, object]] = []

    slot_at = {
        (f, o): j
        for j, (f, o) in enumerate(zip(p.slot_facility.tolist(), p.slot_occupation, strict=True))
    }

    def km_to(w: int, slots: Array) -> Array:
        """The worker's costs to ``slots``: km less any bonus (more for an exclusion)."""
        base = np.asarray(
            haversine_km(p.worker_lat[w], p.worker_lon[w], p.slot_lat[slots], p.slot_lon[slots]),
            dtype=float,
        )
        bonus = np.array([p.preference_bonus.get((w, int(j)), 0.0) for j in slots.tolist()])
        return base - bonus if bonus.size else base

    def km(w: int, j: int) -> float:
        base = float(haversine_km(p.worker_lat[w], p.worker_lon[w], p.slot_lat[j], p.slot_lon[j]))
        return float(base - p.preference_bonus.get((w, j), 0.0))

    def facility(w: int) -> object:
        j = slot_of.get(w)
        return None if j is None else p.slot_facility[j]

    def move(w: int, to: int | None, why: str) -> None:
        before = slot_of.pop(w, None)
        if before is not None:
            used[before] -= 1
        if to is not None:
            slot_of[w] = to
            used[to] += 1
        moves.append(
            {
                "worker": p.worker_ids[w],
                "from": None if before is None else code[int(p.slot_facility[before])],
                "to": None if to is None else code[int(p.slot_facility[to])],
                "why": why,
            }
        )

    for a, b in wishes.apart:
        if facility(a) is None or facility(a) != facility(b):
            continue
        options: list[tuple[float, int, int | None]] = []
        for w in (a, b):
            if w in fixed:
                continue
            here = km(w, slot_of[w])
            room = np.flatnonzero(
                (used < p.slot_capacity)
                & (p.slot_occupation == p.worker_occupation[w])
                & (p.slot_facility != facility(a))
            )
            costs = km_to(w, room)
            room, costs = room[costs < EXCLUDED_KM / 2], costs[costs < EXCLUDED_KM / 2]
            best = int(room[np.argmin(costs)]) if room.size else None
            options.append((np.inf if best is None else km(w, best) - here, w, best))
        if options:
            _delta, w, best = min(options, key=lambda o: o[0])
            other = b if w == a else a
            move(w, best, f"not with {p.worker_ids[other]} / no con {p.worker_ids[other]}")
    apart = {frozenset(pair) for pair in wishes.apart}
    for a, b, bonus in wishes.together:
        if facility(a) is not None and facility(a) == facility(b):
            continue
        joined: list[tuple[float, int, int, int]] = []
        for w, other in ((a, b), (b, a)):
            there = facility(other)
            if w in fixed or there is None:
                continue
            here = km(w, slot_of[w]) if w in slot_of else np.inf
            j = slot_at.get((there, p.worker_occupation[w]))  # one slot per facility, occupation
            if (
                j is not None
                and used[j] < p.slot_capacity[j]
                and frozenset((w, other)) not in apart
            ):
                joined.append((km(w, j) - here, w, j, other))
        if joined:
            delta, w, j, other = min(joined, key=lambda o: o[0])
            if delta <= bonus:
                move(w, j, f"with {p.worker_ids[other]} / con {p.worker_ids[other]}")
    workers = np.array(sorted(slot_of), dtype=np.int64)
    slots = np.array([slot_of[w] for w in workers.tolist()], dtype=np.int64)

    distance = np.asarray(
        haversine_km(
            p.worker_lat[workers], p.worker_lon[workers], p.slot_lat[slots], p.slot_lon[slots]
        )
    )
    placed = np.zeros(p.workers, dtype=bool)
    placed[workers] = True
    critical = np.minimum(p.slot_critical, p.slot_capacity)
    unfilled = np.maximum(p.slot_capacity - used, 0)
    unfilled_critical = np.minimum(np.maximum(critical - used, 0), unfilled)
    return (
        replace(
            result,
            worker=workers,
            slot=slots,
            distance_km=distance,
            fixed=np.isin(workers, list(fixed)),
            unfilled=unfilled,
            unfilled_critical=unfilled_critical,
            unplaced=np.flatnonzero(~placed),
        ),
        moves,
    )
