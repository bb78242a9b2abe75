"""How raw file values are read before validation: the :class:`Reading` an importer passes,
and :class:`Unreadable`, a raw value that reading refused with its reason.

The converters of :mod:`healthforce.store.validate` (and their vectorised twins in
:mod:`healthforce.store.fastpath`) report an Unreadable's reason instead of guessing a value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from healthforce.store.spec import Field


class Unreadable:
    """A raw value that the file's reading refused, with the reason (an ambiguous number, a
    year alone in a date column ...). Converters report the reason instead of guessing."""

    __slots__ = ("reason", "value")

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unreadable({self.value!r}, {self.reason!r})"


def refused(values: list[object]) -> tuple[list[object], list[tuple[int, str]]]:
    """The values with refused ones blanked, and (row index, reason) for each refused one."""
    bad = [(i, v.reason) for i, v in enumerate(values) if isinstance(v, Unreadable)]
    if not bad:
        return values, bad
    return [None if isinstance(v, Unreadable) else v for v in values], bad


@dataclass(frozen=True)
class Reading:
    """How raw file values are read: ``prepare`` turns values as people write them (decimal
    commas, day-first dates, Excel serial numbers from numeric cells ...) into plain ones before
    the converters, or into an :class:`Unreadable` with the reason; ``date_format`` is the
    file's date format when it is not ISO."""

    prepare: Callable[[Field, list[object]], list[object]] | None = None
    date_format: str | None = None
    #: The file's decimal separator ("," or "."), None when unknown: then a number whose one
    #: separator is followed by three digits ("0,500", "1.234") is ambiguous and refused.
    decimal: str | None = None
