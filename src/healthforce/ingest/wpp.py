"""UN World Population Prospects: the registry country's population by sex and five-year age
band, estimates and projections, from the files the UN Population Division publishes
(population.un.org/wpp, "Download Center").

Two layouts, as downloaded:

- **CSV** (plain, ``.gz`` or ``.zip``): ``WPP2024_PopulationByAge5GroupSex_Medium.csv`` and
  its kin, one row per location, variant, year and age group (``ISO3_code``, ``Variant``,
  ``Time``, ``AgeGrp``, ``PopMale``, ``PopFemale``, ``PopTotal``); the single-age files
  (``AgeGrp`` 0, 1, … 100+) and ``TotalPopulationBySex`` (no ``AgeGrp``: totals only) too.
  The global file runs to hundreds of megabytes: it is streamed, and only the registry
  country's rows are kept.
- **XLSX** (the "Excel files" of the standard projections,
  ``WPP2024_POP_F02_1_POPULATION_5-YEAR_AGE_GROUPS_BOTH_SEXES.xlsx`` and its ``_MALE`` and
  ``_FEMALE`` siblings): title lines, then a header with ``ISO3 Alpha-code``, ``Variant``,
  ``Year`` and the age groups ``0-4`` … ``100+`` as columns; one sheet per variant
  ("Estimates", "Medium variant", …). The sex is the file's, from its title or its name.

Figures are in thousands; they are stored as persons. Age groups from 80 up are summed into
the registry's ``80+``; ``total`` is the sum of the bands. Estimates (the past) and the chosen
projection variant (``Medium`` unless told) are kept, other variants left out. The figures are
the registry's national population for the years and cells that no other source gave (a census
or the statistics office's figures are kept); they replace the World Bank's national totals,
which have no age or sex. Every problem names the file, row, column, value and reason; a row
cut short refuses the file, which then writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, func, select

from healthforce.errors import FileFormatError, Problem, ValidationError
from healthforce.ingest.files import is_xlsx, sheet_names, sheet_rows, sniff_delimiter
from healthforce.ingest.importer import ImportReport, insert_run, refusals_recorded, sha256
from healthforce.ingest.public import WORLD_BANK_POPULATION
from healthforce.ingest.sources import MISSING
from healthforce.store.models import Base
from healthforce.store.registry import Registry, WriteResult

#: The source named on the population rows this importer writes (followed by the revision and
#: the variant, "UN WPP 2024 Medium").
WPP = "UN WPP"
_CSV_NEEDS = {"ISO3_code", "Time", "PopTotal"}
_XLSX_NEEDS = {"ISO3 Alpha-code", "Year"}
_AGE = re.compile(r"^\s*(\d{1,3})\s*(?:[-–]\s*(\d{1,3})|(\+))?\s*$")
_SEXES = (("PopMale", "M"), ("PopFemale", "F"), ("PopTotal", "T"))

Cells = dict[tuple[int, str, str], float]  # (year, sex, age band) -> thousands


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Problem] = []

    def add(self, row: int, column: str, value: object, reason: str) -> None:
        if len(self.found) < 1000:
            self.found.append(
                Problem("population", str(row), column, value, reason, row=row, source=self.file)
            )


def band_of(group: str) -> str | None:
    """The registry's age band of a WPP age group ("25-29" -> "25-29", "7" -> "5-9",
    "85-89" and "100+" -> "80+"); None when the group spans two bands or is no age."""
    m = _AGE.match(group)
    if m is None:
        return None
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else (first if not m.group(3) else None)
    if first >= 80:
        return "80+"
    if last is not None and (last < first or last // 5 != first // 5):
        return None
    if last is None:  # "75+" in an old file: not a band of ours
        return None
    low = 5 * (first // 5)
    return f"{low}-{low + 4}"


def _number(text: object, problems: _Problems, row: int, column: str) -> float | None:
    if text is None or (isinstance(text, str) and text.strip().casefold() in MISSING):
        return None
    try:
        value = float(str(text).replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        problems.add(row, column, text, "not a number / no es un número")
        return None
    if value < 0:
        problems.add(row, column, text, "a negative population / población negativa")
        return None
    return value


def _year(text: object, problems: _Problems, row: int, column: str) -> int | None:
    try:
        year = int(float(str(text).strip()))
    except ValueError:
        problems.add(row, column, text, "not a year / no es un año")
        return None
    if not 1900 <= year <= 2200:
        problems.add(row, column, text, "not a plausible year / año no plausible")
        return None
    return year


def _variant(text: str) -> str:
    """ "Medium variant" and "Medium" alike, for comparison."""
    return re.sub(r"\s+variant$", "", text.strip(), flags=re.IGNORECASE).casefold()


@contextmanager
def _text(path: Path) -> Iterator[io.TextIOBase]:
    """The CSV's text, from a plain, gzip or single-file zip download."""
    with path.open("rb") as raw:
        head = raw.read(4)
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
            yield handle
        return
    if head == b"PK\x03\x04":
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(members) != 1:
                raise FileFormatError(
                    str(path), "a zip with one CSV expected / se esperaba un zip con un CSV"
                )
            with archive.open(members[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield handle


class _Found:
    """What a reader found: the country's cells, the variants the file holds for it and the
    file's locations (a sample, to name in a refusal)."""

    def __init__(self, country: str, variant: str) -> None:
        self.country = country
        self.wanted = {"estimates", _variant(variant)}
        self.cells: Cells = defaultdict(float)
        self.variants: set[str] = set()
        self.places: set[str] = set()

    def wants(self, place: str, label: str) -> bool:
        """Whether a row of ``place`` and variant ``label`` is one to keep."""
        if len(self.places) < 12 and place:
            self.places.add(place)
        if place != self.country:
            return False
        self.variants.add(label)
        return _variant(label) in self.wanted


def _read_csv(path: Path, country: str, variant: str, problems: _Problems) -> _Found:
    """The country's cells, the variants the file holds and its locations."""
    found = _Found(country, variant)
    cells = found.cells
    with _text(path) as handle:
        first = handle.readline()
        if not first.strip():
            raise FileFormatError(str(path), "the file is empty / el archivo está vacío")
        delimiter = sniff_delimiter(first)
        header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter))]
        if not set(header) >= _CSV_NEEDS:
            raise FileFormatError(
                str(path),
                "not a UN WPP file: no header with ISO3_code, Time, PopTotal (or ISO3 "
                "Alpha-code, Year in a workbook) / no es un archivo de WPP de la ONU",
            )
        at = {name: i for i, name in enumerate(header)}
        width = len(header)
        age = at.get("AgeGrp")
        var = at.get("Variant")
        code = at["ISO3_code"]
        for number, record in enumerate(csv.reader(handle, delimiter=delimiter), start=2):
            if len(record) != width:
                if any(c.strip() for c in record):
                    problems.add(
                        number,
                        "*",
                        len(record),
                        f"has {len(record)} fields, the header has {width} (a file cut "
                        f"short?) / tiene {len(record)} campos, el encabezado {width}",
                    )
                continue
            if not found.wants(record[code], record[var] if var is not None else "Medium"):
                continue
            year = _year(record[at["Time"]], problems, number, "Time")
            band = "total"
            if age is not None:
                grouped = band_of(record[age])
                if grouped is None:
                    problems.add(
                        number,
                        "AgeGrp",
                        record[age],
                        "not a five-year age group or single age / no es un grupo de edad",
                    )
                    continue
                band = grouped
            if year is None:
                continue
            for column, sex in _SEXES:
                if column in at:
                    value = _number(record[at[column]], problems, number, column)
                    if value is not None:
                        cells[(year, sex, band)] += value
    return found


