"""``healthforce indicators``: the observatory's catalogue, as tables and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import (
    FromOption,
    ThresholdOption,
    ToOption,
    YearOption,
    console,
    default_year,
    engine,
    reported,
)

FORMATS = ("table", "csv", "xlsx", "json", "parquet", "dhis2")
SHOWN = 200


def indicators(
    year: YearOption = None,
    from_: FromOption = None,
    to: ToOption = None,
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
    threshold: ThresholdOption = None,
    dhis2_mapping: Annotated[Path | None, typer.Option(help="DHIS2 mapping (TOML).")] = None,
    compare_who: Annotated[bool, typer.Option(help="National densities beside WHO GHO.")] = False,
) -> None:
    """Compute the indicator catalogue. / Calcula el catálogo de indicadores."""
    import pandas as pd
    from rich.table import Table

    from healthforce.disclosure import DEFAULT_THRESHOLD
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
    from healthforce.indicators.series import series

    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    with reported():
        if format not in FORMATS:
            raise typer.BadParameter(", ".join(FORMATS))
        eng = engine()
        if from_ is not None or to is not None:
            if year is not None:
                raise typer.BadParameter("--year or --from/--to, not both / no ambos")
            table = series(eng, from_, to, level=level, codes=code or None)
            years = sorted(set(table["year"]))
            label = f"{years[0]}-{years[-1]}" if years else "-"
            year = years[-1] if years else None
        else:
            if year is None:
                year = default_year(eng)
            table = compute(eng, year, level=level, codes=code or None)
            label = str(year)
        if compare_who and year is not None:
            national = (
                table[table["year"] == year]
                if level == "country"
                else compute(eng, year, level="country", codes=["DENSITY"])
            )
            console.print(compare_with_who(eng, national).to_string(index=False))
        if public_:  # each year's whole release protected as published, then the rows asked
            years = sorted(int(y) for y in set(table["year"]))
            protected = public(eng, years, threshold, level=level, codes=code or None)
            if "break" in table.columns:
                keys = ["code", "year", "level", "area", "grp", "category"]
                protected = protected.merge(table[[*keys, "break"]], on=keys, how="left")
            table = protected
        path = output or Path(f"indicators-{label}.{'json' if format == 'dhis2' else format}")
        if format == "table":
            rich = Table(title=f"Indicators / Indicadores {label} ({level})")
            shown = ["code", "year", "area", "grp", "category", "numerator", "denominator"]
            for col in shown:
                rich.add_column(col)
            rich.add_column("value")
            for row in table.head(SHOWN).to_dict("records"):
                value = row["value"]
                mark = " (break / ruptura)" if row.get("break") else ""
                cells = [_cell(row[c]) for c in shown]
                rich.add_row(*cells, ("·" if pd.isna(value) else f"{value:.3f}") + mark)
            console.print(rich)
            if len(table) > SHOWN:
                console.print(
                    f"{len(table) - SHOWN:,} more rows: use --format csv or xlsx for all / "
                    f"{len(table) - SHOWN:,} filas más: use --format csv o xlsx para todas"
                )
            return
        if format == "csv":
            safe_frame(table).to_csv(path, index=False)
        elif format == "xlsx":
            from healthforce.ingest.demo import SYNTHETIC_NOTICE, is_demo
            from healthforce.settings import get_settings
            from healthforce.store.areas import place_zone

            zone = place_zone(eng, get_settings().timezone)
            notice = SYNTHETIC_NOTICE if is_demo(eng) else None
            write_xlsx(table, path, threshold if public_ else None, zone, notice=notice)
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


def _cell(value: object) -> str:
    """A table cell: counts as whole numbers (suppressed ones as "·"), the rest as they are."""
    if isinstance(value, float):
        return "·" if value != value else f"{value:.0f}"
    return str(value)
