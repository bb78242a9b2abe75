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


@app.command("clinics")
def clinics(
    day: Annotated[
        str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default today.")
    ] = None,
    timezone: Annotated[str, typer.Option(help="IANA time zone of the clinics.")] = "UTC",
    share: Annotated[
        float, typer.Option(help="Share of weekly hours in clinics.", min=0.05, max=1)
    ] = 0.5,
    slot_minutes: Annotated[int, typer.Option(help="Slot length.", min=5, max=240)] = 20,
) -> None:
    """Create specialist clinics from the specialists' open assignments.
    / Crea las consultas de especialistas a partir de sus asignaciones."""
    from healthforce.access.clinics import ClinicRules, clinics_from_assignments
    from healthforce.settings import get_settings
    from healthforce.store.registry import Registry

    with reported():
        on = dt.date.fromisoformat(day) if day else dt.date.today()
        rules = ClinicRules(clinic_share=share, slot_minutes=slot_minutes, timezone=timezone)
        result = clinics_from_assignments(Registry(engine()), on, rules, actor=get_settings().actor)
        console.print(f"{result.inserted:,} new clinics / consultas nuevas")


@app.command("outreach")
def outreach(
    day: Annotated[
        str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default today.")
    ] = None,
    months: Annotated[int, typer.Option(help="Months of referrals for demand.", min=1)] = 12,
    days: Annotated[int, typer.Option(help="Outreach days per specialist per 4 weeks.")] = 4,
    max_km: Annotated[float, typer.Option(help="Specialists' travel limit (km).")] = 150.0,
    apply: Annotated[bool, typer.Option(help="Write the plan as schedules.")] = False,
    timezone: Annotated[str, typer.Option(help="IANA time zone of the clinics.")] = "UTC",
) -> None:
    """Plan which specialist visits which primary care centre, how often.
    / Planifica las visitas de especialistas a los centros de primer nivel."""
    from rich.table import Table

    from healthforce.access.outreach import outreach_problem, outreach_schedules, plan_outreach
    from healthforce.settings import get_settings
    from healthforce.store.registry import Registry

    with reported():
        on = dt.date.fromisoformat(day) if day else dt.date.today()
        eng = engine()
        plan = plan_outreach(outreach_problem(eng, on, months=months, days=days, max_km=max_km))
        table = Table(
            "specialist / especialista",
            "centre / centro",
            "specialty / especialidad",
            "visits per 4 weeks / visitas",
            "patients / pacientes",
        )
        for row in zip(
            plan.specialist, plan.centre, plan.specialty, plan.visits, plan.patients, strict=True
        ):
            table.add_row(*map(str, row))
        console.print(table)
        console.print(
            f"seen at their own centre / atendidos en su centro: {plan.seen_locally:,} of / de "
            f"{plan.demand:,} per 4 weeks; patient km / km de pacientes: "
            f"{plan.patient_km_before:,.0f} -> {plan.patient_km_after:,.0f}; specialists' km / "
            f"km de especialistas: {plan.specialist_km:,.0f}"
        )
        if apply:
            columns, unplaced = outreach_schedules(eng, plan, on, timezone=timezone)
            with Registry(eng).change(actor=get_settings().actor, source="access outreach") as c:
                result = c.upsert("schedules", columns)
            console.print(f"{result.inserted:,} outreach clinics written / consultas escritas")
            for line in unplaced:
                console.print(f"[yellow]no free weekday / sin día libre:[/] {line}")
