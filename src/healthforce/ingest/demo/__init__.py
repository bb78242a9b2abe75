"""A synthetic, clearly labelled demo country on Venezuela's real boundaries and public figures.

``build_demo`` writes the whole country through the audited registry API in one change set, so
the demo is what any import would be: validated, all-or-nothing, traceable. Seeded: the same
seed and size give the same registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from healthforce.ingest.demo.calibration import calibrate
from healthforce.ingest.demo.geography import area_columns, load_states, population_columns
from healthforce.ingest.demo.learning import learning_columns
from healthforce.ingest.demo.network import FACILITY_TYPES, TEAM_NORMS, build_network
from healthforce.ingest.demo.people import ACTIVE_SHARE, HISTORY_YEARS, build_people, post_columns
from healthforce.ingest.demo.training import training_columns
from healthforce.ingest.reference import seed_reference
from healthforce.store.registry import Registry

if TYPE_CHECKING:
    from sqlalchemy import Engine

DEMO_LABEL = "DEMO (synthetic data / datos sintéticos)"


#: What every page, report, export and API response of a demo registry says.
SYNTHETIC_NOTICE = (
    "Datos de demostración: sintéticos, no describen el personal de salud de ningún país. / "
    "Demonstration data: synthetic, not any country's health workforce."
)


def is_demo(engine: Engine) -> bool:
    """Whether the registry was built by the demo generator (a change set of its says so; the
    demo builds only into an empty registry): such a registry may be replaced, and everything
    it shows says its data are synthetic."""
    from sqlalchemy import select

    from healthforce.store.models import ChangeSet

    with engine.connect() as conn:
        found = conn.execute(
            select(ChangeSet.id).where(ChangeSet.source.startswith(DEMO_LABEL)).limit(1)
        ).first()
    return found is not None


CHUNK = 100_000

#: progress(step description, rows done in this step, rows in this step)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    reference_date: dt.date
    counts: dict[str, int]


def _noop(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class DemoData:
    """The generated country, column-wise, in the order it must be written."""

    reference_date: dt.date
    steps: list[tuple[str, dict[str, list[object]]]]


def generate_demo(workers: int = 100_000, seed: int = 0) -> DemoData:
    """Generate the demo country in memory (no database)."""
    if workers < 100:
        raise ValueError("the demo needs at least 100 workers")
    rng = np.random.default_rng(seed)
    cal = calibrate()
    ref_date = dt.date(cal.latest_year + 1, 1, 1)
    ref_day = int(np.datetime64(ref_date, "D").astype(np.int64))
    states = load_states()
    net = build_network(states, round(workers * ACTIVE_SHARE), cal.doctor_share_of_core, rng)
    codes = [s.code for s in states]
    people = build_people(net, codes, workers, ref_day, cal.emigrant_doctor_destinations, rng)
    institutions, programmes, cohorts = training_columns(
        workers, cal.latest_year - 19, cal.latest_year, rng
    )
    levels = np.array([FACILITY_TYPES[net.types[t]][1] for t in net.type_idx])
    types = np.array(net.types)[net.type_idx]
    facilities: dict[str, list[object]] = {
        "code": list(net.code),
        "name": [
            f"{t.replace('_', ' ').title()} {c} (demo)"
            for t, c in zip(types.tolist(), net.code, strict=True)
        ],
        "type": types.tolist(),
        "level_of_care": levels.tolist(),
        "ownership": net.ownership.tolist(),
        "area": np.array(codes)[net.state_idx].tolist(),
        "latitude": net.lat.tolist(),
        "longitude": net.lon.tolist(),
        "network": [
            "Barrio Adentro" if lv == "1" else "Red hospitalaria" for lv in levels.tolist()
        ],
        "status": ["open"] * len(net),
        "opened_on": [None] * len(net),
        "closed_on": [None] * len(net),
    }
    norms: dict[str, list[object]] = {"facility_type": [], "occupation": [], "headcount": []}
    for ftype, norm in TEAM_NORMS.items():
        for occ, head in norm.items():
            norms["facility_type"].append(ftype)
            norms["occupation"].append(occ)
            norms["headcount"].append(head)
    steps: list[tuple[str, dict[str, list[object]]]] = [
        ("areas", area_columns(states)),
        ("population", population_columns(states, cal, cal.latest_year - HISTORY_YEARS)),
        ("facilities", facilities),
        ("team_norms", norms),
        ("posts", post_columns(net)),
        ("workers", people.workers),
        ("worker_specialties", people.specialties),
        ("assignments", people.assignments),
        ("movements", people.movements),
        ("training_institutions", institutions),
        ("training_programmes", programmes),
        ("training_cohorts", cohorts),
        *learning_columns(
            people.workers["external_id"],
            people.workers["occupation"],
            people.facility_type,
            people.active,
            ref_day,
            rng,
        ),
    ]
    return DemoData(ref_date, steps)


def build_demo(
    registry: Registry,
    *,
    workers: int = 100_000,
    seed: int = 0,
    progress: Progress = _noop,
    actor: str = "demo",
) -> DemoSummary:
    """Generate the demo country and write it into ``registry`` (which should be empty)."""
    data = generate_demo(workers, seed)
    counts: dict[str, int] = {}
    with registry.change(actor=actor, source=f"{DEMO_LABEL}, seed {seed}") as change:
        seed_reference(change)
        for entity, cols in data.steps:
            n = len(next(iter(cols.values())))
            for start in range(0, n, CHUNK):
                part = {k: v[start : start + CHUNK] for k, v in cols.items()}
                change.upsert(entity, part, insert_only=True)
                progress(entity, min(n, start + CHUNK), n)
            counts[entity] = n
    return DemoSummary(seed, data.reference_date, counts)
