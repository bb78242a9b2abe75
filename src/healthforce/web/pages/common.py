"""What every page shares: translations, the language switch that keeps the page's query, the
language cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, func, select

from healthforce.store.models import ChangeSet
from healthforce.web.i18n import Lang, translations

T = TypeVar("T")


def render(request: Request, template: str, lang: Lang, **context: Any) -> HTMLResponse:
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    context.update(
        lang=lang,
        _=translations(lang).gettext,
        query_es=urlencode({**query, "lang": "es"}),
        query_en=urlencode({**query, "lang": "en"}),
    )
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context
    )
    if request.query_params.get("lang") in ("es", "en"):
        response.set_cookie("lang", lang, httponly=True, samesite="lax")
    return response


def cached(request: Request, engine: Engine, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per state of the registry: the entry is reused until the next change
    set is written, so public pages stay fast and never show stale figures."""
    with engine.connect() as conn:
        version = conn.execute(select(func.max(ChangeSet.id))).scalar()
    store: dict[str, tuple[object, T]] = request.app.state.page_cache
    hit = store.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    store[key] = (version, value)
    return value
