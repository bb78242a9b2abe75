"""FHIR resources out of the files HRIS write: a Bundle (transaction, batch, collection or
search set), a single resource, NDJSON as FHIR Bulk Data exports write it (one resource per
line), or a folder of such files (one per resource type)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from healthforce.errors import FileFormatError, Problem


@dataclass(frozen=True)
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


def read_entries(path: Path) -> tuple[list[Entry], list[Problem]]:
    """Every resource in ``path`` (a file or a folder of .ndjson/.json files), and a problem for
    each line or entry that is not a resource. FileFormatError for a file that is not FHIR."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".ndjson", ".json"))
        if not files:
            raise FileFormatError(
                str(path), "no .ndjson or .json files in the folder / la carpeta no tiene archivos"
            )
    elif path.is_file():
        files = [path]
    else:
        raise FileFormatError(str(path), "no such file / no existe el archivo")
    entries: list[Entry] = []
    problems: list[Problem] = []
    for file in files:
        found, bad = _read_file(file)
        entries += found
        problems += bad
    return entries, problems


def _read_file(path: Path) -> tuple[list[Entry], list[Problem]]:
    name = str(path)
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        raise FileFormatError(
            name, "not FHIR JSON (a Bundle, a resource or NDJSON) / no es FHIR en JSON"
        )
    text = path.read_text("utf-8-sig")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return _ndjson(name, text)
    if not isinstance(whole, dict) or "resourceType" not in whole:
        raise FileFormatError(name, "no resourceType: not a FHIR resource / no es un recurso FHIR")
    if whole["resourceType"] != "Bundle":
        return [Entry(name, 1, whole)], []
    entries, problems = [], []
    for i, item in enumerate(whole.get("entry") or [], start=1):
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
        entries.append(Entry(name, i, resource, item.get("fullUrl")))
    return entries, problems


def _ndjson(name: str, text: str) -> tuple[list[Entry], list[Problem]]:
    entries, problems = [], []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            resource = json.loads(line)
        except json.JSONDecodeError as exc:
            cut = number == len(lines) and not text.endswith("\n")
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
        entries.append(Entry(name, number, resource))
    return entries, problems


def _bad(file: str, number: int, reason: str) -> Problem:
    return Problem("fhir", f"#{number}", "resourceType", None, reason, number, file)
