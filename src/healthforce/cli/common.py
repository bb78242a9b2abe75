"""What every command shares: the console, the engine, error reporting.

The command modules import what a command needs inside the command, so that
``healthforce --help`` (and every command's start) loads no database, analytics or web library
it does not use; a test keeps it so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from healthforce.errors import HealthforceError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy import Engine

console = Console()
err = Console(stderr=True)


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
        for p in exc.problems[:20]:
            err.print(f"  - {p}")
        raise typer.Exit(1) from None
    except HealthforceError as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from None
