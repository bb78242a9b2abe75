"""A site with the hand-built registry and one user per role (A = state VE-A, B = VE-B)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from healthforce.store import upgrade
from healthforce.users import add_user
from healthforce.web.app import create_app
from tests.indicators import registry

PASSWORD = "correct horse battery"
USERS = {
    "admin": ("admin", None),
    "planner": ("national_planner", None),
    "manager_a": ("regional_manager", "VE-A"),
    "clerk_a": ("data_clerk", "VE-A"),
    "manager_b": ("regional_manager", "VE-B"),
}


@dataclass
class Site:
    engine: Engine

    def client(self, user: str | None = None, base_url: str = "http://testserver") -> TestClient:
        client = TestClient(create_app(self.engine), base_url=base_url)
        if user is not None:
            r = client.post("/api/v1/session", json={"username": user, "password": PASSWORD})
            assert r.status_code == 200, r.text
            client.headers["X-CSRF-Token"] = client.get("/api/v1/session").json()["csrf_token"]
        return client


def _site(engine: Engine) -> Site:
    upgrade(engine)
    registry.build(engine)
    for name, (role, area) in USERS.items():
        add_user(engine, name, PASSWORD, role, area)
    return Site(engine)


@pytest.fixture
def site(sqlite_engine: Engine) -> Site:
    return _site(sqlite_engine)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_site(request: pytest.FixtureRequest) -> Site:
    """The site on SQLite and on the real PostgreSQL server (the private side's queries)."""
    name = "pg_engine" if request.param == "postgresql" else "sqlite_engine"
    return _site(request.getfixturevalue(name))
