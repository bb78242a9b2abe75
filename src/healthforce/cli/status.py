"""``healthforce status``: what the registry holds, per entity and per state."""

from __future__ import annotations

from healthforce.cli.common import console, engine, reported


def status() -> None:
    """Counts per entity and per state. / Conteos por entidad y por estado."""
    from rich.table import Table
    from sqlalchemy import inspect

    from healthforce.indicators.releases import releases
    from healthforce.store import current_revision
    from healthforce.store.summary import by_state, change_sets, entity_counts, indicator_years
    from healthforce.store.timeline import coverage

    with reported():
        eng = engine()
        console.print(
            f"Registry / Registro: {eng.url.render_as_string()} "
            f"(schema / esquema {current_revision(eng) or '-'})"
        )
        counts = entity_counts(eng)
        if not counts:
            console.print("Empty: run `healthforce init` or `healthforce demo`. / Vacío.")
            return
        from healthforce.ingest.demo import DEMO_LABEL, is_demo

        if is_demo(eng):
            console.print(
                f"[bold yellow]{DEMO_LABEL}[/]: the demo country / el país de demostración"
            )
        table = Table(title="Entities / Entidades")
        table.add_column("entity / entidad")
        table.add_column("rows / filas", justify="right")
        for name, n in counts.items():
            table.add_row(name, f"{n:,}")
        console.print(table)
        covered = coverage(eng)
        if covered is None:
            console.print("No dated data yet / aún no hay datos fechados")
        else:
            console.print(
                f"Data cover / los datos cubren {covered} (reference date / fecha de referencia "
                f"{covered.last.isoformat()}; latest complete year / último año completo "
                f"{covered.last_full_year})"
            )
        upgraded = inspect(eng).has_table("release")
        if not upgraded:
            console.print(
                "The schema is older than this version: run `healthforce db upgrade` / El "
                "esquema es anterior a esta versión: ejecute `healthforce db upgrade`"
            )
        listed = releases(eng) if upgraded else []
        for release in listed[:5]:
            console.print(
                f"release / versión {release.id}: {release.year}, {release.rows:,} figures / "
                f"cifras, SHA-256 {release.checksum[:16]}…"
            )
        if len(listed) > 5:
            console.print(
                f"… {len(listed) - 5:,} older releases: `healthforce releases` lists them all / "
                f"{len(listed) - 5:,} versiones anteriores"
            )
        states = Table(title="By state / Por estado")
        for col in (
            "code / código",
            "state / estado",
            "facilities / establecimientos",
            "active workers (residence) / trabajadores activos (residencia)",
        ):
            states.add_column(col)
        for code, name, fac, wrk in by_state(eng):
            states.add_row(code, name, f"{fac:,}", f"{wrk:,}")
        console.print(states)
        for year, stale in indicator_years(eng):
            console.print(
                f"indicator summaries / resúmenes de indicadores {year}: "
                + (
                    "stale, rebuilt when next read / desactualizados, se reconstruyen al leerlos"
                    if stale
                    else "current / al día"
                )
            )
        for i, actor, source in change_sets(eng):
            console.print(f"change set / cambio #{i}: {actor} — {source}")
