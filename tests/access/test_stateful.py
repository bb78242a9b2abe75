"""No interleaving of book, cancel, reschedule, confirm, attend and no-show ever puts two live
appointments in one slot, loses a referral, or leaves a status its history does not tell
(hypothesis stateful test on SQLite)."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select

from healthforce.access.appointments import history, reschedule, set_status
from healthforce.access.booking import BookingRefused, SlotTaken, book_slot, cancel
from healthforce.errors import NotFoundError
from healthforce.store import make_engine, upgrade
from healthforce.store.models import Appointment, ServiceRequest
from healthforce.store.models.access import LIVE
from tests.access.test_booking import NOW, _referral, _setup

REFERRALS = [f"S{i}" for i in range(6)]
LATER = NOW + dt.timedelta(days=30)  # after every slot: visits can be recorded


class Bookings(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.engine = make_engine(f"sqlite:///{Path(self.dir.name) / 'b.db'}")
        upgrade(self.engine)
        self.slots = _setup(self.engine, days=6)
        for ext in REFERRALS:
            _referral(self.engine, ext)

    def teardown(self) -> None:
        self.engine.dispose()
        self.dir.cleanup()

    def _live(self, ext: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(Appointment.id)
                .join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
                .where(ServiceRequest.external_id == ext, Appointment.status.in_(LIVE))
            ).scalar()

    @rule(ref=st.sampled_from(REFERRALS), slot=st.integers(0, 3))
    def book(self, ref: str, slot: int) -> None:
        with contextlib.suppress(SlotTaken, BookingRefused):
            book_slot(self.engine, ref, self.slots[slot], now=NOW)

    @rule(ref=st.sampled_from(REFERRALS))
    def cancel(self, ref: str) -> None:
        appointment = self._live(ref)
        if appointment is not None:
            with contextlib.suppress(NotFoundError):  # attended or missed: nothing to cancel
                cancel(self.engine, appointment, now=NOW)

    @rule(ref=st.sampled_from(REFERRALS), slot=st.integers(0, 3))
    def reschedule(self, ref: str, slot: int) -> None:
        appointment = self._live(ref)
        if appointment is not None:
            with contextlib.suppress(SlotTaken, BookingRefused):
                reschedule(self.engine, appointment, self.slots[slot], now=NOW)

    @rule(
        ref=st.sampled_from(REFERRALS),
        status=st.sampled_from(["confirmed", "attended", "no_show"]),
        later=st.booleans(),
    )
    def set_status(self, ref: str, status: str, later: bool) -> None:
        appointment = self._live(ref)
        if appointment is not None:
            with contextlib.suppress(BookingRefused):
                set_status(self.engine, appointment, status, now=LATER if later else NOW)

    @invariant()
    def history_tells_every_live_status(self) -> None:
        with self.engine.connect() as conn:
            live = conn.execute(
                select(Appointment.id, Appointment.status).where(Appointment.status.in_(LIVE))
            ).all()
        for appointment, status in live:
            assert history(self.engine, appointment)[-1]["to"] == status

    @invariant()
    def each_referral_keeps_the_day_its_wait_ends(self) -> None:
        """``seen_on`` (what waiting times read) is the local day of the live appointment."""
        from zoneinfo import ZoneInfo

        from healthforce.store.models import Schedule, Slot
        from healthforce.store.session import as_utc

        with self.engine.connect() as conn:
            kept = dict(conn.execute(select(ServiceRequest.id, ServiceRequest.seen_on)).all())
            live = {
                rid: as_utc(start).astimezone(ZoneInfo(zone)).date()
                for rid, start, zone in conn.execute(
                    select(Appointment.request_id, Slot.start, Schedule.timezone)
                    .join(Slot, Slot.id == Appointment.slot_id)
                    .join(Schedule, Schedule.id == Slot.schedule_id)
                    .where(Appointment.status.in_(LIVE))
                )
            }
        assert kept == {rid: live.get(rid) for rid in kept}

    @invariant()
    def one_live_appointment_per_slot(self) -> None:
        with self.engine.connect() as conn:
            worst = conn.execute(
                select(func.count())
                .where(Appointment.status.in_(LIVE))
                .group_by(Appointment.slot_id)
                .order_by(func.count().desc())
                .limit(1)
            ).scalar()
        assert worst is None or worst <= 1

    @invariant()
    def no_referral_is_lost(self) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(select(ServiceRequest.external_id, ServiceRequest.status)).all()
        assert {r[0] for r in rows} == set(REFERRALS)
        for ext, status in rows:
            # booked: a booked or confirmed appointment; closed: attended or missed; otherwise
            # open or on the waiting list, with no live appointment
            live = self._live(ext)
            with self.engine.connect() as conn:
                state = conn.execute(
                    select(Appointment.status).where(Appointment.id == live)
                ).scalar()
            expected = {
                None: {"open", "waiting"},
                "booked": {"booked"},
                "confirmed": {"booked"},
                "attended": {"closed"},
                "no_show": {"closed"},
            }[state]
            assert status in expected, (ext, status, state)


Bookings.TestCase.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
TestBookings = Bookings.TestCase
