"""Values as people write them, read by their declared meaning before validation.

Numbers are parsed for the file's locale with Babel ("1.234,5" in ``es``, "1,234.5" in ``en``;
spaces and apostrophes as thousands separators). A file without a declared locale is read by its
own evidence: a value such as "2,5" or "1.234.567" shows that the comma is the decimal
separator, "2.5" or "1,234,567" that the point is; when the file's values agree, that separator
reads the whole file. A value that only a locale could decide ("0,500", "1.234") is refused,
never guessed.

Dates from text are ISO (``2024-12-31``), a declared format, or day/month/year in the file's
declared, locale's or detected order (``31/12/2024`` shows day first; a file that mixes orders is
refused). A year alone is refused. Excel serial numbers are read only from cells an XLSX stores as
numbers, never from text.

A value that cannot be read is returned unchanged, so the validator reports it with what the
user typed; one that must not be guessed becomes an :class:`Unreadable` with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale, UnknownLocaleError
from babel.dates import get_date_format
from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

from healthforce.errors import FileFormatError
from healthforce.store.reading import Unreadable
from healthforce.store.validate import YEAR_ALONE

DateOrder = Literal["dmy", "mdy"]
EXCEL_EPOCH = dt.date(1899, 12, 30)
_NUMBER = re.compile(r"^[+-]?[\d.,\s\u00a0\u202f']+$")
_SEPARATORS = re.compile(r"[\s\u00a0\u202f']")
_DAY_MONTH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
#: A leading apostrophe that an export added to neutralise a formula; removed on the way back in.
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")
#: What Babel parses a number with, by decimal separator, when only the separator is known.
LOCALE_OF_DECIMAL = {",": "es", ".": "en"}

#: Forms that show the decimal separator (RE2 and Python alike), after spaces are removed.
_SHOWS = {
    ",": (
        r"^[-+]?\d+(\.\d+)+,\d+$",  # 1.234,5
        r"^[-+]?\d+(\.\d{3}){2,}$",  # 1.234.567
        r"^[-+]?\d+,(\d{1,2}|\d{4,})$",  # 2,5
    ),
    ".": (
        r"^[-+]?\d+(,\d+)+\.\d+$",
        r"^[-+]?\d+(,\d{3}){2,}$",
        r"^[-+]?\d+\.(\d{1,2}|\d{4,})$",
    ),
}
_COMPILED = {d: [re.compile(p) for p in ps] for d, ps in _SHOWS.items()}

AMBIGUOUS = (
    "ambiguous number: the separator may be decimal or thousands; say how the file writes "
    "numbers (its locale: es_VE, en_US …) / número ambiguo: el separador puede ser decimal o de "
    "miles; indique cómo escribe el archivo los números (su configuración regional: es_VE …)"
)
MIXED_DECIMALS = (
    "the file writes numbers with both decimal separators; declare its locale / el archivo "
    "usa los dos separadores decimales; declare su configuración regional"
)
AMBIGUOUS_DATE = (
    "ambiguous date: day and month could be either way; say the order (dmy or mdy) or the "
    "file's locale (es_VE, en_US …) / fecha ambigua: día y mes pueden leerse de las dos formas; "
    "indique el orden (dmy o mdy) o la configuración regional del archivo"
)
MIXED_DATES = (
    "the file writes dates day-first and month-first; declare the order / el archivo escribe "
    "fechas con el día primero y con el mes primero; declare el orden"
)


def check_locale(name: str, source: str = "--locale") -> str:
    """A Babel locale name (es, es_VE, en_US ...), or FileFormatError naming where it came from."""
    try:
        Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise FileFormatError(
            source, f"unknown locale {name!r} (es, es_VE, en_US …) / configuración desconocida"
        ) from None
    return name.replace("-", "_")


@cache
def decimal_of(locale: str) -> str:
    return str(get_decimal_symbol(locale))


@cache
def date_order_of(locale: str) -> DateOrder:
    """The order of day and month in the locale's short date (en_US: mdy; es, en_GB: dmy)."""
    pattern = get_date_format("short", locale=locale).pattern.lower()
    return "mdy" if pattern.find("m") < pattern.find("d") else "dmy"


#: Rows read at a time when looking for what a file's values show; the first stretch that
#: shows anything decides, so a large file is rarely read past its first rows.
SCAN = 50_000


