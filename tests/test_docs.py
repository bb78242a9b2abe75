"""The docs stay complete: every CLI command and every setting is documented."""

from __future__ import annotations

from pathlib import Path

import typer

from healthforce.cli import app
from healthforce.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(typer_app: typer.Typer, prefix: str = "healthforce") -> list[str]:
    names = []
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        names.append(f"{prefix} {name}")
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        names.extend(_commands(group.typer_instance, f"{prefix} {group.name}"))
    return names


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text("utf-8")
    commands = _commands(app)
    assert len(commands) >= 5
    missing = [c for c in commands if f"`{c}" not in text]
    assert missing == []


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text("utf-8")
    missing = [
        f"HEALTHFORCE_{name.upper()}"
        for name in Settings.model_fields
        if f"HEALTHFORCE_{name.upper()}" not in text
    ]
    assert missing == []
