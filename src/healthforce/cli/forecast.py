"""``healthforce forecast``: baseline and scenario projections, need and gap."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from healthforce.cli.common import console, engine, reported

if TYPE_CHECKING:
    from healthforce.forecast.plan import Plan


def forecast(
    scenario: Annotated[
        list[Path] | None,
        typer.Option(help="Scenario file (TOML); repeat for several. / Archivo de escenario."),
    ] = None,
    draws: Annotated[
        int, typer.Option(help="Monte Carlo draws (0: none). / Simulaciones.", min=0)
    ] = 0,
    horizon: Annotated[int, typer.Option(help="Years ahead. / Años.", min=1, max=60)] = 20,
    seed: Annotated[int, typer.Option(help="Random seed. / Semilla.")] = 0,
    format: Annotated[str, typer.Option("--format", help="table, csv, xlsx or parquet")] = "table",
    output: Annotated[Path | None, typer.Option(help="Output file. / Archivo de salida.")] = None,
    occupation: Annotated[
        str | None,
        typer.Option(
            help="ISCO-08 code: the table shows this occupation only; needed by --tornado and "
            "--close. / Ocupación (CIUO-08)."
        ),
    ] = None,
    target_year: Annotated[
        int | None,
        typer.Option(help="Year for --tornado and --close (default: the horizon). / Año meta."),
    ] = None,
    tornado: Annotated[
        bool,
        typer.Option(
            help="Which parameters move the occupation's supply (and gap) most in the target "
            "year, each +/-10 %. / Sensibilidad."
        ),
    ] = False,
    close: Annotated[
        bool,
        typer.Option(
            help="The yearly training intake, per state, that closes the occupation's gap by "
            "the target year. / Ingreso anual que cierra la brecha."
        ),
    ] = False,
    backcast: Annotated[
        int | None,
        typer.Option(
            help="Project from this past year to the latest and print the error against what "
            "the registry recorded, per occupation (MAPE). / Retroproyección desde este año: "
            "error frente a lo registrado, por ocupación."
        ),
    ] = None,
) -> None:
    """Project supply, need and gap by occupation, area and year.
    / Proyecta oferta, necesidad y brecha por ocupación, área y año."""
    from rich.markup import escape

    if format not in ("table", "csv", "xlsx", "parquet"):
        raise typer.BadParameter(
            f"{format!r}: table, csv, xlsx or parquet / tabla, csv, xlsx o parquet",
            param_hint="--format",
        )
    if backcast is not None:
        _backcast(backcast, output)
        return

    from healthforce.forecast.plan import plan

    with reported():
        if tornado or close:
            _questions(occupation, target_year, horizon, tornado)
            return
        eng = engine()
        result = plan(eng, scenarios=scenario or [], draws=draws, horizon=horizon, seed=seed)
        table = result.table()
        if format == "table":
            _console_table(result, occupation)
            return
        path = output or Path(f"forecast.{format}")
        if format in ("csv", "xlsx"):
            from healthforce.forecast.report import write_forecast
            from healthforce.ingest.demo import SYNTHETIC_NOTICE, is_demo
            from healthforce.web.pages.common import area_names

            notice = SYNTHETIC_NOTICE if is_demo(eng) else None
            path = write_forecast(result, path.with_suffix(f".{format}"), area_names(eng), notice)
        else:
            table.to_parquet(path, index=False)
        console.print(f"{len(table):,} rows / filas -> {path}")
        for note in result.notes:
            console.print(escape(note))


def _console_table(result: Plan, occupation: str | None) -> None:
    """The national projection every five years (of one occupation when given): supply,
    need and gap in headcount and the gap in FTE, with the median and 80 % band of each when
    there are draws; occupations by code and name."""
    import pandas as pd
    from rich.markup import escape
    from rich.table import Table

    from healthforce.reference.occupations import occupations

    dims = result.dims
    if occupation is not None and occupation not in dims.occupations:
        _unknown_occupation(occupation, dims.occupations)
    national = result.national()
    shown = national[national["year"].isin(dims.years[::5])]
    if occupation is not None:
        shown = shown[shown["occupation"] == occupation]
    names = occupations()

    def named(code: str) -> str:
        found = names.get(code)
        return f"{code} {found.name_en} / {found.name_es}" if found else code

    title = f"Projection / Proyección {dims.base_year}-{dims.years[-1]} (national / nacional"
    if occupation:
        title += f", {named(occupation)}"
    title += f"); base date / fecha base {result.base_date}"
    banded = "p50" in shown
    if banded:
        title += (
            f"; under each figure, the median [10th, 90th percentile] of {result.draw_count:,} "
            "draws / bajo cada cifra, la mediana [percentiles 10, 90] de las simulaciones"
        )
    rich = Table(title=escape(title), show_lines=banded)
    rich.add_column("scenario\nescenario", min_width=9)
    rich.add_column("year\naño", no_wrap=True)
    if not occupation:  # codes here, their names under the table
        rich.add_column("ISCO\nCIUO", no_wrap=True)
    for heading in ("supply\noferta", "need\nnecesidad", "gap\nbrecha"):
        rich.add_column(heading, justify="right", no_wrap=True)
    rich.add_column("gap FTE\nbrecha ETC", justify="right", no_wrap=True)
    rich.add_column("closed\ncerrada", justify="right", no_wrap=True)

    def whole(value: float) -> str:
        return f"{round(value):,}"  # never "-0"

    def figure(row: Mapping[Any, Any], measure: str, prefix: str) -> str:
        """The central projection and, under it, the draws' median and 80 % band."""
        central = whole(row[measure])
        mid = row.get(f"{prefix}p50")
        if mid is None or pd.isna(mid):
            return central
        low, high = row[f"{prefix}p10"], row[f"{prefix}p90"]
        return f"{central}\n{whole(mid)} [{whole(low)}, {whole(high)}]"

    for row in shown.to_dict("records"):
        cells = [str(row["scenario"]), str(row["year"])]
        cells += [] if occupation else [str(row["occupation"])]
        for measure, prefix in (("supply", ""), ("need", "need_"), ("gap", "gap_")):
            cells.append(figure(row, measure, prefix))
        balance = row["balance_year"]
        cells += [whole(row["gap_fte"]), "-" if pd.isna(balance) else str(int(balance))]
        rich.add_row(*map(escape, cells))
    console.print(rich)
    if not occupation:
        for code in dict.fromkeys(shown["occupation"].astype(str)):
            console.print(f"  {named(code)}")
    console.print(
        "closed / cerrada: the year from which the gap stays within half a worker to the "
        "horizon / el año desde el que la brecha no supera medio trabajador hasta el horizonte"
    )
    for note in result.notes:
        console.print(escape(note))


