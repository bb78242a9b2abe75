"""Healthforce's exceptions, all in one tree.

::

    HealthforceError
    ├── ConfigurationError        a setting or a file needed to start is wrong
    ├── ValidationError           input rejected; carries one Problem per bad field (bad type,
    │                             range or code, unknown reference, duplicate key, impossible dates)
    ├── FileFormatError           a file cannot be read at all (empty, truncated, not CSV/XLSX,
    │                             undecodable, bad mapping); names the file and the reason
    ├── NotFoundError             the record asked for does not exist
    ├── OutsideDataError          a figure asked for a year outside the registry's data
    └── StoreError                the database refused or failed a write (wrapped driver error)

Every error leaves the database as it was: writes happen in one transaction that is rolled back
before the error reaches the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def duplicate_reason(row: int) -> str:
    return f"duplicate of row {row} / repetido (fila {row})"


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a record was rejected: where (record, field, value) and why. ``row`` is the
    record's row as the caller numbers them; ``duplicate_of`` the row whose key it repeats."""

    entity: str
    record: str
    field: str
    value: object
    reason: str
    row: int | None = None
    source: str | None = None
    duplicate_of: int | None = None

    def numbered(
        self, number: Callable[[int], int], source: str | None = None, field: str | None = None
    ) -> Problem:
        """The problem with its rows numbered as the user sees them (a file's rows, say)."""
        row = None if self.row is None else number(self.row)
        first = None if self.duplicate_of is None else number(self.duplicate_of)
        return Problem(
            self.entity,
            self.record,
            field or self.field,
            self.value,
            self.reason if first is None else duplicate_reason(first),
            row=row,
            source=source or self.source,
            duplicate_of=first,
        )

    def __str__(self) -> str:
        where = f"{self.source}, " if self.source else ""
        where += f"row {self.row}, " if self.row is not None else ""
        return (
            f"{where}{self.entity} {self.record}: field {self.field!r} = {self.value!r}: "
            f"{self.reason}"
        )


class HealthforceError(Exception):
    """Base class of every error Healthforce raises on purpose."""


class ConfigurationError(HealthforceError):
    """A setting, or a file needed to start, is wrong."""


class ValidationError(HealthforceError):
    """Input rejected; ``problems`` lists every bad field found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} problem(s): {shown}{more}")


class FileFormatError(HealthforceError):
    """A file cannot be read at all; the message names the file and the reason."""

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")


class BadParameter(HealthforceError):  # noqa: N818 - reads as what it is
    """A page's or command's option that names nothing known (an indicator, a level, a
    group), said with the values it may take (HTTP 422)."""


class NotFoundError(HealthforceError):
    """The record asked for does not exist."""


class OutsideDataError(HealthforceError):
    """A figure was asked for a year the registry's data do not cover; ``covered`` is the
    first and last year they do (None when the registry has no dated data)."""

    def __init__(self, year: int, covered: tuple[int, int] | None, message: str) -> None:
        self.year = year
        self.covered = covered
        super().__init__(message)


class StoreError(HealthforceError):
    """The database refused or failed a write."""
