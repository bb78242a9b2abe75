"""Practitioners written while the rest of a large file is still being read.

Reading a million practitioners keeps every core busy; writing them keeps one. So the
practitioners of each part read are written as soon as it arrives, in the import's own
transaction (all or nothing still: a problem found later rolls them back with the rest), when
nothing later in the files can change them: a practitioner whose identifier an earlier one
used, who lives in an area not yet in the registry (it may be one the file defines further
on), or whose occupation must come from a role not yet read, waits for the end, where it is
written as a one-pass import would write it. A problem stops the early writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from healthforce.errors import Problem
from healthforce.fhir.practitioners import (
    FIELDS,
    OPEN,
    Places,
    Practitioners,
    Subset,
    located,
    text_array,
)
from healthforce.ingest.importer import CHUNK
from healthforce.store.models import Base
from healthforce.store.registry import Change, WriteResult


class EarlyWorkers:
    """Writes the practitioners that can be written as each part arrives (see the module)."""

    def __init__(
        self, change: Change, peek: Callable[[str, str], str | None], places: Callable[[], Places]
    ) -> None:
        area = Base.metadata.tables["area"]
        self.change = change
        self.peek = peek  # reference -> registry key, or None (not known yet)
        self.places = places  # where every practitioner read so far was
        self.areas = set(change.conn.execute(select(area.c.code)).scalars())
        self.seen: set[str] = set()
        self.held: list[int] = []  # rows left for the end
        self.stopped = False
        self.result = WriteResult("workers")
        self.problems: list[Problem] = []

    def write(self, part: Practitioners, base: int) -> None:
        """Write the practitioners of ``part`` (rows ``base`` on of all read) that nothing
        later can change; keep the others for the end."""
        n = len(part)
        if self.stopped:
            self.held.extend(range(base, base + n))
            return
        keys, occupations = part.columns["external_id"], part.columns["occupation"]
        ready: list[int] = []
        areas: list[str | None] = []
        for row in range(n):
            key = keys[row]
            if key is None or key in self.seen:  # said at the end; nothing more written early
                self.stopped = True
                self.held.extend(range(base + row, base + n))
                break
            self.seen.add(key)
            lives = part.lives[row]
            area = None if lives is None else self.peek(lives, "Location")
            if (lives is not None and area not in self.areas) or occupations[row] is None:
                self.held.append(base + row)
                continue
            ready.append(row)
            areas.append(area)
        if ready:
            self._upsert(part, base, ready, areas)

    def _upsert(self, part: Practitioners, base: int, ready: list[int], areas: list[Any]) -> None:
        import pyarrow as pa

        index = pa.array(ready, pa.int64())
        columns: dict[str, Any] = {
            name: text_array([part.columns[name][i] for i in ready])
            if name in OPEN
            else part.column(name).take(index)
            for name in FIELDS
        }
        columns["residence_area"] = text_array(areas)
        for start in range(0, len(ready), CHUNK):
            chunk = {k: c.slice(start, CHUNK) for k, c in columns.items()}
            result = self.change.upsert("workers", chunk, skip_invalid=True)
            for name in ("inserted", "updated", "unchanged"):
                setattr(self.result, name, getattr(self.result, name) + getattr(result, name))
            if result.problems:
                written = Subset(self.places(), [base + row for row in ready])
                self.problems += [located(p, "workers", written, start) for p in result.problems]
                self.stopped = True
                return
