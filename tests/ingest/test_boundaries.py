"""Areas from boundary files: GeoJSON, TopoJSON, zipped Shapefile and GeoPackage, at any level,
with the parent found by containment; broken files refused by name, leaving the registry as it
was."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely
from shapely.geometry import Polygon, box
from sqlalchemy import Engine, select

from healthforce.errors import FileFormatError
from healthforce.ingest.boundaries import import_areas
from healthforce.store.areas import place_zone, registry_country
from healthforce.store.models import Area
from healthforce.store.registry import Registry
from tests.store.helpers import snapshot

STATES = {"CR-A": box(-85, 9, -84, 10), "CR-B": box(-84, 9, -83, 10)}


def _geojson(path: Path, features: list[tuple[dict[str, object], object]]) -> Path:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": None if g is None else json.loads(shapely.to_geojson(g)),
            }
            for props, g in features
        ],
    }
    path.write_text(json.dumps(collection), "utf-8")
    return path


def _states(tmp_path: Path) -> Path:
    return _geojson(
        tmp_path / "states.geojson",
        [({"shapeISO": c, "shapeName": f"Estado {c[-1]}"}, g) for c, g in STATES.items()],
    )


def _areas(engine: Engine) -> dict[str, tuple[str, str, str | None, float, float]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Area.id,
                Area.code,
                Area.name,
                Area.level,
                Area.parent_id,
                Area.centroid_lat,
                Area.centroid_lon,
            )
        ).all()
    code_of = {r[0]: r[1] for r in rows}
    return {r[1]: (r[2], r[3], code_of.get(r[4]), r[5], r[6]) for r in rows}


def _without_log(engine: Engine) -> dict[str, int]:
    return {k: v for k, v in snapshot(engine).items() if k != "import_run"}


def test_guatemala_departments_from_geoboundaries(db: Engine, shared_data: Path) -> None:
    registry = Registry(db)
    path = shared_data / "boundaries" / "GTM_ADM1_simplified.geojson"
    report = import_areas(registry, path)  # level from shapeType, country from shapeGroup
    assert report.outcome == "stored", report.problems
    areas = _areas(db)
    assert areas["GTM"][:3] == ("Guatemala", "country", None)
    states = {c: a for c, a in areas.items() if a[1] == "state"}
    assert len(states) == 22 and all(a[2] == "GTM" for a in states.values())
    assert areas["GT-PE"][0] == "Petén"
    # centroids fall inside the department's own outline
    with db.connect() as conn:
        outlines = dict(conn.execute(select(Area.code, Area.boundary)).all())
    for code, (_n, _l, _p, lat, lon) in states.items():
        assert shapely.from_geojson(outlines[code]).buffer(0.01).contains(shapely.Point(lon, lat))
    assert registry_country(db) == "GTM"
    assert place_zone(db).key == "America/Guatemala"
    again = import_areas(registry, path)
    assert (again.result.inserted, again.result.unchanged) == (0, 22)


def test_municipalities_find_their_state_in_a_geopackage(db: Engine, tmp_path: Path) -> None:
    registry = Registry(db)
    assert import_areas(registry, _states(tmp_path), level=1, country="CRI").outcome == "stored"
    munis = {"M1": box(-84.9, 9.1, -84.5, 9.5), "M2": box(-83.6, 9.5, -83.1, 9.9)}
    # M3 straddles both states, mostly in B: it belongs where most of it lies
    munis["M3"] = box(-84.1, 9.1, -83.2, 9.3)
    gpkg = tmp_path / "munis.gpkg"
    pyogrio.raw.write(
        gpkg,
        shapely.to_wkb(list(munis.values())),
        [np.array(list(munis), dtype=object), np.array(["Uno", "Dos", "Tres"], dtype=object)],
        ["ADM2_PCODE", "ADM2_ES"],
        driver="GPKG",
        geometry_type="Polygon",
        crs="EPSG:4326",
    )
    report = import_areas(registry, gpkg, level="municipality")
    assert report.outcome == "stored", report.problems
    areas = _areas(db)
    assert {c: areas[c][2] for c in munis} == {"M1": "CR-A", "M2": "CR-B", "M3": "CR-B"}
    assert areas["M2"][0] == "Dos" and areas["M1"][1] == "municipality"


def test_topojson_with_quantised_arcs(db: Engine, tmp_path: Path) -> None:
    # two unit squares sharing an edge, quantised on a 0..10 grid of 0.1 degree
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.1, 0.1], "translate": [-85, 9]},
        "objects": {
            "states": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[0, 1]],
                        "properties": {"code": "CR-A", "name": "Alfa"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[2, ~0]],
                        "properties": {"code": "CR-B", "name": "Beta"},
                    },
                ],
            }
        },
        # delta-encoded arcs: 0 = the shared edge x=1 going up, 1 = A's other sides,
        # 2 = B's other sides
        "arcs": [
            [[10, 0], [0, 10]],
            [[10, 10], [-10, 0], [0, -10], [10, 0]],
            [[10, 0], [10, 0], [0, 10], [-10, 0]],
        ],
    }
    path = tmp_path / "states.topojson"
    path.write_text(json.dumps(topology), "utf-8")
    report = import_areas(Registry(db), path, level=1, country="CR")
    assert report.outcome == "stored", report.problems
    areas = _areas(db)
    assert areas["CR-A"][3:] == pytest.approx((9.5, -84.5))
    assert areas["CR-B"][3:] == pytest.approx((9.5, -83.5))
    assert areas["CR-A"][2] == "CRI"


def _shapefile_zip(tmp_path: Path, *, prj: bool) -> Path:
    from pyproj import Transformer

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32616", always_xy=True)
    shapes = [
        shapely.transform(g, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
        for g in STATES.values()
    ]
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.raw.write(
        folder / "states.shp",
        shapely.to_wkb(shapes),
        [np.array(list(STATES), dtype=object), np.array(["A", "B"], dtype=object)],
        ["ISO", "NOMBRE"],
        driver="ESRI Shapefile",
        geometry_type="Polygon",
        crs="EPSG:32616",
    )
    archive = tmp_path / ("states.zip" if prj else "states_noprj.zip")
    with zipfile.ZipFile(archive, "w") as z:
        for part in folder.iterdir():
            if prj or part.suffix != ".prj":
                z.write(part, part.name)
    return archive


def test_zipped_shapefile_is_reprojected(db: Engine, tmp_path: Path) -> None:
    report = import_areas(Registry(db), _shapefile_zip(tmp_path, prj=True), level=1)
    assert report.outcome == "stored", report.problems
    areas = _areas(db)
    assert areas["CR-A"][3:] == pytest.approx((9.5, -84.5), abs=1e-3)
    assert areas["CR-B"][0] == "B"


def test_shapefile_without_prj_is_refused_unless_told(db: Engine, tmp_path: Path) -> None:
    archive = _shapefile_zip(tmp_path, prj=False)
    before = snapshot(db)
    with pytest.raises(FileFormatError, match=r"\.prj") as caught:
        import_areas(Registry(db), archive, level=1)
    assert "states_noprj.zip" in str(caught.value) and "--crs" in str(caught.value)
    assert snapshot(db) == before
    told = import_areas(Registry(db), archive, level=1, crs="EPSG:32616")
    assert told.outcome == "stored" and _areas(db)["CR-A"][3] == pytest.approx(9.5, abs=1e-3)


def test_self_intersecting_outline_is_repaired_and_said(db: Engine, tmp_path: Path) -> None:
    bowtie = Polygon([(-85, 9), (-84, 10), (-84, 9), (-85, 10), (-85, 9)])
    assert not bowtie.is_valid
    path = _geojson(tmp_path / "b.geojson", [({"shapeISO": "CR-A", "shapeName": "A"}, bowtie)])
    report = import_areas(Registry(db), path, level=1, country="CRI")
    assert report.outcome == "stored"
    assert [w.row for w in report.warnings] == [1]
    assert "Self-intersection" in report.warnings[0].reason
    assert shapely.from_geojson(_outline(db, "CR-A")).is_valid


def _outline(db: Engine, code: str) -> str:
    with db.connect() as conn:
        return str(conn.execute(select(Area.boundary).where(Area.code == code)).scalar_one())


@pytest.mark.parametrize(
    ("props", "geometry", "column", "words"),
    [
        (
            {"shapeISO": None, "shapeName": "Sin código"},
            box(-84, 9, -83, 10),
            "shapeISO",
            "required",
        ),
        (
            {"shapeISO": "CR-B", "shapeName": "Línea"},
            shapely.LineString([(0, 0), (1, 1)]),
            "geometry",
            "not an area",
        ),
        ({"shapeISO": "CR-B", "shapeName": "Vacía"}, None, "geometry", "no geometry"),
    ],
)
def test_bad_features_are_refused_by_number(
    db: Engine, tmp_path: Path, props: dict[str, object], geometry: object, column: str, words: str
) -> None:
    registry = Registry(db)
    import_areas(registry, _states(tmp_path), level=1, country="CRI")
    before = _without_log(db)
    path = _geojson(
        tmp_path / "bad.geojson",
        [({"shapeISO": "CR-A", "shapeName": "Nuevo nombre"}, STATES["CR-A"]), (props, geometry)],
    )
    report = import_areas(registry, path, level=1)
    assert report.outcome == "rejected"
    assert [(p.row, p.field) for p in report.problems] == [(2, column)]
    assert words in report.problems[0].reason and report.problems[0].source == str(path)
    assert _without_log(db) == before and _areas(db)["CR-A"][0] == "Estado A"


def test_another_countrys_areas_and_missing_answers_are_refused(
    db: Engine, tmp_path: Path, shared_data: Path
) -> None:
    registry = Registry(db)
    import_areas(registry, _states(tmp_path), level=1, country="CRI")
    before = snapshot(db)
    with pytest.raises(FileFormatError, match="GTM's, and the registry is CRI's"):
        import_areas(registry, shared_data / "boundaries" / "GTM_ADM1_simplified.geojson")
    plain = _geojson(tmp_path / "p.geojson", [({"id": "1"}, STATES["CR-A"])])
    with pytest.raises(FileFormatError, match="--level"):
        import_areas(registry, plain)
    with pytest.raises(FileFormatError, match="--code-field"):
        import_areas(registry, plain, level=2)
    with pytest.raises(FileFormatError, match="--level"):
        import_areas(registry, plain, level=9)
    with pytest.raises(FileFormatError, match="not a geographic file"):
        (tmp_path / "broken.geojson").write_text('{"type": "FeatureCollection", "feat', "utf-8")
        import_areas(registry, tmp_path / "broken.geojson", level=1)
    assert snapshot(db) == before


def test_dry_run_writes_nothing(db: Engine, tmp_path: Path) -> None:
    before = snapshot(db)
    report = import_areas(Registry(db), _states(tmp_path), level=1, country="CRI", dry_run=True)
    assert report.outcome == "dry-run" and report.result.inserted == 2
    assert snapshot(db) == before
