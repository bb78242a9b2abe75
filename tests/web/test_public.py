"""The public side of the observatory: health, indicators API (suppressed, {data, count}),
downloads, the bilingual home page with plotly.js served locally, and no person-level field in
the public OpenAPI schema."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from healthforce.store import upgrade
from healthforce.web.app import create_app
from tests.indicators import registry

PERSONAL = {
    "national_id",
    "birth_date",
    "licence_number",
    "residence_lat",
    "residence_lon",
    "external_id",
    "worker",
    "worker_id",
}


@pytest.fixture
def client(sqlite_engine: Engine) -> TestClient:
    upgrade(sqlite_engine)
    registry.build(sqlite_engine)
    return TestClient(create_app(sqlite_engine))


def test_health(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body == {"status": "ok", "schema_revision": "0013"}


def test_indicators_are_suppressed_aggregates(client: TestClient) -> None:
    response = client.get("/api/v1/indicators", params={"year": 2024, "code": "PCT_FEMALE"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["data"]) > 0
    row = next(r for r in body["data"] if r["area"] == "VE-A" and r["grp"] == "all")
    assert row["suppressed"] is True
    assert row["value"] is None and row["numerator"] is None


def test_unknown_indicator_is_a_clear_422(client: TestClient) -> None:
    response = client.get("/api/v1/indicators", params={"year": 2024, "code": "NOPE"})
    assert response.status_code == 422
    assert "NOPE" in response.text


def test_downloads(client: TestClient) -> None:
    csv = client.get(
        "/api/v1/indicators/download", params={"year": 2024, "format": "csv", "code": "DENSITY"}
    )
    assert csv.status_code == 200
    assert csv.text.lstrip("\ufeff").startswith("code,year,level,area")
    xlsx = client.get(
        "/api/v1/indicators/download", params={"year": 2024, "format": "xlsx", "code": "DENSITY"}
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["DENSITY", "metadata"]


def test_home_in_spanish_then_english(client: TestClient) -> None:
    es = client.get("/")
    assert es.status_code == 200
    assert '<html lang="es">' in es.text
    assert "Médicos, enfermeras y parteras por 10.000 habitantes" in es.text
    assert 'src="/static/plotly.min.js"' in es.text
    assert "http://" not in es.text.split("<body>")[1] and "https://" not in es.text
    en = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in en.text
    assert "Doctors, nurses and midwives per 10,000 population" in en.text
    assert '<html lang="en">' in client.get("/").text  # the cookie keeps English


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200
    assert len(response.content) > 1_000_000
    # Zipped once on the way out (under 1.5 MB on the wire), cached a day, revalidated by ETag.
    zipped = client.get("/static/plotly.min.js", headers={"Accept-Encoding": "identity, gzip"})
    raw = int(zipped.headers["content-length"])
    assert zipped.headers["content-encoding"] == "gzip" and raw < 1_500_000
    assert "max-age=86400" in zipped.headers["cache-control"]
    again = client.get("/static/plotly.min.js", headers={"If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_api_docs_load_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    bundle = client.get("/static/swagger/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 500_000
    assert client.get("/static/swagger/../../etc/passwd").status_code == 404
    # Pages and the API are compressed too.
    home = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert home.headers.get("content-encoding") == "gzip"


def test_public_schema_exposes_no_person_level_field(client: TestClient) -> None:
    schema = json.dumps(client.get("/openapi.json").json())
    for field in PERSONAL:
        assert f'"{field}"' not in schema, field


def test_explorer_shows_and_downloads_what_it_shows(client: TestClient) -> None:
    page = client.get(
        "/explorer",
        params={"code": "VACANCY_RATE", "level": "state", "grp": "all", "year": 2024, "lang": "en"},
    )
    assert page.status_code == 200
    assert "Funded posts without an occupant" in page.text  # the English definition
    assert "<td>B</td>" in page.text and "<td>VE-B</td>" not in page.text  # names, not codes
    assert "Value (%)" in page.text  # the unit of every figure
    assert 'hreflang="es"' in page.text and "code=VACANCY_RATE" in page.text  # switch keeps it
    shown = client.get(
        "/api/v1/indicators/download",
        params={
            "year": 2024,
            "code": "VACANCY_RATE",
            "level": "state",
            "grp": "all",
            "format": "csv",
        },
    )
    lines = shown.text.lstrip("\ufeff").splitlines()
    assert len(lines) == 1 + 2  # header + VE-A, VE-B for group "all"


def test_map_is_a_choropleth_of_the_states(client: TestClient) -> None:
    from healthforce.store.registry import Registry

    engine = client.app.state.engine  # type: ignore[attr-defined]
    square = '{"type": "Polygon", "coordinates": [[[-66, 10], [-65, 10], [-65, 11], [-66, 10]]]}'
    with Registry(engine).change(actor="t", source="t") as change:
        change.update("areas", "VE-A", {"boundary": square})
    page = client.get("/map", params={"code": "DENSITY", "year": 2024})
    assert page.status_code == 200
    assert '"choropleth"' in page.text
    assert "VE-A" in page.text


def test_catalogue_in_both_languages(client: TestClient) -> None:
    body = client.get("/api/v1/indicators/catalogue").json()
    assert body["count"] == len(body["data"]) >= 20
    density = next(d for d in body["data"] if d["code"] == "SDG_3C1_DNM")
    assert density["name_es"] and density["name_en"] and "1 to 4" in density["suppression"]
    assert any(d["nhwa"] is None for d in body["data"])  # national additions have no number


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/indicators?year=1950&code=MEDIAN_AGE&level=country",
        "/api/v1/indicators?year=2185",
        "/api/v1/indicators/download?year=1900&format=csv",
        "/explorer?year=99999",
        "/map?year=10000",
        "/explorer?year=1999",
    ],
)
def test_years_outside_the_data_are_refused_with_the_covered_range(
    client: TestClient, path: str
) -> None:
    """Before: a median age of -36 for 1950, figures for 2185, 500s for year 99999."""
    r = client.get(path)
    assert r.status_code == 404, r.text[:300]
    assert "2000–2024" in r.text


def test_an_indicator_as_a_time_series(client: TestClient) -> None:
    r = client.get("/api/v1/indicators/series?code=PCT_FEMALE&area=VE-A&from=2022&to=2024")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [p["year"] for p in body["data"]] == [2022, 2023, 2024] and body["count"] == 3
    assert all(p["area"] == "VE-A" and p["grp"] == "all" for p in body["data"])
    assert {"series_break", "suppressed", "value"} <= body["data"][0].keys()
    assert client.get("/api/v1/indicators/series?code=DENSITY&from=1990&to=1995").status_code == 404
    assert client.get("/api/v1/indicators/series?code=NOPE").status_code == 422


def test_releases_are_served_as_published(sqlite_engine: Engine) -> None:
    from healthforce.indicators.releases import publish

    upgrade(sqlite_engine)
    registry.build(sqlite_engine)
    done = publish(sqlite_engine, 2024, actor="t")
    client = TestClient(create_app(sqlite_engine))
    listed = client.get("/api/v1/releases").json()
    assert listed["count"] == 1 and listed["data"][0]["checksum"] == done.checksum
    values = client.get(f"/api/v1/releases/{done.release_id}").json()
    assert values["count"] == done.rows
    assert all(v["value"] is None for v in values["data"] if v["suppressed"])
    assert client.get(f"/api/v1/releases/{done.release_id}/revisions").json()["count"] == 0
    assert client.get("/api/v1/releases/999").status_code == 404


def test_the_site_serves_each_years_latest_release(sqlite_engine: Engine) -> None:
    """Before a year is published its figures are provisional (and say so); once published the
    site and the API serve the release, unchanged by later edits of the registry, until a new
    release, whose page lists what it revised, by name, in the place's time zone."""
    from healthforce.indicators.releases import publish
    from healthforce.store.registry import Registry

    upgrade(sqlite_engine)
    registry.build(sqlite_engine)
    client = TestClient(create_app(sqlite_engine))
    query = "/api/v1/indicators?year=2024&code=DENSITY&level=country"

    def national() -> float:
        rows = client.get(query).json()["data"]
        return next(r["value"] for r in rows if r["grp"] == "all")

    page = client.get("/explorer?year=2024&code=DENSITY&level=country&lang=en").text
    assert "Provisional figures" in page
    assert "Nothing has been published yet" in client.get("/releases?lang=en").text
    assert national() is None  # provisional: suppressed at the default threshold of 5
    first = publish(sqlite_engine, 2024, actor="t", threshold=1)  # this tiny registry's
    released = national()  # figures are published unsuppressed
    assert released is not None and released > 0
    page = client.get("/explorer?year=2024&code=DENSITY&level=country&lang=es").text
    assert f"Cifras de la publicación {first.release_id}, publicada el" in page
    assert "(America/Caracas)" in page  # the registry's country's zone, named
    with Registry(sqlite_engine).change(actor="t", source="test") as change:
        change.update("workers", "W2", {"status": "retired"})
    assert national() == released  # the release, not the edited registry
    second = publish(sqlite_engine, 2024, actor="t", threshold=1)
    assert second.new and second.release_id != first.release_id
    assert national() < released
    listing = client.get("/releases?lang=en").text
    assert f'href="/releases/{second.release_id}"' in listing
    detail = client.get(f"/releases/{second.release_id}?lang=en").text
    assert "Figures revised since the previous release of the year" in detail
    assert "Health worker density" in detail and "DENSITY<" not in detail
    home = client.get("/?lang=en").text
    assert f"Figures of release {second.release_id}" in home
    assert client.get("/releases/999").status_code == 404


