"""Column-wise validation of records against an :class:`~healthforce.store.schema.EntitySpec`.

Values arrive as columns (``{field: [values...]}``), typed already (from Python, XLSX) or as text
(from CSV). Each column is converted once, in one pass, so a million rows validate in seconds.
Problems carry the row index; callers add the file name and the row number the user sees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from healthforce.errors import Problem
from healthforce.reference.codes import CODE_LISTS, name_key
from healthforce.reference.countries import country_codes, country_spellings
from healthforce.store.fastpath import convert_arrow
from healthforce.store.reading import Reading, refused
from healthforce.store.schema import EARLIEST, LATEST, EntitySpec, Field

Column = list[object]
#: A converter takes a column and returns it converted, with (row index, reason) problems.
Converter = Callable[[Field, Sequence[object]], tuple[Column, list[tuple[int, str]]]]

TRUE = frozenset({"1", "true", "t", "yes", "y", "si", "sí", "s", "x"})
FALSE = frozenset({"0", "false", "f", "no", "n", ""})


#: What an identifier may be (see ``Field.identifier``); Python's ``re`` is the reference.
IDENTIFIER = re.compile(r"^[^\W_][\w\-./:# ]*$")
NOT_IDENTIFIER = (
    "not an identifier: letters, digits and - _ . / : # or spaces, starting with a letter or a "
    "digit / no es un identificador: letras, dígitos y - _ . / : # o espacios, empezando por "
    "una letra o un dígito"
)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value != value


def _to_str(f: Field, values: Sequence[object]) -> tuple[Column, list[tuple[int, str]]]:
    out: Column = []
    bad: list[tuple[int, str]] = []
    limit = f.max_length
    identifier = f.identifier
    for i, v in enumerate(values):
        if v.__class__ is str:
            s: str | None = v.strip() or None
        elif _blank(v):
            s = None
        else:
            s = str(v)
        if s is not None and limit is not None and len(s) > limit:
            bad.append((i, f"longer than {limit} characters / más de {limit} caracteres"))
        elif s is not None and identifier and not IDENTIFIER.match(s):
            bad.append((i, NOT_IDENTIFIER))
        out.append(s)
    return out, bad


def _number(v: object, integral: bool) -> float | int:
    """A number from a Python value or plain text; ValueError when it is not one."""
    if isinstance(v, bool):
        raise ValueError(v)
    if isinstance(v, int | float):
        n: int | float = v
    else:
        s = str(v).strip()
        n = int(s) if integral and s.lstrip("-").isdigit() else float(s)
    if integral and isinstance(n, float):
        if not n.is_integer():
            raise ValueError(v)
        n = int(n)
    return n


def _make_number(integral: bool) -> Converter:
    word_en, word_es = (
        ("a whole number", "un número entero") if integral else ("a number", "un número")
    )

    def convert(f: Field, values: Sequence[object]) -> tuple[Column, list[tuple[int, str]]]:
        out: Column = []
        bad: list[tuple[int, str]] = []
        lo, hi = f.minimum, f.maximum
        native = int if integral else float
        for i, v in enumerate(values):
            if v is None:
                out.append(None)
                continue
            if v.__class__ is native:
                n: int | float = v
            elif _blank(v):
                out.append(None)
                continue
            else:
                try:
                    n = _number(v, integral)
                except (ValueError, TypeError, OverflowError):
                    bad.append((i, f"not {word_en} / no es {word_es}"))
                    out.append(None)
                    continue
            if n != n or (lo is not None and n < lo) or (hi is not None and n > hi):
                bad.append((i, f"outside [{lo}, {hi}] / fuera del rango [{lo}, {hi}]"))
            out.append(n)
        return out, bad

    return convert


def _to_bool(f: Field, values: Sequence[object]) -> tuple[Column, list[tuple[int, str]]]:
    out: Column = []
    bad: list[tuple[int, str]] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
        elif isinstance(v, bool):
            out.append(v)
        else:
            s = str(v).strip().casefold()
            if s in TRUE:
                out.append(True)
            elif s in FALSE:
                out.append(False if s else None)
            else:
                bad.append((i, "not yes/no / no es sí/no"))
                out.append(None)
    return out, bad


NOT_A_DATE = "not a date YYYY-MM-DD / no es una fecha AAAA-MM-DD"
YEAR_ALONE = (
    "a year alone is not a date: write day, month and year / un año solo no es una fecha: "
    "escriba día, mes y año"
)
_YEAR = re.compile(r"^\d{4}(\.0+)?$")


@cache
def _iso_date(s: str) -> dt.date:
    return dt.date.fromisoformat(s[:10])


def _to_date(f: Field, values: Sequence[object]) -> tuple[Column, list[tuple[int, str]]]:
    out: Column = []
    bad: list[tuple[int, str]] = []
    latest = LATEST
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        if v.__class__ is dt.date:
            if not EARLIEST <= v <= latest:
                bad.append((i, "implausible date / fecha imposible"))
            out.append(v)
            continue
        if _blank(v):
            out.append(None)
            continue
        if isinstance(v, dt.datetime):
            d: dt.date = v.date()
        elif isinstance(v, dt.date):
            d = v
        else:
            try:
                d = _iso_date(str(v).strip())
            except ValueError:
                bad.append((i, YEAR_ALONE if _YEAR.match(str(v).strip()) else NOT_A_DATE))
                out.append(None)
                continue
        if not EARLIEST <= d <= latest:
            bad.append((i, "implausible date / fecha imposible"))
        out.append(d)
    return out, bad


def _to_code(f: Field, values: Sequence[object]) -> tuple[Column, list[tuple[int, str]]]:
    assert f.code_list is not None
    lookup = _code_lookup(f.code_list)
    out: Column = []
    bad: list[tuple[int, str]] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        code = lookup.get(v) if v.__class__ is str else None
        if code is None:
            if _blank(v):
                out.append(None)
                continue
            code = lookup.get(str(v).strip().casefold())
        if code is None:
            bad.append((i, f"unknown code in list {f.code_list!r} / código desconocido"))
        out.append(code)
    return out, bad


@cache
def _code_lookup(name: str) -> dict[str, str]:
    """Accepted spellings -> code; exact codes first so the common case is one dict hit."""
    lookup = CODE_LISTS[name].lookup()
    return {**lookup, **{code: code for code in CODE_LISTS[name].codes}}


def _to_country(f: Field, values: Sequence[object]) -> tuple[Column, list[tuple[int, str]]]:
    known = country_codes()
    out: Column = []
    bad: list[tuple[int, str]] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        if v in known:
            out.append(v)
            continue
        if _blank(v):
            out.append(None)
            continue
        code = str(v).strip().upper()
        if code not in known:
            code = country_spellings().get(name_key(str(v)), code)
        if code not in known:
            bad.append(
                (
                    i,
                    "not a country (ISO 3166 alpha-3, alpha-2, numeric code or name) / no es un "
                    "país (código ISO 3166 o nombre)",
                )
            )
        out.append(code)
    return out, bad


CONVERTERS: dict[str, Converter] = {
    "str": _to_str,
    "ref": _to_str,
    "int": _make_number(integral=True),
    "float": _make_number(integral=False),
    "bool": _to_bool,
    "date": _to_date,
    "code": _to_code,
    "country": _to_country,
}


def _cell(values: Sequence[object], i: int) -> object:
    value = values[i]
    return value.as_py() if hasattr(value, "as_py") else value


@dataclass
class Checked:
    """Converted columns (every field of the spec, None where absent) and the problems found."""

    columns: dict[str, Column]
    problems: list[Problem]
    n: int

    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.row is not None}


def record_label(spec: EntitySpec, columns: Mapping[str, Sequence[object]], i: int) -> str:
    parts = []
    for k in spec.key:
        col = columns.get(k)
        parts.append(str(_cell(col, i)) if col is not None and i < len(col) else "?")
    return "/".join(parts)


def check_columns(
    spec: EntitySpec, raw: Mapping[str, Sequence[object]], reading: Reading | None = None
) -> Checked:
    """Convert and check every column; rows are indexed from 0. A column may be a list or an
    Arrow array of text (large files), which takes the vectorised path."""
    unknown = [name for name in raw if name not in spec.by_name]
    lengths = {len(v) for v in raw.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    problems: list[Problem] = [
        Problem(spec.name, "*", name, None, "unknown field / campo desconocido") for name in unknown
    ]
    columns: dict[str, Column] = {}
    raw_key = {k: raw[k] for k in spec.key if k in raw}
    for f in spec.fields:
        values = raw.get(f.name)
        if values is None:
            columns[f.name] = [None] * n
            if f.required and n:
                problems.append(
                    Problem(
                        spec.name,
                        "*",
                        f.name,
                        None,
                        "required column missing / falta una columna obligatoria",
                    )
                )
            continue
        if isinstance(values, pa.Array):
            converted, bad = convert_arrow(
                f,
                values,
                CONVERTERS[f.kind],
                reading,
            )
        else:
            early: list[tuple[int, str]] = []
            if reading is not None and reading.prepare is not None:
                values, early = refused(reading.prepare(f, list(values)))
            converted, bad = CONVERTERS[f.kind](f, values)
            if early:
                bad = sorted(early + bad)
        columns[f.name] = converted
        for i, reason in bad:
            problems.append(
                Problem(
                    spec.name,
                    record_label(spec, raw_key, i),
                    f.name,
                    _cell(raw[f.name], i),
                    reason,
                    row=i,
                )
            )
        if f.required:
            bad_rows = {r for r, _ in bad}
            for i, v in enumerate(converted):
                if v is None and i not in bad_rows:
                    problems.append(
                        Problem(
                            spec.name,
                            record_label(spec, raw_key, i),
                            f.name,
                            _cell(raw[f.name], i),
                            "required / obligatorio",
                            row=i,
                        )
                    )
    today = dt.date.today()
    for f in spec.fields:
        if f.not_future:
            for i, v in enumerate(columns[f.name]):
                if isinstance(v, dt.date) and v > today:
                    problems.append(
                        Problem(
                            spec.name,
                            record_label(spec, raw_key, i),
                            f.name,
                            v,
                            "a date in the future / fecha futura",
                            row=i,
                        )
                    )
    for rule in spec.rules:
        a, b = columns[rule.earlier], columns[rule.later]
        for i in range(n):
            x, y = a[i], b[i]
            if x is not None and y is not None and (y <= x if rule.strict else y < x):  # type: ignore[operator]
                problems.append(
                    Problem(
                        spec.name,
                        record_label(spec, raw_key, i),
                        rule.later,
                        y,
                        f"{rule.en} / {rule.es}",
                        row=i,
                    )
                )
    return Checked(columns, problems, n)
