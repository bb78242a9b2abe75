"""Applying a placement plan as one checked, reversible change (``healthforce deploy apply``).

A plan is checked against the registry before anything is written, and every conflict is listed
(file, row, column, reason): an unknown worker or post, a worker or a post twice in the plan, a
worker put into a post of another occupation, a worker not in the workforce on the start date,
a post held on that date by someone the plan does not move, a worker with an assignment starting
on or after it. A plan records the change set it was computed at (``deploy plan`` writes it); a
registry changed since refuses the plan unless it is re-validated (``--revalidate``: the same
checks against the registry as it stands). On any conflict nothing is written.

Applied, it is one change set (``healthforce revert`` undoes it): the moved workers' running
assignments end the day before the start, the new ones begin on it, a move between states is
recorded as a transfer movement, and a worker already in their planned post is left as they are.
Applying the same plan again changes nothing and says when it was applied.

A **rotation plan** (``deploy rotation --output``) is applied the same way, a quarter at a time
(``--quarter 2025-Q3``: the leavers who leave in it): each replacement starts in the leaver's
post on the row's own start date (the day after the term ends, or when a later replacement
arrives), with the same checks on that date, and a last doctor who stayed on past their term
has their assignment extended to the day before their replacement starts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from healthforce.errors import FileFormatError, Problem, ValidationError
from healthforce.reference.occupations import occupations
from healthforce.store.areas import states
from healthforce.store.models import Assignment, ChangeSet, Facility, Post, Worker
from healthforce.store.registry import Change, Registry
from healthforce.store.timeline import workforce_on

#: The plan file's column with the change set the plan was computed at.
COMPUTED_AT = "change_set"


@dataclass(frozen=True)
class Applied:
    """What applying a plan did (or, on a dry run, would do)."""

    change_set: int | None  # the change set written (None: nothing written)
    inserted: int  # assignments begun on the start date
    ended: int  # running assignments ended the day before
    unchanged: int  # workers already in their planned post
    transfers: int  # moves between states, recorded as movements
    applied_before: int | None  # the change set that applied this very plan already


def latest_change_set(engine: Engine) -> int:
    """The registry's latest change set (what a plan computed now is computed at)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(ChangeSet.id))).scalar() or 0)


#: The columns that make a plan file a rotation plan (its rows start on their own dates).
ROTATION = {"replacement", "starts", "leaves", "status"}


def read_plan(path: Path, quarter: str | None = None) -> pd.DataFrame:
    """A plan file's rows that place a worker (rows without a post leave them unplaced). A
    rotation plan's rows become placements of the replacements (``worker``) in the leavers'
    posts from the row's ``starts``, with ``extends`` the leaver who stayed on; only those who
    leave in ``quarter`` when given."""
    try:
        plan = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FileFormatError(str(path), f"not a plan file / no es un plan: {exc}") from None
    missing = {"worker", "post"} - set(plan.columns)
    if missing:
        raise FileFormatError(
            str(path), f"plan file lacks columns / faltan columnas {sorted(missing)}"
        )
    plan["row"] = range(2, len(plan) + 2)  # as a spreadsheet numbers them, under the header
    if set(plan.columns) >= ROTATION:
        if quarter is not None:
            plan = plan[plan["leaves"] == quarter]
        plan = plan[plan["replacement"].str.strip() != ""]
        extended = plan["status"].str.startswith("extended")
        plan = plan.assign(extends=plan["worker"].where(extended, ""), worker=plan["replacement"])
    elif quarter is not None:
        raise FileFormatError(
            str(path),
            "--quarter is for rotation plans (deploy rotation --output) / solo para "
            "planes de rotación",
        )
    return plan[plan["post"].str.strip() != ""].reset_index(drop=True)


def is_rotation(plan: pd.DataFrame) -> bool:
    return "starts" in plan.columns


def _source(path: Path, digest: str) -> str:
    return f"deploy apply {path.name} sha256:{digest}"


def _occupation_name(code: str) -> str:
    found = occupations().get(code)
    return f"{found.name_es} / {found.name_en} ({code})" if found else code


