"""``/api/v1/access/waiting``: public waiting-time indicators of specialist access, by
specialty and state, aggregated and suppressed (never a patient or a referral)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel
from sqlalchemy import Engine, func, select

from healthforce.access.indicators import access_indicators
from healthforce.disclosure import DEFAULT_THRESHOLD
from healthforce.store.models import ServiceRequest
from healthforce.web.cache import cached
from healthforce.web.deps import EngineDep

router = APIRouter(prefix="/api/v1/access", tags=["access"])
MEASURES = (
    "median_wait_days",
    "mean_wait_days",
    "seen_within_target_pct",
    "no_show_pct",
    "first_level_pct",
    "slot_utilisation_pct",
)


class Waiting(BaseModel):
    specialty: str
    state: str
    referrals: int | None
    median_wait_days: float | None
    mean_wait_days: float | None
    seen_within_target_pct: float | None
    no_show_pct: float | None
    first_level_pct: float | None
    slot_utilisation_pct: float | None
    suppressed: bool


class WaitingTable(BaseModel):
    data: list[Waiting]
    count: int
    suppression: str


def referral_years(engine: Engine) -> range:
    """The calendar years with referrals (empty with none)."""
    with engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(ServiceRequest.requested_on), func.max(ServiceRequest.requested_on))
        ).one()
    return range(0) if first is None else range(first.year, last.year + 1)


def public_waiting(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> list[Waiting]:
    """Rows with fewer than ``threshold`` referrals lose their count and every measure; no
    totals are published, so no suppressed cell can be derived."""
    out = []
    for record in table.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        hidden = int(row["referrals"]) < threshold

        def value(name: str, row: dict[str, Any] = row, hidden: bool = hidden) -> float | None:
            v = row.get(name)
            if hidden or v is None or (isinstance(v, float) and math.isnan(v)):
                return None
            return round(float(v), 2)

        out.append(
            Waiting(
                specialty=str(row["specialty"]),
                state=str(row["state"]),
                referrals=None if hidden else int(row["referrals"]),
                suppressed=hidden,
                **{m: value(m) for m in MEASURES},
            )
        )
    return out


#: Bookings open no change set: waiting-time figures are also recomputed after this long (s).
BOOKINGS_TTL = 60.0


def waiting_rows(request: Request, engine: Engine, year: int | None = None) -> list[Waiting]:
    """The public waiting-time rows of the referrals made in a calendar year (the latest with
    referrals by default), cached per registry version and for at most BOOKINGS_TTL; the page
    and the API share them. Only whole calendar years are published: their referrals are
    disjoint sets, so no two answers can be differenced into a smaller one (windows of any
    length, as before, let the last N days minus the last N - 1 isolate a single day's
    referrals and their waits). A year without referrals is refused with the years there are."""
    years = referral_years(engine)
    if year is None:
        if not years:
            return []
        year = years[-1]
    if year not in years:
        span = f"{years[0]}-{years[-1]}" if years else "none / ninguno"
        raise HTTPException(
            404,
            f"no referrals in {year}: years with referrals {span} / sin referencias en {year}",
        )
    chosen = year

    def make() -> list[Waiting]:
        table = access_indicators(engine, dt.date(chosen, 1, 1), dt.date(chosen, 12, 31))
        return public_waiting(table) if len(table) else []

    return cached(request, engine, f"waiting:{chosen}", make, ttl=BOOKINGS_TTL)


@router.get(
    "/waiting",
    response_model=WaitingTable,
    responses={404: {"description": "A year without referrals (the years there are named)."}},
)
def waiting(
    request: Request,
    engine: EngineDep,
    year: Annotated[
        int | None,
        Query(ge=1900, le=2200, description="Calendar year of referral (default: the latest)."),
    ] = None,
) -> WaitingTable:
    """Referrals made in a calendar year: waiting time from referral to appointment, share seen
    within target, no-show rate, share at the first level and slot utilisation, by specialty
    and state (suppressed). / Tiempos de espera por especialidad y estado, por año."""
    rows = waiting_rows(request, engine, year)
    return WaitingTable(
        data=rows,
        count=len(rows),
        suppression=(
            f"rows with fewer than {DEFAULT_THRESHOLD} referrals are suppressed; whole calendar "
            "years only, no totals / se suprimen filas con menos de "
            f"{DEFAULT_THRESHOLD} referencias; solo años calendario completos, sin totales"
        ),
    )
