"""``healthforce user add``: people who sign in to the private side."""

from __future__ import annotations

from typing import Annotated

import typer

from healthforce.cli.common import console, engine, reported

app = typer.Typer(
    help="Users of the private side. / Usuarios del área privada.", no_args_is_help=True
)


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="User name. / Nombre de usuario.")],
    role: Annotated[
        str,
        typer.Option(help="admin, national_planner, regional_manager or data_clerk."),
    ] = "admin",
    area: Annotated[
        str | None, typer.Option(help="Area code (regional roles). / Código del área.")
    ] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="HEALTHFORCE_NEW_PASSWORD",
            help="Asked for when not given (or HEALTHFORCE_NEW_PASSWORD). / Contraseña.",
        ),
    ] = "",
) -> None:
    """Create a user (the first one is the admin). / Crea un usuario."""
    from healthforce.users import add_user

    with reported():
        user_id = add_user(engine(), username, password, role, area)
        console.print(f"user / usuario {username} ({role}) created / creado: id {user_id}")