def _unknown_occupation(occupation: str | None, known: tuple[str, ...]) -> NoReturn:
    raise typer.BadParameter(
        f"{occupation!r}: one of the registry's occupations ({', '.join(known)}) / una "
        "ocupación del registro",
        param_hint="--occupation",
    )


def _questions(
    occupation: str | None, target_year: int | None, horizon: int, tornado: bool
) -> None:
    """``--tornado`` and ``--close`` for one occupation and year."""
    import numpy as np
    from rich.table import Table

    from healthforce.forecast.gap import intake_answer
    from healthforce.forecast.plan import plan
    from healthforce.forecast.uncertainty import PARAMETER_NAMES, sensitivity
    from healthforce.reference.occupations import occupations
    from healthforce.web.pages.common import area_names

    eng = engine()
    result = plan(eng, horizon=horizon)
    dims = result.dims
    if occupation is None or occupation not in dims.occupations:
        _unknown_occupation(occupation, dims.occupations)
    year = target_year or dims.years[-1]
    if not dims.base_year < year <= dims.years[-1]:
        raise typer.BadParameter(
            f"{year}: a year after {dims.base_year}, by {dims.years[-1]} (see --horizon) / un año "
            "del período",
            param_hint="--target-year",
        )
    found = occupations().get(occupation)
    name = f"{occupation} {found.name_en} / {found.name_es}" if found else occupation
    k, t = dims.occupations.index(occupation), year - dims.base_year
    if tornado:
        table = sensitivity(dims, result.params, 0.10, occupation, year)
        need = float(result.need[t, k].sum())
        rich = Table(
            title=f"{name}, {year}: supply if each parameter is 10 % lower or higher (headcount; "
            f"need {need:,.0f}) / oferta si cada parámetro baja o sube un 10 %"
        )
        for col in ("parameter / parámetro", "-10 %", "+10 %", "swing / rango", "gap -10 / +10"):
            rich.add_column(col)
        for r in table.to_dict("records"):
            es, en = PARAMETER_NAMES.get(str(r["parameter"]), (r["parameter"], r["parameter"]))
            rich.add_row(
                f"{en} / {es}",
                f"{r['low']:,.0f}",
                f"{r['high']:,.0f}",
                f"{r['swing']:,.0f}",
                f"{r['low'] - need:,.0f} / {r['high'] - need:,.0f}",
            )
        console.print(rich)
        console.print(
            "Intake changes only new intake (from the base year), never cohorts already "
            "enrolled / El ingreso cambia solo el ingreso nuevo, no las cohortes ya inscritas"
        )
        return
    intake, why = intake_answer(dims, result.params, result.need[t, k], k, year)
    names = area_names(eng)
    rich = Table(
        title=f"{name}: yearly training intake from {dims.base_year} that closes the gap by "
        f"{year} (students a year) / ingreso anual a la formación que cierra la brecha"
    )
    for col in ("state / estado", "intake a year / ingreso anual", "note / nota"):
        rich.add_column(col)
    notes = {
        "none needed": "none needed: supply meets need / no hace falta: la oferta alcanza",
        "too late": "too late: training takes longer than the years left / demasiado tarde",
    }
    for j, area in enumerate(dims.areas):
        value = "" if np.isnan(intake[j]) else f"{intake[j]:,.0f}"
        rich.add_row(names.get(area, area), value, notes.get(why[j], ""))
    total = float(np.nansum(intake))
    rich.add_row("National / Nacional", f"{total:,.0f}", "")
    console.print(rich)


