"""The catalogue's inputs row by row, each optionally restricted to what a change touched.

- :func:`healthforce.indicators.snapshot.workforce`: one row per active worker on the date with
  every dimension the catalogue counts by (the state as ``area``);
- :func:`movement_facts`: one row per entry, return, exit or emigration of the year;
- :func:`posts_by_facility`: per facility (and its state) and occupation, posts funded, funded
  and vacant, and the staff holding them on the date;
- :func:`team_gaps`: per open facility with a team norm and per occupation, the norm, the staff
  and the headcount missing.

``only`` is an Ibis table with a ``worker_id`` column, ``facilities`` one with ``facility_id``:
the rows for those workers or facilities alone (what the store's summaries recompute after a
change, :mod:`healthforce.indicators.summary`). On Spark the catalogue counts these per run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis

from healthforce.indicators.backends import Tables
from healthforce.indicators.snapshot import open_assignments
from healthforce.store.timeline import INTO, OUT_OF

#: The columns of :func:`movement_facts` the catalogue counts by.
MOVEMENT_DIMENSIONS = ("kind", "reason", "area", "grp", "foreign")
#: The kinds of movement the flow indicators count: into the workforce, and out of it.
FLOW_KINDS = (*INTO, *OUT_OF)


def in_state(src: Tables, t: Any, area_id: Any) -> Any:
    """``t`` with the column ``area``: the state of ``area_id`` (null outside any state)."""
    states = src.lookup_states()
    j = t.left_join(states, area_id == states.area_id)
    return j.mutate(area=j.state)


def movement_facts(src: Tables, year: int, home: str, only: Any = None) -> Any:
    """The year's entries, exits and emigrations: ``movement_id``, ``worker_id``, the kind,
    reason, state, occupation group, and whether the worker was trained abroad."""
    m = src.table("movement")
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    m = m.filter(m.kind.isin(list(FLOW_KINDS)) & (m.date >= first) & (m.date <= last))
    if only is not None:
        m = m.filter(m.worker_id.isin(only.worker_id))
    w = src.table("worker")
    groups = src.lookup_groups()
    people = w.select(
        wid=w.id, occupation_code=w.occupation_code, training_country=w.training_country
    )
    j = m.join(people, m.worker_id == people.wid)
    j = j.left_join(groups, j.occupation_code == groups.occupation_code)
    j = in_state(src, j, ibis.coalesce(j.destination_area_id, j.origin_area_id))
    foreign = j.training_country.notnull() & (j.training_country != home)
    return j.select(
        movement_id=j.id,
        worker_id=j.worker_id,
        kind=j.kind,
        reason=j.reason,
        area=j.area,
        grp=j.grp,
        foreign=foreign,
    )


def posts_by_facility(src: Tables, on: dt.date, facilities: Any = None) -> Any:
    """Posts per facility and occupation: how many are funded, funded and without a holder on
    the date, and how many assignments run on them on the date (staff)."""
    p = src.table("post")
    occupied = open_assignments(src, on)
    if facilities is not None:
        p = p.filter(p.facility_id.isin(facilities.facility_id))
        occupied = occupied.filter(occupied.post_id.isin(p.id))
    occupied = occupied.group_by(occ_post=occupied.post_id).aggregate(holders=occupied.count())
    j = p.left_join(occupied, p.id == occupied.occ_post)
    per_cell = j.group_by(facility_id=j.facility_id, occupation_code=j.occupation_code).aggregate(
        funded=ibis.ifelse(j.funded, 1, 0).sum(),
        vacant=ibis.ifelse(j.funded & j.holders.isnull(), 1, 0).sum(),
        staff=j.holders.fill_null(0).sum(),
    )
    f = src.table("facility")
    places = f.select(fid=f.id, fac_area=f.area_id)
    k = per_cell.join(places, per_cell.facility_id == places.fid)
    k = in_state(src, k, k.fac_area)
    return k.select("facility_id", "occupation_code", "area", "funded", "vacant", "staff")


def team_gaps(src: Tables, posts: Any, facilities: Any = None) -> Any:
    """Per open facility with a team norm and per occupation: its state (``area``), the norm's
    headcount, the staff on the date (from ``posts``, :func:`posts_by_facility`) and the
    headcount missing."""
    f = src.table("facility")
    n = src.table("team_norm")
    if facilities is not None:
        f = f.filter(f.id.isin(facilities.facility_id))
    staff = posts.select(sf=posts.facility_id, so=posts.occupation_code, staff=posts.staff)
    need = f.filter(f.status == "open").join(n, f.type == n.facility_type)
    need = need.select(
        fid=need.id, fac_area=need.area_id, occ=need.occupation_code, norm=need.headcount
    )
    j = need.left_join(staff, [need.fid == staff.sf, need.occ == staff.so])
    j = in_state(src, j, j.fac_area)
    return j.select(
        facility_id=j.fid,
        occupation_code=j.occ,
        area=j.area,
        norm=j.norm,
        staff=j.staff.fill_null(0),
        missing=ibis.greatest(j.norm - j.staff.fill_null(0), 0),
    )