def _sex_of(path: Path, titles: list[str]) -> str:
    words = " ".join([*titles, path.stem.replace("_", " ")]).casefold()
    if "both sexes" in words or "ambos sexos" in words:
        return "T"
    if re.search(r"\bfemale\b|\bmujeres\b", words):
        return "F"
    if re.search(r"\bmale\b|\bhombres\b", words):
        return "M"
    return "T"


def _read_xlsx(path: Path, country: str, variant: str, problems: _Problems) -> _Found:
    found = _Found(country, variant)
    cells = found.cells
    matched = False
    for name in sheet_names(path):
        rows = sheet_rows(path, name, formulas=False)
        titles: list[str] = []
        header: list[str] | None = None
        for number, row in enumerate(rows, start=1):
            texts = ["" if v is None else str(v).strip() for v in row]
            if header is None:
                if set(texts) >= _XLSX_NEEDS:
                    header = texts
                elif any(texts):
                    titles.extend(t for t in texts if t)
                continue
            at = {h: i for i, h in enumerate(header) if h}
            if not any(texts):
                continue
            place = texts[at["ISO3 Alpha-code"]] if at["ISO3 Alpha-code"] < len(texts) else ""
            if not found.wants(place, texts[at["Variant"]] if "Variant" in at else name):
                continue
            year = _year(texts[at["Year"]], problems, number, "Year")
            if year is None:
                continue
            sex = _sex_of(path, titles)
            for column, i in at.items():
                band = band_of(column)
                if band is None or not _AGE.match(column) or i >= len(row):
                    continue
                value = _number(row[i], problems, number, column)
                if value is not None:
                    cells[(year, sex, band)] += value
        matched = matched or header is not None
    if not matched:
        raise FileFormatError(
            str(path),
            "not a UN WPP workbook: no sheet with ISO3 Alpha-code and Year / no es un libro de "
            "WPP de la ONU",
        )
    return found


