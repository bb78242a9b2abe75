"""What every page shares: translations, the language switch that keeps the page's query, the
language cookie."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, select

from healthforce.reference.codes import LOCALES
from healthforce.store.models import Area
from healthforce.web.i18n import Lang, translations


def number(value: object, digits: int = 1, lang: Lang = "es") -> str:
    """A figure as the language writes it (Babel), at most ``digits`` decimals; "" when it
    is unknown (a suppressed or missing value)."""
    if value is None or not isinstance(value, int | float) or value != value:
        return ""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=LOCALES[lang]))


def area_names(engine: Engine) -> dict[str, str]:
    """Every area's name by its code (what pages show instead of the code)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(Area.code, Area.name)).all())


def specialty_names(engine: Engine, lang: Lang) -> dict[str, str]:
    """Every specialty's name in the language, by its code."""
    from healthforce.store.models import Specialty

    name = Specialty.name_es if lang == "es" else Specialty.name_en
    with engine.connect() as conn:
        return dict(conn.execute(select(Specialty.code, name)).all())


def render(request: Request, template: str, lang: Lang, **context: Any) -> HTMLResponse:
    from healthforce.web.cache import synthetic

    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    context.update(
        synthetic=synthetic(request, request.app.state.engine),
        lang=lang,
        number=lambda value, digits=1: number(value, digits, lang),
        _=translations(lang).gettext,
        query_es=urlencode({**query, "lang": "es"}),
        query_en=urlencode({**query, "lang": "en"}),
    )
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context
    )
    remember_lang(request, response, lang)
    return response


def remember_lang(request: Request, response: HTMLResponse, lang: Lang) -> None:
    """A language chosen with ?lang= is kept in a cookie for the next pages."""
    if request.query_params.get("lang") in ("es", "en"):
        response.set_cookie("lang", lang, httponly=True, samesite="lax")


def chart_json(fig: go.Figure) -> str:
    """A figure as JSON safe inside a <script> element: "</" is written "<\\/", so no text
    from the registry (an area's name, say) can close the element."""
    return str(fig.to_json()).replace("</", "<\\/")
