"""What every command shares: the console, the engine, error reporting.

The command modules import what a command needs inside the command, so that
``healthforce --help`` (and every command's start) loads no database, analytics or web library
it does not use; a test keeps it so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from healthforce.errors import HealthforceError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from healthforce.reference.codes import Lang

console = Console()
err = Console(stderr=True)
#: Problems printed on the console (the rest are counted, and listed by --report).
SHOWN_PROBLEMS = 20

#: A year option that defaults to the latest year the registry's data complete.
FromOption = Annotated[
    int | None,
    typer.Option("--from", help="First year of a time series. / Primer año de una serie."),
]
ToOption = Annotated[
    int | None,
    typer.Option("--to", help="Last year of a time series. / Último año de una serie."),
]
YearOption = Annotated[
    int | None,
    typer.Option(
        help="Year (default: the latest year the registry's data complete). / Año (por defecto: "
        "el último año completo de los datos del registro)."
    ),
]
#: The publication rule's suppression threshold.
ThresholdOption = Annotated[
    int | None,
    typer.Option(help="Suppression threshold (default: the publication rule's, 5)."),
]


def on_day(text: str, option: str = "--on") -> dt.date:
    """The date an option gives (YYYY-MM-DD), refused with a clear message otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date YYYY-MM-DD / no es una fecha AAAA-MM-DD", param_hint=option
        ) from None


def on_date(eng: Engine, text: str | None, option: str = "--on") -> dt.date:
    """The date an option gives (YYYY-MM-DD, refused with a clear message otherwise), or the
    registry's reference date, said on the console: never the machine's today."""
    if text:
        return on_day(text, option)
    from healthforce.errors import OutsideDataError
    from healthforce.store.timeline import reference_date

    day = reference_date(eng)
    if day is None:
        raise OutsideDataError(0, None, "the registry has no dated data yet / aún no hay datos")
    console.print(f"Date / Fecha {day.isoformat()}: the registry's reference date / de referencia")
    return day


LangOption = Annotated[str, typer.Option("--lang", help="es or en. / Idioma: es o en.")]


def language(text: str) -> Lang:
    """The language an option names, refused clearly when it is neither es nor en."""
    if text not in ("es", "en"):
        raise typer.BadParameter(f"{text!r}: es or en / es o en", param_hint="--lang")
    return "en" if text == "en" else "es"


def now_at(eng: Engine, text: str | None, option: str = "--now") -> dt.datetime:
    """The moment an option gives (YYYY-MM-DD[THH:MM], in the place's zone unless it names
    one), or the start of the registry's reference date there, said on the console."""
    from healthforce.settings import get_settings
    from healthforce.store.areas import place_zone

    zone = place_zone(eng, get_settings().timezone)
    if text:
        try:
            at = dt.datetime.fromisoformat(text)
        except ValueError:
            raise typer.BadParameter(
                f"{text!r} is not a date and time YYYY-MM-DDTHH:MM / no es una fecha y hora",
                param_hint=option,
            ) from None
        return at if at.tzinfo else at.replace(tzinfo=zone)
    day = on_date(eng, None)
    return dt.datetime.combine(day, dt.time(0), zone)


def local_time(at: dt.datetime, zone: str | None = None) -> str:
    """A moment as people there read it: local date, time and the zone's name."""
    from zoneinfo import ZoneInfo

    shown = at.astimezone(ZoneInfo(zone)) if zone else at
    return f"{shown:%Y-%m-%d %H:%M} ({shown.tzname()}, {zone or shown.tzinfo})"


def default_year(eng: Engine) -> int:
    """The latest year the registry's data complete, said on the console with its reference
    date."""
    from healthforce.errors import OutsideDataError
    from healthforce.store.timeline import coverage

    covered = coverage(eng)
    if covered is None:
        raise OutsideDataError(0, None, "the registry has no dated data yet / aún no hay datos")
    year = covered.last_full_year
    console.print(
        f"Year / Año {year}: the latest the data complete (reference date / fecha de "
        f"referencia {covered.last.isoformat()})"
    )
    return year


def engine() -> Engine:
    from healthforce.settings import get_settings
    from healthforce.store.session import make_engine

    return make_engine(get_settings().database_url)


@contextmanager
def reported() -> Iterator[None]:
    """Turn Healthforce errors into a clear message and exit code 1 (no traceback)."""
    try:
        yield
    except ValidationError as exc:
        err.print(f"[bold red]Rejected / Rechazado:[/] {len(exc.problems)} problem(s)")
        for p in exc.problems[:SHOWN_PROBLEMS]:
            err.print(f"  - {p}")
        if len(exc.problems) > SHOWN_PROBLEMS:
            err.print(
                f"  … {len(exc.problems) - SHOWN_PROBLEMS:,} more; an import's --report FILE "
                f"lists them all / {len(exc.problems) - SHOWN_PROBLEMS:,} más; --report FILE "
                "las lista todas"
            )
        raise typer.Exit(1) from None
    except HealthforceError as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    except Exception as exc:  # a database error: never a driver's traceback
        from sqlalchemy.exc import DBAPIError  # here: sqlalchemy is slow to import for --help

        if not isinstance(exc, DBAPIError):
            raise
        text = str(exc.orig or exc).splitlines()[0]
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            err.print(
                "[bold red]Error:[/] the registry has no tables yet: run `healthforce init` (or "
                "`healthforce demo`) first / el registro aún no tiene tablas: ejecute primero "
                "`healthforce init`"
            )
        else:
            err.print(f"[bold red]Database error / Error de la base de datos:[/] {text}")
        raise typer.Exit(1) from None
