"""A referral from intake to outcome: created through the registry's checks, booked once (the
database holds one live appointment per referral, even under a race), withdrawn, closed and
answered by its counter-referral; idempotency keys bound to their request; clinics in the zone
of their place, overlaps compared as real instants; outreach applied twice writes once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from healthforce.access.appointments import set_status
from healthforce.access.booking import BookingRefused, KeyReused, SlotTaken, book, book_slot
from healthforce.access.referrals import counter_refer, refer, referral_views, withdraw
from healthforce.errors import ValidationError
from healthforce.store.models import Appointment, AuditEntry, ChangeSet, ServiceRequest
from healthforce.store.registry import Registry
from tests.access.test_booking import NOW, _setup

UTC = dt.UTC


def _refer(engine: Engine, ext: str, **over: object) -> None:
    record: dict[str, object] = {
        "external_id": ext,
        "referring_facility": "F1",
        "patient_ref": f"P-{ext}",
        "specialty": "cardiology",
        "priority": "routine",
        "requested_on": dt.date(2025, 1, 6),
    }
    record.update(over)
    refer(Registry(engine), record, actor="clerk")


def _status(engine: Engine, ext: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(ServiceRequest.status).where(ServiceRequest.external_id == ext)
            ).scalar_one()
        )


def _live(engine: Engine, ext: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(Appointment)
                .join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
                .where(
                    ServiceRequest.external_id == ext,
                    Appointment.status.in_(("booked", "confirmed", "attended", "no_show")),
                )
            ).scalar_one()
        )


def test_a_referral_is_created_with_located_checks(db: Engine) -> None:
    _setup(db, days=6)
    _refer(db, "R1", priority="Urgente")  # a label in Spanish is read as its code
    with db.connect() as conn:
        row = conn.execute(
            select(ServiceRequest.priority, ServiceRequest.status).where(
                ServiceRequest.external_id == "R1"
            )
        ).one()
    assert tuple(row) == ("urgent", "open")
    with pytest.raises(ValidationError) as caught:
        _refer(db, "R2", referring_facility="NOPE", status="booked")
    fields = {p.field for p in caught.value.problems}
    assert {"referring_facility", "status"} <= fields
    with pytest.raises(ValidationError):
        _refer(db, "R1")  # an identifier already used
    with pytest.raises(ValidationError):
        _refer(db, "=HYPERLINK(x)")
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ServiceRequest)).scalar() == 1
        by = conn.execute(  # an insert is audited by the change set stamped on the row
            select(ChangeSet.actor)
            .join(ServiceRequest, ServiceRequest.created_in == ChangeSet.id)
            .where(ServiceRequest.external_id == "R1")
        ).scalar()
    assert by == "clerk"


def test_an_idempotency_key_is_bound_to_its_request(db: Engine) -> None:
    slots = _setup(db, days=6)
    _refer(db, "A")
    _refer(db, "B")
    first = book_slot(db, "A", slots[0], now=NOW, idempotency_key="k-1")
    assert book_slot(db, "A", slots[0], now=NOW, idempotency_key="k-1").replayed
    with pytest.raises(KeyReused):
        book_slot(db, "B", slots[1], now=NOW, idempotency_key="k-1")
    assert _status(db, "B") == "open"  # the second referral was not told it was booked
    # Booking "the earliest slot" twice with one key replays, even though its slot is now taken.
    earliest = book(db, "B", now=NOW, idempotency_key="k-2")
    assert earliest is not None
    again = book(db, "B", now=NOW, idempotency_key="k-2")
    assert again is not None and again.replayed and again.slot_id == earliest.slot_id
    with pytest.raises(KeyReused):
        book(db, "A", now=NOW, idempotency_key="k-2")
    assert first.appointment_id != earliest.appointment_id


def test_the_database_holds_one_live_appointment_per_referral(db: Engine) -> None:
    slots = _setup(db, slots_per_day=10, days=14)
    _refer(db, "ONE")
    book_slot(db, "ONE", slots[0], now=NOW)
    with db.begin() as conn:
        request = conn.execute(
            select(ServiceRequest.id).where(ServiceRequest.external_id == "ONE")
        ).scalar_one()
    with pytest.raises(IntegrityError), db.begin() as conn:
        conn.execute(
            insert(Appointment).values(
                slot_id=slots[1], request_id=request, status="booked", created_at=NOW
            )
        )
    # Two clients racing to book one referral into two different slots: one wins.
    for race in range(5):
        ext = f"RACE{race}"
        _refer(db, ext)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def client(
            slot: int,
            ext: str = ext,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                book_slot(db, ext, slot, now=NOW)
                outcomes.append("booked")
            except (BookingRefused, SlotTaken):
                outcomes.append("refused")

        pair = slots[2 + 2 * race : 4 + 2 * race]
        threads = [threading.Thread(target=client, args=(s,)) for s in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["booked", "refused"]
        assert _live(db, ext) == 1


def test_withdrawn_referral_frees_its_slot_for_the_waiting_list(db: Engine) -> None:
    slots = _setup(db, days=6)  # four slots
    for i in range(4):
        _refer(db, f"R{i}")
        book_slot(db, f"R{i}", slots[i], now=NOW)
    _refer(db, "WAIT", priority="urgent")
    assert book(db, "WAIT", now=NOW) is None
    given = withdraw(db, "R2", now=NOW, actor="clerk")
    assert given is not None and given.slot_id == slots[2]
    assert (_status(db, "R2"), _status(db, "WAIT")) == ("cancelled", "booked")
    with pytest.raises(BookingRefused, match="cancelled"):
        withdraw(db, "R2", now=NOW, actor="clerk")
    with pytest.raises(BookingRefused, match="cancelled"):
        book(db, "R2", now=NOW)
    assert _status(db, "R2") == "cancelled"  # a failed booking does not put it back to wait
    with db.connect() as conn:
        audit = conn.execute(
            select(AuditEntry.after).where(
                AuditEntry.entity == "referrals", AuditEntry.entity_key == "R2"
            )
        ).scalars()
        assert {"status": "cancelled"} in list(audit)


def test_counter_referral_after_the_appointment(db: Engine) -> None:
    slots = _setup(db, days=6)
    _refer(db, "R")
    booking = book_slot(db, "R", slots[0], now=NOW)
    with pytest.raises(BookingRefused, match="after the appointment"):
        counter_refer(db, "R", "back_to_first_level", on=dt.date(2025, 1, 8), actor="dr")
    after = booking.start + dt.timedelta(hours=1)
    set_status(db, booking.appointment_id, "attended", now=after, actor="dr")
    with pytest.raises(BookingRefused, match="one of"):
        counter_refer(db, "R", "cured", on=dt.date(2025, 1, 8), actor="dr")
    with pytest.raises(BookingRefused, match="before the referral"):
        counter_refer(db, "R", "back_to_first_level", on=dt.date(2024, 1, 8), actor="dr")
    counter_refer(
        db,
        "R",
        "back_to_first_level",
        on=dt.date(2025, 1, 8),
        note="control en 3 meses",
        actor="dr",
    )
    views, total = referral_views(db, facility="F1")
    assert total == 1
    view = views[0]
    assert (view.status, view.outcome, view.referring) == ("closed", "back_to_first_level", "C1")
    assert view.appointment_at is not None
    assert view.appointment_at.utcoffset() == dt.timedelta(hours=-4)  # Caracas, not UTC


def test_the_referral_life_from_the_command_line(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from healthforce.cli import app
    from healthforce.settings import get_settings
    from healthforce.store import upgrade

    upgrade(sqlite_engine)
    _setup(sqlite_engine, days=6)  # Wednesday 8 January 2025, 08:00-10:00 in Caracas
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", sqlite_engine.url.render_as_string())
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    run = CliRunner().invoke
    made = run(
        app,
        [
            *("access", "refer", "CLI-1", "--facility", "F1", "--specialty", "cardiology"),
            *("--patient", "P-77", "--priority", "urgent", "--on", "2025-01-06"),
        ],
    )
    assert made.exit_code == 0, made.output
    booked = run(app, ["access", "book", "CLI-1", "--now", "2025-01-06T09:00"])
    assert booked.exit_code == 0, booked.output
    assert "H2, 2025-01-08 08:00 (-04, America/Caracas)" in booked.output  # local, not UTC
    wrong = run(app, ["access", "book", "CLI-1", "--now", "2025-13-01"])
    assert wrong.exit_code != 0 and "--now" in wrong.output and "Traceback" not in wrong.output
    appointment = booked.output.split("cita ")[1].split(":")[0]
    early = run(app, ["access", "attended", appointment, "--now", "2025-01-07T09:00"])
    assert early.exit_code == 1 and "not begun" in early.output
    seen = run(app, ["access", "attended", appointment, "--now", "2025-01-08T09:00"])
    assert seen.exit_code == 0 and "Attended / Atendida" in seen.output
    back = run(app, ["access", "outcome", "CLI-1", "--result", "Seguimiento por el especialista"])
    assert back.exit_code == 0, back.output
    listed = run(app, ["access", "referrals", "--lang", "es"])
    assert listed.exit_code == 0, listed.output
    for text in ("Cardiología", "Urgente", "Cerrada", "Seguimiento", "C1", "America/Caracas"):
        assert text in listed.output, text
    assert run(app, ["access", "referrals", "--lang", "fr"]).exit_code != 0
    out = sqlite_engine.url.database
    assert out is not None
    for entity, expected in (
        ("referrals", "CLI-1"),
        ("appointments", "America/Caracas"),
        ("slots", "2025-01-08 08:00"),  # the clinic's local time
    ):
        path = f"{out}.{entity}.csv"
        done = run(app, ["export", entity, path])
        assert done.exit_code == 0, done.output  # it used to be a KeyError
        assert expected in Path(path).read_text("utf-8-sig")
    zone = run(app, ["access", "clinics", "--timezone", "Caracas"])
    assert zone.exit_code != 0 and "IANA" in zone.output
    get_settings.cache_clear()
