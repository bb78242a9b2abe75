"""``create_app``: the observatory as one FastAPI app (API under /api/v1, pages at /)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from healthforce.settings import get_settings
from healthforce.store.session import make_engine
from healthforce.web.api import health, indicators
from healthforce.web.pages import explore, home


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="Healthforce",
        version="0.1.0",
        description="Health workforce observatory API. Public endpoints return "
        "suppressed aggregates only. / API del observatorio.",
    )
    app.state.engine = engine or make_engine(get_settings().database_url)
    templates_dir = Path(str(resources.files("healthforce.web").joinpath("templates")))
    app.state.templates = Jinja2Templates(directory=templates_dir)
    app.include_router(health.router)
    app.include_router(indicators.router)
    app.include_router(home.router)
    app.include_router(explore.router)
    return app
