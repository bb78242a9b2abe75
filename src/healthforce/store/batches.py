"""Values in batches small enough for an SQL ``IN`` list on every backend."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(values: Sequence[T], size: int = 900) -> Iterator[Sequence[T]]:
    """``values`` in consecutive batches of at most ``size`` (SQLite allows 999 parameters)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