def _computed_at(plan: pd.DataFrame, path: Path) -> int | None:
    if COMPUTED_AT not in plan.columns or not len(plan):
        return None
    values = set(plan[COMPUTED_AT])
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise FileFormatError(
            str(path),
            f"column {COMPUTED_AT!r} must hold one change set number / un solo número",
        )
    return int(next(iter(values)))


def conflicts(conn: Connection, plan: pd.DataFrame, start: dt.date, path: Path) -> list[Problem]:
    """Every reason the plan cannot be applied on ``start`` to the registry as it stands."""
    out: list[Problem] = []

    def problem(i: int, field: str, value: object, reason: str) -> None:
        row = int(plan["row"].iloc[i])
        record = str(plan["worker"].iloc[i])
        out.append(Problem("plan", record, field, value, reason, row=row, source=str(path)))

    workers = {
        r.external_id: r
        for r in conn.execute(
            select(Worker.id, Worker.external_id, Worker.occupation_code).where(
                Worker.external_id.in_(set(plan["worker"]))
            )
        )
    }
    posts = {
        r.external_id: r
        for r in conn.execute(
            select(Post.id, Post.external_id, Post.occupation_code).where(
                Post.external_id.in_(set(plan["post"]))
            )
        )
    }
    present = set(
        conn.execute(select(workforce_on(conn.dialect.name, start).c.worker_id)).scalars()
    )
    ids = [w.id for w in workers.values()]
    running = conn.execute(  # assignments running on the start date, on the plan's posts
        select(Assignment.post_id, Assignment.worker_id, Worker.external_id, Assignment.start_date)
        .join(Worker, Worker.id == Assignment.worker_id)
        .where(
            Assignment.post_id.in_([p.id for p in posts.values()]),
            Assignment.start_date <= start,
            (Assignment.end_date.is_(None)) | (Assignment.end_date >= start),
        )
    ).all()
    holders: dict[int, list[tuple[int, str, dt.date]]] = {}
    for post_id, worker_id, external, since in running:
        holders.setdefault(post_id, []).append((worker_id, external, since))
    later = dict(
        conn.execute(
            select(Assignment.worker_id, func.min(Assignment.start_date))
            .where(Assignment.worker_id.in_(ids), Assignment.start_date >= start)
            .group_by(Assignment.worker_id)
        ).all()
    )
    moved = set(plan["worker"])
    first_worker: dict[str, int] = {}
    first_post: dict[str, int] = {}
    for i, (worker, post) in enumerate(zip(plan["worker"], plan["post"], strict=True)):
        row = int(plan["row"].iloc[i])
        w, p = workers.get(worker), posts.get(post)
        if worker in first_worker:
            problem(i, "worker", worker, f"placed twice (also row {first_worker[worker]})")
        first_worker.setdefault(worker, row)
        if post in first_post:
            problem(i, "post", post, f"two workers into one post (also row {first_post[post]})")
        first_post.setdefault(post, row)
        if w is None:
            problem(i, "worker", worker, "no such worker / no existe el trabajador")
        if p is None:
            problem(i, "post", post, "no such post / no existe el cargo")
        if w is None or p is None:
            continue
        if w.occupation_code != p.occupation_code:
            problem(
                i,
                "post",
                post,
                f"a post for {_occupation_name(p.occupation_code)}, not for the worker's "
                f"occupation, {_occupation_name(w.occupation_code)} / ocupación distinta",
            )
        if w.id not in present:
            problem(
                i,
                "worker",
                worker,
                f"not in the workforce on {start.isoformat()} (left, or not yet joined) / no "
                "está en la fuerza de trabajo en esa fecha",
            )
        others = [h for h in holders.get(p.id, []) if h[0] != w.id and h[1] not in moved]
        for _wid, holder, since in others:
            problem(
                i,
                "post",
                post,
                f"held on {start.isoformat()} by worker {holder} (since {since.isoformat()}), "
                "whom the plan does not move / ocupado",
            )
        if w.id in later:
            problem(
                i,
                "worker",
                worker,
                f"already has an assignment from {later[w.id].isoformat()}, on or after the "
                "start / ya tiene una asignación desde esa fecha",
            )
    return out


