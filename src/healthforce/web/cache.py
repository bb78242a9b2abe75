"""Figures computed once per state of the registry: an entry is reused until the next change
set is written or the next release published, so public pages and the API stay fast on a large
registry and never show stale figures (every write, through any door, opens a change set)."""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from healthforce.disclosure import DEFAULT_THRESHOLD
from healthforce.indicators.outputs import public_release
from healthforce.indicators.releases import ReleaseRecord, latest_release, public_year
from healthforce.settings import get_settings
from healthforce.store.areas import place_zone
from healthforce.store.models import ChangeSet
from healthforce.store.models.release import Release
from healthforce.web.i18n import pick
from healthforce.web.pages.common import remember_lang

T = TypeVar("T")


MAX_ENTRIES = 512  # least recently used entries go first


def cached(
    request: Request,
    engine: Engine,
    key: str,
    make: Callable[[], T],
    *,
    ttl: float | None = None,
) -> T:
    """``make()`` once per registry version (the latest change set and release). ``ttl``
    (seconds) also bounds the entry's age, for figures fed by writes that open no change set
    (bookings)."""
    with engine.connect() as conn:  # a release opens no change set: it counts apart
        version = tuple(
            conn.execute(
                select(func.max(ChangeSet.id), select(func.max(Release.id)).scalar_subquery())
            ).one()
        )
    store: OrderedDict[str, tuple[object, float, T]] = request.app.state.page_cache
    hit = store.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] == version and (ttl is None or now - hit[1] < ttl):
        store.move_to_end(key)
        return hit[2]
    value = make()
    store[key] = (version, now, value)
    while len(store) > MAX_ENTRIES:
        store.popitem(last=False)
    return value


def public_page(
    request: Request,
    engine: Engine,
    lang: str,
    make: Callable[[], HTMLResponse],
    ttl: float | None = None,
) -> HTMLResponse:
    """A public page rendered once per registry version, query and language (public pages
    hold nothing that depends on who asks)."""
    query = sorted((k, v) for k, v in request.query_params.items() if k != "lang")
    key = f"page:{request.url.path}?{query}:{lang}"

    def render() -> tuple[bytes, int]:
        response = make()
        return bytes(response.body), response.status_code

    body, status = cached(request, engine, key, render, ttl=ttl)
    response = HTMLResponse(body, status_code=status)
    remember_lang(request, response, pick(lang))
    return response


def synthetic(request: Request, engine: Engine) -> str | None:
    """The synthetic-data notice when the registry is a demo (checked once a minute: it
    changes only when a demo is built or replaced), else None."""
    from healthforce.ingest.demo import SYNTHETIC_NOTICE, is_demo

    state = request.app.state
    seen: tuple[float, bool] | None = getattr(state, "demo_seen", None)
    if seen is None or time.monotonic() - seen[0] > 60:
        try:
            seen = (time.monotonic(), is_demo(engine))
        except DBAPIError:  # no tables yet: not a demo
            seen = (time.monotonic(), False)
        state.demo_seen = seen
    return SYNTHETIC_NOTICE if seen[1] else None


def zone_of(request: Request, engine: Engine) -> ZoneInfo:
    """The place's time zone (the setting's, else the country's), once per registry version."""
    return cached(request, engine, "zone", lambda: place_zone(engine, get_settings().timezone))


def release_of(request: Request, engine: Engine, year: int) -> ReleaseRecord | None:
    """The release the public site serves for a year (its latest), or None: the year's
    figures are then provisional, computed from the registry as it stands."""
    return cached(request, engine, f"release:{year}", lambda: latest_release(engine, year))


def published(
    request: Request, engine: Engine, year: int, level: str, codes: list[str] | None
) -> pd.DataFrame:
    """The public (suppressed) indicator table of a year: its latest release's figures exactly
    as published, or, for a year not yet published, the provisional figures computed from the
    registry (both cached per registry version). Years outside the registry's data are
    refused either way."""
    key = f"indicators:{year}:{level}:{','.join(codes) if codes else '*'}"

    def make() -> pd.DataFrame:
        return public_year(
            engine,
            year,
            level,
            codes,
            latest=lambda: release_of(request, engine, year),
            whole=lambda: provisional(request, engine, year),
        )

    return cached(request, engine, key, make)


def provisional(request: Request, engine: Engine, year: int) -> pd.DataFrame:
    """The provisional public figures of a year not yet published: its whole release protected
    as one (every indicator at both levels), once per registry version, whichever part a page
    or query asks for; never protected piece by piece, which would let two answers differ in
    what they withhold."""
    return cached(
        request,
        engine,
        f"provisional:{year}",
        lambda: public_release(engine, year, DEFAULT_THRESHOLD).table,
    )


Handler = Callable[..., HTMLResponse]


def public_cached_for(ttl: float | None) -> Callable[[Handler], Handler]:
    """Decorate a public page handler (with ``request``, ``engine`` and ``lang`` parameters) so
    that it renders once per registry version, query and language (see :func:`public_page`),
    and again after ``ttl`` seconds when given."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def page(**kwargs: Any) -> HTMLResponse:
            return public_page(
                kwargs["request"],
                kwargs["engine"],
                kwargs["lang"],
                lambda: handler(**kwargs),
                ttl,
            )

        return page

    return decorate


#: Render once per registry version, query and language.
public_cached = public_cached_for(None)
