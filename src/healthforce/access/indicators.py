"""Specialist access indicators: waiting time from referral to appointment, share seen within
the target, no-show rate, share of specialist consultations delivered at the first level, and
slot utilisation; by specialty (and the state of the referring facility).

The median wait and the share seen within target count the patients still waiting (censored,
Kaplan–Meier: :mod:`healthforce.access.waiting`); the mean wait is the mean of the waits
that have ended (it cannot be estimated for the rest)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from healthforce.store.areas import states
from healthforce.store.models import Appointment, Facility, Schedule, ServiceRequest, Slot


def access_indicators(
    engine: Engine, first: dt.date, last: dt.date, as_of: dt.datetime | None = None
) -> pd.DataFrame:
    """One row per specialty x state of the referring facility, for referrals made between two
    dates, as of a moment (default :func:`~healthforce.access.waiting.access_as_of`: now, or
    the end of the access data when they end earlier): referrals, appointments, median waiting
    days and % seen within the priority's target (everyone counted), mean wait of those seen,
    no-show %, % of consultations at the first level, slot utilisation %."""
    from healthforce.access.waiting import TARGET_DAYS, access_as_of, kaplan_meier
    from healthforce.access.waiting import waits as referral_waits

    as_of = as_of or access_as_of(engine)
    frame_waits = referral_waits(engine, first, last, as_of)
    estimated: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    if len(frame_waits):
        keys = ["specialty", "state"]
        medians = kaplan_meier(frame_waits, keys).set_index(keys)["median_wait_days"]
        by_priority = kaplan_meier(frame_waits, [*keys, "priority"], TARGET_DAYS)
        weighted = by_priority.assign(w=by_priority["referrals"] * by_priority["within_target"])
        share = weighted.groupby(keys)["w"].sum() / weighted.groupby(keys)["referrals"].sum()
        shares = share.to_dict()
        for key, median in medians.to_dict().items():
            pair = cast(tuple[str, str], key)
            estimated[(str(pair[0]), str(pair[1]))] = (
                None if pd.isna(median) else float(median),
                float(shares[key] * 100),
            )
    referring, clinic = aliased(Facility), aliased(Facility)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ServiceRequest.id,
                ServiceRequest.specialty_code,
                ServiceRequest.priority,
                ServiceRequest.requested_on,
                referring.area_id,
                Appointment.status,
                Slot.start,
                clinic.level_of_care,
            )
            .join(referring, referring.id == ServiceRequest.referring_facility_id)
            .outerjoin(Appointment, Appointment.request_id == ServiceRequest.id)
            .outerjoin(Slot, Slot.id == Appointment.slot_id)
            .outerjoin(Schedule, Schedule.id == Slot.schedule_id)
            .outerjoin(clinic, clinic.id == Schedule.facility_id)
            .where(ServiceRequest.requested_on >= first, ServiceRequest.requested_on <= last)
        ).all()
        slots = conn.execute(
            select(Schedule.specialty_code, Slot.id, Slot.start).join(
                Schedule, Schedule.id == Slot.schedule_id
            )
        ).all()
        used = {
            r[0]
            for r in conn.execute(
                select(Appointment.slot_id).where(
                    Appointment.status.in_(["booked", "confirmed", "attended", "no_show"])
                )
            )
        }
    state_of = states(engine).of
    frame = pd.DataFrame(
        rows,
        columns=[
            "request",
            "specialty",
            "priority",
            "requested_on",
            "area_id",
            "status",
            "start",
            "level",
        ],
    )
    frame["state"] = frame["area_id"].map(state_of).fillna("?")
    out = []
    for (specialty, state), g in frame.groupby(["specialty", "state"]):
        seen = g[g["status"].isin(["booked", "confirmed", "attended", "no_show"])]
        waits = pd.Series(
            [
                (pd.Timestamp(s).date() - r).days
                for s, r in zip(seen["start"], seen["requested_on"], strict=True)
            ],
            dtype=float,
        )
        median, within = estimated.get((str(specialty), str(state)), (None, None))
        attended = g[g["status"].isin(["attended", "no_show"])]
        out.append(
            {
                "specialty": specialty,
                "state": state,
                "referrals": int(g["request"].nunique()),
                "appointments": len(seen),
                "median_wait_days": median,
                "mean_wait_days": float(waits.mean()) if len(waits) else None,
                "seen_within_target_pct": within,
                "no_show_pct": float((attended["status"] == "no_show").mean() * 100)
                if len(attended)
                else None,
                "first_level_pct": float((seen["level"] == "1").mean() * 100)
                if len(seen)
                else None,
            }
        )
    table = pd.DataFrame(out)
    util = pd.DataFrame(slots, columns=["specialty", "slot", "start"])
    if len(util):
        util = util[
            (util["start"].map(lambda s: pd.Timestamp(s).date()) >= first)
            & (util["start"].map(lambda s: pd.Timestamp(s).date()) <= last)
        ]
        rate = (
            util.groupby("specialty")["slot"]
            .apply(lambda s: float(s.isin(used).mean() * 100))
            .rename("slot_utilisation_pct")
        )
        table = (
            table.merge(rate, left_on="specialty", right_index=True, how="left")
            if len(table)
            else table
        )
    return table
