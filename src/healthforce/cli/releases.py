"""``healthforce publish`` and ``healthforce releases``: frozen, versioned public catalogues."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from sqlalchemy import Engine


def publish(
    year: YearOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    series: Annotated[
        bool,
        typer.Option(
            "--series",
            help="Publish every year of the default time series (the ten years up to the latest "
            "complete one). / Publica cada año de la serie por defecto (diez años).",
        ),
    ] = False,
    threshold: ThresholdOption = None,
    audit: Annotated[
        bool,
        typer.Option(
            "--audit",
            help="Also run the attacker's audit of what is published and print it with the "
            "information loss. / Audita lo publicado e informa la pérdida de información.",
        ),
    ] = False,
) -> None:
    """Freeze a year's public catalogue as a release (again: a new release only if something
    changed, with its revisions). / Publica el catálogo de un año como versión congelada."""
    from healthforce.indicators.series import years_for

    with reported():
        eng = engine()
        if year is not None and (from_ is not None or to is not None or series):
            raise typer.BadParameter("--year or --from/--to/--series, not both / no ambos")
        if from_ is not None or to is not None or series:
            years = list(years_for(eng, from_, to))
        else:
            years = [default_year(eng) if year is None else year]
        for one in years:
            _publish_year(eng, one, threshold, audit)


def _publish_year(eng: Engine, year: int, threshold: int | None, audit: bool) -> None:
    """Publish one year's release and print what it is, its protection and its revisions."""
    from healthforce.disclosure import DEFAULT_THRESHOLD
    from healthforce.indicators.releases import publish as publish_release
    from healthforce.indicators.releases import revisions
    from healthforce.settings import get_settings

    done = publish_release(
        eng,
        year,
        actor=get_settings().actor,
        threshold=threshold or DEFAULT_THRESHOLD,
        audited=audit,
    )
    _protection(done.protection)
    if not done.new:
        console.print(
            f"Nothing changed since release {done.release_id} of {year}: not published "
            f"again / Nada cambió desde la versión {done.release_id} de {year}"
        )
        return
    console.print(
        f"Release / Versión {done.release_id}: {year}, {done.rows:,} figures / cifras, "
        f"SHA-256 {done.checksum}"
    )
    if done.previous is not None:
        revised = revisions(eng, done.release_id)
        console.print(
            f"{len(revised):,} figures revised since release / cifras revisadas desde la "
            f"versión {done.previous}"
        )
        for r in revised.head(20).itertuples(index=False):
            console.print(
                f"  {year} {r.code} {r.area} {r.grp} {r.category}".rstrip()
                + f": {_number(r.before)} -> {_number(r.after)}"
            )
        if len(revised) > 20:
            console.print(
                f"  … {len(revised) - 20:,} more: `healthforce releases --revisions "
                f"{done.release_id}` / más"
            )


def _protection(meta: dict[str, object]) -> None:
    """How the release is protected, what it cost and, when audited, the attacker's result."""
    counts = float(str(meta["counts_withheld_share"]))
    rows = float(str(meta["rows_withheld_share"]))
    console.print(
        f"Protection / Protección (k = {meta['threshold']}): "
        f"{meta['counts_withheld']:,} of / de {meta['counts_of_people']:,} counts of people "
        f"withheld / conteos de personas ocultos ({counts:.1%}); "
        f"{meta['rows_withheld']:,} of / de {meta['rows']:,} rows / filas ({rows:.1%})"
    )
    if "exposed" in meta:
        exposed = int(str(meta["exposed"]))
        verdict = "none exposed / ninguno expuesto" if exposed == 0 else f"{exposed:,} EXPOSED"
        console.print(
            f"Audit / Auditoría: {meta['protected_counts']:,} small counts checked by linear "
            f"programming / conteos pequeños verificados: {verdict}"
        )
        if exposed:
            raise typer.Exit(1)


def releases(
    revisions_of: Annotated[
        int | None,
        typer.Option("--revisions", help="List what this release revised. / Revisiones."),
    ] = None,
    check: Annotated[
        int | None,
        typer.Option("--verify", help="Check a release against its checksum. / Verifica."),
    ] = None,
) -> None:
    """The published releases, their revisions and checksums. / Las versiones publicadas."""
    from rich.table import Table

    from healthforce.indicators import releases as rel

    with reported():
        eng = engine()
        if check is not None:
            ok = rel.verify(eng, check)
            console.print(
                f"Release {check}: "
                + ("matches its checksum / coincide" if ok else "DOES NOT match / NO coincide")
            )
            if not ok:
                raise typer.Exit(1)
            return
        if revisions_of is not None:
            revised = rel.revisions(eng, revisions_of)
            console.print(f"{len(revised):,} figures revised / cifras revisadas")
            for r in revised.itertuples(index=False):
                console.print(
                    f"  {r.code} {r.level} {r.area} {r.grp} {r.category}".rstrip()
                    + f": {_number(r.before)} -> {_number(r.after)}"
                )
            return
        table = rel.releases(eng)
        if not table:
            console.print("No release yet: `healthforce publish` / Aún no hay versiones")
            return
        from healthforce.settings import get_settings
        from healthforce.store.areas import place_zone

        zone = place_zone(eng, get_settings().timezone)
        shown = Table(title="Releases / Versiones")
        for col in ("id", "year / año", "published / publicada", "by", "change set", "k", "rows"):
            shown.add_column(col)
        shown.add_column("SHA-256")
        for release in table:
            shown.add_row(
                str(release.id),
                str(release.year),
                release.published_at.astimezone(zone).strftime("%Y-%m-%d %H:%M ") + zone.key,
                release.actor,
                str(release.change_set),
                str(release.threshold),
                f"{release.rows:,}",
                release.checksum[:16] + "…",
            )
        console.print(shown)


def _number(value: object) -> str:
    if isinstance(value, float):
        return "suppressed / suprimido" if value != value else f"{value:.4g}"
    return "-" if value is None else str(value)
