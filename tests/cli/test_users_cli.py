"""``healthforce user``: add with the password rules, list by name, deactivate, reactivate,
reset; refusals are located messages, never a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.settings import get_settings
from healthforce.store import upgrade
from tests.indicators import registry


def test_users_from_the_command_line(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(sqlite_engine)
    registry.build(sqlite_engine)
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", sqlite_engine.url.render_as_string())
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    run = CliRunner().invoke
    monkeypatch.setenv("HEALTHFORCE_NEW_PASSWORD", "password1234")
    weak = run(app, ["user", "add", "boss"])
    assert weak.exit_code == 1 and "easy to guess" in weak.output
    assert "password1234" not in weak.output and "Traceback" not in weak.output
    monkeypatch.setenv("HEALTHFORCE_NEW_PASSWORD", "granite willow parade")
    assert run(app, ["user", "add", "boss"]).exit_code == 0
    made = run(app, ["user", "add", "ana", "--role", "data_clerk", "--area", "VE-A"])
    assert made.exit_code == 0, made.output
    listed = run(app, ["user", "list", "--lang", "es"])
    assert listed.exit_code == 0
    assert "Registro de datos" in listed.output and "nunca" in listed.output
    assert "A" in listed.output  # the area's name
    assert run(app, ["user", "deactivate", "ana"]).exit_code == 0
    assert "desactivado" in run(app, ["user", "list"]).output
    last = run(app, ["user", "deactivate", "boss"])
    assert last.exit_code == 1 and "last active admin" in last.output
    assert run(app, ["user", "reactivate", "ana"]).exit_code == 0
    monkeypatch.setenv("HEALTHFORCE_NEW_PASSWORD", "cobalt meadow trumpet")
    assert run(app, ["user", "reset", "ana"]).exit_code == 0
    missing = run(app, ["user", "reset", "nobody"])
    assert missing.exit_code == 1 and "no such user" in missing.output
    get_settings.cache_clear()
