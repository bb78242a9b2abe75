"""Readers for public workforce and population series: WHO GHO, World Bank, OECD.

Each reader turns one publisher's layout into :class:`Observation` rows and nothing more;
storing them is the importers' job. They read the files as people download them, under the
registry importer's contract (:mod:`healthforce.ingest.files`): CSV in any of the usual
encodings and delimiters (a ``;``-separated export included) or XLSX; metadata lines above the
header (the World Bank's download); the publisher's date of the file, its **vintage**, where it
writes one. Every problem names the file, row, column, value and reason; a row with more or
fewer fields than the header (a file cut mid-row) refuses the file. Values a publisher writes
for "nothing here" ("no data", "..", "-") are missing figures, not errors; a period
("2019-2020") is its last year, with the period kept in the comment.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from healthforce.errors import FileFormatError, Problem, ValidationError
from healthforce.ingest.files import decode, is_xlsx, sheet_rows, sniff_delimiter
from healthforce.ingest.vintages import parse_vintage


@dataclass(frozen=True, slots=True)
class Observation:
    """One published figure: ``indicator`` for ``location`` in ``year``.

    ``partner`` is the second place of a bilateral figure (an OECD origin country);
    ``is_country`` is False for aggregates (WLD, LCN, TOT, "Others n.e.c."); ``vintage`` the
    date the publisher gives the figure, when the file gives one per row.
    """

    source: str
    indicator: str
    location: str
    year: int
    value: float
    partner: str | None = None
    is_country: bool = True
    partner_is_country: bool = True
    comment: str | None = None
    flag: str | None = None
    low: float | None = None
    high: float | None = None
    vintage: dt.date | None = None


@dataclass
class Read:
    """What a reader found: the figures, and the file's own vintage (None: it says none)."""

    observations: list[Observation]
    vintage: dt.date | None = None


def packaged(name: str) -> Path:
    """Path of a data file shipped inside the package."""
    return Path(str(resources.files("healthforce.data").joinpath(name)))


#: What publishers write where there is no figure.
MISSING = frozenset({"", "no data", "n/a", "na", "..", "-", "…", "x", "nan", "null"})
_PERIOD = re.compile(r"^\s*(\d{4})\s*[-–/]\s*(\d{4})\s*$")


