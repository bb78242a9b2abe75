"""The registry's country and the time zone its times are shown in."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from healthforce.settings import Settings
from healthforce.store import upgrade
from healthforce.store.areas import place_zone, registry_country
from healthforce.store.registry import Registry


def _country(engine: Engine, code: str) -> None:
    upgrade(engine)
    with Registry(engine).change(actor="t", source="t") as c:
        c.upsert("areas", {"code": [code], "name": [code], "level": ["country"], "parent": [None]})


def test_a_single_zone_country_is_shown_in_its_zone(sqlite_engine: Engine) -> None:
    _country(sqlite_engine, "VEN")
    assert registry_country(sqlite_engine) == "VEN"
    assert place_zone(sqlite_engine).key == "America/Caracas"
    assert place_zone(sqlite_engine, "America/Bogota").key == "America/Bogota"


def test_a_country_of_several_zones_needs_the_setting(sqlite_engine: Engine) -> None:
    _country(sqlite_engine, "CHL")
    assert place_zone(sqlite_engine).key == "UTC"  # named wherever a time is shown
    assert place_zone(sqlite_engine, "America/Santiago").key == "America/Santiago"


def test_a_wrong_zone_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        Settings(timezone="Mars/Olympus")
