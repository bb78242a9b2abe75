"""``healthforce user ...``: people who sign in to the private side: add, list, deactivate
(staff who leave), reactivate, reset a password."""

from __future__ import annotations

from typing import Annotated

import typer

from healthforce.cli.common import LangOption, console, engine, language, reported

app = typer.Typer(
    help="Users of the private side. / Usuarios del área privada.", no_args_is_help=True
)

UserArg = Annotated[str, typer.Argument(help="User name. / Nombre de usuario.")]
PasswordOption = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="HEALTHFORCE_NEW_PASSWORD",
        help="Asked for when not given (or HEALTHFORCE_NEW_PASSWORD): at least 12 characters, "
        "not easy to guess. / Contraseña.",
    ),
]


def _noted(kind: str, detail: str) -> None:
    from healthforce.settings import get_settings
    from healthforce.users import note_activity

    note_activity(engine(), get_settings().actor, kind, detail, address="cli")


@app.command("add")
def add(
    username: UserArg,
    role: Annotated[
        str,
        typer.Option(help="admin, national_planner, regional_manager or data_clerk."),
    ] = "admin",
    area: Annotated[
        str | None, typer.Option(help="Area code (regional roles). / Código del área.")
    ] = None,
    password: PasswordOption = "",
) -> None:
    """Create a user (the first one is the admin). / Crea un usuario."""
    from healthforce.users import add_user

    with reported():
        user_id = add_user(engine(), username, password, role, area)
        _noted("user_added", f"{username} ({role})")
        console.print(f"user / usuario {username} ({role}) created / creado: id {user_id}")


@app.command("list")
def list_(lang: LangOption = "es") -> None:
    """Every user: role, area, whether active, last sign-in (in the place's zone).
    / Todos los usuarios."""
    from babel.dates import format_datetime
    from rich.table import Table

    from healthforce.reference.codes import LOCALES
    from healthforce.settings import get_settings
    from healthforce.store.areas import place_zone
    from healthforce.users import list_users

    with reported():
        language_ = language(lang)
        es = language_ == "es"
        eng = engine()
        zone = place_zone(eng, get_settings().timezone)
        roles = {
            "admin": ("Administración", "Admin"),
            "national_planner": ("Planificación nacional", "National planner"),
            "regional_manager": ("Gestión regional", "Regional manager"),
            "data_clerk": ("Registro de datos", "Data clerk"),
        }
        table = Table(
            "Usuario" if es else "User",
            "Rol" if es else "Role",
            "Área" if es else "Area",
            "Estado" if es else "Status",
            f"Último inicio de sesión ({zone})" if es else f"Last sign-in ({zone})",
        )
        people = list_users(eng)
        for u in people:
            table.add_row(
                u.username,
                roles[u.role][0 if es else 1],
                u.area or ("nacional" if es else "national"),
                ("activo" if u.active else "desactivado")
                if es
                else ("active" if u.active else "deactivated"),
                format_datetime(u.last_sign_in, "medium", tzinfo=zone, locale=LOCALES[language_])
                if u.last_sign_in
                else ("nunca" if es else "never"),
            )
        console.print(table)
        console.print(f"{len(people):,} " + ("usuarios" if es else "users"))


@app.command("deactivate")
def deactivate(username: UserArg) -> None:
    """Deactivate a user who left (their sessions end now). / Desactiva un usuario."""
    from healthforce.users import set_active

    with reported():
        set_active(engine(), username, False)
        _noted("user_deactivated", username)
        console.print(f"{username}: deactivated / desactivado")


@app.command("reactivate")
def reactivate(username: UserArg) -> None:
    """Let a deactivated user sign in again. / Reactiva un usuario."""
    from healthforce.users import set_active

    with reported():
        set_active(engine(), username, True)
        _noted("user_reactivated", username)
        console.print(f"{username}: reactivated / reactivado")


@app.command("reset")
def reset(username: UserArg, password: PasswordOption = "") -> None:
    """Set a new password (sessions end, lockouts lifted). / Restablece la contraseña."""
    from healthforce.users import reset_password

    with reported():
        reset_password(engine(), username, password)
        _noted("password_reset", username)
        console.print(f"{username}: password reset / contraseña restablecida")
