"""The one reader of the environment.

Every setting has the prefix ``HEALTHFORCE_``. Settings are validated when they are read, so a
wrong value stops the program at start-up with a message that names the variable.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "healthforce.db"


class Settings(BaseSettings):
    """Healthforce configuration.

    Attributes documented here are listed in ``docs/settings.md`` (a test keeps them in step).
    """

    model_config = SettingsConfigDict(env_prefix="HEALTHFORCE_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATABASE_FILE}",
        description="SQLAlchemy URL of the registry: a SQLite file (default, in the working "
        "directory) or postgresql+psycopg://user@host/db.",
    )
    environment: Literal["development", "production"] = Field(
        default="development",
        description="'production' refuses placeholder secrets.",
    )
    actor: str = Field(
        default="system",
        description="Name recorded in the audit log for changes made from the CLI.",
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging).")
    xlsx_max_unpacked_mb: int = Field(
        default=1024,
        gt=0,
        description="The most an XLSX file may unpack to, in MB; a larger one (a zip bomb, or a "
        "sheet too large for a spreadsheet) is refused before it is read.",
    )
    timezone: str | None = Field(
        default=None,
        description="IANA time zone the registry's times are shown in (America/Caracas); by "
        "default its country's, when the country has a single zone.",
    )
    cookie_secure: bool = Field(
        default=False,
        description="Mark session cookies Secure even when the request looks like plain HTTP "
        "(behind a proxy that terminates TLS). Requests over HTTPS always get Secure cookies.",
    )

    trusted_proxies: str | None = Field(
        default=None,
        description="Addresses of the reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (comma-separated, or * behind a private network); by "
        "default none, so the client address is the connection's and cannot be forged.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"HEALTHFORCE_TIMEZONE: {value!r} is not an IANA time zone "
                    "(America/Caracas, America/Guatemala, ...)"
                ) from None
        return value or None

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "HEALTHFORCE_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL"
            )
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file behind the registry, or None on a server database."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != prefix:
            return Path(self.database_url.removeprefix(prefix))
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
