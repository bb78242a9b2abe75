"""Figures computed once per state of the registry: an entry is reused until the next change
set is written, so public pages and the API stay fast on a large registry and never show stale
figures (every write, through any door, opens a change set)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
from fastapi import Request
from sqlalchemy import Engine, func, select

from healthforce.indicators.compute import compute
from healthforce.indicators.outputs import public
from healthforce.indicators.suppression import DEFAULT_THRESHOLD
from healthforce.store.models import ChangeSet

T = TypeVar("T")


def cached(request: Request, engine: Engine, key: str, make: Callable[[], T]) -> T:
    """``make()`` once per registry version (the latest change set)."""
    with engine.connect() as conn:
        version = conn.execute(select(func.max(ChangeSet.id))).scalar()
    store: dict[str, tuple[object, T]] = request.app.state.page_cache
    hit = store.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = make()
    store[key] = (version, value)
    return value


def published(
    request: Request, engine: Engine, year: int, level: str, codes: list[str] | None
) -> pd.DataFrame:
    """The public (suppressed) indicator table, cached per registry version."""
    key = f"indicators:{year}:{level}:{','.join(codes) if codes else '*'}"
    return cached(
        request,
        engine,
        key,
        lambda: public(compute(engine, year, level=level, codes=codes), DEFAULT_THRESHOLD),
    )
