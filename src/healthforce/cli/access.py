"""``healthforce access ...``: population access to staffed care, specialist clinics, and the
referral's life (refer, book, confirm, attend, miss, cancel, outcome), times in the clinic's
zone."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from healthforce.cli.common import (
    LangOption,
    console,
    engine,
    language,
    local_time,
    now_at,
    on_date,
    on_day,
    reported,
)
from healthforce.cli.deploy import access as coverage_command

app = typer.Typer(
    help="Access to care: coverage, specialist schedules and bookings. / Acceso a la atención.",
    no_args_is_help=True,
)
app.command("coverage")(coverage_command)

NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="The moment to act at (YYYY-MM-DDTHH:MM, the place's zone; default: the start of "
        "the registry's reference date). / Momento de referencia.",
    ),
]
ZoneOption = Annotated[
    str | None,
    typer.Option(help="IANA time zone of the clinics (default: each facility's place's zone)."),
]


def _zone(name: str | None) -> str | None:
    from healthforce.store.schema_access import known_zone

    if name is not None and not known_zone(name):
        raise typer.BadParameter(
            f"{name!r} is not an IANA time zone (e.g. America/Caracas) / no es una zona horaria",
            param_hint="--timezone",
        )
    return name


@app.command("schedule")
def schedule(
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    days: Annotated[int, typer.Option(help="Days ahead. / Días.", min=1, max=730)] = 60,
) -> None:
    """Write the slots of every active specialist schedule for the coming days.
    / Genera los cupos de las agendas de especialistas."""
    from healthforce.access.schedules import write_slots

    with reported():
        eng = engine()
        first = on_date(eng, start, "--from")
        n = write_slots(eng, first, first + dt.timedelta(days=days))
        console.print(f"{n:,} new slots / cupos nuevos")


def _said(eng: object, booking: object) -> str:
    from healthforce.access.booking import Booking, slot_place

    assert isinstance(booking, Booking)
    place, zone = slot_place(eng, booking.slot_id)  # type: ignore[arg-type]
    return (
        f"appointment / cita {booking.appointment_id}: {place}, {local_time(booking.start, zone)}"
        + (" (replayed / repetida)" if booking.replayed else "")
    )


@app.command("book")
def book(
    referral: Annotated[str, typer.Argument(help="Referral identifier. / Referencia.")],
    slot: Annotated[
        int | None, typer.Option(help="A given slot; default: the earliest suitable one.")
    ] = None,
    max_km: Annotated[float, typer.Option(help="Travel limit in km.", min=0.1)] = 100.0,
    key: Annotated[str | None, typer.Option(help="Idempotency key of this request.")] = None,
    now: NowOption = None,
) -> None:
    """Book a referral into a specialist slot, or put it on the waiting list.
    / Agenda una referencia o la pone en lista de espera."""
    from healthforce.access.booking import book as book_earliest
    from healthforce.access.booking import book_slot
    from healthforce.settings import get_settings

    with reported():
        eng = engine()
        at = now_at(eng, now)
        actor = get_settings().actor
        result = (
            book_slot(eng, referral, slot, now=at, idempotency_key=key, actor=actor)
            if slot is not None
            else book_earliest(
                eng, referral, now=at, max_km=max_km, idempotency_key=key, actor=actor
            )
        )
        if result is None:
            console.print(
                f"{referral}: no suitable slot; on the waiting list / sin cupo; en lista de espera"
            )
        else:
            console.print(f"{referral}: {_said(eng, result)}")


@app.command("refer")
def refer(
    referral: Annotated[str, typer.Argument(help="New referral's identifier. / Identificador.")],
    facility: Annotated[str, typer.Option(help="Referring facility's code. / Establecimiento.")],
    specialty: Annotated[str, typer.Option(help="Specialty code. / Especialidad.")],
    patient: Annotated[str, typer.Option(help="Pseudonymous patient reference. / Paciente.")],
    priority: Annotated[str, typer.Option(help="urgent, priority or routine.")] = "routine",
    on: Annotated[
        str | None, typer.Option("--on", help="Date of the referral (default: reference date).")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Clinical reason (private).")] = None,
) -> None:
    """Create a referral from a facility to a specialty (checked like an imported one).
    / Crea una referencia a una especialidad."""
    from healthforce.access.referrals import refer as create
    from healthforce.settings import get_settings
    from healthforce.store.registry import Registry

    with reported():
        eng = engine()
        record = {
            "external_id": referral,
            "referring_facility": facility,
            "patient_ref": patient,
            "specialty": specialty,
            "priority": priority,
            "requested_on": on_date(eng, on),
            "clinical_text": reason,
        }
        create(Registry(eng), record, actor=get_settings().actor, source="access refer")
        console.print(f"{referral}: referral created (open) / referencia creada (abierta)")


def _set(appointment: int, status: str, now: str | None) -> None:
    from healthforce.access.appointments import set_status
    from healthforce.settings import get_settings

    with reported():
        eng = engine()
        set_status(eng, appointment, status, now=now_at(eng, now), actor=get_settings().actor)
        console.print(f"appointment / cita {appointment}: {_status_label(status)}")


def _status_label(status: str) -> str:
    from healthforce.reference.codes import APPOINTMENT_STATUS

    return f"{APPOINTMENT_STATUS.label(status, 'en')} / {APPOINTMENT_STATUS.label(status, 'es')}"


AppointmentArg = Annotated[int, typer.Argument(help="Appointment number. / Número de la cita.")]


@app.command("confirm")
def confirm(appointment: AppointmentArg, now: NowOption = None) -> None:
    """Record that the patient confirmed the appointment. / Registra la confirmación."""
    _set(appointment, "confirmed", now)


@app.command("attended")
def attended(appointment: AppointmentArg, now: NowOption = None) -> None:
    """Record that the patient was seen (closes the referral). / Registra la atención."""
    _set(appointment, "attended", now)


@app.command("no-show")
def no_show(appointment: AppointmentArg, now: NowOption = None) -> None:
    """Record that the patient did not come (closes the referral). / Registra la inasistencia."""
    _set(appointment, "no_show", now)


@app.command("cancel")
def cancel(appointment: AppointmentArg, now: NowOption = None) -> None:
    """Cancel an appointment; its referral is open again and the slot goes to the waiting list.
    / Anula una cita; el cupo pasa a la lista de espera."""
    from healthforce.access.booking import cancel as cancel_appointment
    from healthforce.settings import get_settings

    with reported():
        eng = engine()
        given = cancel_appointment(
            eng, appointment, now=now_at(eng, now), actor=get_settings().actor
        )
        console.print(f"appointment / cita {appointment}: {_status_label('cancelled')}")
        if given is not None:
            console.print(f"slot given to the waiting list / cupo asignado: {_said(eng, given)}")


@app.command("reschedule")
def reschedule(
    appointment: AppointmentArg,
    slot: Annotated[int, typer.Option(help="The new slot. / El nuevo cupo.")],
    now: NowOption = None,
) -> None:
    """Move an appointment to another free slot (nothing changes if it is taken).
    / Reprograma una cita."""
    from healthforce.access.appointments import reschedule as move
    from healthforce.settings import get_settings

    with reported():
        eng = engine()
        moved = move(eng, appointment, slot, now=now_at(eng, now), actor=get_settings().actor)
        console.print(f"rescheduled / reprogramada: {_said(eng, moved)}")


@app.command("withdraw")
def withdraw(
    referral: Annotated[str, typer.Argument(help="Referral identifier. / Referencia.")],
    now: NowOption = None,
) -> None:
    """Cancel a referral no longer needed (and its appointment). / Anula una referencia."""
    from healthforce.access.referrals import withdraw as cancel_referral
    from healthforce.settings import get_settings

    with reported():
        eng = engine()
        given = cancel_referral(eng, referral, now=now_at(eng, now), actor=get_settings().actor)
        console.print(f"{referral}: referral cancelled / referencia anulada")
        if given is not None:
            console.print(f"slot given to the waiting list / cupo asignado: {_said(eng, given)}")


@app.command("outcome")
def outcome(
    referral: Annotated[str, typer.Argument(help="Referral identifier. / Referencia.")],
    result: Annotated[
        str,
        typer.Option(
            "--result",
            help="back_to_first_level, specialist_follow_up, referred_on, admitted, no_show or "
            "not_needed.",
        ),
    ],
    on: Annotated[
        str | None, typer.Option("--on", help="Date (default: the appointment's day).")
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="Instructions to the referring facility.")
    ] = None,
) -> None:
    """Send the counter-referral back to the referring facility. / Registra la contrarreferencia."""
    from healthforce.access.referrals import counter_refer
    from healthforce.reference.codes import REFERRAL_OUTCOME
    from healthforce.settings import get_settings

    with reported():
        eng = engine()
        code = REFERRAL_OUTCOME.lookup().get(result.casefold(), result)
        day = on_day(on) if on else None
        day = counter_refer(eng, referral, code, on=day, note=note, actor=get_settings().actor)
        en, es = REFERRAL_OUTCOME.label(code, "en"), REFERRAL_OUTCOME.label(code, "es")
        console.print(f"{referral}: {en} / {es} ({day.isoformat()})")


@app.command("referrals")
def referrals(
    status: Annotated[
        str | None, typer.Option(help="open, waiting, booked, closed or cancelled.")
    ] = None,
    facility: Annotated[str | None, typer.Option(help="Referring facility's code.")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown (0: all).", min=0)] = 50,
    lang: LangOption = "es",
) -> None:
    """Referrals, newest first, with their appointment in the clinic's local time.
    / Referencias, con su cita en la hora local de la consulta."""
    from babel.dates import format_date, format_datetime
    from rich.table import Table

    from healthforce.access.referrals import referral_views
    from healthforce.reference.codes import (
        LOCALES,
        REFERRAL_OUTCOME,
        REFERRAL_PRIORITY,
        REFERRAL_STATUS,
    )

    with reported():
        language_ = language(lang)
        if status is not None and status not in REFERRAL_STATUS.labels:
            raise typer.BadParameter(
                f"{status!r}: one of / uno de {', '.join(REFERRAL_STATUS.codes)}",
                param_hint="--status",
            )
        views, total = referral_views(
            engine(), status=status, facility=facility, limit=limit or None
        )
        es = language_ == "es"
        locale = LOCALES[language_]
        table = Table(
            "Referencia" if es else "Referral",
            "Establecimiento que refiere" if es else "Referring facility",
            "Especialidad" if es else "Specialty",
            "Prioridad" if es else "Priority",
            "Fecha" if es else "Date",
            "Estado" if es else "Status",
            "Cita" if es else "Appointment",
            "Contrarreferencia" if es else "Outcome",
        )
        for v in views:
            table.add_row(
                v.external_id,
                v.referring,
                v.specialty_es if es else v.specialty_en,
                REFERRAL_PRIORITY.label(v.priority, language_),
                format_date(v.requested_on, "medium", locale=LOCALES[language_]),
                REFERRAL_STATUS.label(v.status, language_),
                (
                    f"{v.clinic}, "
                    + format_datetime(
                        v.appointment_at, "medium", tzinfo=v.appointment_at.tzinfo, locale=locale
                    )
                    + f" ({v.appointment_at.tzinfo})"
                )
                if v.appointment_at
                else "",
                REFERRAL_OUTCOME.label(v.outcome, language_) if v.outcome else "",
            )
        if not total:
            console.print("No referrals / Sin referencias" + (f" ({status})" if status else ""))
            return
        console.print(table)
        if total > len(views):
            console.print(
                f"{len(views):,} of {total:,} shown; --limit 0 shows all / se muestran "
                f"{len(views):,} de {total:,}; --limit 0 muestra todas"
            )


@app.command("clinics")
def clinics(
    day: Annotated[
        str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default: reference date.")
    ] = None,
    timezone: ZoneOption = None,
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
        eng = engine()
        on = on_date(eng, day)
        rules = ClinicRules(clinic_share=share, slot_minutes=slot_minutes, timezone=_zone(timezone))
        result = clinics_from_assignments(Registry(eng), on, rules, actor=get_settings().actor)
        console.print(f"{result.inserted:,} new clinics / consultas nuevas")


@app.command("outreach")
def outreach(
    day: Annotated[
        str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default: reference date.")
    ] = None,
    months: Annotated[int, typer.Option(help="Months of referrals for demand.", min=1)] = 12,
    days: Annotated[int, typer.Option(help="Outreach days per specialist per 4 weeks.")] = 4,
    max_km: Annotated[float, typer.Option(help="Specialists' travel limit (km).")] = 150.0,
    apply: Annotated[bool, typer.Option(help="Write the plan as schedules.")] = False,
    timezone: ZoneOption = None,
) -> None:
    """Plan which specialist visits which primary care centre, how often.
    / Planifica las visitas de especialistas a los centros de primer nivel."""
    from rich.table import Table

    from healthforce.access.outreach import outreach_problem, outreach_schedules, plan_outreach
    from healthforce.settings import get_settings
    from healthforce.store.registry import Registry

    with reported():
        eng = engine()
        on = on_date(eng, day)
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
            columns, unplaced = outreach_schedules(eng, plan, on, timezone=_zone(timezone))
            with Registry(eng).change(actor=get_settings().actor, source="access outreach") as c:
                result = c.upsert("schedules", columns)
            console.print(f"{result.inserted:,} outreach clinics written / consultas escritas")
            for line in unplaced:
                console.print(f"[yellow]no free weekday / sin día libre:[/] {line}")


@app.command("waiting")
def waiting(
    on: Annotated[
        str | None,
        typer.Option("--on", help="As of (YYYY-MM-DD; default: the registry's reference date)."),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Referrals made from (default: a year before).")
    ] = None,
    by: Annotated[
        str, typer.Option(help="Groups: specialty, priority and/or state, comma-separated.")
    ] = "specialty,priority",
    output: Annotated[
        str | None, typer.Option(help="Write a .csv or .xlsx file instead of the table.")
    ] = None,
    lang: LangOption = "es",
) -> None:
    """Waiting times that count everyone: Kaplan–Meier median wait, % seen within target, and
    the waiting list (size, days waited, past target). / Tiempos de espera y lista de espera."""
    from pathlib import Path

    from rich.table import Table

    from healthforce.access.waiting import waiting_times
    from healthforce.exports.tables import write_table
    from healthforce.reference.codes import LOCALES, REFERRAL_PRIORITY
    from healthforce.store.models import Area, Specialty

    with reported():
        language_ = language(lang)
        es = language_ == "es"
        groups = [g.strip() for g in by.split(",") if g.strip()]
        if not groups or any(g not in ("specialty", "priority", "state") for g in groups):
            raise typer.BadParameter(
                f"{by!r}: specialty, priority and/or state / especialidad, prioridad o estado",
                param_hint="--by",
            )
        if output is not None and Path(output).suffix.lower() not in (".csv", ".xlsx"):
            raise typer.BadParameter(f"{output!r}: a .csv or .xlsx file", param_hint="--output")
        eng = engine()
        day = on_date(eng, on)
        first = on_day(start, "--from") if start else day.replace(year=day.year - 1)
        from healthforce.settings import get_settings
        from healthforce.store.areas import place_zone

        zone = place_zone(eng, get_settings().timezone)
        as_of = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone)  # end of day
        table = waiting_times(eng, first, day, as_of, by=groups)
        from sqlalchemy import select

        with eng.connect() as conn:
            specialty = {
                c: (n_es if es else n_en)
                for c, n_es, n_en in conn.execute(
                    select(Specialty.code, Specialty.name_es, Specialty.name_en)
                )
            }
            state = dict(conn.execute(select(Area.code, Area.name)).all())
        titles = {
            "specialty": "Especialidad" if es else "Specialty",
            "priority": "Prioridad" if es else "Priority",
            "state": "Estado" if es else "State",
        }
        labels: dict[str, dict[str, str]] = {
            "specialty": specialty,
            "priority": {c: REFERRAL_PRIORITY.label(c, language_) for c in REFERRAL_PRIORITY.codes},
            "state": state,
        }
        header: list[str] = [titles[g] for g in groups] + (
            [
                "Referencias",
                "Atendidas",
                "En espera",
                "Mediana de espera (días, Kaplan–Meier)",
                "Vistas dentro del plazo (%)",
                "Días esperados hasta ahora (mediana)",
                "En espera más allá del plazo",
            ]
            if es
            else [
                "Referrals",
                "Seen",
                "Waiting",
                "Median wait (days, Kaplan–Meier)",
                "Seen within target (%)",
                "Days waited so far (median)",
                "Waiting past target",
            ]
        )
        from babel.numbers import format_decimal

        unknown = "desconocida" if es else "unknown"
        rows = []
        for record in table.to_dict("records"):
            label = [labels[g].get(record[g], record[g]) for g in groups]
            values = [
                record["referrals"],
                record["seen"],
                record["waiting"],
                record["median_wait_days"],
                record["within_target_pct"],
                record["waiting_median_days"],
                record["waiting_over_target"],
            ]
            rows.append([*label, *(None if v != v else v for v in values)])  # NaN: unknown
        console.print(
            f"Referrals made {first} to {day}, as of the end of {day} ({zone}) / Referencias "
            f"del {first} al {day}, al cierre del {day}"
        )
        if output is not None:
            write_table(
                Path(output),
                header,
                [list(c) for c in zip(*rows, strict=True)] or [[]] * len(header),
            )
            console.print(f"{len(rows):,} rows / filas -> {output}")
            return
        shown = Table(*header)
        for r in rows:
            shown.add_row(
                *(
                    unknown
                    if v is None
                    else format_decimal(v, "#,##0.#", locale=LOCALES[language_])
                    if isinstance(v, (int, float))
                    else str(v)
                    for v in r
                )
            )
        console.print(shown)
