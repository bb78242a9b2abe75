"""``/api/v1/access/waiting``: public waiting-time indicators of specialist access, by
specialty and state, aggregated and suppressed (never a patient or a referral)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
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


def latest_referral(engine: Engine) -> dt.date:
    """The day the published window ends: the latest referral (or today, with none)."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(ServiceRequest.requested_on))).scalar()
    return last or dt.date.today()


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


def waiting_rows(request: Request, engine: Engine, days: int) -> list[Waiting]:
    """The public waiting-time rows for the ``days`` up to the latest referral (cached per
    registry version and for at most BOOKINGS_TTL; the page and the API share them)."""

    def make() -> list[Waiting]:
        last = latest_referral(engine)
        table = access_indicators(engine, last - dt.timedelta(days=days), last)
        return public_waiting(table) if len(table) else []

    return cached(request, engine, f"waiting:{days}", make, ttl=BOOKINGS_TTL)


@router.get("/waiting", response_model=WaitingTable)
def waiting(
    request: Request,
    engine: EngineDep,
    days: Annotated[int, Query(ge=7, le=3660, description="Referrals of the last N days.")] = 365,
) -> WaitingTable:
    """Referrals of the ``days`` up to the latest one: waiting time from referral to
    appointment, share seen within target, no-show rate, share at the first level and slot
    utilisation, by specialty and state (suppressed).
    / Tiempos de espera por especialidad y estado."""
    rows = waiting_rows(request, engine, days)
    return WaitingTable(
        data=rows,
        count=len(rows),
        suppression=f"rows with fewer than {DEFAULT_THRESHOLD} referrals are suppressed",
    )
