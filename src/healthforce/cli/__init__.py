"""The ``healthforce`` command line: a thin adapter over the Python API."""

from __future__ import annotations

import typer

from healthforce.cli import (
    access,
    db,
    demo,
    deploy,
    forecast,
    imports,
    indicators,
    migration,
    releases,
    retention,
    revert,
    serve,
    status,
    training,
    users,
    wisn,
)

app = typer.Typer(
    name="healthforce",
    help="Healthforce: health workforce observatory and planning. / Observatorio y planificación "
    "de la fuerza de trabajo en salud.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("init")(db.init)
app.add_typer(db.app, name="db")
app.command("demo")(demo.demo)
app.command("status")(status.status)
app.command("template")(imports.template)
app.command("import")(imports.import_)
app.command("export")(imports.export)
app.command("forecast")(forecast.forecast)
app.command("retention")(retention.retention)
app.command("wisn")(wisn.wisn)
app.add_typer(deploy.app, name="deploy")
app.add_typer(access.app, name="access")
app.add_typer(migration.app, name="migration")
app.command("indicators")(indicators.indicators)
app.command("publish")(releases.publish)
app.command("releases")(releases.releases)
app.command("revert")(revert.revert)
app.add_typer(training.app, name="training")
app.command("serve")(serve.serve)
app.add_typer(users.app, name="user")


def main() -> None:
    app()