def _stretches(columns: Iterable[Sequence[object]]) -> Iterator[pa.Array]:
    """The columns' text cells, a stretch of rows at a time (Arrow arrays)."""
    parts = []
    for column in columns:
        if isinstance(column, pa.Array):
            parts.append(column.cast(pa.string()))
        else:
            parts.append(pa.array([v for v in column if isinstance(v, str)], pa.string()))
    longest = max((len(p) for p in parts), default=0)
    for start in range(0, longest, SCAN):
        for part in parts:
            if start < len(part):
                yield pc.utf8_trim_whitespace(part.slice(start, SCAN))


def _any(text: pa.Array, pattern: str) -> bool:
    return bool(pc.any(pc.match_substring_regex(text, pattern)).as_py())


#: Each decimal separator's forms as one regular expression.
_SHOWS_ONE = {d: "|".join(f"(?:{p})" for p in ps) for d, ps in _SHOWS.items()}


def detect_decimal(columns: Iterable[Sequence[object]]) -> str | None:
    """The decimal separator the file's number columns show: "," or ".", "?" when they show
    both, None when none decides. Values whose own form decides are read by it anyway; this
    decides the others ("1.234")."""
    for text in _stretches(columns):
        shown = {d for d, pattern in _SHOWS_ONE.items() if _any(text, pattern)}
        if shown:
            return "?" if len(shown) > 1 else shown.pop()
    return None


def detect_date_order(columns: Iterable[Sequence[object]]) -> DateOrder | Literal["?"] | None:
    """The day-month order the file's dates show ("31/12/2024": dmy), "?" when they show both."""
    for text in _stretches(columns):
        day_first = _any(text, r"^(1[3-9]|2\d|3[01])[/.-]\d{1,2}[/.-]\d{4}$")
        month_first = _any(text, r"^\d{1,2}[/.-](1[3-9]|2\d|3[01])[/.-]\d{4}$")
        if day_first and month_first:
            return "?"
        if day_first or month_first:
            return "dmy" if day_first else "mdy"
    return None


def _shows(s: str) -> str | None:
    for decimal, patterns in _COMPILED.items():
        if any(p.match(s) for p in patterns):
            return decimal
    return None


def number(value: object, locale: str | None = None, decimal: str | None = None) -> object:
    """A number as plain text ("1234.5"), read for ``locale`` (a Babel locale) or, without one,
    the file's ``decimal`` separator ("?": the file shows both) or the value's own evidence."""
    if not isinstance(value, str):
        return value
    s = value.strip()
    if not s or not _NUMBER.match(s):
        return value
    s = _SEPARATORS.sub("", s)
    if locale is None:
        if "," not in s and "." not in s:
            return s
        if decimal == "?":
            return Unreadable(value, MIXED_DECIMALS)
        own = _shows(s)
        if decimal is None and own is None:
            return Unreadable(value, AMBIGUOUS)
        locale = LOCALE_OF_DECIMAL[decimal or own or "."]
    try:
        return str(parse_decimal(s, locale=locale, strict=True))
    except NumberFormatError:
        return Unreadable(
            value,
            f"not a number as written in {locale} ({decimal_of(locale)!r} decimal) / no es un "
            f"número escrito en {locale} (decimal {decimal_of(locale)!r})",
        )


def date(
    value: object, fmt: str | None = None, order: DateOrder | Literal["?"] | None = None
) -> object:
    """A date from ISO text, an explicit format, day/month/year text in ``order`` (None: only
    values that show their order; "?": the file mixes orders) or an Excel serial number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1000 <= value <= 2999:
            return Unreadable(value, YEAR_ALONE)  # a year typed in a number cell
        return _serial(float(value), value)
    if not isinstance(value, str):
        return value
    s = value.strip()
    if not s:
        return value
    if fmt:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            return Unreadable(
                value, f"not a date in the format {fmt} / no es una fecha con el formato {fmt}"
            )
    m = _DAY_MONTH.match(s)
    if not m:
        return value
    a, b, year = (int(g) for g in m.groups())
    if order == "?":
        return Unreadable(value, MIXED_DATES)
    if order is None:
        if a != b and a <= 12 and b <= 12:
            return Unreadable(value, AMBIGUOUS_DATE)
        order = "mdy" if b > 12 else "dmy"
    day, month = (a, b) if order == "dmy" else (b, a)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return value


def _serial(n: float, original: object) -> object:
    if 1 <= n < 80_000:
        return EXCEL_EPOCH + dt.timedelta(days=int(n))
    return original


def text(value: object) -> object:
    """Strings stripped, with an export's formula neutralisation undone."""
    if isinstance(value, str):
        s = value.strip()
        return s[1:] if _NEUTRALISED.match(s) else s
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns codes like 2211 into 2211.0
    return value
