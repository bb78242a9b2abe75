"""What a change touched, handed to what keeps derived tables current.

A :class:`~healthforce.store.registry.Change` notes, per table, the rows it inserted (as id
ranges: a million new rows cost two numbers), and the rows it updated or deleted as they were
before. When the change's block ends, inside its transaction, each registered upkeep receives
them (:func:`on_change`). The built-in ones (:data:`DEFAULT_UPKEEP`, the indicator summaries'
upkeep) are registered by name the first time a change ends, the way datasette loads its default
plugins, so whether a write keeps the summaries current never depends on what else the process
happened to import. With none registered, the stored summaries are marked stale instead, so that
whoever reads them next rebuilds them: a summary is never silently out of date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from sqlalchemy import Connection, update

from healthforce.store.models import SummaryYear


@dataclass
class Touched:
    """The rows one change touched, by table."""

    tables: set[str] = field(default_factory=set)
    before: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    inserted: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def note_before(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Rows about to be updated or deleted, as they are now."""
        if rows:
            self.tables.add(table)
            self.before.setdefault(table, []).extend(rows)

    def note_inserted(self, table: str, after: int, up_to: int) -> None:
        """Rows inserted with ids in ``(after, up_to]`` (and this change set's ``created_in``)."""
        if up_to > after:
            self.tables.add(table)
            self.inserted.setdefault(table, []).append((after, up_to))

    def note(self, table: str) -> None:
        """Rows of ``table`` touched without ids to note (tables keyed by code)."""
        self.tables.add(table)

    def inserted_at_most(self, table: str) -> int:
        """An upper bound on the rows inserted into ``table``."""
        return sum(hi - lo for lo, hi in self.inserted.get(table, []))

    def copy(self) -> Touched:
        return Touched(
            set(self.tables),
            {k: list(v) for k, v in self.before.items()},
            {k: list(v) for k, v in self.inserted.items()},
        )


Upkeep = Callable[[Connection, int, Touched], None]
_UPKEEP: list[Upkeep] = []
#: The built-in upkeep, as "module:function", loaded when a change first needs it.
DEFAULT_UPKEEP = ("healthforce.indicators.summary:keep_current",)
_defaults_loaded = False


def _load_defaults() -> None:
    global _defaults_loaded
    if _defaults_loaded:
        return
    for ref in DEFAULT_UPKEEP:
        module, name = ref.split(":")
        on_change(getattr(import_module(module), name))
    _defaults_loaded = True


def on_change(upkeep: Upkeep) -> None:
    """Run ``upkeep(conn, change_set_id, touched)`` at the end of every change (once)."""
    if upkeep not in _UPKEEP:
        _UPKEEP.append(upkeep)


def after_change(conn: Connection, change_set_id: int, touched: Touched) -> None:
    """Called by the registry when a change's block ends, before it commits."""
    if not touched.tables:
        return
    _load_defaults()
    if not _UPKEEP:
        conn.execute(update(SummaryYear).values(stale=True))
    for upkeep in _UPKEEP:
        upkeep(conn, change_set_id, touched)
