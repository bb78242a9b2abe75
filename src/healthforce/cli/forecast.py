"""``healthforce forecast``: baseline and scenario projections, need and gap."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, reported


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
    import pandas as pd
    from rich.markup import escape
    from rich.table import Table

    if backcast is not None:
        _backcast(backcast, output)
        return

    from healthforce.forecast.plan import plan

    with reported():
        result = plan(engine(), scenarios=scenario or [], draws=draws, horizon=horizon, seed=seed)
        table = result.table()
        if format == "table":
            national = result.national()
            shown = national[national["year"].isin(result.dims.years[::5])]
            rich = Table(
                title=f"Projection / Proyección {result.dims.base_year}-"
                f"{result.dims.years[-1]} (national / nacional)"
            )
            banded = "p50" in shown
            columns = ["scenario", "year", "occupation", "supply", "need", "gap", "balance_year"]
            if banded:  # the median and the 80 % band of the baseline's draws
                columns[4:4] = ["supply p50", "supply 80 %"]
                columns.insert(-1, "gap 80 %")
            for col in columns:
                rich.add_column(col)

            def band(low: float, high: float) -> str:
                return "" if pd.isna(low) else f"{low:,.0f} – {high:,.0f}"

            for row in shown.to_dict("records"):
                balance = row["balance_year"]
                cells = [
                    str(row["scenario"]),
                    str(row["year"]),
                    str(row["occupation"]),
                    f"{row['supply']:,.0f}",
                    f"{row['need']:,.0f}",
                    f"{row['gap']:,.0f}",
                    "-" if pd.isna(balance) else str(int(balance)),
                ]
                if banded:
                    median = row["p50"]
                    cells[4:4] = [
                        "" if pd.isna(median) else f"{median:,.0f}",
                        band(row["p10"], row["p90"]),
                    ]
                    cells.insert(-1, band(row["gap_p10"], row["gap_p90"]))
                rich.add_row(*cells)
            console.print(rich)
            for note in result.notes:
                console.print(escape(note))
            return
        path = output or Path(f"forecast.{format}")
        if format in ("csv", "xlsx"):
            from healthforce.forecast.report import write_forecast
            from healthforce.web.pages.common import area_names

            path = write_forecast(result, path.with_suffix(f".{format}"), area_names(engine()))
        elif format == "parquet":
            table.to_parquet(path, index=False)
        else:
            raise typer.BadParameter("table, csv, xlsx or parquet")
        console.print(f"{len(table):,} rows / filas -> {path}")
        for note in result.notes:
            console.print(escape(note))


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
