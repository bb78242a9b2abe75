"""``healthforce revert``: undo a change set through the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, reported


def revert(
    change_set: Annotated[
        int | None,
        typer.Argument(min=1, help="The change set to undo. / El conjunto de cambios a deshacer."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Check and count, write nothing. / Verifica y cuenta, sin escribir.",
        ),
    ] = False,
) -> None:
    """Undo a change set (an import, an edit, an applied plan), itself audited and revertible;
    refused, with every reason, when later changes depend on it. Without a number: the latest
    change sets. / Deshace un conjunto de cambios; sin número, lista los últimos."""
    from healthforce.settings import get_settings
    from healthforce.store.areas import place_zone
    from healthforce.store.revert import change_sets
    from healthforce.store.revert import revert as undo

    with reported():
        eng = engine()
        if change_set is None:
            zone = place_zone(eng, get_settings().timezone)
            console.print("Latest change sets / Últimos conjuntos de cambios:")
            for cs, actor, at, source in change_sets(eng):
                when = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(zone)
                console.print(f"  {cs:>6}  {when:%Y-%m-%d %H:%M} ({zone.key})  {actor}  {source}")
            return
        done = undo(eng, change_set, actor=get_settings().actor, dry_run=dry_run)
        deleted = ", ".join(f"{n:,} {entity}" for entity, n in done.deleted.items()) or "0"
        verb = "Would undo / Desharía" if dry_run else "Undone / Deshecho"
        console.print(
            f"{verb} change set / conjunto {change_set}: records it added removed / registros "
            f"agregados quitados: {deleted}; updates undone / cambios deshechos: "
            f"{done.restored:,}; deleted records put back / registros restituidos: "
            f"{done.reinserted:,}"
        )
        if not dry_run:
            console.print(
                f"Recorded as change set / Registrado como conjunto {done.by} (revert it to "
                f"redo / reviértalo para rehacer)"
            )
