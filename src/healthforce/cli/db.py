"""``healthforce init`` and ``healthforce db ...``: create and migrate the registry."""

from __future__ import annotations

import typer

from healthforce.cli.common import console, engine, reported

app = typer.Typer(help="Database schema. / Esquema de la base de datos.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Migrate the registry to the newest schema. / Migra el registro al esquema más reciente."""
    from healthforce.store import current_revision
    from healthforce.store import upgrade as upgrade_schema

    with reported():
        eng = engine()
        upgrade_schema(eng)
        console.print(
            f"Schema at revision {current_revision(eng)} / Esquema en la revisión "
            f"{current_revision(eng)}: {eng.url.render_as_string()}"
        )


@app.command("current")
def current() -> None:
    """Show the schema revision. / Muestra la revisión del esquema."""
    from healthforce.store import current_revision

    console.print(current_revision(engine()) or "empty / vacía")


def init() -> None:
    """Create the registry and load reference data (ISCO-08, specialties, cadres).
    / Crea el registro y carga los datos de referencia."""
    from healthforce.ingest.reference import seed_reference
    from healthforce.settings import get_settings
    from healthforce.store import upgrade as upgrade_schema
    from healthforce.store.registry import Registry

    with reported():
        eng = engine()
        upgrade_schema(eng)
        with Registry(eng).change(actor=get_settings().actor, source="healthforce init") as ch:
            results = seed_reference(ch)
        for r in results:
            console.print(
                f"{r.entity}: {r.inserted} new / nuevos, {r.updated} updated / "
                f"actualizados, {r.unchanged} unchanged / sin cambios"
            )
