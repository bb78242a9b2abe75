"""``healthforce demo``: build the synthetic demo country."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, err, reported


def demo(
    workers: Annotated[
        int, typer.Option(help="Number of workers. / Número de trabajadores.", min=100)
    ] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed. / Semilla aleatoria.")] = 0,
    replace: Annotated[
        bool,
        typer.Option(
            help="Rebuild a demo registry from scratch (only a database the demo built). / "
            "Reconstruye un registro de demostración."
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask before replacing. / No preguntar.")
    ] = False,
    access: Annotated[
        bool,
        typer.Option(help="Also specialist clinics, referrals and appointments. / Con citas."),
    ] = True,
    public: Annotated[
        bool,
        typer.Option(
            help="Also the shipped WHO GHO, World Bank and OECD figures (migration page, "
            "comparisons). / Con las cifras públicas."
        ),
    ] = True,
) -> None:
    """Build the synthetic demo country (Venezuela's real boundaries and public figures).
    / Construye el país de demostración sintético."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from healthforce.indicators import summary as summaries
    from healthforce.ingest.demo import DEMO_LABEL, build_demo, is_demo
    from healthforce.store import upgrade
    from healthforce.store.migrate import reset
    from healthforce.store.registry import Registry
    from healthforce.store.summary import entity_counts, latest_population_year

    with reported():
        eng = engine()
        upgrade(eng)
        held = entity_counts(eng)
        if held.get("workers") or held.get("facilities"):
            where = eng.url.render_as_string(hide_password=True)
            if not is_demo(eng):
                err.print(
                    f"{where} holds a registry that is not a demo: the demo never replaces it. "
                    "Point HEALTHFORCE_DATABASE_URL at another database. / Esta base de datos "
                    "contiene un registro que no es de demostración: la demostración nunca lo "
                    "reemplaza; use otra base de datos."
                )
                raise typer.Exit(1)
            if not replace:
                err.print(
                    f"{where} already holds the demo; --replace rebuilds it. / Ya contiene la "
                    "demostración; --replace la reconstruye."
                )
                raise typer.Exit(1)
            if not yes:
                typer.confirm(
                    f"Delete the demo registry in {where} ({held.get('workers', 0):,} workers, "
                    "its users and audit log) and build it again? / ¿Borrar y reconstruir la "
                    "demostración?",
                    abort=True,
                )
            reset(eng)
        started = time.perf_counter()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done)

            summary = build_demo(Registry(eng), workers=workers, seed=seed, progress=progress)
            if access:
                from healthforce.access.demo import seed_access

                task = bar.add_task("specialist access / acceso a especialistas", total=1)
                sample = min(60, max(5, workers // 2_000))  # specialists with clinics
                clinics = seed_access(
                    Registry(eng), summary.reference_date, specialists=sample, seed=seed
                )
                bar.update(task, completed=1)
            if public:
                from healthforce.ingest.public import import_shipped

                task = bar.add_task("WHO, World Bank, OECD figures / cifras públicas", total=1)
                import_shipped(Registry(eng))
                bar.update(task, completed=1)
            task = bar.add_task("indicator summaries / resúmenes de indicadores", total=1)
            year = latest_population_year(eng)  # the year the observatory opens on
            if year is not None:
                summaries.current(eng, year, summaries.home_of(eng))
            bar.update(task, completed=1)
        table = Table(
            title=f"{DEMO_LABEL}: reference date / fecha de referencia {summary.reference_date}"
        )
        table.add_column("entity / entidad")
        table.add_column("rows / filas", justify="right")
        for entity, n in summary.counts.items():
            table.add_row(entity, f"{n:,}")
        console.print(table)
        if access:
            console.print(
                f"Specialist access / acceso a especialistas: {clinics.clinics:,} clinics, "
                f"{clinics.slots:,} slots, {clinics.referrals:,} referrals, "
                f"{clinics.appointments:,} appointments, {clinics.waiting:,} waiting"
            )
        console.print(
            f"Built in {time.perf_counter() - started:.1f} s / Construido en "
            f"{time.perf_counter() - started:.1f} s"
        )
