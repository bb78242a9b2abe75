"""A second, real country set up from its published files, as docs/country.md tells: Guatemala's
departments from geoBoundaries, its population from the World Bank download and a department
table, WHO's workforce series, a facility list as GeoJSON points and a small registry of
workers. Indicators by department divide by the imported population; the map draws the
departments.

The department populations and the workers are made up for the test (labelled so); the
boundaries, the national population and the WHO series are the real public files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.settings import get_settings
from healthforce.store.models import Area, AreaPopulation

runner = CliRunner()
#: Made-up department populations for 2024 (not INE figures), written as a clerk would: names.
DEPARTMENTS = {"Petén": 600_000, "GT-GU": 3_500_000, "QUETZALTENANGO": 1_000_000}
FACILITIES = [  # name, department, lon, lat (the departments' capitals)
    ("Hospital de Flores", -89.892, 16.926),
    ("Centro de Salud Zona 1", -90.513, 14.642),
    ("Hospital Regional de Occidente", -91.518, 14.845),
]
#: doctors per facility (made up)
DOCTORS = {
    "Hospital de Flores": 6,
    "Centro de Salud Zona 1": 20,
    "Hospital Regional de Occidente": 9,
}


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def guatemala(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gtm.db'}"
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    _run("init")
    out = _run("import", "areas", str(shared_data / "boundaries" / "GTM_ADM1_simplified.geojson"))
    assert "22 new" in out
    out = _run(
        "import",
        "worldbank",
        str(shared_data / "worldbank" / "SP.POP.TOTL.csv"),
        "--vintage",
        "2025-07-01",
    )
    assert "Guatemala's population 1960-2024" in out
    from tests.ingest.test_wpp import _csv

    wpp = tmp_path / "WPP2024_PopulationByAge5GroupSex_Medium.csv"  # projections by sex, age
    wpp.write_text(_csv([("GTM", "Medium", 2025), ("GTM", "Medium", 2035)]))
    out = _run("import", "wpp", str(wpp))
    assert "population by sex and age 2025-2035" in out
    _run(
        "import",
        "who-gho",
        str(shared_data / "who_gho" / "HWF_0001-0005_medical_doctors.csv"),
        "--vintage",
        "2023-01",
    )
    _run(
        "import",
        "population",
        str(
            _write_csv(
                tmp_path / "departamentos.csv",
                ["area", "year", "population", "source"],
                [[d, 2024, p, "TEST (made up)"] for d, p in DEPARTMENTS.items()],
            )
        ),
    )
    points = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nombre": n, "tipo": "general_hospital", "dependencia": "public"},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for n, lon, lat in FACILITIES
        ],
    }
    (tmp_path / "establecimientos.geojson").write_text(json.dumps(points), "utf-8")
    out = _run("import", "facilities", str(tmp_path / "establecimientos.geojson"))
    assert "3 new" in out
    from healthforce.ingest.facilities import stable_code

    code = {n: stable_code(n, lat, lon) for n, lon, lat in FACILITIES}
    workers, posts, assignments = [], [], []
    for name, doctors in DOCTORS.items():
        for i in range(doctors):
            key = f"{code[name]}-{i}"
            workers.append(
                [f"W{key}", "F" if i % 2 else "M", "1980-01-01", "2211", "active", "2024-12-31"]
            )
            posts.append([f"P{key}", code[name], "2211"])
            assignments.append([f"A{key}", f"W{key}", f"P{key}", "2020-01-01"])
    _run(
        "import",
        "workers",
        str(
            _write_csv(
                tmp_path / "w.csv",
                ["external_id", "sex", "birth_date", "occupation", "status", "status_date"],
                workers,
            )
        ),
    )
    _run(
        "import",
        "posts",
        str(_write_csv(tmp_path / "p.csv", ["external_id", "facility", "occupation"], posts)),
    )
    _run(
        "import",
        "assignments",
        str(
            _write_csv(
                tmp_path / "a.csv", ["external_id", "worker", "post", "start_date"], assignments
            )
        ),
    )
    yield url
    get_settings.cache_clear()


def test_guatemala_indicators_by_department_use_imported_population(
    guatemala: str, tmp_path: Path
) -> None:
    engine = create_engine(guatemala)
    with engine.connect() as conn:
        named = dict(
            conn.execute(
                select(Area.code, AreaPopulation.population)
                .join(AreaPopulation, AreaPopulation.area_id == Area.id)
                .where(AreaPopulation.year == 2024)
            ).all()
        )
    assert named["GT-PE"] == 600_000 and named["GT-QZ"] == 1_000_000
    assert named["GTM"] == 18_406_359  # the country: the World Bank's figure
    with engine.connect() as conn:
        projected = conn.execute(
            select(AreaPopulation.sex, AreaPopulation.age_band, AreaPopulation.source)
            .join(Area, AreaPopulation.area_id == Area.id)
            .where(Area.code == "GTM", AreaPopulation.year == 2035)
        ).all()
    assert {(s, b) for s, b, _ in projected} >= {("F", "80+"), ("M", "0-4"), ("T", "total")}
    assert {src for _s, _b, src in projected} == {"UN WPP 2024 Medium"}
    out = tmp_path / "indicators.csv"
    _run(
        "indicators",
        "--year",
        "2024",
        "--level",
        "state",
        "--format",
        "csv",
        "--output",
        str(out),
        "--code",
        "DENSITY",
    )
    by_area = {r["area"]: r for r in _read(out) if r["grp"] == "all"}
    assert float(by_area["GT-PE"]["value"]) == pytest.approx(6 / 600_000 * 10_000)
    assert float(by_area["GT-QZ"]["value"]) == pytest.approx(9 / 1_000_000 * 10_000)
    assert float(by_area["GT-GU"]["value"]) == pytest.approx(20 / 3_500_000 * 10_000)
    country = tmp_path / "country.csv"
    _run(
        "indicators",
        "--year",
        "2024",
        "--level",
        "country",
        "--format",
        "csv",
        "--output",
        str(country),
        "--code",
        "DENSITY",
    )
    national = [r for r in _read(country) if r["grp"] == "all"]
    assert float(national[0]["value"]) == pytest.approx(35 / 18_406_359 * 10_000)


def test_guatemala_map_draws_its_departments(guatemala: str) -> None:
    from fastapi.testclient import TestClient

    from healthforce.web.app import create_app

    client = TestClient(create_app())
    page = client.get("/map", params={"year": 2024, "lang": "es"})
    assert page.status_code == 200
    assert "GT-PE" in page.text and "Quetzaltenango" in page.text  # departments drawn, named