def read_wpp(path: Path, country: str, variant: str = "Medium") -> dict[tuple[int, str, str], int]:
    """The country's population (persons) by (year, sex, age band), ``total`` included, from a
    WPP file: its estimates and the projection ``variant``. Raises FileFormatError or
    ValidationError (every problem located) when the file cannot be read as it should."""
    problems = _Problems(str(path))
    reader = _read_xlsx if is_xlsx(path) else _read_csv
    try:
        found = reader(path, country, variant, problems)
    except (UnicodeDecodeError, gzip.BadGzipFile, zipfile.BadZipFile, EOFError) as exc:
        raise FileFormatError(
            str(path), f"not a readable UN WPP file ({exc}) / no es un archivo legible"
        ) from None
    if problems.found:
        raise ValidationError(problems.found)
    cells, variants = found.cells, found.variants
    if not variants:
        sample = ", ".join(sorted(found.places)) or "none / ninguna"
        raise FileFormatError(
            str(path),
            f"no rows for {country}, the registry's country; the file's locations include "
            f"{sample} / ninguna fila de {country}, el país del registro",
        )
    if not cells:
        raise FileFormatError(
            str(path),
            f"no {variant!r} variant for {country}; the file holds {', '.join(sorted(variants))}"
            f" / la variante {variant!r} no está; el archivo tiene {', '.join(sorted(variants))}",
        )
    totals: dict[tuple[int, str], float] = defaultdict(float)
    for (year, sex, band), thousands in cells.items():
        if band != "total":
            totals[(year, sex)] += thousands
    out = {key: round(thousands * 1000) for key, thousands in cells.items()}
    for (year, sex), thousands in totals.items():  # the sum of the bands, as the UN has it
        out[(year, sex, "total")] = round(thousands * 1000)
    return out


def _revision(path: Path) -> str:
    m = re.search(r"WPP\s*_?(\d{4})", path.name, flags=re.IGNORECASE)
    return f"{WPP} {m.group(1)}" if m else WPP


def _others(conn: Connection, area_id: int) -> set[tuple[int, str, str]]:
    """The country's population cells another source gave (not WPP, not the World Bank)."""
    pop = Base.metadata.tables["area_population"]
    source = func.coalesce(pop.c.source, "")
    rows = conn.execute(
        select(pop.c.year, pop.c.sex, pop.c.age_band).where(
            pop.c.area_id == area_id,
            ~source.like(f"{WPP}%"),
            ~source.like(f"{WORLD_BANK_POPULATION}%"),
        )
    )
    return {(r[0], r[1], r[2]) for r in rows}


def import_wpp(
    registry: Registry, path: Path, *, variant: str = "Medium", actor: str = "system"
) -> ImportReport:
    """Import the registry country's population by sex and age from a WPP file (see the
    module). Idempotent; every attempt is in the import log; a refused file writes nothing
    else."""
    started = dt.datetime.now(dt.UTC)
    digest = sha256(path) if path.is_file() else ""
    report = ImportReport(str(path), "population", 0, "rejected", WriteResult("population"))
    area = Base.metadata.tables["area"]
    with refusals_recorded(registry, report, actor, digest, started):
        with registry.engine.connect() as conn:
            country = conn.execute(
                select(area.c.id, area.c.code, area.c.name).where(area.c.level == "country")
            ).first()
        if country is None:
            raise FileFormatError(
                str(path),
                "the registry has no country yet: import its boundaries first (healthforce "
                "import areas) / el registro aún no tiene país: importe primero sus límites",
            )
        figures = read_wpp(path, country.code, variant)
    if report.problems or country is None:
        return report
    source = f"{_revision(path)} {variant}"
    report.rows = len(figures)
    with registry.change(actor=actor, source=f"import wpp {path.name}") as change:
        kept_aside = _others(change.conn, country.id)
        keys = sorted(k for k in figures if k not in kept_aside)
        report.result = change.upsert(
            "population",
            {
                "area": [country.code] * len(keys),
                "year": [k[0] for k in keys],
                "sex": [k[1] for k in keys],
                "age_band": [k[2] for k in keys],
                "population": [figures[k] for k in keys],
                "source": [source] * len(keys),
            },
        )
        report.result.unchanged += len(figures) - len(keys)
        years = sorted({k[0] for k in keys})
        if years:
            report.warnings.append(
                Problem(
                    "population",
                    country.code,
                    "population",
                    None,
                    f"{country.name}'s population by sex and age {years[0]}-{years[-1]} from "
                    f"{source}; {len(figures) - len(keys)} figures given by another source "
                    f"kept / población de {country.name} por sexo y edad {years[0]}-"
                    f"{years[-1]} de {source}; se conservan las cifras de otra fuente",
                    source=str(path),
                )
            )
        report.outcome = "stored"
        report.import_run_id = insert_run(
            change.conn, report, actor, digest, started, change.change_set_id
        )
    return report
