"""Reading the files people really have: CSV in any of the usual encodings and delimiters, and
XLSX (including what Excel does to values), into columns.

Nothing here knows about entities; :mod:`healthforce.ingest.importer` maps the columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from healthforce.errors import FileFormatError
from healthforce.settings import get_settings

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
#: CSV files larger than this are parsed by Apache Arrow into text columns (vectorised path).
ARROW_THRESHOLD = 8 * 2**20
DELIMITERS = (",", ";", "\t", "|")
DATA_SHEETS = ("datos", "data")


@dataclass
class RawTable:
    """A file's header and its data as columns of raw values; ``rows[i]`` is the row number the
    user sees for data row i (the header is row 1 in a CSV)."""

    file: str
    header: list[str]
    columns: list[list[object]]
    rows: list[int]
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, note)

    def __len__(self) -> int:
        return len(self.rows)


def read_table(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Read a CSV or XLSX file; raises FileFormatError naming the file when it cannot."""
    if is_xlsx(path):
        return _read_xlsx(path, sheet)
    return _read_csv(path, delimiter, encoding)


def is_xlsx(path: Path) -> bool:
    """Whether a file is a workbook (by its zip signature or its name); FileFormatError when
    there is no such file."""
    if not path.is_file():
        raise FileFormatError(str(path), "no such file / no existe el archivo")
    with path.open("rb") as handle:
        head = handle.read(4)
    return head == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm")


def decode(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding that decoded it: UTF-8 (with or without BOM), Windows-1252, Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise FileFormatError(
            str(path),
            "not a UTF-8 or Windows-1252 text file (UTF-16 or "
            "binary?); save it as CSV UTF-8 / guárdelo como CSV UTF-8",
        )
    for enc in (encoding,) if encoding else ENCODINGS:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    raise FileFormatError(str(path), f"cannot decode as {encoding} / no se puede decodificar")


def sniff_delimiter(first_line: str, *more: str) -> str:
    """The delimiter that splits the header line (or the widest of several lines: metadata
    lines above a header have fewer fields) into the most fields."""
    lines = (first_line, *more)
    counts = {
        d: max(len(next(csv.reader([line], delimiter=d), [])) for line in lines) for d in DELIMITERS
    }
    return max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))


def _read_csv(path: Path, delimiter: str | None, encoding: str | None) -> RawTable:
    data = path.read_bytes()
    text, used = decode(path, data, encoding)
    if not text.strip():
        raise FileFormatError(str(path), "the file is empty / el archivo está vacío")
    first = text.split("\n", 1)[0].rstrip("\r")
    sep = delimiter or sniff_delimiter(first)
    if len(data) > ARROW_THRESHOLD:
        utf8 = data if used == "utf-8-sig" else text.encode("utf-8")
        del text
        return _read_csv_arrow(path, utf8, sep, used)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header = [h.strip() for h in next(reader)]
    width = len(header)
    records: list[list[str]] = []
    rows: list[int] = []
    notes: list[tuple[int, str, str]] = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != width:
            notes.append(
                (
                    number,
                    "*",
                    f"has {len(record)} fields, the header has {width} / "
                    f"tiene {len(record)} campos, el encabezado {width}",
                )
            )
            record = (record + [""] * width)[:width]
        records.append(record)
        rows.append(number)
    columns: list[list[object]] = (
        [list(c) for c in zip(*records, strict=True)] if records else [[] for _ in header]
    )
    return RawTable(str(path), header, columns, rows, used, sep, notes)


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def check_xlsx(path: Path) -> None:
    """Refuse an XLSX whose parts unpack to more than the configured limit (a zip bomb) before
    any of it is read. Python's zipfile never unpacks a part past its declared size, so the
    declared sizes bound what reading can cost. Its XML is parsed through defusedxml (openpyxl
    uses it when installed), which refuses entity expansion and external references."""
    limit = get_settings().xlsx_max_unpacked_mb
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileFormatError(
            str(path),
            f"not a readable XLSX file (truncated or damaged?): {exc} / no es un XLSX legible",
        ) from None
    if unpacked > limit * 2**20:
        raise FileFormatError(
            str(path),
            f"unpacks to {unpacked / 2**20:,.0f} MB, more than the limit of {limit:,} MB "
            f"(HEALTHFORCE_XLSX_MAX_UNPACKED_MB) / se descomprime en {unpacked / 2**20:,.0f} MB, "
            f"más que el límite de {limit:,} MB",
        )


