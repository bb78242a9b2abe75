"""Values as spreadsheets write them, turned into plain ones before validation.

Numbers: thousands separators and decimal commas ("1.234,5", "1,234.5", "12 500"). Dates: ISO,
day-first ("31/12/2024", "31-12-2024", the Latin American way), an explicit format, or Excel
serial numbers (days since 1899-12-30). A value that cannot be read is returned unchanged, so
the validator reports it with what the user typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL = re.compile(r"^\d{4,5}(\.0+)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_NUMBER = re.compile(r"^[+-]?[\d.,\s\u00a0']+$")
#: A leading apostrophe that an export added to neutralise a formula; removed on the way back in.
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")


def number(value: object, decimal: str | None = None) -> object:
    """A number written with separators, as a plain int/float string; anything else unchanged."""
    if not isinstance(value, str):
        return value
    s = value.strip()
    if not s or not _NUMBER.match(s):
        return value
    s = s.replace("\u00a0", "").replace(" ", "").replace("'", "")
    if decimal == ",":
        s = s.replace(".", "").replace(",", ".")
    elif decimal == ".":
        s = s.replace(",", "")
    elif "," in s and "." in s:
        # The separator that comes last is the decimal one.
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    elif s.count(",") == 1 and len(s.split(",")[1]) != 3:
        s = s.replace(",", ".")  # "2,5": a decimal comma
    elif "," in s:
        s = s.replace(",", "")  # "12,500" or "1,234,567": thousands
    elif s.count(".") > 1:
        s = s.replace(".", "")  # "1.234.567": thousands
    return s


def date(value: object, fmt: str | None = None) -> object:
    """A date from ISO text, day-first text, an explicit format or an Excel serial number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
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
            return value
    if _SERIAL.match(s):
        return _serial(float(s), value)
    m = _DAY_FIRST.match(s)
    if m:
        day, month, year = (int(g) for g in m.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return value
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


def column(values: Sequence[object], convert: Callable[[object], object]) -> list[object]:
    return [convert(v) for v in values]
