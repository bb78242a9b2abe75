"""Benchmark: booking throughput with concurrent clients against PostgreSQL on loopback.

Ours: ``book_slot`` (the database's partial unique index decides; the loser gets SlotTaken).
Peer, in the same run: the common "check, then insert" approach with no constraint (what some
open systems do), on the same workload. Each client books referrals into randomly chosen slots
of a shared pool, so clients collide; clients work in pairs on the same referrals (a request
sent twice, from two desks or a retry), so referrals collide too. Reported: bookings/s, slots
holding two live appointments and referrals holding two live appointments (both must be zero
for ours). Target (issues 9 and 21): at least 200 bookings/s.

    .venv/bin/python benchmarks/booking.py [--clients 16] [--slots 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.access.test_booking import NOW, _setup

from healthforce.access.booking import BookingRefused, SlotTaken, book_slot
from healthforce.store import upgrade
from healthforce.store.models import Appointment, ServiceRequest
from healthforce.store.models.access import LIVE

PG = os.environ.get(
    "HEALTHFORCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def naive_book(engine, request_ext: str, slot_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Check, then insert: two clients can both see the slot free."""
    with engine.begin() as conn:
        taken = conn.execute(
            select(func.count()).where(Appointment.slot_id == slot_id, Appointment.status.in_(LIVE))
        ).scalar_one()
        if taken:
            return False
        rid = conn.execute(
            select(ServiceRequest.id).where(ServiceRequest.external_id == request_ext)
        ).scalar_one()
        conn.execute(
            insert(Appointment).values(
                slot_id=slot_id, request_id=rid, status="booked", created_at=NOW
            )
        )
        conn.execute(update(ServiceRequest).where(ServiceRequest.id == rid).values(status="booked"))
    return True


def run(mode: str, clients: int, slots_wanted: int) -> dict[str, float]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(
        PG, pool_size=clients + 2, connect_args={"options": f"-csearch_path={schema}"}
    )
    try:
        upgrade(engine)
        slots = _setup(engine, slots_per_day=40, days=7 * (slots_wanted // 40 + 1))
        slots = slots[:slots_wanted]
        if mode == "naive":
            with engine.begin() as conn:
                conn.execute(text("DROP INDEX uq_appointment_live_slot"))
                conn.execute(text("DROP INDEX uq_appointment_live_request"))
        per_client = slots_wanted // clients + 20
        for c in range(clients):
            with engine.begin() as conn:
                centre = conn.execute(
                    text("SELECT id FROM facility WHERE code = 'F1'")
                ).scalar_one()
                conn.execute(
                    insert(ServiceRequest),
                    [
                        {
                            "external_id": f"B{c}-{i}",
                            "referring_facility_id": centre,
                            "patient_ref": f"P{c}-{i}",
                            "specialty_code": "cardiology",
                            "priority": "routine",
                            "requested_on": dt.date(2025, 1, 6),
                        }
                        for i in range(per_client)
                    ],
                )
        booked = [0] * clients
        barrier = threading.Barrier(clients)

        def client(c: int) -> None:
            rng = random.Random(c)
            barrier.wait()
            for i in range(per_client):
                slot = rng.choice(slots)
                referral = f"B{c // 2 * 2}-{i}"  # the same referrals as the pair's other desk
                if mode == "naive":
                    booked[c] += naive_book(engine, referral, slot)
                else:
                    try:
                        book_slot(engine, referral, slot, now=NOW)
                        booked[c] += 1
                    except (SlotTaken, BookingRefused):
                        pass

        threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            doubles = conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT slot_id FROM appointment WHERE status IN "
                    "('booked','confirmed','attended','no_show') GROUP BY slot_id "
                    "HAVING count(*) > 1) d"
                )
            ).scalar_one()
            twice = conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT request_id FROM appointment WHERE status IN "
                    "('booked','confirmed','attended','no_show') GROUP BY request_id "
                    "HAVING count(*) > 1) d"
                )
            ).scalar_one()
        return {
            "bookings": float(sum(booked)),
            "seconds": seconds,
            "attempts": float(clients * per_client),
            "double_booked_slots": float(doubles),
            "referrals_booked_twice": float(twice),
        }
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--slots", type=int, default=2000)
    args = parser.parse_args()
    ours = run("ours", args.clients, args.slots)
    peer = run("naive", args.clients, args.slots)
    print(f"booking on PostgreSQL, {args.clients} concurrent clients, {args.slots:,} slots")
    for name, r in (("ours (database-enforced)", ours), ("peer (check, then insert)", peer)):
        print(
            f"  {name:28s} {r['bookings'] / r['seconds']:8.0f} bookings/s  "
            f"({r['bookings']:,.0f} booked of {r['attempts']:,.0f} attempts in "
            f"{r['seconds']:.1f} s)  slots with two live appointments: "
            f"{r['double_booked_slots']:,.0f}; referrals with two: "
            f"{r['referrals_booked_twice']:,.0f}"
        )
    print(
        f"  ratio ours/peer throughput: "
        f"{(ours['bookings'] / ours['seconds']) / (peer['bookings'] / peer['seconds']):.2f}x"
        f" (target: >= 200 bookings/s, zero double bookings, zero referrals booked twice)"
    )


if __name__ == "__main__":
    main()
