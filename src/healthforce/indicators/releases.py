"""Releases: publishing a year's catalogue freezes it, so that what was published can be cited,
reproduced and revised openly, as national statistical offices do.

:func:`publish` computes the year's public (suppressed) catalogue at state and country level and
stores it as a release with the registry's latest change set, the suppression threshold, the
sources and vintages behind it and a SHA-256 checksum of its values. Publishing again when
nothing changed returns the same release (idempotent); when something did, a new release is
made and :func:`revisions` lists every published figure it revised ("2023 DENSITY VE-A all
revised from 4.1 to 4.3 in release 7"). :func:`read` gives a release's values back exactly as
published and :func:`verify` checks them against their checksum.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, Row, func, insert, select

from healthforce.disclosure import DEFAULT_THRESHOLD, Protected
from healthforce.errors import NotFoundError
from healthforce.indicators.outputs import cut, public_release
from healthforce.store.models import AreaPopulation, ChangeSet, Observation
from healthforce.store.models.release import Release, ReleaseValue
from healthforce.store.timeline import check_year

KEY = ["code", "level", "area", "grp", "category"]
VALUES = ["numerator", "denominator", "value", "suppressed"]


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did: the release, and whether it is new."""

    release_id: int
    year: int
    rows: int
    checksum: str
    new: bool
    previous: int | None
    protection: dict[str, object]  # how it was protected, what it cost (and its audit)


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    out = table[KEY + VALUES].copy()
    for column in ("numerator", "denominator", "value"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["suppressed"] = out["suppressed"].astype(bool)
    return out.sort_values(KEY, ignore_index=True)


def checksum(table: pd.DataFrame) -> str:
    """SHA-256 of a release's values in a canonical text form (sorted rows, floats to 12
    significant digits, empty for a suppressed or missing number)."""
    digest = hashlib.sha256()
    for row in _canonical(table).itertuples(index=False):
        cells = [
            ""
            if isinstance(v, float) and v != v
            else f"{v:.12g}"
            if isinstance(v, float)
            else str(v)
            for v in row
        ]
        digest.update(("\t".join(cells) + "\n").encode("utf-8"))
    return digest.hexdigest()


def _text(value: object) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.12g}"
    return str(value)


def _sources(conn: Connection, year: int) -> list[dict[str, object]]:
    """The sources and vintages behind a year's figures: its population, the public series."""
    population = conn.execute(
        select(AreaPopulation.source, func.count())
        .where(AreaPopulation.year == year)
        .group_by(AreaPopulation.source)
    ).all()
    series = conn.execute(
        select(Observation.source, func.max(Observation.vintage)).group_by(Observation.source)
    ).all()
    out: list[dict[str, object]] = [
        {"what": "population", "source": s or "registry", "rows": int(n)} for s, n in population
    ]
    out += [{"what": "public series", "source": s, "vintage": str(v)} for s, v in series]
    return out


_RELEASE = (Release.id, Release.year, Release.threshold, Release.rows, Release.checksum)


def latest(conn: Connection, year: int) -> Row[int, int, int, int, str] | None:
    """The latest release of a year (id, year, threshold, rows, checksum), if any."""
    return conn.execute(
        select(*_RELEASE).where(Release.year == year).order_by(Release.id.desc()).limit(1)
    ).first()


def _release(conn: Connection, release_id: int) -> Row[int, int, int, int, str]:
    row = conn.execute(select(*_RELEASE).where(Release.id == release_id)).first()
    if row is None:
        raise NotFoundError(f"release {release_id}: no such release / no existe")
    return row


def publish(
    engine: Engine,
    year: int,
    *,
    actor: str,
    threshold: int = DEFAULT_THRESHOLD,
    audited: bool = False,
) -> Published:
    """Freeze the year's public catalogue as a release (or return the latest release of the year
    when nothing published would change); ``audited``: run the attacker's audit of what is
    published and record it with the release's protection."""
    protected = public_release(engine, year, threshold)
    meta = protection(protected, audited=audited)
    table = protected.table
    frozen = _canonical(table)
    digest = checksum(frozen)
    with engine.begin() as conn:
        before = latest(conn, year)
        if before is not None and before.checksum == digest and before.threshold == threshold:
            return Published(before.id, year, before.rows, digest, False, None, meta)
        change_set = conn.execute(select(func.max(ChangeSet.id))).scalar()
        release_id = conn.execute(
            insert(Release)
            .values(
                year=year,
                published_at=dt.datetime.now(dt.UTC),
                actor=actor,
                change_set_id=change_set,
                threshold=threshold,
                sources=json.dumps(_sources(conn, year), ensure_ascii=False),
                rows=len(frozen),
                checksum=digest,
                protection=json.dumps(meta),
            )
            .returning(Release.id)
        ).scalar_one()
        records = frozen.astype(object).where(frozen.notna(), None).to_dict("records")
        for start in range(0, len(records), 5_000):
            conn.execute(
                insert(ReleaseValue),
                [
                    {"release_id": release_id, **{str(k): v for k, v in r.items()}}
                    for r in records[start : start + 5_000]
                ],
            )
    return Published(
        release_id, year, len(frozen), digest, True, None if before is None else before.id, meta
    )