def _unsafe(path: Path, exc: Exception) -> FileFormatError:
    return FileFormatError(
        str(path),
        f"refused: the XLSX contains XML entities or external references ({type(exc).__name__}) "
        "/ rechazado: el XLSX contiene entidades XML o referencias externas",
    )


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _workbook(path: Path, formulas: bool) -> tuple[Any, BinaryIO]:
    """A checked workbook, opened read-only, and its file (both the caller's to close)."""
    import openpyxl
    from defusedxml import DefusedXmlException

    check_xlsx(path)
    handle = path.open("rb")  # ours to close, also when openpyxl fails half-way
    try:
        return openpyxl.load_workbook(handle, read_only=True, data_only=not formulas), handle
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        handle.close()
        if _caused_by(exc, DefusedXmlException):
            raise _unsafe(path, exc) from None
        raise FileFormatError(
            str(path),
            f"not a readable XLSX file (truncated or damaged?): {exc} / no es un XLSX legible",
        ) from None


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order."""
    book, handle = _workbook(path, formulas=False)
    try:
        return list(book.sheetnames)
    finally:
        book.close()
        handle.close()


def sheet_rows(path: Path, sheet: str | None, formulas: bool) -> Iterator[tuple[object, ...]]:
    from defusedxml import DefusedXmlException

    book, handle = _workbook(path, formulas)
    try:
        names = book.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise FileFormatError(str(path), f"no sheet {sheet!r} / no hay hoja {sheet!r}")
            chosen = sheet
        else:
            chosen = next((n for n in names if n.casefold() in DATA_SHEETS), names[0])
        yield from book[chosen].iter_rows(values_only=True)
    except DefusedXmlException as exc:
        raise _unsafe(path, exc) from None
    finally:
        book.close()
        handle.close()


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    values = sheet_rows(path, sheet, formulas=False)
    raw = sheet_rows(path, sheet, formulas=True)
    try:
        header_cells = next(values)
        next(raw)
    except StopIteration:
        raise FileFormatError(str(path), "the sheet is empty / la hoja está vacía") from None
    header = [str(h).strip() if h is not None else "" for h in header_cells]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    if not width:
        raise FileFormatError(str(path), "the sheet has no header / la hoja no tiene encabezado")
    records: list[list[object]] = []
    rows: list[int] = []
    notes: list[tuple[int, str, str]] = []
    for number, (cells, formula_cells) in enumerate(zip(values, raw, strict=False), start=2):
        record = [_cell(c) for c in (list(cells) + [None] * width)[:width]]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in record):
            continue
        for j, f in enumerate(list(formula_cells)[:width]):
            if isinstance(f, str) and f.startswith("=") and record[j] is None:
                notes.append(
                    (
                        number,
                        header[j],
                        "formula without a computed value; enter "
                        "the value / fórmula sin valor calculado; escriba el valor",
                    )
                )
                record[j] = f
        records.append(record)
        rows.append(number)
    columns: list[list[object]] = (
        [list(c) for c in zip(*records, strict=True)] if records else [[] for _ in header]
    )
    return RawTable(str(path), header, columns, rows, None, None, notes)


def _line_numbers(data: bytes) -> np.ndarray:
    """1-based numbers of the non-empty lines of a text (blank lines skipped, as CSV readers do)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    starts = np.concatenate([[0], ends + 1])
    stops = np.concatenate([ends, [buf.size]])
    length = stops - starts
    has_cr = (length > 0) & (buf[np.maximum(stops - 1, 0)] == 13)
    blank = (length - has_cr) <= 0
    return np.flatnonzero(~blank) + 1


def _read_csv_arrow(path: Path, data: bytes, sep: str, encoding: str) -> RawTable:
    """Large CSV: every column as Arrow text; rows numbered as the file numbers its lines."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    bad_rows: list[tuple[int, str, str]] = []

    def invalid(row: pcsv.InvalidRow) -> str:
        bad_rows.append(
            (
                row.number or 0,
                "*",
                f"has {row.actual_columns} fields, the header "
                f"has {row.expected_columns} / número de campos",
            )
        )
        return "skip"

    source = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    header = next(
        csv.reader([source.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")], delimiter=sep)
    )
    try:
        table = pcsv.read_csv(
            pa.py_buffer(source),
            read_options=pcsv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(header))],
                skip_rows=1,
                block_size=16 * 2**20,
            ),
            parse_options=pcsv.ParseOptions(delimiter=sep, invalid_row_handler=invalid),
            convert_options=pcsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise FileFormatError(
            str(path), f"cannot parse as CSV: {exc} / no es un CSV válido"
        ) from None
    columns: list[list[object]] = [
        table.column(i).combine_chunks() for i in range(table.num_columns)
    ]
    lines = _line_numbers(source)[1:]  # without the header line
    bad = {b[0] for b in bad_rows}
    if bad_rows:
        lines = np.array([n for n in lines if n not in bad])
    rows = (
        lines.tolist() if len(lines) == table.num_rows else list(range(2, table.num_rows + 2))
    )  # quoted line breaks: number records instead
    return RawTable(str(path), [h.strip() for h in header], columns, rows, encoding, sep, bad_rows)
