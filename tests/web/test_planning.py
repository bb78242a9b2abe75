"""The public planning page on a demo country: occupations by name, numbers as each language
writes them, units on every figure, scenarios side by side with the baseline's bands, the
registry's density trend, the tornado and the intake that closes the gap; never a small count."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from healthforce.forecast.trend import fit, history
from healthforce.web.app import create_app
from healthforce.web.pages.planning import in_language


@pytest.fixture
def client(planning_demo: Engine) -> TestClient:
    return TestClient(create_app(planning_demo))


def test_the_planning_page_in_english(client: TestClient) -> None:
    page = client.get("/planning?lang=en&occupation=2211")
    assert page.status_code == 200
    text = page.text
    assert ">Generalist medical practitioners</option>" in text  # names, not codes
    assert "Projected from the registry as of January 1, 2025." in text
    for heading in ("Supply (headcount)", "Need (FTE)", "Gap closed from"):
        assert heading in text
    assert "Baseline" in text and "Retain" in text and "Train more" in text
    assert re.search(r"\d{1,3},\d{3} \(\d{1,3},\d{3} – \d{1,3},\d{3}\)", text)  # a band
    assert "sensitivity of supply" in text and "students a year nationally" in text
    assert "Density trend (log-linear)" in text and "a year from 20" in text
    by_state = "The gap by state is withheld" not in text
    assert text.count("Plotly.newPlot") == 3 + by_state  # fan, scenarios, (by state), tornado
    assert text.index("<td>Baseline</td>") < text.index("<td>Retain</td>")


def test_the_planning_page_in_spanish(client: TestClient) -> None:
    text = client.get("/planning?lang=es&occupation=2211").text
    assert ">Médicos generales</option>" in text
    assert "Proyectado desde el registro al 1 de enero de 2025." in text
    assert "Línea de base" in text and "Retener" in text and "Formar más" in text
    assert re.search(r"\d{1,3}\.\d{3} \(\d{1,3}\.\d{3} – \d{1,3}\.\d{3}\)", text)
    assert "sensibilidad de la oferta" in text and "estudiantes al año en el país" in text


def test_an_unknown_occupation_is_refused_with_those_published(client: TestClient) -> None:
    page = client.get("/planning?lang=en&occupation=9999")
    assert page.status_code == 422 and "9999" in page.text and "2211" in page.text
    assert client.get("/planning?lang=en").status_code == 200


def test_the_density_trend_is_the_log_linear_fit_of_the_history(planning_demo: Engine) -> None:
    """The recorded densities' log against the year, least squares: the fitted growth
    reproduces the first and last years' ratio when the history is exactly exponential, and
    the demo's is read from the dated history (headcounts on 1 January)."""
    import numpy as np
    import pandas as pd

    exact = pd.DataFrame(
        {
            "year": [2018, 2019, 2020, 2021],
            "occupation": "2211",
            "headcount": [100, 110, 121, 133.1],
            "population": 1_000_000.0,
        }
    )
    exact["density"] = exact["headcount"] / exact["population"] * 10_000
    trend = fit(exact)["2211"]
    assert trend.growth == pytest.approx(0.10)
    assert trend.density([2022]) == pytest.approx([1.4641])
    assert "2211" not in fit(exact.head(2))  # two points are no trend
    past = history(planning_demo, 2025)
    doctors = past[past["occupation"] == "2211"]
    assert list(doctors["year"]) == sorted(doctors["year"]) and len(doctors) >= 3
    assert np.isfinite(doctors["density"]).all()


def test_bilingual_texts_are_read_in_the_reader_language() -> None:
    assert in_language("Retain / Retener", "en") == "Retain"
    assert in_language("Retain / Retener", "es") == "Retener"
    assert in_language("Plain", "es") == "Plain"
