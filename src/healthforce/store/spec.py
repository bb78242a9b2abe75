"""The building blocks of entity specifications: fields, references, record rules.

An :class:`EntitySpec` says what the outside world writes into one registry table; the specs
themselves are in :mod:`healthforce.store.schema` and :mod:`healthforce.store.schema_learning`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["str", "int", "float", "bool", "date", "code", "country", "ref"]


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference by natural key: ``entity``'s ``key`` column; stored as ``column``."""

    entity: str
    column: str


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    required: bool = False
    code_list: str | None = None
    ref: Ref | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    private: bool = False
    #: An identifier (a key, a document or licence number): letters, digits and - _ . / : # and
    #: spaces, starting with a letter or digit, so no formula (=, +, -, @) ever becomes an id.
    identifier: bool = False
    not_future: bool = False
    #: A change by a user who may not approve changes (a data clerk) waits for someone who may
    #: (maker-checker): documents and licences, whose mistakes open or close a career.
    approval: bool = False
    default: object = None
    es: str = ""
    en: str = ""

    @property
    def column(self) -> str:
        """The store column this field writes."""
        return self.ref.column if self.ref else self.name


@dataclass(frozen=True, slots=True)
class Rule:
    """A check across fields of one record: ``later`` must be after (or equal to) ``earlier``."""

    earlier: str
    later: str
    strict: bool
    es: str
    en: str


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: str
    table: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    #: Checks of whole records against each other and the stored ones (see RecordCheck).
    checks: tuple[Any, ...] = ()
    es: str = ""
    en: str = ""
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})


def _f(name: str, kind: Kind, es: str, en: str, **kw: object) -> Field:
    return Field(name, kind, es=es, en=en, **kw)  # type: ignore[arg-type]


EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 1, 1)
