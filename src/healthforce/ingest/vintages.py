"""When a public file was published (its **vintage**), as a date.

Vintages were text, compared as text: "1 Feb 2024" lost to "2022-01-24", and a file without one
took the import's date, so re-importing an older file reverted newer figures. A vintage is now a
date, stored as ISO text (so that text order is date order), read from the file where the
publisher writes it (WHO's ``DateModified``, the World Bank's "Last Updated Date") or given
with ``--vintage``; a file that says nothing and is given nothing is refused.
"""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_vintage(text: object) -> dt.date:
    """A vintage as a date: ISO (``2024-02-01``, ``2024-02``, ``2024``, or a timestamp such as
    ``2023-12-22T07:17:46.000Z``), a date object, or a written date (``1 Feb 2024``,
    ``February 1, 2024``, ``01/02/2024`` read day first). ValueError says why not."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    raw = str(text).strip()
    if not raw:
        raise ValueError("no date / sin fecha")
    head = raw.split("T", 1)[0] if re.match(r"^\d{4}-\d{2}-\d{2}T", raw) else raw
    iso = _ISO.match(head)
    from dateutil import parser  # pandas' own dependency

    try:
        if iso:
            year, month, day = (int(g) if g else 1 for g in iso.groups())
            return dt.date(year, month, day)
        written: dt.datetime = parser.parse(raw, dayfirst=True, default=dt.datetime(1900, 1, 1))
        return written.date()
    except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
        raise ValueError(
            f"not a date (YYYY-MM-DD) / no es una fecha (AAAA-MM-DD): {raw!r}"
        ) from None
