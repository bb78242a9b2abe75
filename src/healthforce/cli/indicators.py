"""``healthforce indicators``: the observatory's catalogue, as tables and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, reported

FORMATS = ("table", "csv", "xlsx", "json", "parquet", "dhis2")


def indicators(
    year: Annotated[int, typer.Option(help="Year. / Año.")],
    code: Annotated[list[str] | None, typer.Option(help="Indicator code (repeat).")] = None,
    level: Annotated[str, typer.Option(help="state or country")] = "state",
    format: Annotated[str, typer.Option("--format", help=", ".join(FORMATS))] = "table",
    output: Annotated[Path | None, typer.Option(help="Output file. / Archivo.")] = None,
    public_: Annotated[
        bool,
        typer.Option(
            "--public", help="Suppress small cells (as published). / Suprime celdas pequeñas."
        ),
    ] = False,
    threshold: Annotated[
        int | None,
        typer.Option(help="Suppression threshold (default: the publication rule's, 5)."),
    ] = None,
    dhis2_mapping: Annotated[Path | None, typer.Option(help="DHIS2 mapping (TOML).")] = None,
    compare_who: Annotated[bool, typer.Option(help="National densities beside WHO GHO.")] = False,
) -> None:
    """Compute the indicator catalogue. / Calcula el catálogo de indicadores."""
    import pandas as pd
    from rich.table import Table

    from healthforce.exports.tables import safe_frame
    from healthforce.indicators.compute import compute
    from healthforce.indicators.outputs import (
        compare_with_who,
        dhis2,
        load_dhis2_mapping,
        public,
        to_json,
        write_xlsx,
    )
    from healthforce.indicators.suppression import DEFAULT_THRESHOLD

    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    with reported():
        if format not in FORMATS:
            raise typer.BadParameter(", ".join(FORMATS))
        eng = engine()
        table = compute(eng, year, level=level, codes=code or None)
        if compare_who:
            national = (
                table
                if level == "country"
                else compute(eng, year, level="country", codes=["DENSITY"])
            )
            console.print(compare_with_who(eng, national).to_string(index=False))
        if public_:
            table = public(table, threshold)
        path = output or Path(f"indicators-{year}.{'json' if format == 'dhis2' else format}")
        if format == "table":
            rich = Table(title=f"Indicators / Indicadores {year} ({level})")
            for col in ("code", "area", "grp", "category", "numerator", "denominator", "value"):
                rich.add_column(col)
            for row in table.head(200).to_dict("records"):
                value = row["value"]
                cells = [
                    str(row[c])
                    for c in ("code", "area", "grp", "category", "numerator", "denominator")
                ]
                rich.add_row(*cells, "·" if pd.isna(value) else f"{value:.3f}")
            console.print(rich)
            return
        if format == "csv":
            safe_frame(table).to_csv(path, index=False)
        elif format == "xlsx":
            write_xlsx(table, path, threshold if public_ else None)
        elif format == "json":
            path.write_text(to_json(table), encoding="utf-8")
        elif format == "parquet":
            table.to_parquet(path, index=False)
        else:
            if dhis2_mapping is None:
                raise typer.BadParameter("--dhis2-mapping is required for dhis2")
            payload = dhis2(table, load_dhis2_mapping(dhis2_mapping))
            path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        console.print(f"{len(table):,} rows / filas -> {path}")
