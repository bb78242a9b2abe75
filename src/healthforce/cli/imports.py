"""``healthforce template``, ``healthforce import`` and ``healthforce export``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from healthforce.cli.common import console, engine, err, reported
from healthforce.errors import Problem

if TYPE_CHECKING:
    from healthforce.ingest.importer import ImportReport
    from healthforce.reference.codes import Lang

SHOWN = 20


def template(
    entity: Annotated[str, typer.Argument(help="areas, facilities, workers, posts, ...")],
    output: Annotated[Path | None, typer.Option(help="File to write. / Archivo.")] = None,
    format: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    lang: Annotated[str, typer.Option(help="es or en")] = "es",
) -> None:
    """Write an import template for ENTITY. / Escribe una plantilla de importación."""
    from healthforce.ingest.templates import write_template

    with reported():
        path = output or Path(f"{entity}.{format}")
        write_template(entity, path.with_suffix(f".{format}"), _lang(lang))
        console.print(f"Template / Plantilla: {path.with_suffix(f'.{format}')}")


def import_(
    entity: Annotated[
        str, typer.Argument(help="An entity, or fhir, who-gho, worldbank, oecd, wpp.")
    ],
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file. / Archivo CSV o XLSX.")],
    mapping: Annotated[Path | None, typer.Option(help="Mapping file (TOML).")] = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="Store valid rows, report the rest. / Guarda las filas válidas.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Validate only. / Solo valida.")] = False,
    report: Annotated[
        Path | None, typer.Option(help="Error report file (.csv or .xlsx). / Archivo de errores.")
    ] = None,
    vintage: Annotated[
        str | None,
        typer.Option(
            help="Date a public source was published (YYYY-MM-DD), needed when the file does not "
            "say (WHO's DateModified, the World Bank's Last Updated Date). / Fecha de publicación "
            "de una fuente pública, si el archivo no la dice."
        ),
    ] = None,
    variant: Annotated[
        str,
        typer.Option(
            help="UN WPP files: the projection variant kept beside the estimates (Medium, High, "
            "Low …). / Archivos WPP de la ONU: la variante de proyección.",
        ),
    ] = "Medium",
    locale: Annotated[
        str | None,
        typer.Option(
            help="How the file writes numbers and dates (es_VE, en_US …); default: what its "
            "values show. / Cómo escribe números y fechas."
        ),
    ] = None,
    date_order: Annotated[
        str | None,
        typer.Option(help="dmy or mdy, for dates like 05/06/2024. / Orden día-mes."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            help="Boundary files: the areas' administrative level (0 = country, 1 = state, "
            "2 = municipality …). / Nivel administrativo de las áreas.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
    parent_level: Annotated[
        str | None,
        typer.Option(
            help="Level whose areas contain these (default: one up). / Nivel de las áreas "
            "que las contienen.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
    code_field: Annotated[
        str | None,
        typer.Option(
            help="Property holding each area's code. / Propiedad con el código.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
    name_field: Annotated[
        str | None,
        typer.Option(
            help="Property holding each area's name. / Propiedad con el nombre.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
    parent_field: Annotated[
        str | None,
        typer.Option(
            help="Property holding the parent's code (default: found by containment). / "
            "Propiedad con el código del área superior.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            help="The country (ISO code or name), when the registry has none yet. / El país.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
    layer: Annotated[
        str | None,
        typer.Option(
            help="Layer of a file with several (GeoPackage). / Capa del archivo.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option(
            help="Reference system of a file that does not say (EPSG:4326 …). / Sistema de "
            "referencia de un archivo que no lo indica.",
            rich_help_panel="Boundary files / Archivos de límites",
        ),
    ] = None,
) -> None:
    """Import a file into the registry: CSV or XLSX, or for areas a boundary file (GeoJSON,
    TopoJSON, zipped Shapefile, GeoPackage). / Importa un archivo al registro."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from healthforce.geo.files import is_geographic
    from healthforce.indicators import summary
    from healthforce.ingest.boundaries import import_areas
    from healthforce.ingest.facilities import import_facility_points
    from healthforce.ingest.importer import import_file
    from healthforce.ingest.mapping import Mapping, load_mapping
    from healthforce.ingest.public import PUBLIC_SOURCES, import_public
    from healthforce.ingest.values import check_locale
    from healthforce.settings import get_settings
    from healthforce.store import upgrade
    from healthforce.store.registry import Registry

    with reported():
        reading = load_mapping(mapping) if mapping else Mapping()
        if locale is not None:
            reading = replace(reading, locale=check_locale(locale))
        if date_order is not None:
            if date_order not in ("dmy", "mdy"):
                raise typer.BadParameter("dmy or mdy / dmy o mdy", param_hint="--date-order")
            reading = replace(reading, date_order=date_order)
        eng = engine()
        upgrade(eng)
        registry = Registry(eng)
        actor = get_settings().actor
        if entity == "fhir":
            from healthforce.fhir.to_registry import import_fhir

            result = import_fhir(registry, file, dry_run=dry_run, actor=actor)
        elif entity in PUBLIC_SOURCES:
            result = import_public(registry, entity, file, vintage=vintage, actor=actor)
        elif entity == "wpp":
            from healthforce.ingest.wpp import import_wpp

            result = import_wpp(registry, file, variant=variant, actor=actor)
        elif entity == "facilities" and is_geographic(file):
            result = import_facility_points(
                registry,
                file,
                mapping=reading,
                layer=layer,
                crs=crs,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                actor=actor,
            )
        elif entity == "areas" and is_geographic(file):
            result = import_areas(
                registry,
                file,
                level=level,
                parent_level=parent_level,
                mapping=reading,
                code_field=code_field,
                name_field=name_field,
                parent_field=parent_field,
                country=country,
                layer=layer,
                crs=crs,
                dry_run=dry_run,
                actor=actor,
            )
        else:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task(f"{file.name}", total=None)
                result = import_file(
                    registry,
                    entity,
                    file,
                    mapping=reading,
                    skip_invalid=skip_invalid,
                    dry_run=dry_run,
                    actor=actor,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        _show(result, report)
        if not result.ok:
            raise typer.Exit(1)
        if dry_run:
            return
        rebuilt = summary.refresh(eng)
        if rebuilt:
            console.print(
                f"Indicator summaries rebuilt for / resúmenes de indicadores reconstruidos para: "
                f"{', '.join(map(str, rebuilt))}"
            )


def export(
    entity: Annotated[str, typer.Argument(help="The entity to export.")],
    file: Annotated[Path, typer.Argument(help=".csv or .xlsx (a folder for fhir)")],
    lang: Annotated[str, typer.Option(help="es or en")] = "es",
) -> None:
    """Export an entity with the template's headers, or (fhir) the registry as FHIR R4 NDJSON
    into a folder. / Exporta una entidad, o el registro en FHIR."""
    from healthforce.exports.tables import export_entity

    with reported():
        if entity == "fhir":
            from healthforce.fhir.from_registry import export_fhir

            counts = export_fhir(engine(), file)
            for kind, n in counts.items():
                console.print(f"{n:,} {kind} -> {file / (kind + '.ndjson')}")
            return
        if entity in ("appointments", "slots"):
            from healthforce.access.referrals import appointment_rows, slot_rows
            from healthforce.exports.tables import write_table

            rows_of = appointment_rows if entity == "appointments" else slot_rows
            header, rows = rows_of(engine(), _lang(lang))
            write_table(file, header, [list(c) for c in zip(*rows, strict=True)])
            console.print(f"{len(rows):,} rows / filas -> {file}")
            return
        from healthforce.store.schema import ENTITIES

        if entity not in ENTITIES:
            known = ", ".join([*sorted(ENTITIES), "appointments", "slots", "fhir"])
            raise typer.BadParameter(
                f"{entity!r} cannot be exported (yet); one of {known} / no se puede exportar; "
                f"una de {known}",
                param_hint="ENTITY",
            )
        n = export_entity(engine(), entity, file, _lang(lang))
        console.print(f"{n:,} rows / filas -> {file}")


def _lang(lang: str) -> Lang:
    if lang not in ("es", "en"):
        raise typer.BadParameter("es or en / es o en")
    return "es" if lang == "es" else "en"


def _show(result: ImportReport, report: Path | None) -> None:
    from healthforce.exports.tables import write_table

    r = result.result
    colour = {"stored": "green", "dry-run": "cyan", "partial": "yellow"}.get(result.outcome, "red")
    console.print(
        f"[bold {colour}]{result.outcome}[/]: {result.file} -> {result.entity}: "
        f"{result.rows:,} rows / filas; {r.inserted:,} new / nuevas, {r.updated:,} updated / "
        f"actualizadas, {r.unchanged:,} unchanged / sin cambios, "
        f"{len({p.row for p in result.problems})} invalid / inválidas "
        + (
            "(dry run: nothing written / simulación: no se escribió nada)"
            if result.import_run_id is None
            else f"(import run / importación #{result.import_run_id})"
        )
    )
    if result.problems:
        _table("Problems / Problemas", result.problems[:SHOWN])
        if len(result.problems) > SHOWN:
            err.print(f"... {len(result.problems) - SHOWN} more / más")
    if result.warnings:
        _table("Warnings / Avisos", result.warnings[:SHOWN])
        if len(result.warnings) > SHOWN:
            err.print(f"... {len(result.warnings) - SHOWN} more warnings / avisos más")
    if report is not None:
        rows = result.problems + result.warnings
        write_table(
            report,
            ["file", "row", "column", "value", "reason", "record", "severity"],
            [
                [p.source or result.file for p in rows],
                [p.row for p in rows],
                [p.field for p in rows],
                [None if p.value is None else str(p.value) for p in rows],
                [p.reason for p in rows],
                [p.record for p in rows],
                ["error"] * len(result.problems) + ["warning"] * len(result.warnings),
            ],
        )
        console.print(f"Report / Informe: {report}")


def _table(title: str, problems: list[Problem]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for col in (
        "file / archivo",
        "row / fila",
        "column / columna",
        "value / valor",
        "reason / motivo",
    ):
        table.add_column(col)
    for p in problems:
        table.add_row(
            Path(p.source).name if p.source else "",
            str(p.row or ""),
            p.field,
            "" if p.value is None else str(p.value)[:40],
            p.reason,
        )
    err.print(table)