def apply_plan(
    registry: Registry,
    path: Path,
    *,
    start: dt.date | None,
    actor: str,
    revalidate: bool = False,
    dry_run: bool = False,
    contract_type: str | None = None,
    term_months: int | None = None,
    quarter: str | None = None,
) -> Applied:
    """Check the plan and write it as one change set (see the module's text). The new
    assignments get ``contract_type`` (the registry's default, permanent, when None) and, with
    ``term_months``, a fixed term: they end the day before the term's anniversary (24 months
    from 1 March 2025: 28 February 2027), which rotation plans then read. A rotation plan's rows
    start on their own dates (``start`` is then not used); ``quarter`` picks its leavers."""
    plan = read_plan(path, quarter)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    source = _source(path, digest) + (f" {quarter}" if quarter else "")
    computed_at = _computed_at(plan, path)
    groups = _by_start(plan, start, path)
    with registry.engine.connect() as conn:
        before = conn.execute(select(ChangeSet.id).where(ChangeSet.source == source)).scalar()
        if before is not None:  # the same plan file, applied already: nothing to do
            return Applied(None, 0, 0, 0, 0, before)
        latest = conn.execute(select(func.max(ChangeSet.id))).scalar() or 0
    if computed_at is not None and latest > computed_at and not revalidate:
        raise ValidationError(
            [
                Problem(
                    "plan",
                    path.name,
                    COMPUTED_AT,
                    computed_at,
                    f"computed at change set {computed_at}; the registry has changed since (now "
                    f"{latest}): plan again, or apply with --revalidate to check it against the "
                    "registry as it stands / el registro cambió desde el plan",
                    source=str(path),
                )
            ]
        )
    with registry.change(actor=actor, source=source, dry_run=dry_run) as change:
        found = [p for day, rows in groups for p in conflicts(change.conn, rows, day, path)]
        if found:
            raise ValidationError(found)
        done = [
            _write(change, rows, day, digest, dry_run, contract_type, term_months)
            for day, rows in groups
        ]
    return Applied(
        None if dry_run or not done else change.change_set_id,
        inserted=sum(d.inserted for d in done),
        ended=sum(d.ended for d in done),
        unchanged=sum(d.unchanged for d in done),
        transfers=sum(d.transfers for d in done),
        applied_before=None,
    )


def _by_start(
    plan: pd.DataFrame, start: dt.date | None, path: Path
) -> list[tuple[dt.date, pd.DataFrame]]:
    """The plan's rows by the day they start: ``start`` for a placement plan, each row's own
    ``starts`` for a rotation plan (a date that is not one is refused, located)."""
    if not is_rotation(plan):
        if start is None:
            raise FileFormatError(str(path), "--start is needed / falta --start")
        return [(start, plan)] if len(plan) else []
    days: list[dt.date] = []
    bad: list[Problem] = []
    for i, text in enumerate(plan["starts"]):
        try:
            days.append(dt.date.fromisoformat(str(text)))
        except ValueError:
            row, worker = int(plan["row"].iloc[i]), str(plan["worker"].iloc[i])
            reason = "not a date (YYYY-MM-DD) / no es una fecha"
            bad.append(Problem("plan", worker, "starts", text, reason, row=row, source=str(path)))
    if bad:
        raise ValidationError(bad)
    return [
        (day, plan[[d == day for d in days]].reset_index(drop=True)) for day in sorted(set(days))
    ]


def _extend(change: Change, rows: pd.DataFrame, start: dt.date) -> None:
    """Each leaver's assignment in the post they stayed on in ends the day before ``start``."""
    if not len(rows):
        return
    ended = change.conn.execute(
        select(Assignment.external_id, Worker.external_id, Post.external_id, Assignment.end_date)
        .join(Worker, Worker.id == Assignment.worker_id)
        .join(Post, Post.id == Assignment.post_id)
        .where(
            Worker.external_id.in_(set(rows["extends"])),
            Assignment.end_date.is_not(None),
            Assignment.end_date < start,
        )
    ).all()
    latest: dict[tuple[str, str], tuple[dt.date, str]] = {}
    for assignment, worker, post, end in ended:
        key = (worker, post)
        if end is not None and (key not in latest or end > latest[key][0]):
            latest[key] = (end, assignment)
    for leaver, post in zip(rows["extends"], rows["post"], strict=True):
        found = latest.get((leaver, post))
        if found is not None:
            change.update("assignments", found[1], {"end_date": start - dt.timedelta(days=1)})


