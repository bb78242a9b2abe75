"""``healthforce training ...``: pathway progress, team coverage, training places."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, on_date, reported

app = typer.Typer(
    help="Competencies and learning pathways. / Competencias y rutas de aprendizaje.",
    no_args_is_help=True,
)
On = Annotated[str | None, typer.Option("--on", help="Date (YYYY-MM-DD). / Fecha.")]
Output = Annotated[Path | None, typer.Option(help="CSV file. / Archivo CSV.")]


def _day(on: str | None) -> dt.date:
    return on_date(engine(), on)


def _show(table: object, output: Path | None) -> None:
    import pandas as pd

    from healthforce.exports.tables import safe_frame

    assert isinstance(table, pd.DataFrame)
    if output:
        safe_frame(table).to_csv(output, index=False)
        console.print(f"{len(table):,} rows / filas -> {output}")
    else:
        console.print(table.head(50).to_string(index=False))
        if len(table) > 50:
            console.print(
                f"{len(table) - 50:,} more rows: --output FILE writes them all / "
                f"{len(table) - 50:,} filas más: --output FILE las escribe todas"
            )


@app.command("progress")
def progress_(on: On = None, output: Output = None) -> None:
    """Each worker's pathway progress and certificates expiring soon. / Avance por persona."""
    from healthforce.training.analysis import load, progress

    with reported():
        _show(progress(load(engine(), _day(on))), output)


@app.command("coverage")
def coverage_(on: On = None, output: Output = None) -> None:
    """Each team's competency coverage against its norm. / Cobertura de competencias."""
    from healthforce.training.analysis import coverage, load

    with reported():
        _show(coverage(load(engine(), _day(on))), output)


@app.command("interprofessional")
def interprofessional_(on: On = None, output: Output = None) -> None:
    """Courses taken by several occupation groups. / Cursos interprofesionales."""
    from healthforce.reference.occupations import group_of
    from healthforce.training.analysis import interprofessional, load

    with reported():
        _show(interprofessional(load(engine(), _day(on)), group_of()), output)


@app.command("plan")
def plan(
    target_year: Annotated[int, typer.Option(help="Year every team must have its pathway.")],
    on: On = None,
    with_forecast: Annotated[
        bool,
        typer.Option(
            help="Add the forecast's graduates as new entrants. / Suma los egresados proyectados."
        ),
    ] = True,
    output: Output = None,
) -> None:
    """Training places needed per course and year. / Plazas de formación por curso y año."""
    from healthforce.training.analysis import load, training_places

    with reported():
        eng = engine()
        day = _day(on)
        entrants: dict[tuple[str, int], float] = {}
        if with_forecast:
            from healthforce.forecast.loader import load_supply
            from healthforce.forecast.supply import project_supply

            dims, params = load_supply(eng, horizon=max(1, target_year - day.year))
            run = project_supply(dims, params, detail=False)
            for t, year in enumerate(dims.years[1:]):
                for k, occ in enumerate(dims.occupations):
                    entrants[(occ, year)] = float(run.flows["graduates"][t, 0, k].sum())
        _show(training_places(load(eng, day), target_year, entrants), output)
