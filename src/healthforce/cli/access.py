"""``healthforce access ...``: population access to staffed care, and specialist appointments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, reported
from healthforce.cli.deploy import access as coverage_command

app = typer.Typer(
    help="Access to care: coverage, specialist schedules and bookings. / Acceso a la atención.",
    no_args_is_help=True,
)
app.command("coverage")(coverage_command)


@app.command("schedule")
def schedule(
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    days: Annotated[int, typer.Option(help="Days ahead. / Días.", min=1, max=730)] = 60,
) -> None:
    """Write the slots of every active specialist schedule for the coming days.
    / Genera los cupos de las agendas de especialistas."""
    from healthforce.access.schedules import write_slots

    with reported():
        first = dt.date.fromisoformat(start) if start else dt.date.today()
        n = write_slots(engine(), first, first + dt.timedelta(days=days))
        console.print(f"{n:,} new slots / cupos nuevos")


@app.command("book")
def book(
    referral: Annotated[str, typer.Argument(help="Referral identifier. / Referencia.")],
    slot: Annotated[
        int | None, typer.Option(help="A given slot; default: the earliest suitable one.")
    ] = None,
    max_km: Annotated[float, typer.Option(help="Travel limit in km.")] = 100.0,
    key: Annotated[str | None, typer.Option(help="Idempotency key of this request.")] = None,
) -> None:
    """Book a referral into a specialist slot, or put it on the waiting list.
    / Agenda una referencia o la pone en lista de espera."""
    from healthforce.access.booking import book as book_earliest
    from healthforce.access.booking import book_slot

    with reported():
        now = dt.datetime.now(dt.UTC)
        eng = engine()
        result = (
            book_slot(eng, referral, slot, now=now, idempotency_key=key)
            if slot is not None
            else book_earliest(eng, referral, now=now, max_km=max_km, idempotency_key=key)
        )
        if result is None:
            console.print(
                f"{referral}: no suitable slot; on the waiting list / sin cupo; en lista de espera"
            )
        else:
            console.print(
                f"{referral}: appointment / cita {result.appointment_id}, slot / cupo "
                f"{result.slot_id}, {result.start.isoformat()}"
                + (" (replayed / repetida)" if result.replayed else "")
            )
