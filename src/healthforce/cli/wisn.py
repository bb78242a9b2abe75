"""``healthforce wisn FILE``: WISN staffing need for every facility from a workload file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, on_date, reported


def wisn(
    file: Annotated[
        Path, typer.Argument(help="Workload workbook (XLSX) or folder of CSV files. / Archivo.")
    ],
    on: Annotated[
        str | None,
        typer.Option(help="Date of the current staff YYYY-MM-DD (default: the reference date)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="CSV or XLSX with every facility's figures. / Archivo de salida."),
    ] = None,
) -> None:
    """Required staff by facility and occupation (WHO WISN), against the registry's current
    staff, summed by occupation. / Personal necesario según la carga de trabajo (WISN)."""
    import pandas as pd
    from rich.table import Table

    from healthforce.exports.tables import write_table
    from healthforce.forecast.workload import summary, wisn_from_file
    from healthforce.reference.occupations import occupations

    with reported():
        eng = engine()
        day = on_date(eng, on)
        table = wisn_from_file(eng, file, day)
        names = occupations()
        total = summary(table)
        rich = Table(
            title=f"WISN on {day.isoformat()}: staff required by workload and current staff "
            "(people) / personal necesario según la carga de trabajo y actual (personas)"
        )
        for col in (
            "occupation / ocupación",
            "facilities / establecimientos",
            "required / necesario",
            "current / actual",
            "difference / diferencia",
            "WISN ratio",
            "facilities short / con déficit",
        ):
            rich.add_column(col)
        for r in total.to_dict("records"):
            known = names.get(str(r["occupation"]))
            label = f"{known.name_en} / {known.name_es}" if known else ""
            rich.add_row(
                f"{r['occupation']} {label}".strip(),
                f"{r['facilities']:,}",
                f"{r['required']:,.1f}",
                f"{r['current']:,.0f}",
                f"{r['difference']:,.1f}",
                "" if pd.isna(r["ratio"]) else f"{r['ratio']:.2f}",
                f"{r['facilities_short']:,}",
            )
        console.print(rich)
        if output is not None:
            write_table(output, list(table.columns), [table[c].tolist() for c in table.columns])
            console.print(f"{len(table):,} rows / filas -> {output}")
