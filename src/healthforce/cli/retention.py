"""``healthforce retention``: how long workers stay, from the registry's dated history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, on_date, reported


def retention(
    of: Annotated[
        str, typer.Option(help="workforce or post: time in the workforce or in a post.")
    ] = "workforce",
    by: Annotated[
        str,
        typer.Option(
            help="all, area, urban_rural, programme, occupation or cohort (year of entry). / "
            "Agrupar por."
        ),
    ] = "all",
    on: Annotated[
        str | None,
        typer.Option(help="Censoring date YYYY-MM-DD (default: the registry's reference date)."),
    ] = None,
    minimum: Annotated[
        int, typer.Option(help="Fewest spells a group needs to be shown. / Mínimo.", min=1)
    ] = 10,
    output: Annotated[
        Path | None,
        typer.Option(help="CSV or XLSX with the table and the curves. / Archivo de salida."),
    ] = None,
) -> None:
    """Median time in the workforce or in post, and the share still in after 1, 2 and 5 years
    (Kaplan–Meier, spells still running censored). / Tiempo mediano de permanencia."""
    import pandas as pd
    from rich.table import Table

    from healthforce.exports.tables import write_table
    from healthforce.forecast.retention import GROUPS, KINDS, curves, post_spells, workforce_spells
    from healthforce.forecast.retention import retention as table_of
    from healthforce.reference.codes import CODE_LISTS
    from healthforce.reference.occupations import occupations
    from healthforce.web.pages.common import area_names

    with reported():
        if of not in KINDS:
            raise typer.BadParameter("workforce or post / workforce o post", param_hint="--of")
        if by not in GROUPS:
            raise typer.BadParameter(", ".join(GROUPS), param_hint="--by")
        eng = engine()
        day = on_date(eng, on)
        spells = (workforce_spells if of == "workforce" else post_spells)(eng, day)
        table = table_of(spells, by, minimum)
        names = {
            **area_names(eng),
            **{k: o.name_en for k, o in occupations().items()},
            **{k: label for k, (_es, label) in CODE_LISTS["programme"].labels.items()},
            **{k: label for k, (_es, label) in CODE_LISTS["urban_rural"].labels.items()},
        }
        table.insert(1, "name", [names.get(str(g), str(g)) for g in table["group"]])
        what = (
            "in the workforce / en la fuerza laboral"
            if of == "workforce"
            else "in post / en el puesto"
        )
        rich = Table(title=f"Time {what}, by {by} (years / años), censored on {day.isoformat()}")
        for col in (
            "group / grupo",
            "spells / períodos",
            "departures / salidas",
            "median (95 % CI) / mediana",
            "1 year / 1 año",
            "2 years",
            "5 years",
        ):
            rich.add_column(col)

        def years(v: float) -> str:
            return "not reached / no alcanzada" if pd.isna(v) else f"{v:.1f}"

        for r in table.to_dict("records"):
            interval = (
                ""
                if pd.isna(r["median_low"])
                else f" ({years(r['median_low'])}-{years(r['median_high'])})"
            )
            rich.add_row(
                str(r["name"]),
                f"{r['spells']:,}",
                f"{r['departures']:,}",
                years(r["median_years"]) + interval,
                *(f"{r[f'still_in_{y}y']:.0%}" for y in (1, 2, 5)),
            )
        console.print(rich)
        if output is not None:
            both = pd.concat(
                [table.assign(part="summary"), curves(spells, by, minimum).assign(part="curve")],
                ignore_index=True,
            )
            write_table(output, list(both.columns), [both[c].tolist() for c in both.columns])
            console.print(f"{len(both):,} rows / filas -> {output}")
