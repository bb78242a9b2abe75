"""FHIR resources out of the files HRIS write: a Bundle (transaction, batch, collection or
search set), a single resource, NDJSON as FHIR Bulk Data exports write it (one resource per
line), or a folder of such files (one per resource type)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from healthforce.errors import FileFormatError, Problem


@dataclass(slots=True)
class Entry:
    """One resource and where it is: its file and its line (NDJSON) or entry (Bundle) number;
    ``full_url`` is its Bundle entry's fullUrl (references may use it)."""

    file: str
    number: int
    resource: dict[str, Any]
    full_url: str | None = None

    @property
    def kind(self) -> str:
        return str(self.resource.get("resourceType") or "")

    @property
    def label(self) -> str:
        rid = self.resource.get("id")
        return f"{self.kind}/{rid}" if rid else f"{self.kind} #{self.number}"


@contextmanager
def without_collector() -> Iterator[None]:
    """Python's cyclic garbage collector paused: reading a million resources allocates tens of
    millions of containers, all kept, and the collector's passes over them took nine tenths of
    the time. Nothing read here forms a cycle; the collector runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_entries(path: Path, problems: list[Problem]) -> Iterator[Entry]:
    """Every resource in ``path`` (a file or a folder of .ndjson/.json files), one at a time
    (NDJSON is streamed: a million resources are never all in memory); a problem is added to
    ``problems`` for each line or entry that is not a resource. FileFormatError for a file that
    is not FHIR."""
    for file in files_of(path):
        yield from read_file(file, problems)


def files_of(path: Path) -> list[Path]:
    """The files of ``path``: itself, or a folder's .ndjson and .json files in name order."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".ndjson", ".json"))
        if not files:
            raise FileFormatError(
                str(path), "no .ndjson or .json files in the folder / la carpeta no tiene archivos"
            )
        return files
    if path.is_file():
        return [path]
    raise FileFormatError(str(path), "no such file / no existe el archivo")


def read_file(path: Path, problems: list[Problem]) -> Iterator[Entry]:
    name = str(path)
    if not _is_json(path):
        raise FileFormatError(
            name, "not FHIR JSON (a Bundle, a resource or NDJSON) / no es FHIR en JSON"
        )
    if _one_document(path):
        try:
            whole = orjson.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
        except orjson.JSONDecodeError:
            whole = None  # NDJSON with a broken first line: read line by line, which says so
        if whole is not None:
            if not isinstance(whole, dict) or "resourceType" not in whole:
                raise FileFormatError(
                    name, "no resourceType: not a FHIR resource / no es un recurso FHIR"
                )
            if whole["resourceType"] != "Bundle":
                yield Entry(name, 1, whole)
            else:
                yield from _bundle(name, whole, problems)
            return
    yield from ndjson(path, problems)


def _one_document(path: Path) -> bool:
    """Whether the file is one JSON document (a Bundle or a resource, pretty-printed or on one
    line) rather than NDJSON (one whole resource per line)."""
    with path.open("rb") as handle:
        first = handle.readline()
        more = handle.read(64).strip()
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return True
    return not more


def _bundle(name: str, whole: dict[str, object], problems: list[Problem]) -> Iterator[Entry]:
    items = whole.get("entry") or []
    for i, item in enumerate(items if isinstance(items, list) else [], start=1):
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict) or "resourceType" not in resource:
            problems.append(_bad(name, i, "Bundle.entry has no resource / entrada sin recurso"))
            continue
        method = ((item.get("request") or {}).get("method") or "").upper()
        if method == "DELETE":
            problems.append(
                _bad(name, i, "DELETE entries are not imported / no se importan borrados")
            )
            continue
        yield Entry(name, i, resource, item.get("fullUrl"))


@dataclass
class Lines:
    """How many lines a reader went through."""

    count: int = 0


def ndjson(
    path: Path,
    problems: list[Problem],
    start: int = 0,
    end: int | None = None,
    first: int = 1,
    seen: Lines | None = None,
) -> Iterator[Entry]:
    """The resources of an NDJSON file, or of its bytes ``start`` to ``end`` (whole lines;
    the first of them is line ``first``); ``seen`` counts the lines read."""
    name = str(path)
    seen = seen or Lines()
    with path.open("rb") as handle:
        handle.seek(start)
        lines = handle if end is None else _up_to(handle, end - start)
        for number, line in enumerate(lines, start=first):
            seen.count += 1
            if line.isspace() or not line:
                continue
            try:
                resource = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                cut = not line.endswith(b"\n") and not handle.read(1)
                problems.append(
                    _bad(
                        name,
                        number,
                        (
                            "the file is cut in the middle of this line / el archivo está cortado"
                            if cut
                            else f"not JSON: {exc.msg} / no es JSON"
                        ),
                    )
                )
                continue
            if not isinstance(resource, dict) or "resourceType" not in resource:
                problems.append(_bad(name, number, "no resourceType / sin resourceType"))
                continue
            yield Entry(name, number, resource)


def _up_to(handle: Any, size: int) -> Iterator[bytes]:
    """The lines of the next ``size`` bytes of ``handle``."""
    for line in handle:
        yield line
        size -= len(line)
        if size <= 0:
            return


def is_ndjson(path: Path) -> bool:
    """Whether a file holds one resource per line (not a Bundle or a single document)."""
    return _is_json(path) and not _one_document(path)


def _is_json(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def _bad(file: str, number: int, reason: str) -> Problem:
    return Problem("fhir", f"#{number}", "resourceType", None, reason, number, file)
