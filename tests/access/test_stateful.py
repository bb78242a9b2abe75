"""No interleaving of book, cancel, reschedule and no-show ever puts two live appointments in one
slot or loses a referral (hypothesis stateful test on SQLite)."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import func, select, update

from healthforce.access.booking import BookingRefused, SlotTaken, book_slot, cancel
from healthforce.store import make_engine, upgrade
from healthforce.store.models import Appointment, ServiceRequest
from healthforce.store.models.access import LIVE
from tests.access.test_booking import NOW, _referral, _setup

REFERRALS = [f"S{i}" for i in range(6)]


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
            cancel(self.engine, appointment, now=NOW)

    @rule(ref=st.sampled_from(REFERRALS), slot=st.integers(0, 3))
    def reschedule(self, ref: str, slot: int) -> None:
        appointment = self._live(ref)
        if appointment is None:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(Appointment)
                .where(Appointment.id == appointment)
                .values(status="rescheduled")
            )
            conn.execute(
                update(ServiceRequest)
                .where(ServiceRequest.external_id == ref)
                .values(status="open")
            )
        try:
            book_slot(self.engine, ref, self.slots[slot], now=NOW)
        except (SlotTaken, BookingRefused):
            with self.engine.begin() as conn:  # nothing free: the referral waits
                conn.execute(
                    update(ServiceRequest)
                    .where(ServiceRequest.external_id == ref)
                    .values(status="waiting")
                )

    @rule(ref=st.sampled_from(REFERRALS))
    def no_show(self, ref: str) -> None:
        appointment = self._live(ref)
        if appointment is not None:
            with self.engine.begin() as conn:
                conn.execute(
                    update(Appointment)
                    .where(Appointment.id == appointment)
                    .values(status="no_show")
                )

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
            live = self._live(ext)
            assert (status == "booked") == (live is not None) or (
                status == "waiting" and live is None
            ), (ext, status, live)


Bookings.TestCase.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
TestBookings = Bookings.TestCase
