"""Facility lists as ministries and open-data portals publish them: with or without their own
codes, as a table with coordinates or as a GeoJSON (or any GDAL file) of points.

- A list without codes gets a stable one per facility: a hash of its name and place, the same
  on every re-import, so a re-import updates instead of duplicating.
- A facility without an area is placed in the registry's most detailed area whose outline
  holds it; a point outside every outline is kept, placed in the nearest area and flagged with
  its distance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Engine

if TYPE_CHECKING:
    from healthforce.ingest.importer import ImportReport
    from healthforce.store.registry import Registry

from healthforce.errors import FileFormatError, Problem
from healthforce.geo.files import read_layer
from healthforce.geo.shapes import label_point, locate
from healthforce.ingest.files import RawTable
from healthforce.ingest.mapping import Mapping, fold, header_lookup
from healthforce.store.areas import outlines
from healthforce.store.schema import ENTITIES

GENERATED = "·code"
LAT, LON, AREA = "·latitude", "·longitude", "·area"


def stable_code(name: object, lat: object, lon: object) -> str:
    """A facility's generated code: "H" and 15 hex digits of a hash of its name (case and
    spacing folded) and its place to about a metre."""
    place = "|".join(_rounded(v) for v in (lat, lon))
    text = f"{' '.join(str(name or '').casefold().split())}|{place}"
    return "H" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:15].upper()


def _values(column: Sequence[object]) -> list[object]:
    to_list = getattr(column, "to_pylist", None)  # an Arrow column of a large file
    return list(to_list()) if to_list is not None else list(column)


def _rounded(value: object) -> str:
    number = _float(value)
    return "" if number is None else f"{number:.5f}"


def _float(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def with_codes(
    table: RawTable, mapping: Mapping, columns: dict[str, Sequence[object]]
) -> tuple[RawTable, Mapping, list[Problem]]:
    """The table with a generated code column when the list has none (``columns``: the
    fields found in it), and the warning that says so."""
    if "code" in columns or "name" not in columns:
        return table, mapping, []
    n = len(table)
    lat = _values(columns.get("latitude", [None] * n))
    lon = _values(columns.get("longitude", [None] * n))
    names = _values(columns["name"])
    codes: list[object] = [stable_code(m, a, b) for m, a, b in zip(names, lat, lon, strict=True)]
    header = "code" if not (mapping.columns or mapping.constants) else GENERATED
    table = RawTable(
        table.file,
        [*table.header, header],
        [*table.columns, codes],
        table.rows,
        table.encoding,
        table.delimiter,
        table.notes,
    )
    if header == GENERATED:
        mapping = replace(mapping, columns={**mapping.columns, "code": GENERATED})
    said = Problem(
        "facilities",
        "*",
        "code",
        None,
        "the list has no codes: each facility gets a stable one from its name and place "
        "(H + 15 characters) / la lista no tiene códigos: cada establecimiento recibe uno "
        "estable derivado de su nombre y ubicación",
        source=table.file,
    )
    return table, mapping, [said]


def outside_every_area(
    engine: Engine, table: RawTable, columns: dict[str, Sequence[object]], origin: dict[str, str]
) -> list[Problem]:
    """Warnings for facilities whose coordinates lie outside every area outline the registry
    has (with the nearest area and the distance)."""
    if "latitude" not in columns or "longitude" not in columns:
        return []
    shapes = outlines(engine)
    if shapes is None:
        return []
    lat = [_float(v) for v in _values(columns["latitude"])]
    lon = [_float(v) for v in _values(columns["longitude"])]
    known = [
        i for i, (a, b) in enumerate(zip(lat, lon, strict=True)) if a is not None and b is not None
    ]
    if not known:
        return []
    inside, nearest, km = locate(
        shapes.shapes,
        np.array([lat[i] for i in known], dtype=float),
        np.array([lon[i] for i in known], dtype=float),
    )
    codes = _values(columns.get("code", [None] * len(table)))
    return [
        Problem(
            "facilities",
            str(codes[i]),
            origin.get("latitude", "latitude"),
            f"{lat[i]}, {lon[i]}",
            f"outside every area; nearest: {shapes.names[nearest[j]]} ({km[j]:.1f} km) / fuera "
            f"de toda área; la más cercana: {shapes.names[nearest[j]]} ({km[j]:.1f} km)",
            row=table.rows[i],
            source=table.file,
        )
        for j, i in enumerate(known)
        if inside[j] < 0
    ]


def geographic_table(
    engine: Engine,
    path: Path,
    mapping: Mapping,
    *,
    layer: str | None = None,
    crs: str | None = None,
) -> tuple[RawTable, Mapping, list[Problem]]:
    """A GDAL file of facility points as a table: its properties, each point's latitude and
    longitude, and (unless the file or the mapping gives one) the area holding it; with the
    warnings of points placed in their nearest area."""
    features = read_layer(path, layer=layer, crs=crs)
    if not len(features):
        raise FileFormatError(str(path), "the file has no features / el archivo no tiene elementos")
    n = len(features)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    warnings: list[Problem] = []
    for i, geom in enumerate(features.geometries):
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type != "Point":
            warnings.append(
                Problem(
                    "facilities",
                    f"feature {i + 1}",
                    "geometry",
                    geom.geom_type,
                    f"a {geom.geom_type}, not a point: placed at its centre / no es un punto: "
                    "se ubica en su centro",
                    row=i + 1,
                    source=features.file,
                )
            )
        lat[i], lon[i] = label_point(geom) if geom.geom_type != "Point" else (geom.y, geom.x)
    extra: dict[str, list[object]] = {
        LAT: [None if np.isnan(v) else round(float(v), 6) for v in lat],
        LON: [None if np.isnan(v) else round(float(v), 6) for v in lon],
    }
    own = dict(mapping.columns)
    if not (mapping.columns or mapping.constants):  # properties named as our fields
        lookup = header_lookup(ENTITIES["facilities"])
        own = {lookup[fold(h)]: h for h in reversed(features.fields) if fold(h) in lookup}
    columns = {"latitude": LAT, "longitude": LON}
    if "area" not in own and "area" not in mapping.constants:
        extra[AREA], placed = _areas_of(engine, features.file, lat, lon)
        warnings += placed
        columns["area"] = AREA
    table = RawTable(
        features.file,
        [*features.fields, *extra],
        [*features.columns, *extra.values()],
        list(range(1, n + 1)),
    )
    mapping = replace(mapping, columns={**columns, **own})
    return table, mapping, warnings


def _areas_of(
    engine: Engine, file: str, lat: np.ndarray, lon: np.ndarray
) -> tuple[list[object], list[Problem]]:
    shapes = outlines(engine)
    if shapes is None:
        raise FileFormatError(
            file,
            "the registry has no area outlines to place the facilities in: import the areas' "
            "boundaries first (healthforce import areas FILE), or map an area column / el "
            "registro no tiene contornos de áreas: importe primero los límites",
        )
    known = np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon))
    areas: list[object] = [None] * len(lat)
    warnings: list[Problem] = []
    if not known.size:
        return areas, warnings
    inside, nearest, km = locate(shapes.shapes, lat[known], lon[known])
    for j, i in enumerate(known):
        areas[i] = shapes.codes[nearest[j]]
        if inside[j] < 0:
            warnings.append(
                Problem(
                    "facilities",
                    f"feature {i + 1}",
                    "geometry",
                    f"{lat[i]:.5f}, {lon[i]:.5f}",
                    f"outside every area: placed in the nearest, {shapes.names[nearest[j]]} "
                    f"({km[j]:.1f} km away) / fuera de toda área: asignado a la más cercana, "
                    f"{shapes.names[nearest[j]]} (a {km[j]:.1f} km)",
                    row=int(i) + 1,
                    source=file,
                )
            )
    return areas, warnings


def import_facility_points(
    registry: Registry,
    path: Path,
    *,
    mapping: Mapping | None = None,
    layer: str | None = None,
    crs: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    actor: str = "system",
) -> ImportReport:
    """Import a GDAL file of facility points (GeoJSON, GeoPackage …) under the registry
    importer's contract; rows in messages are the features' numbers."""
    from healthforce.ingest.importer import import_table, sha256

    mapping = mapping or Mapping()
    table, mapping, warnings = geographic_table(
        registry.engine, path, mapping, layer=layer, crs=crs
    )
    return import_table(
        registry,
        "facilities",
        table,
        mapping=mapping,
        digest=sha256(path),
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        actor=actor,
        warnings=warnings,
    )