def test_figures_are_written_as_each_language_writes_them(client: TestClient) -> None:
    """Spanish writes a decimal comma, English a decimal point (Babel), and a suppressed
    figure says so rather than showing nothing or 0."""
    from healthforce.web.pages.common import number

    assert number(1234.5, 1, "es") == "1.234,5" and number(1234.5, 1, "en") == "1,234.5"
    assert number(float("nan")) == "" and number(None) == ""
    from healthforce.web.i18n import translations

    page = client.get(
        "/explorer", params={"code": "DENSITY", "level": "country", "year": 2024, "lang": "es"}
    ).text
    suppressed = translations("es").gettext("Suppressed")
    assert suppressed != "Suppressed" and f"<td>{suppressed}</td>" in page  # 7 workers: small


def test_security_headers_on_every_page_and_no_store_on_private_ones(client: TestClient) -> None:
    """nosniff, no framing by another site, the address kept to this site; the private side
    never stored by a browser or a proxy."""
    for path in ("/", "/api/v1/health", "/login"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Referrer-Policy"] == "same-origin", path
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/session").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/health").headers.get("Cache-Control") != "no-store"


def test_a_demo_registry_says_everywhere_that_its_data_are_synthetic(
    planning_demo: Engine, client: TestClient
) -> None:
    import io

    import openpyxl

    demo = TestClient(create_app(planning_demo))
    for path in ("/", "/explorer", "/map", "/migration", "/planning", "/access", "/login"):
        page = demo.get(path, params={"lang": "es"})
        assert "Datos de demostración" in page.text, path
        assert page.headers["X-Healthforce-Data"].startswith("synthetic")
    api = demo.get("/api/v1/indicators", params={"year": 2024, "code": "DENSITY"})
    assert api.headers["X-Healthforce-Data"].startswith("synthetic")
    xlsx = demo.get(
        "/api/v1/indicators/download", params={"year": 2024, "format": "xlsx", "code": "DENSITY"}
    )
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames[0] == "notice" and "sintéticos" in str(book["notice"]["A1"].value)
    # A registry that is not a demo says nothing of the kind.
    real = client.get("/")
    assert "Datos de demostración" not in real.text and "X-Healthforce-Data" not in real.headers


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/explorer?year=99999", 404),
        ("/explorer?year=-5", 404),
        ("/explorer?year=abc", 422),
        ("/explorer?code=MEDIAN_AGE", 422),  # it used to show density, silently
        ("/explorer?level=galaxy", 422),
        ("/explorer?grp=nope", 422),
        ("/map?year=10000", 404),
        ("/map?code=NOPE", 422),
        ("/access?year=99999", 422),
        ("/access?year=1990", 404),  # no referrals that year: the years there are are named
        ("/releases/999999999999", 422),
    ],
)
def test_page_options_are_checked_never_replaced_by_a_default(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status, (path, response.text[:300])