@dataclass
class _Layout:
    """A file's header, its data rows (numbered as the user sees them) and the metadata
    lines above the header (name -> value)."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    meta: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def column(self, names: Iterable[str]) -> dict[str, int]:
        return {n: self.header.index(n) for n in names if n in self.header}

    def problem(self, row: int, column: str, value: object, reason: str) -> None:
        self.problems.append(
            Problem("observations", str(row), column, value, reason, row=row, source=self.file)
        )


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    """Every non-empty line of a CSV or XLSX file as text cells, with its number."""
    if is_xlsx(path):
        out = []
        for number, row in enumerate(sheet_rows(path, None, formulas=False), start=1):
            cells = ["" if v is None else _text_of(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                out.append((number, cells))
        return out
    text, _encoding = decode(path, path.read_bytes())
    if not text.strip():
        raise FileFormatError(str(path), "the file is empty / el archivo está vacío")
    delimiter = sniff_delimiter(*text.splitlines()[:12])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [
        (reader.line_num, [c.strip() for c in record])
        for record in reader
        if any(c.strip() for c in record)
    ]


def _text_of(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _layout(
    path: Path, required: set[str], what: str, lines: list[tuple[int, list[str]]] | None = None
) -> _Layout:
    """The file's lines (read already, or now) split at the first one holding every
    ``required`` column name."""
    lines = _lines(path) if lines is None else lines
    at = next((i for i, (_n, cells) in enumerate(lines) if required <= set(cells)), None)
    if at is None:
        raise FileFormatError(
            str(path),
            f"not a {what}: no header with {', '.join(sorted(required))} / no es un archivo "
            f"de {what}: ningún encabezado con {', '.join(sorted(required))}",
        )
    header = lines[at][1]
    meta = {c[0]: c[1] for _n, c in lines[:at] if len(c) >= 2}
    out = _Layout(str(path), header, [], meta)
    width = len(header)
    for number, cells in lines[at + 1 :]:
        extra = cells[width:]
        if len(cells) < width or any(extra):
            out.problem(
                number,
                "*",
                len(cells),
                f"has {len(cells)} fields, the header has {width} (a file cut short?) / "
                f"tiene {len(cells)} campos, el encabezado {width} (¿archivo cortado?)",
            )
            continue
        out.rows.append((number, cells[:width]))
    return out


def _number(t: _Layout, row: int, column: str, text: str) -> float | None:
    """A figure, None where the publisher writes that there is none; a problem otherwise."""
    if text.strip().casefold() in MISSING:
        return None
    try:
        return float(text.replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        t.problem(row, column, text, "not a number / no es un número")
        return None


def _year(t: _Layout, row: int, column: str, text: str) -> tuple[int | None, str | None]:
    """A year, or the last of a period ("2019-2020", noted); a problem otherwise."""
    period = _PERIOD.match(text)
    if period:
        first, last = int(period.group(1)), int(period.group(2))
        if first <= last:
            return last, f"period {first}-{last} / período {first}-{last}"
    try:
        year = int(text.strip())
    except ValueError:
        t.problem(row, column, text, "not a year / no es un año")
        return None, None
    if not 1800 <= year <= 2200:
        t.problem(row, column, text, "not a plausible year / año no plausible")
        return None, None
    return year, None


def _vintage(t: _Layout, row: int, column: str, text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return parse_vintage(text)
    except ValueError as exc:
        t.problem(row, column, text, str(exc))
        return None


def _done(t: _Layout, observations: list[Observation], vintage: dt.date | None) -> Read:
    if t.problems:
        raise ValidationError(t.problems)
    return Read(observations, vintage)


def _note(*parts: str | None) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text or None


def read_who_gho(path: Path) -> Read:
    """WHO GHO export in either published layout: legacy "Athena" (``GHO (CODE)``) or the
    current portal's (``IndicatorCode``, with ``DateModified`` per row)."""
    from healthforce.reference.countries import is_country

    lines = _lines(path)
    legacy = any("GHO (CODE)" in cells for _n, cells in lines[:12])
    if legacy:
        t = _layout(path, {"GHO (CODE)", "YEAR (CODE)", "Numeric"}, "WHO GHO export", lines)
        code, year_c, value_c = "GHO (CODE)", "YEAR (CODE)", "Numeric"
        place, region = "COUNTRY (CODE)", "REGION (CODE)"
        low_c, high_c, comment_c, modified_c = "Low", "High", "Comments", ""
    else:
        t = _layout(
            path,
            {"IndicatorCode", "SpatialDimValueCode", "Period", "FactValueNumeric"},
            "WHO GHO export",
            lines,
        )
        code, year_c, value_c = "IndicatorCode", "Period", "FactValueNumeric"
        place, region = "SpatialDimValueCode", ""
        low_c, high_c = "FactValueNumericLow", "FactValueNumericHigh"
        comment_c, modified_c = "FactComments", "DateModified"
    at = t.column(
        [
            code,
            year_c,
            value_c,
            place,
            region,
            low_c,
            high_c,
            comment_c,
            modified_c,
            "Location type",
        ]
    )
    out: list[Observation] = []
    for number, cells in t.rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[at[name]] if name in at else ""

        value = _number(t, number, value_c, cell(value_c))
        if value is None:
            continue
        year, period = _year(t, number, year_c, cell(year_c))
        country = cell(place)
        loc = country or cell(region)
        if year is None or not loc:
            if not loc:
                t.problem(number, place, "", "no country or region code / sin código")
            continue
        if legacy:
            counts = bool(country) and is_country(loc)
        else:
            counts = cell("Location type") in ("Country", "") and is_country(loc)
        out.append(
            Observation(
                "WHO GHO",
                cell(code),
                loc,
                year,
                value,
                is_country=counts,
                comment=_note(cell(comment_c), period),
                low=_number(t, number, low_c, cell(low_c)),
                high=_number(t, number, high_c, cell(high_c)),
                vintage=_vintage(t, number, modified_c, cell(modified_c)),
            )
        )
    dated = [o.vintage for o in out if o.vintage is not None]
    return _done(t, out, max(dated) if dated else None)


