"""The area hierarchy as analyses use it: every area mapped to its state-level ancestor; the
registry's country and the time zone its dates and times are shown in."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, select

from healthforce.store.models import Area


@dataclass(frozen=True)
class States:
    of: dict[int, str]  # area id -> code of its state-level ancestor (itself for a state)
    codes: list[str]  # the states, sorted
    urban_rural: dict[str, str]  # state code -> urban, rural or mixed, where known


def states(bind: Engine | Connection) -> States:
    """The states of the registry read through ``bind`` (an engine, or a connection whose
    transaction is open)."""
    query = select(Area.id, Area.code, Area.level, Area.parent_id, Area.urban_rural)
    if isinstance(bind, Connection):
        rows = bind.execute(query).all()
    else:
        with bind.connect() as conn:
            rows = conn.execute(query).all()
    by_id = {r[0]: r for r in rows}
    of: dict[int, str] = {}
    for area_id in by_id:
        node = by_id[area_id]
        while node[2] not in ("state", "country") and node[3] is not None:
            node = by_id[node[3]]
        if node[2] == "state":
            of[area_id] = node[1]
    urban = {r[1]: r[4] for r in rows if r[2] == "state" and r[4]}
    return States(of, sorted(set(of.values())), urban)


def registry_country(engine: Engine) -> str | None:
    """The ISO3 code of the registry's country (its root area), if it has one."""
    with engine.connect() as conn:
        code = conn.execute(select(Area.code).where(Area.level == "country")).scalars().first()
    return code


def place_zone(engine: Engine, setting: str | None = None) -> ZoneInfo:
    """The time zone the registry's times are shown in: ``setting`` (an IANA name, from
    ``HEALTHFORCE_TIMEZONE``) when given; else its country's zone when the country has one
    (CLDR's territory zones, through Babel); else, for a country spanning several zones and no
    setting, UTC (and the zone is named wherever a time is shown)."""
    if setting:
        return ZoneInfo(setting)
    from babel.core import get_global

    from healthforce.reference.countries import alpha2_to_alpha3

    country = registry_country(engine)
    alpha2 = {a3: a2 for a2, a3 in alpha2_to_alpha3().items()}.get(country or "")
    zones = get_global("territory_zones").get(alpha2 or "", [])
    return ZoneInfo(zones[0]) if len(zones) == 1 else ZoneInfo("UTC")


@dataclass(frozen=True)
class Zones:
    """Every area's IANA time zone, and the place's for anything without an area."""

    by_area: dict[int, str]
    default: str

    def of(self, area_id: int | None) -> str:
        return self.by_area.get(area_id, self.default) if area_id is not None else self.default


def area_zones(engine: Engine) -> Zones:
    """Every area's IANA time zone: its own, else its nearest ancestor's, else the place's
    (:func:`place_zone`, honouring ``HEALTHFORCE_TIMEZONE``). A country spanning several zones
    names them on its states (or lower); clinics, slots and bookings at a facility use the zone
    of the facility's area."""
    from healthforce.settings import get_settings

    with engine.connect() as conn:
        rows = conn.execute(select(Area.id, Area.parent_id, Area.timezone)).all()
    default = place_zone(engine, get_settings().timezone).key
    parent = {r[0]: r[1] for r in rows}
    own = {r[0]: r[2] for r in rows if r[2]}
    out: dict[int, str] = {}
    for area_id in parent:
        path: list[int] = []
        node: int | None = area_id
        while node is not None and node not in out and node not in own:
            path.append(node)
            node = parent.get(node)
        zone = out.get(node, own.get(node, default)) if node is not None else default
        for n in path:
            out[n] = zone
        if node is not None:
            out.setdefault(node, zone)
    return Zones(out, default)


@dataclass(frozen=True)
class Outlines:
    """The registry's most detailed level of areas with outlines: codes, names and shapes."""

    level: str
    codes: list[str]
    names: list[str]
    shapes: list[BaseGeometry]


def outlines(bind: Engine | Connection) -> Outlines | None:
    """The areas of the most detailed level that has outlines (None when no area has one)."""
    import json

    from shapely.geometry import shape

    from healthforce.reference.codes import AREA_LEVEL_DEPTH

    query = select(Area.level, Area.code, Area.name, Area.boundary).where(
        Area.boundary.is_not(None)
    )
    if isinstance(bind, Connection):
        rows = bind.execute(query).all()
    else:
        with bind.connect() as conn:
            rows = conn.execute(query).all()
    if not rows:
        return None
    deepest = max({r[0] for r in rows}, key=lambda lv: AREA_LEVEL_DEPTH.get(lv, -1))
    kept = sorted((r for r in rows if r[0] == deepest), key=lambda r: r[1])
    return Outlines(
        deepest,
        [r[1] for r in kept],
        [r[2] for r in kept],
        [shape(json.loads(str(r[3]))) for r in kept],
    )
