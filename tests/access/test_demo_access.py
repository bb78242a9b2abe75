"""The demo country's specialist access: clinics, slots, referrals and appointments that keep
every rule (never two live appointments in a slot, appointments after their referral)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from healthforce.access.demo import seed_access
from healthforce.access.indicators import access_indicators
from healthforce.ingest.demo import build_demo
from healthforce.store.models import Appointment, ServiceRequest, Slot
from healthforce.store.models.access import LIVE
from healthforce.store.registry import Registry


def test_demo_access(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from healthforce.cli import app
    from healthforce.settings import get_settings
    from healthforce.store import upgrade

    upgrade(sqlite_engine)
    summary = build_demo(Registry(sqlite_engine), workers=3_000, seed=4)
    made = seed_access(Registry(sqlite_engine), summary.reference_date, specialists=8, seed=4)
    assert made.clinics > 0 and made.slots > 0 and made.referrals > made.appointments > 0
    with sqlite_engine.connect() as conn:
        doubles = conn.execute(
            select(Appointment.slot_id)
            .where(Appointment.status.in_(LIVE))
            .group_by(Appointment.slot_id)
            .having(func.count() > 1)
        ).all()
        early = conn.execute(
            select(func.count())
            .select_from(Appointment)
            .join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
            .join(Slot, Slot.id == Appointment.slot_id)
            .where(func.date(Slot.start) <= ServiceRequest.requested_on)
        ).scalar()
    assert doubles == [] and early == 0
    table = access_indicators(
        sqlite_engine,
        summary.reference_date.replace(year=summary.reference_date.year - 1),
        summary.reference_date,
    )
    assert len(table) and (table["median_wait_days"] >= 1).all()
    # Booking from the command line acts at the registry's reference date, not the machine's
    # today (it used to find no slot on the demo, whose data end years ago).
    with sqlite_engine.connect() as conn:
        waiting = (
            conn.execute(
                select(ServiceRequest.external_id).where(ServiceRequest.status == "waiting")
            )
            .scalars()
            .first()
        )
    assert waiting is not None
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", sqlite_engine.url.render_as_string())
    get_settings.cache_clear()
    booked = CliRunner().invoke(app, ["access", "book", waiting, "--max-km", "2000"])
    get_settings.cache_clear()
    assert booked.exit_code == 0 and "appointment / cita" in booked.output, booked.output
    assert "America/Caracas" in booked.output


def test_demo_appointments_have_their_history(sqlite_engine: Engine) -> None:
    from healthforce.access.appointments import history
    from healthforce.store import upgrade

    upgrade(sqlite_engine)
    summary = build_demo(Registry(sqlite_engine), workers=2_000, seed=9)
    seed_access(Registry(sqlite_engine), summary.reference_date, specialists=5, seed=9)
    with sqlite_engine.connect() as conn:
        appointments = conn.execute(select(Appointment.id, Appointment.status)).all()
    assert appointments
    for aid, status in appointments[:200]:
        assert history(sqlite_engine, aid)[-1]["to"] == status
