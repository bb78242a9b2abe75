"""What routes depend on, as ``Annotated`` aliases (one API shape)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from healthforce.web.i18n import Lang, pick


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_lang(request: Request) -> Lang:
    """?lang= wins, then the cookie, then Spanish."""
    return pick(request.query_params.get("lang") or request.cookies.get("lang"))


EngineDep = Annotated[Engine, Depends(get_engine)]
LangDep = Annotated[Lang, Depends(get_lang)]
