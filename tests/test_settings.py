from __future__ import annotations

import pytest
from pydantic import ValidationError

from healthforce.settings import Settings


def test_defaults_to_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEALTHFORCE_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///healthforce.db"
    assert str(settings.sqlite_path) == "healthforce.db"


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", "postgresql://u@h/db")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.sqlite_path is None


def test_refuses_an_unknown_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", "mysql://x")
    with pytest.raises(ValidationError, match="HEALTHFORCE_DATABASE_URL"):
        Settings()