def term_for(asked: int | None, limit: object) -> int | None:
    """The term of a new assignment: the one asked for, at most a hardship post's limit (a
    plan's ``max_term_months``), which is the term when none is asked for."""
    text = str(limit).strip() if limit is not None else ""
    if not text or text.lower() in ("nan", "<na>"):
        return asked
    cap = int(float(text))
    return cap if asked is None else min(asked, cap)


def term_end(start: dt.date, months: int) -> dt.date:
    """The last day of a term of ``months`` starting on ``start`` (the day before the same day
    ``months`` later; the month's last day when that month is shorter)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last)) - dt.timedelta(days=1)


def _write(
    change: Change,
    plan: pd.DataFrame,
    start: dt.date,
    digest: str,
    dry_run: bool,
    contract_type: str | None,
    term_months: int | None,
) -> Applied:
    conn: Connection = change.conn
    area_of = states(conn).of
    facility_state = {
        post: area_of.get(area)
        for post, area in conn.execute(
            select(Post.external_id, Facility.area_id)
            .join(Facility, Facility.id == Post.facility_id)
            .where(Post.external_id.in_(set(plan["post"])))
        )
    }
    current = conn.execute(
        select(
            Assignment.external_id,
            Worker.external_id,
            Post.external_id,
            Facility.area_id,
        )
        .join(Worker, Worker.id == Assignment.worker_id)
        .join(Post, Post.id == Assignment.post_id)
        .join(Facility, Facility.id == Post.facility_id)
        .where(
            Worker.external_id.in_(set(plan["worker"])),
            Assignment.start_date < start,
            (Assignment.end_date.is_(None)) | (Assignment.end_date >= start),
        )
    ).all()
    target = dict(zip(plan["worker"], plan["post"], strict=True))
    staying = {w for _a, w, post, _area in current if target.get(w) == post}
    ended = 0
    transfers: list[tuple[str, str, str]] = []  # worker, from state, to state
    for assignment, worker, _post, area in current:
        if worker in staying:
            continue
        change.update("assignments", assignment, {"end_date": start - dt.timedelta(days=1)})
        ended += 1
        origin, destination = area_of.get(area), facility_state.get(target[worker])
        if origin and destination and origin != destination:
            transfers.append((worker, origin, destination))
    if "extends" in plan.columns:  # a last doctor who stayed on: until the replacement starts
        _extend(change, plan[plan["extends"] != ""], start)
    moving = plan[~plan["worker"].isin(staying)]
    n = len(moving)
    terms = [term_for(term_months, limit) for limit in moving.get("max_term_months", [""] * n)]
    result = change.upsert(
        "assignments",
        {
            "external_id": [f"DEP-{digest}-{int(r):06d}" for r in moving["row"]],
            "worker": moving["worker"].tolist(),
            "post": moving["post"].tolist(),
            "start_date": [start] * n,
            "end_date": [None if t is None else term_end(start, t) for t in terms],
            "contract_type": [contract_type] * n,
            "term_months": terms,
        },
        insert_only=True,
    )
    if transfers:
        change.upsert(
            "movements",
            {
                "external_id": [f"DEP-{digest}-T{i:06d}" for i in range(len(transfers))],
                "worker": [t[0] for t in transfers],
                "kind": ["transfer"] * len(transfers),
                "date": [start] * len(transfers),
                "origin_area": [t[1] for t in transfers],
                "destination_area": [t[2] for t in transfers],
                "reason": ["reassignment"] * len(transfers),
            },
            insert_only=True,
        )
    return Applied(
        None if dry_run else change.change_set_id,
        result.inserted,
        ended,
        len(staying),
        len(transfers),
        None,
    )
