"""``healthforce migration ...``: flows, situation report, WHO Code checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, reported

app = typer.Typer(help="Migration and mobility. / Migración y movilidad.", no_args_is_help=True)


@app.command("report")
def report(
    country: Annotated[str, typer.Option(help="ISO3 country code. / Código ISO3.")],
    format: Annotated[str, typer.Option("--format", help="xlsx or html")] = "xlsx",
    output: Annotated[Path | None, typer.Option(help="Output file. / Archivo.")] = None,
    internal: Annotated[
        bool,
        typer.Option(
            "--internal",
            help="The internal edition, with the registry's unprotected counts (not for "
            "publication). / Edición interna, con conteos sin protección (no publicar).",
        ),
    ] = False,
) -> None:
    """Migration situation report of a country: by default the public edition, whose registry
    figures are the protected releases'. / Informe de situación migratoria (edición pública
    por defecto)."""
    from healthforce.migration.report import write_report

    with reported():
        if format not in ("xlsx", "html"):
            raise typer.BadParameter("xlsx or html")
        path = write_report(
            engine(),
            country.upper(),
            output or Path(f"migration-{country.upper()}.{format}"),
            internal=internal,
        )
        console.print(f"Report / Informe: {path}")


@app.command("flows")
def flows(output: Annotated[Path, typer.Argument(help="CSV file.")]) -> None:
    """All flows (registry and published), with sources. / Todos los flujos con su fuente."""
    from healthforce.exports.tables import safe_frame
    from healthforce.migration.flows import flows as all_flows

    with reported():
        table = all_flows(engine())
        safe_frame(table).to_csv(output, index=False)
        console.print(f"{len(table):,} rows / filas -> {output}")


@app.command("rates")
def rates(
    occupation: Annotated[str, typer.Option(help="medical_doctors or nursing")] = "medical_doctors",
) -> None:
    """Emigration rate M/(M+N) of every origin country. / Tasa de emigración por país."""
    from healthforce.migration.monitor import emigration_rates

    with reported():
        table = emigration_rates(engine(), occupation)
        console.print(table.to_string(index=False))


@app.command("code")
def code(
    safeguards: Annotated[
        Path,
        typer.Option(
            "--list", help="Support and safeguards list (TOML with source, year, countries)."
        ),
    ],
    output: Annotated[Path | None, typer.Option(help="CSV of the check.")] = None,
) -> None:
    """Check a WHO safeguards list against the density criterion; flag recruitment from listed
    countries. / Verifica la lista de salvaguardia y marca contrataciones."""
    from healthforce.exports.tables import safe_frame
    from healthforce.migration.code import (
        check_list,
        density_criterion,
        load_safeguards_list,
        recruitment_flags,
    )

    with reported():
        eng = engine()
        listed = load_safeguards_list(safeguards)
        checked = check_list(listed, density_criterion(eng))
        flagged = recruitment_flags(eng, listed)
        console.print(
            f"{listed.source} ({listed.year}): {len(listed.countries)} countries; "
            f"{int((~checked['agrees']).sum())} disagree with the density criterion"
        )
        console.print(
            f"Recruitment from listed countries / contrataciones desde países de la "
            f"lista: {int(flagged['recruited'].sum()) if len(flagged) else 0}"
        )
        if output:
            safe_frame(checked).to_csv(output, index=False)
