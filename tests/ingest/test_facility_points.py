"""Facility lists with coordinates: as GeoJSON points or as a table, with or without codes;
each placed in the area whose outline holds it, and points outside every area flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from healthforce.ingest.boundaries import import_areas
from healthforce.ingest.facilities import import_facility_points, stable_code
from healthforce.ingest.importer import import_file
from healthforce.ingest.mapping import load_mapping
from healthforce.store.models import Area, Facility
from healthforce.store.registry import Registry
from tests.ingest.test_boundaries import _states

POINTS = [  # name, lon, lat: two inside state A, one in B, one at sea 0.5 degree east of B
    ("Centro Alfa", -84.5, 9.5),
    ("Hospital Alfa", -84.2, 9.8),
    ("Centro Beta", -83.5, 9.2),
    ("Puesto Mar", -82.5, 9.5),
]


def _registry(db: Engine, tmp_path: Path) -> Registry:
    registry = Registry(db)
    assert import_areas(registry, _states(tmp_path), level=1, country="CRI").outcome == "stored"
    return registry


def _points(path: Path, props: list[dict[str, object]]) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": p,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for p, (_n, lon, lat) in zip(props, POINTS, strict=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _facilities(db: Engine) -> dict[str, tuple[str, str, float]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(Facility.code, Facility.name, Area.code, Facility.latitude).join(
                Area, Area.id == Facility.area_id
            )
        ).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_geojson_points_without_codes_are_placed_in_their_area(db: Engine, tmp_path: Path) -> None:
    registry = _registry(db, tmp_path)
    props: list[dict[str, object]] = [
        {"nombre": n, "tipo": "primary_care_centre", "dependencia": "public"} for n, *_ in POINTS
    ]
    path = _points(tmp_path / "facilities.geojson", props)
    report = import_facility_points(registry, path)
    assert report.outcome == "stored", report.problems
    stored = _facilities(db)
    code = {n: stable_code(n, lat, lon) for n, lon, lat in POINTS}
    assert stored[code["Centro Alfa"]][1:] == ("CR-A", 9.5)
    assert stored[code["Hospital Alfa"]][1] == "CR-A"
    assert stored[code["Centro Beta"]][1] == "CR-B"
    assert stored[code["Puesto Mar"]][1] == "CR-B"  # the nearest, flagged
    flagged = [w for w in report.warnings if w.row is not None]
    assert [w.row for w in flagged] == [4]
    assert "Estado B" in flagged[0].reason and "54.8 km" in flagged[0].reason
    assert any("stable one" in w.reason for w in report.warnings)
    again = import_facility_points(registry, path)
    assert (again.result.inserted, again.result.unchanged) == (0, 4)


def test_geojson_with_a_mapping_and_long_codes(db: Engine, tmp_path: Path) -> None:
    registry = _registry(db, tmp_path)
    long_code = "MINSA-" + "7" * 58
    assert len(long_code) == 64
    props: list[dict[str, object]] = [
        {"osm_id": long_code if i == 0 else f"n{i}", "amenity": "hospital", "name": n}
        for i, (n, *_) in enumerate(POINTS)
    ]
    path = _points(tmp_path / "osm.geojson", props)
    mapping = tmp_path / "osm.toml"
    mapping.write_text(
        'entity = "facilities"\n[columns]\ncode = "osm_id"\nname = "name"\ntype = "amenity"\n'
        '[constants]\nownership = "public"\n[recode.type]\n"hospital" = "general_hospital"\n',
        "utf-8",
    )
    report = import_facility_points(registry, path, mapping=load_mapping(mapping))
    assert report.outcome == "stored", report.problems
    assert _facilities(db)[long_code][:2] == ("Centro Alfa", "CR-A")


def test_csv_without_codes_gets_stable_ones_and_outside_points_are_flagged(
    db: Engine, tmp_path: Path
) -> None:
    registry = _registry(db, tmp_path)
    rows = ["nombre,tipo,dependencia,area,latitud,longitud"]
    rows += [
        f"{n},primary_care_centre,public,{'CR-A' if lon < -84 else 'CR-B'},{lat},{lon}"
        for n, lon, lat in POINTS
    ]
    path = tmp_path / "facilities.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    report = import_file(registry, "facilities", path)
    assert report.outcome == "stored", report.problems
    flagged = [w for w in report.warnings if w.row is not None]
    assert [(w.row, w.field) for w in flagged] == [(5, "latitud")]
    assert "outside every area" in flagged[0].reason
    assert set(_facilities(db)) == {stable_code(n, lat, lon) for n, lon, lat in POINTS}
    again = import_file(registry, "facilities", path)
    assert (again.result.inserted, again.result.unchanged) == (0, 4)


def test_points_need_outlines_to_be_placed(db: Engine, tmp_path: Path) -> None:
    from healthforce.errors import FileFormatError

    path = _points(tmp_path / "f.geojson", [{"nombre": n} for n, *_ in POINTS])
    with pytest.raises(FileFormatError, match="import areas"):
        import_facility_points(Registry(db), path)