def _backcast(base_year: int, output: Path | None) -> None:
    """The engine judged against the registry's history: MAPE per occupation."""
    from rich.table import Table

    from healthforce.exports.tables import safe_frame
    from healthforce.forecast.backcast import backcast, mape
    from healthforce.reference.occupations import occupations

    with reported():
        table = backcast(engine(), base_year)
        summary = mape(table)
        names = occupations()
        years = sorted(set(table["year"]))
        rich = Table(
            title=f"Back-cast from / Retroproyección desde {base_year} "
            f"({years[0]}-{years[-1]}): headcount projected vs recorded / plantilla proyectada "
            "frente a registrada"
        )
        for col in ("occupation / ocupación", "years / años", "MAPE (%)", "last year / último"):
            rich.add_column(col)
        last = table[table["year"] == years[-1]].set_index("occupation")
        for row in summary.itertuples(index=False):
            known = names.get(str(row.occupation))
            label = (
                f"{row.occupation} {known.name_en} / {known.name_es}" if known else row.occupation
            )
            end = last.loc[row.occupation]
            rich.add_row(
                str(label or row.occupation),
                str(row.years),
                f"{row.mape:.1f}",
                f"{end['projected']:,.0f} vs {end['recorded']:,.0f}",
            )
        console.print(rich)
        if output is not None:
            safe_frame(table).to_csv(output, index=False)
            console.print(f"{len(table):,} rows / filas -> {output}")