def protection(protected: Protected, audited: bool = True) -> dict[str, object]:
    """What a release's protection was and what it cost, as its metadata records it: the
    method, the threshold, the counts of people and the rows withheld, and (``audited``) the
    attacker's audit of what is published (the protection itself ends on a safe audit)."""
    out: dict[str, object] = {
        "method": "secondary cell suppression over the linked release, LP-audited",
        "threshold": protected.threshold,
        "counts_of_people": protected.people,
        "counts_withheld": protected.people_withheld,
        "counts_withheld_share": round(protected.cell_loss, 4),
        "rows": protected.rows,
        "rows_withheld": protected.rows_withheld,
        "rows_withheld_share": round(protected.row_loss, 4),
    }
    if audited:
        result = protected.audit()
        out |= {"protected_counts": result.protected, "exposed": len(result.exposed)}
    return out


def read(engine: Engine, release_id: int) -> pd.DataFrame:
    """A release's values exactly as published."""
    with engine.connect() as conn:
        _release(conn, release_id)
        rows = conn.execute(
            select(*(ReleaseValue.__table__.c[c] for c in KEY + VALUES)).where(
                ReleaseValue.release_id == release_id
            )
        ).all()
    return _canonical(pd.DataFrame(rows, columns=KEY + VALUES))


def verify(engine: Engine, release_id: int) -> bool:
    """Whether the stored values still match the checksum they were published with."""
    with engine.connect() as conn:
        stored = str(_release(conn, release_id).checksum)
    return checksum(read(engine, release_id)) == stored


@dataclass(frozen=True)
class ReleaseRecord:
    """A release and what it was computed from."""

    id: int
    year: int
    published_at: dt.datetime
    actor: str
    change_set: int | None
    threshold: int
    rows: int
    checksum: str
    sources: list[dict[str, object]]


_RECORD = (
    Release.id,
    Release.year,
    Release.published_at,
    Release.actor,
    Release.change_set_id,
    Release.threshold,
    Release.rows,
    Release.checksum,
    Release.sources,
)


def _record(r: Row[int, int, dt.datetime, str, int | None, int, int, str, str]) -> ReleaseRecord:
    published_at = r[2] if r[2].tzinfo else r[2].replace(tzinfo=dt.UTC)  # stored in UTC
    return ReleaseRecord(r[0], r[1], published_at, r[3], r[4], r[5], r[6], r[7], json.loads(r[8]))


def releases(engine: Engine, year: int | None = None) -> list[ReleaseRecord]:
    """Every release (of ``year``, when given), newest first."""
    query = select(*_RECORD).order_by(Release.id.desc())
    if year is not None:
        query = query.where(Release.year == year)
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(query).all()]


def release_record(engine: Engine, release_id: int) -> ReleaseRecord:
    """One release and what it was computed from (NotFoundError names a missing one)."""
    with engine.connect() as conn:
        row = conn.execute(select(*_RECORD).where(Release.id == release_id)).first()
    if row is None:
        raise NotFoundError(f"release {release_id}: no such release / no existe")
    return _record(row)


def latest_release(engine: Engine, year: int) -> ReleaseRecord | None:
    """The latest release of a year, if it has one: what the public site serves for it."""
    found = releases(engine, year)
    return found[0] if found else None


def released(
    engine: Engine, release: ReleaseRecord, level: str, codes: list[str] | None = None
) -> pd.DataFrame:
    """A release's figures at an area level (of ``codes``, when given), exactly as published,
    with their ``year``: the columns of the public catalogue."""
    column = ReleaseValue.__table__.c
    query = select(*(column[c] for c in KEY + VALUES)).where(
        ReleaseValue.release_id == release.id, ReleaseValue.level == level
    )
    if codes:
        query = query.where(ReleaseValue.code.in_(codes))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    table = _canonical(pd.DataFrame(rows, columns=KEY + VALUES))
    table.insert(1, "year", release.year)
    return table


def revisions(engine: Engine, release_id: int) -> pd.DataFrame:
    """The figures a release revised against the previous release of its year: KEY, ``before``
    and ``after`` values (a figure new or gone in this release counts as revised too)."""
    with engine.connect() as conn:
        release = _release(conn, release_id)
        previous = conn.execute(
            select(func.max(Release.id)).where(
                Release.year == release.year, Release.id < release_id
            )
        ).scalar()
    columns = [*KEY, "before", "after"]
    if previous is None:
        return pd.DataFrame(columns=columns)
    now = read(engine, release_id).set_index(KEY)["value"]
    then = read(engine, previous).set_index(KEY)["value"]
    both = pd.concat([then.rename("before"), now.rename("after")], axis=1)
    same = (both["before"] == both["after"]) | (both["before"].isna() & both["after"].isna())
    return both[~same].reset_index()[columns]


def public_year(
    engine: Engine,
    year: int,
    level: str,
    codes: list[str] | None = None,
    *,
    latest: Callable[[], ReleaseRecord | None] | None = None,
    whole: Callable[[], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """What the public sees of a year at an area level: its latest release exactly as published,
    or, for a year not yet published, its whole release protected now (provisional), of which
    the rows asked for. The site and the reports read this, so that no two public outputs
    withhold differently; the site passes its cached lookups of the year's ``latest`` release
    and of the ``whole`` provisional release's table."""
    check_year(engine, year)
    release = latest() if latest is not None else latest_release(engine, year)
    if release is not None:
        return released(engine, release, level, codes)
    table = whole() if whole is not None else public_release(engine, year).table
    return cut(table, level, codes)