#: The World Bank download's metadata line that dates the file.
WB_UPDATED = "Last Updated Date"


def read_worldbank(path: Path, indicator: str = "SP.POP.TOTL") -> Read:
    """World Bank indicator data as downloaded (metadata lines, then ``Country Name, Country
    Code, Indicator Name, Indicator Code, 1960, 1961, …``; its "Last Updated Date" is the
    vintage), or in long form (``Country Code, Year, Value``)."""
    from healthforce.reference.countries import is_country

    lines = _lines(path)
    wide = any({"Country Code", "Indicator Code"} <= set(c) for _n, c in lines[:12])
    out: list[Observation] = []
    if wide:
        t = _layout(path, {"Country Code", "Indicator Code"}, "World Bank download", lines)
        at = t.column(["Country Code", "Indicator Code"])
        years = [(i, h) for i, h in enumerate(t.header) if re.fullmatch(r"\d{4}", h)]
        if not years:
            raise FileFormatError(
                str(path), "no year columns (1960, 1961, …) / sin columnas de años"
            )
        for number, cells in t.rows:
            loc = cells[at["Country Code"]]
            code = cells[at["Indicator Code"]] or indicator
            for i, year in years:
                value = _number(t, number, year, cells[i])
                if value is not None and loc:
                    out.append(
                        Observation(
                            "World Bank", code, loc, int(year), value, is_country=is_country(loc)
                        )
                    )
        vintage = None
        if WB_UPDATED in t.meta:
            vintage = _vintage(t, 1, WB_UPDATED, t.meta[WB_UPDATED])
        return _done(t, out, vintage)
    t = _layout(path, {"Country Code", "Year", "Value"}, "World Bank CSV (long form)", lines)
    at = t.column(["Country Code", "Year", "Value"])
    for number, cells in t.rows:
        value = _number(t, number, "Value", cells[at["Value"]])
        when, period = _year(t, number, "Year", cells[at["Year"]])
        code = cells[at["Country Code"]]
        if value is None or when is None or not code:
            continue
        out.append(
            Observation(
                "World Bank",
                indicator,
                code,
                when,
                value,
                is_country=is_country(code),
                comment=period,
            )
        )
    return _done(t, out, None)


def read_oecd(path: Path) -> Read:
    """OECD HEALTH_WFMI: destination COU, origin CO2, variable VAR, year YEA."""
    from healthforce.reference.countries import is_country

    t = _layout(path, {"COU", "CO2", "VAR", "YEA", "Value"}, "OECD HEALTH_WFMI export")
    at = t.column(["COU", "CO2", "VAR", "YEA", "Value", "Flag Codes"])
    out: list[Observation] = []
    for number, cells in t.rows:
        value = _number(t, number, "Value", cells[at["Value"]])
        year, period = _year(t, number, "YEA", cells[at["YEA"]])
        if value is None or year is None:
            continue
        out.append(
            Observation(
                "OECD",
                cells[at["VAR"]],
                cells[at["COU"]],
                year,
                value,
                partner=cells[at["CO2"]],
                is_country=is_country(cells[at["COU"]]),
                partner_is_country=is_country(cells[at["CO2"]]),
                flag=(cells[at["Flag Codes"]] if "Flag Codes" in at else "") or None,
                comment=period,
            )
        )
    return _done(t, out, None)
