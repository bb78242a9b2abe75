"""Mapping a file's own layout onto an entity, so a country's file imports without editing it.

Without a mapping file, headers are matched to fields by their name or by their Spanish or
English label (case and accents as typed, spaces folded). A mapping file (TOML) says more::

    entity = "facilities"          # optional: the entity it is for
    delimiter = ";"                # optional: CSV delimiter (otherwise detected)
    encoding = "utf-8"             # optional (otherwise detected)
    date_format = "%d-%m-%Y"       # optional: how dates are written
    date_order = "dmy"             # optional: day/month order of dates like 05/06/2024 (or mdy)
    locale = "es_VE"               # optional: how numbers (and date order) are written
    decimal = ","                  # optional: the decimal separator of numbers (without locale)
    sheet = "Hoja1"                # optional: the XLSX sheet

    [columns]                      # field = the file's column, or a template of columns
    code = "EstablecimientoCodigo"
    area = "CL-{ComunaCodigo}"

    [constants]                    # field = one value for every row
    status = "open"

    [recode.type]                  # field -> {the file's value = our value}; "" means blank
    "Hospital" = "general_hospital"

    [[areas]]                      # areas to create from the rows first, top level first
    level = "state"
    code = "CL-{RegionCodigo}"
    name = "{RegionGlosa}"
    parent = "CHL"

With a mapping, unmapped columns are ignored; without one, an unknown column is an error.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthforce.errors import FileFormatError
from healthforce.ingest.values import check_locale
from healthforce.store.schema import ENTITIES, EntitySpec

_TEMPLATE = re.compile(r"\{([^{}]+)\}")
KNOWN_KEYS = {
    "entity",
    "delimiter",
    "encoding",
    "date_format",
    "date_order",
    "locale",
    "decimal",
    "sheet",
    "columns",
    "constants",
    "recode",
    "areas",
    "description",
}


@dataclass(frozen=True)
class DerivedAreas:
    level: str
    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class Mapping:
    source: str = "(no mapping)"
    entity: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    date_format: str | None = None
    date_order: str | None = None
    locale: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    recode: dict[str, dict[str, str]] = field(default_factory=dict)
    areas: tuple[DerivedAreas, ...] = ()


def fold(header: str) -> str:
    """Header spelling for matching: casefolded, accents kept, spaces and _ folded."""
    s = unicodedata.normalize("NFC", header).casefold().strip()
    return re.sub(r"[\s_]+", " ", s)


def header_lookup(spec: EntitySpec) -> dict[str, str]:
    """Every accepted header spelling -> field name."""
    out: dict[str, str] = {}
    for f in spec.fields:
        for spelling in (f.name, f.es, f.en):
            if spelling:
                out[fold(spelling)] = f.name
    return out


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the key."""
    name = str(path)
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FileFormatError(name, "no such mapping file / no existe el archivo") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FileFormatError(name, f"not valid TOML: {exc} / TOML no válido") from None
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise FileFormatError(name, f"unknown key(s) {unknown} / clave(s) desconocida(s)")
    entity = data.get("entity")
    if entity is not None and entity not in ENTITIES:
        raise FileFormatError(name, f"entity = {entity!r}: unknown entity / entidad desconocida")
    for table in ("columns", "constants", "recode"):
        if not isinstance(data.get(table, {}), dict):
            raise FileFormatError(name, f"[{table}] must be a table / debe ser una tabla")
    areas = []
    for i, a in enumerate(data.get("areas", [])):
        missing = {"level", "code", "name"} - set(a)
        if missing:
            raise FileFormatError(name, f"areas[{i}] lacks {sorted(missing)} / le falta")
        areas.append(DerivedAreas(a["level"], a["code"], a["name"], a.get("parent")))
    mapping = Mapping(
        source=name,
        entity=entity,
        delimiter=data.get("delimiter"),
        encoding=data.get("encoding"),
        date_format=data.get("date_format"),
        date_order=_choice(name, data, "date_order", ("dmy", "mdy")),
        locale=check_locale(data["locale"], f"{name}: locale") if "locale" in data else None,
        decimal=_choice(name, data, "decimal", (",", ".")),
        sheet=data.get("sheet"),
        columns={str(k): str(v) for k, v in data.get("columns", {}).items()},
        constants=dict(data.get("constants", {})),
        recode={
            str(k): {str(a): str(b) for a, b in v.items()}
            for k, v in data.get("recode", {}).items()
        },
        areas=tuple(areas),
    )
    if entity is not None:
        check_fields(mapping, ENTITIES[entity])
    return mapping


def _choice(name: str, data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    value = data.get(key)
    if value is not None and value not in allowed:
        raise FileFormatError(
            name, f"{key} = {value!r}: one of {list(allowed)} / debe ser uno de {list(allowed)}"
        )
    return value


def check_fields(mapping: Mapping, spec: EntitySpec) -> None:
    for table in ("columns", "constants", "recode"):
        for key in getattr(mapping, table):
            if key not in spec.by_name:
                raise FileFormatError(
                    mapping.source,
                    f"[{table}] {key}: no field {key!r} in {spec.name} / no existe el campo",
                )


def template_columns(template: str) -> list[str]:
    return _TEMPLATE.findall(template)


def render(
    template: str, header_index: dict[str, int], columns: list[list[object]], n: int
) -> list[object]:
    """A column built from a template such as "CL-{ComunaCodigo}" (or a plain column name)."""
    names = template_columns(template)
    if not names:
        return list(columns[header_index[template]]) if template in header_index else [template] * n
    parts = [columns[header_index[c]] for c in names]
    out: list[object] = []
    for i in range(n):
        values = [p[i] for p in parts]
        if any(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            out.append(None)
            continue
        s = template
        for c, v in zip(names, values, strict=True):
            s = s.replace("{" + c + "}", _as_text(v))
        out.append(s)
    return out


def _as_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
