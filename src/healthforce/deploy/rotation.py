"""Rotation plans for fixed-term deployments (e.g. cooperation doctors on two-year terms).

For each quarter: who leaves (terms ending), and which incoming workers replace them, placed by
the allocator on the vacated posts (nearest to home first). The incoming pool is every worker
without a post, each from the day they are available (planned arrivals: an imported cohort's
entry dates). A facility is never left without its last doctor: a leaver who is their
facility's last doctor and has no replacement that quarter stays on ("extended") until one
arrives. Each row says the post and the day the replacement starts (the day after the term
ends, or after the arrival of a later replacement), so ``deploy apply`` writes the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from healthforce.deploy.allocate import allocate
from healthforce.deploy.network import Array, Placement

#: What happens to a last doctor with no replacement by the end of the window.
EXTENDED_BEYOND = "extended (last doctor) beyond the window"
ROTATION_COLUMNS = ["quarter", "worker", "post", "facility", "occupation", "term_ends", "leaves"]
ROTATION_COLUMNS += ["replacement", "starts", "status"]
#: The statuses of a leaver who stays on past their term.
EXTENDED = "extended (last doctor)"


@dataclass(frozen=True)
class Term:
    worker: str
    post: str
    facility: str
    occupation: str
    lat: float
    lon: float
    ends: dt.date


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def plan_rotation(
    terms: list[Term],
    incoming_ids: Array,
    incoming_lat: Array,
    incoming_lon: Array,
    incoming_occupation: Array,
    incoming_quarter: Array,
    doctors_at: dict[str, int],
    start: dt.date,
    quarters: int = 8,
    doctor_occupations: frozenset[str] = frozenset({"2211", "2212"}),
    incoming_from: Array | None = None,
) -> pd.DataFrame:
    """One row per leaver: the quarter their term ends, the quarter they leave (a last doctor
    stays on until replaced: ``None`` when that is beyond the window), their replacement, and
    what happened ("replaced", "extended (last doctor), replaced in 2025-Q3", "extended (last
    doctor) beyond the window", "left, post vacant") and the day the replacement starts.
    ``incoming_from``: the day each incoming worker is available (default: their quarter's
    first day)."""
    rows: list[dict[str, object]] = []
    row_of: dict[str, int] = {}  # a leaver's row, updated while they are extended
    doctors = dict(doctors_at)
    pool = np.ones(incoming_ids.size, dtype=bool)
    carried: list[Term] = []
    first = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    for q in range(quarters):
        month = first.month - 1 + 3 * q
        q_start = dt.date(first.year + month // 12, month % 12 + 1, 1)
        label = quarter_of(q_start)
        leaving = carried + [t for t in terms if quarter_of(t.ends) == label]
        carried = []
        if not leaving:
            continue
        available = np.flatnonzero(pool & (incoming_quarter <= label))
        slots: dict[tuple[str, str], list[Term]] = {}
        for t in leaving:
            slots.setdefault((t.facility, t.occupation), []).append(t)
        keys = list(slots)
        placement = Placement(
            worker_ids=incoming_ids[available],
            worker_lat=incoming_lat[available],
            worker_lon=incoming_lon[available],
            worker_occupation=incoming_occupation[available],
            slot_facility=np.array([k[0] for k in keys]),
            slot_lat=np.array([slots[k][0].lat for k in keys]),
            slot_lon=np.array([slots[k][0].lon for k in keys]),
            slot_occupation=np.array([k[1] for k in keys]),
            slot_capacity=np.array([len(slots[k]) for k in keys]),
            slot_critical=np.array([len(slots[k]) for k in keys]),
            slot_weight=np.ones(len(keys)),
            slot_area=np.zeros(len(keys), dtype=int),
        )
        filled: dict[tuple[str, str], list[int]] = {}
        if available.size:
            result = allocate(placement, k=10, k_slot=10, team_rounds=0)
            for w, s in zip(result.worker.tolist(), result.slot.tolist(), strict=True):
                filled.setdefault(keys[s], []).append(int(available[w]))
        for key, group in slots.items():
            arrivals = filled.get(key, [])
            for i, t in enumerate(group):
                replacement = arrivals[i] if i < len(arrivals) else None
                last_doctor = t.occupation in doctor_occupations and doctors.get(t.facility, 0) <= 1
                extended = t.worker in row_of
                leaves: str | None = label
                starts: dt.date | None = None
                if replacement is not None:
                    arrives = q_start
                    if incoming_from is not None and incoming_from[replacement] is not None:
                        arrives = incoming_from[replacement]
                    starts = max(t.ends + dt.timedelta(days=1), arrives)
                    if extended:
                        starts = max(starts, q_start)
                    pool[replacement] = False
                    status = f"{EXTENDED}, replaced in {label}" if extended else "replaced"
                elif last_doctor:
                    carried.append(t)
                    status, leaves = EXTENDED_BEYOND, None
                else:
                    doctors[t.facility] = doctors.get(t.facility, 0) - (
                        t.occupation in doctor_occupations
                    )
                    status = "left, post vacant"
                row = {
                    "quarter": quarter_of(t.ends),
                    "worker": t.worker,
                    "post": t.post,
                    "facility": t.facility,
                    "occupation": t.occupation,
                    "term_ends": t.ends,
                    "leaves": leaves,
                    "replacement": None if replacement is None else str(incoming_ids[replacement]),
                    "starts": starts,
                    "status": status,
                }
                if extended:
                    rows[row_of[t.worker]] = row
                else:
                    row_of[t.worker] = len(rows)
                    rows.append(row)
    return pd.DataFrame(rows, columns=ROTATION_COLUMNS)
