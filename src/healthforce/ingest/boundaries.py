"""Areas from the boundary files countries publish (geoBoundaries, HDX administrative
boundaries, GADM, a statistics office's Shapefile or GeoPackage), at any administrative level.

Each feature becomes an area: its code and name from the file's properties (guessed from the
usual property names, or named with ``--code-field``/``--name-field`` or a mapping file's
``[columns]``), its parent by a property or by containment in the registry's areas one level up,
its centroid and a simplified outline for the web map from its geometry. Broken outlines are
repaired (and said so) or refused by name; features without a code are refused. The country
itself is created from the file when the registry has none. Everything then goes through the
registry importer: one change set, validated, logged, idempotent.

Rows in messages are the features' numbers in the file (the first feature is 1).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pycountry
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from healthforce.errors import FileFormatError, Problem
from healthforce.geo.files import Layer, read_layer
from healthforce.geo.shapes import label_point, polygonal, web_outline
from healthforce.ingest.files import RawTable
from healthforce.ingest.importer import ImportReport, import_table, sha256
from healthforce.ingest.mapping import Mapping, fold
from healthforce.reference.codes import AREA_LEVEL, AREA_LEVEL_DEPTH
from healthforce.store.models import Area
from healthforce.store.registry import Registry

LEVELS = list(AREA_LEVEL.codes)  # administrative level N (0 = country) -> our level
LAT, LON, OUTLINE, PARENT = "·centroid_lat", "·centroid_lon", "·outline", "·parent"

#: Property names that usually hold an area's code, then its name ({n}: the admin level).
CODE_FIELDS = (
    "shapeISO",
    "ADM{n}_PCODE",
    "GID_{n}",
    "iso_3166_2",
    "ISO",
    "code",
    "codigo",
    "código",
    "pcode",
    "shapeID",
)
NAME_FIELDS = ("shapeName", "ADM{n}_ES", "ADM{n}_EN", "NAME_{n}", "name", "nombre")


def level_code(value: str | int, option: str = "--level") -> str:
    """Our level for an administrative level number (0 = country, 1 = state …) or a name."""
    text = str(value).strip().casefold()
    if text.isdigit() and int(text) < len(LEVELS):
        return LEVELS[int(text)]
    if text in LEVELS:
        return text
    choices = ", ".join(f"{i} = {code}" for i, code in enumerate(LEVELS))
    raise FileFormatError(option, f"{value!r}: one of {choices} / debe ser uno de {choices}")


def import_areas(
    registry: Registry,
    path: Path,
    *,
    level: str | int | None = None,
    parent_level: str | int | None = None,
    mapping: Mapping | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    parent_field: str | None = None,
    country: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    dry_run: bool = False,
    actor: str = "system",
) -> ImportReport:
    """Import the features of a boundary file as areas (see the module's description)."""
    mapping = mapping or Mapping()
    features = read_layer(path, layer=layer, crs=crs)
    if not len(features):
        raise FileFormatError(str(path), "the file has no features / el archivo no tiene elementos")
    ours = _level(features, level, mapping)
    n = LEVELS.index(ours)
    above = level_code(parent_level, "--parent-level") if parent_level is not None else None
    if above is not None and AREA_LEVEL_DEPTH[above] >= n:
        raise FileFormatError(
            "--parent-level", f"{above} is not above {ours} / {above} no está por encima de {ours}"
        )
    columns = dict(mapping.columns)
    columns.setdefault("code", code_field or _guess(features, CODE_FIELDS, n, "code"))
    columns.setdefault("name", name_field or _guess(features, NAME_FIELDS, n, "name"))
    for option, value in (("--code-field", code_field), ("--name-field", name_field)):
        if value is not None and value not in features.fields:
            raise FileFormatError(str(path), _no_field(option, value, features))
    if parent_field is not None:
        if parent_field not in features.fields:
            raise FileFormatError(str(path), _no_field("--parent-field", parent_field, features))
        columns["parent"] = parent_field
    shapes, problems, warnings = _outlines(features)
    extra: dict[str, list[object]] = {LAT: [], LON: [], OUTLINE: []}
    for geom in shapes:
        lat, lon = label_point(geom) if geom is not None else (None, None)
        extra[LAT].append(None if lat is None else round(lat, 6))
        extra[LON].append(None if lon is None else round(lon, 6))
        extra[OUTLINE].append(None if geom is None else web_outline(geom))
    columns.update(centroid_lat=LAT, centroid_lon=LON, boundary=OUTLINE)
    before = None
    if n > 0 and "parent" not in columns:
        parents, found, country_row = _parents(
            registry, features, shapes, columns["code"], above or LEVELS[n - 1], country
        )
        problems += found
        extra[PARENT] = parents
        columns["parent"] = PARENT
        before = country_row
    constants = {"level": ours, **mapping.constants}
    table = RawTable(
        features.file,
        features.fields + list(extra),
        features.columns + list(extra.values()),
        list(range(1, len(features) + 1)),
    )
    return import_table(
        registry,
        "areas",
        table,
        mapping=replace(mapping, columns=columns, constants=constants),
        digest=sha256(path),
        dry_run=dry_run,
        actor=actor,
        before=before,
        problems=problems,
        warnings=warnings,
    )


def _level(features: Layer, level: str | int | None, mapping: Mapping) -> str:
    if level is not None:
        return level_code(level)
    if "level" in mapping.constants:
        return level_code(str(mapping.constants["level"]), f"{mapping.source}: level")
    if "shapeType" in features.fields:  # geoBoundaries says its level: ADM0, ADM1 …
        types = {str(v) for v in features.columns[features.fields.index("shapeType")]}
        if len(types) == 1 and (t := types.pop()).upper().startswith("ADM") and t[3:].isdigit():
            return level_code(t[3:])
    raise FileFormatError(
        features.file,
        "which administrative level are these areas? give --level (0 = country, 1 = state, "
        "2 = municipality …) / indique el nivel con --level",
    )


def _guess(features: Layer, candidates: tuple[str, ...], n: int, what: str) -> str:
    by_fold = {fold(f): f for f in features.fields}
    present = [by_fold[fold(c.format(n=n))] for c in candidates if fold(c.format(n=n)) in by_fold]
    for name in present:  # the first usual name filled in on every feature
        column = features.columns[features.fields.index(name)]
        if all(v is not None and str(v).strip() for v in column):
            return name
    if present:
        return present[0]
    option = f"--{what}-field"
    raise FileFormatError(
        features.file,
        f"which property holds each area's {what}? give {option} (the file has: "
        f"{', '.join(features.fields) or 'no properties'}) / indique la propiedad con {option}",
    )


def _no_field(option: str, value: str, features: Layer) -> str:
    return (
        f"{option} {value!r}: no such property; the file has {', '.join(features.fields)} / "
        "no existe la propiedad"
    )


def _outlines(features: Layer) -> tuple[list[BaseGeometry | None], list[Problem], list[Problem]]:
    """Each feature's polygons, repaired where invalid; problems for what cannot be used."""
    shapes: list[BaseGeometry | None] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for i, geom in enumerate(features.geometries, start=1):

        def said(reason: str, value: object = None, row: int = i) -> Problem:
            return Problem("areas", f"feature {row}", "geometry", value, reason, row, features.file)

        if geom is None or geom.is_empty:
            problems.append(said("no geometry / sin geometría"))
            shapes.append(None)
            continue
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            fixed = polygonal(shapely.make_valid(geom))
            if fixed is None:
                problems.append(said(f"invalid outline that cannot be repaired ({why})", why))
                shapes.append(None)
                continue
            warnings.append(said(f"invalid outline repaired ({why}) / contorno reparado", why))
            geom = fixed
        kept = polygonal(geom)
        if kept is None:
            problems.append(
                said(f"a {geom.geom_type}, not an area's outline / no es un polígono", None)
            )
        shapes.append(kept)
    return shapes, problems, warnings


def _parents(
    registry: Registry,
    features: Layer,
    shapes: list[BaseGeometry | None],
    code_source: str,
    above: str,
    country: str | None,
) -> tuple[list[object], list[Problem], dict[str, list[object]] | None]:
    """Each feature's parent code: the country, or the area one level up that holds most of it."""
    with registry.engine.connect() as conn:
        rows = [
            (str(code), boundary)
            for code, boundary in conn.execute(
                select(Area.code, Area.boundary).where(Area.level == above).order_by(Area.code)
            )
        ]
    codes = _column(features, code_source)
    if above == "country":
        return _country(registry, features, shapes, codes, rows, country)
    import json

    from shapely.geometry import shape

    outlined = [(code, shape(json.loads(b))) for code, b in rows if b]
    if not outlined:
        raise FileFormatError(
            features.file,
            f"the registry has no {above} areas with outlines to find each area's parent in: "
            f"import them first, or give --parent-field / el registro no tiene áreas de nivel "
            f"{above} con contorno: impórtelas primero o use --parent-field",
        )
    tree = shapely.STRtree([g for _c, g in outlined])
    parents: list[object] = []
    problems: list[Problem] = []
    for i, geom in enumerate(shapes):
        if geom is None:
            parents.append(None)
            continue
        hits = tree.query(geom)
        overlap = [(shapely.area(shapely.intersection(geom, outlined[j][1])), j) for j in hits]
        best = max(overlap, default=(0.0, -1))
        if best[0] <= 0:
            problems.append(
                Problem(
                    "areas",
                    str(codes[i]),
                    "parent",
                    None,
                    f"not inside any {above} area of the registry / fuera de toda área {above}",
                    i + 1,
                    features.file,
                )
            )
            parents.append(None)
        else:
            parents.append(outlined[best[1]][0])
    return parents, problems, None


def _country(
    registry: Registry,
    features: Layer,
    shapes: list[BaseGeometry | None],
    codes: list[object],
    rows: list[tuple[str, str | None]],
    country: str | None,
) -> tuple[list[object], list[Problem], dict[str, list[object]] | None]:
    said = _country_of(features, codes, country)
    if rows:
        have = rows[0][0]
        if said is not None and said != have:
            raise FileFormatError(
                features.file,
                f"these areas are {said}'s, and the registry is {have}'s: one registry holds "
                f"one country / estas áreas son de {said} y el registro es de {have}",
            )
        return [have] * len(features), [], None
    if said is None:
        raise FileFormatError(
            features.file,
            "which country are these areas in? give --country (ISO code or name) / indique el "
            "país con --country",
        )
    whole = polygonal(shapely.union_all([g for g in shapes if g is not None]))
    lat, lon = label_point(whole) if whole is not None else (None, None)
    record = pycountry.countries.get(alpha_3=said)
    row: dict[str, list[object]] = {
        "code": [said],
        "name": [record.name if record else said],
        "level": ["country"],
        "parent": [None],
        "centroid_lat": [None if lat is None else round(lat, 6)],
        "centroid_lon": [None if lon is None else round(lon, 6)],
        "boundary": [None if whole is None else web_outline(whole)],
    }
    return [said] * len(features), [], row


def _country_of(features: Layer, codes: list[object], given: str | None) -> str | None:
    """ISO 3166-1 alpha-3 of the areas' country: as given, from geoBoundaries' shapeGroup, or
    from the ISO 3166-2 prefix their codes share."""
    if given is not None:
        return _alpha3(given, "--country")
    if "shapeGroup" in features.fields:
        groups = {str(v) for v in _column(features, "shapeGroup") if v}
        if len(groups) == 1:
            return _alpha3(groups.pop(), f"{features.file}: shapeGroup")
    prefixes = {str(c).split("-")[0] for c in codes if c and "-" in str(c)}
    if len(prefixes) == 1:
        record = pycountry.countries.get(alpha_2=prefixes.pop())
        return str(record.alpha_3) if record else None
    return None


def _alpha3(value: str, where: str) -> str:
    try:
        record = pycountry.countries.lookup(value.strip())
    except LookupError:
        raise FileFormatError(where, f"{value!r}: not a country / no es un país") from None
    return str(record.alpha_3)


def _column(features: Layer, source: str) -> list[object]:
    if source in features.fields:
        return features.columns[features.fields.index(source)]
    return [None] * len(features)
