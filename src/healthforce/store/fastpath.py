"""Vectorised conversion of text columns (Apache Arrow) for large imports.

The Python converters in :mod:`healthforce.store.validate` are the reference: they define what
is accepted and what each error says. This module converts, in C++ over the whole column, the
values whose form is plain (ISO dates, plain numbers, exact codes, trimmed text), and hands every
other cell to the Python converter, after the caller's ``prepare`` (Excel-style values), so the
results and the messages are the same as the slow path's, only faster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from healthforce.reference.codes import CODE_LISTS
from healthforce.reference.countries import country_codes
from healthforce.store.reading import refused
from healthforce.store.schema import EARLIEST, LATEST, Field

if TYPE_CHECKING:
    from healthforce.store.reading import Reading

Slow = Callable[[Field, Sequence[object]], tuple[list[object], list[tuple[int, str]]]]

_INT = r"^-?\d{1,18}$"
#: Numbers read in C++, by the file's decimal separator; every other form goes to Python. With
#: the separator unknown, one "." followed by exactly three digits ("1.234") is ambiguous.
_FLOAT = {
    ".": r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$",
    ",": r"^-?\d+(,\d+)?$",
    None: r"^-?\d+(\.(\d{1,2}|\d{4,}))?([eE][-+]?\d+)?$",
    "?": r"^-?\d+$",  # the file shows both separators: every other form is refused in Python
}
#: Identifiers that are surely valid (ASCII); the rest are checked by the Python reference.
_IDENTIFIER = r"^[0-9A-Za-z][0-9A-Za-z_\-./:# ]*$"


@cache
def _codes(name: str) -> pa.Array:
    return pa.array(list(CODE_LISTS[name].codes))


@cache
def _countries() -> pa.Array:
    return pa.array(sorted(country_codes()))


class IsoDates(list[object]):
    """Dates as Python objects, with their ISO text alongside (how SQLite stores them)."""

    iso: list[str | None]


def _indices(mask: pa.Array) -> np.ndarray:
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False))


def convert_arrow(
    f: Field, column: pa.Array, slow: Slow, reading: Reading | None = None
) -> tuple[list[object], list[tuple[int, str]]]:
    """Convert one text column; cells the fast path cannot read go to ``slow``."""
    prepare = reading.prepare if reading else None
    date_format = reading.date_format if reading else None
    decimal = reading.decimal if reading else None
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    blank = pc.fill_null(pc.equal(text, ""), True)
    values: pa.Array
    fast_ok: pa.Array
    if f.kind in ("str", "ref"):
        values = pc.if_else(blank, pa.scalar(None, pa.string()), text)
        fast_ok = pc.invert(pc.fill_null(pc.starts_with(text, "'"), False))
        if f.identifier:
            fast_ok = pc.and_(
                fast_ok, pc.fill_null(pc.match_substring_regex(text, _IDENTIFIER), False)
            )
    elif f.kind == "code":
        assert f.code_list is not None
        fast_ok = pc.fill_null(pc.is_in(text, value_set=_codes(f.code_list)), False)
        values = text
    elif f.kind == "country":
        fast_ok = pc.fill_null(pc.is_in(text, value_set=_countries()), False)
        values = text
    elif f.kind in ("int", "float"):
        integral = f.kind == "int"
        plain = _INT if integral else _FLOAT.get(decimal, _FLOAT[None])
        fast_ok = pc.fill_null(pc.match_substring_regex(text, plain), False)
        target = pa.int64() if integral else pa.float64()
        readable = pc.replace_substring(text, ",", ".") if decimal == "," else text
        values = pc.if_else(fast_ok, readable, pa.scalar("0")).cast(target)
    elif f.kind == "date":
        parsed = pc.strptime(text, format=date_format or "%Y-%m-%d", unit="s", error_is_null=True)
        fast_ok = pc.is_valid(parsed)
        values = parsed.cast(pa.date32())
    else:  # bool and anything rare: all Python
        fast_ok = pa.array(np.zeros(len(text), dtype=bool))
        values = text
    fast_ok = pc.or_(fast_ok, blank)
    values = pc.if_else(blank, pa.scalar(None, values.type), values)
    out: list[object]
    if f.kind == "date":  # numpy makes date objects ~20x faster than Arrow's to_pylist
        out = IsoDates(values.to_numpy(zero_copy_only=False).astype("datetime64[D]").tolist())
        out.iso = values.cast(pa.string()).to_pylist()
    else:
        out = values.to_pylist()
    bad: list[tuple[int, str]] = []
    if f.kind in ("int", "float", "date"):
        bad.extend(_range(f, values, fast_ok))
    if f.kind in ("str", "ref") and f.max_length is not None:
        long = pc.fill_null(pc.greater(pc.utf8_length(values), f.max_length), False)
        bad.extend(
            (int(i), f"longer than {f.max_length} characters / más de {f.max_length} caracteres")
            for i in _indices(long)
        )
    rest = _indices(pc.invert(fast_ok))
    if rest.size:
        raw: list[object] = [column[int(i)].as_py() for i in rest]
        early: list[tuple[int, str]] = []
        if prepare is not None:
            raw, early = refused(prepare(f, raw))
        converted, slow_bad = slow(f, raw)
        slow_bad = early + slow_bad
        for j, i in enumerate(rest.tolist()):
            out[i] = converted[j]
            if isinstance(out, IsoDates):
                value = converted[j]
                out.iso[i] = value.isoformat() if hasattr(value, "isoformat") else None
        bad.extend((int(rest[j]), reason) for j, reason in slow_bad)
    return out, sorted(bad)


def _range(f: Field, values: pa.Array, fast_ok: pa.Array) -> list[tuple[int, str]]:
    if f.kind == "date":
        lo: object = pa.scalar(EARLIEST, pa.date32())
        hi: object = pa.scalar(LATEST, pa.date32())
        reason = "implausible date / fecha imposible"
    else:
        lo, hi = f.minimum, f.maximum
        reason = f"outside [{lo}, {hi}] / fuera del rango [{lo}, {hi}]"
    outside = pa.array(np.zeros(len(values), dtype=bool))
    if lo is not None:
        outside = pc.or_(outside, pc.fill_null(pc.less(values, lo), False))
    if hi is not None:
        outside = pc.or_(outside, pc.fill_null(pc.greater(values, hi), False))
    outside = pc.and_(outside, fast_ok)
    return [(int(i), reason) for i in _indices(outside)]
