"""Migration monitor: known answers on the real OECD and WHO files, registry flows beside them,
revisions never double counted, non-countries never in country totals."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.ingest.demo import build_demo, is_demo
from healthforce.ingest.public import import_public
from healthforce.migration.code import (
    check_list,
    density_criterion,
    load_safeguards_list,
    nri_migration_section,
    recruitment_flags,
)
from healthforce.migration.flows import flows
from healthforce.migration.monitor import (
    cooperation,
    emigration_rate,
    foreign_shares,
    stock_abroad,
)
from healthforce.migration.report import write_report
from healthforce.settings import get_settings
from healthforce.store import Registry, make_engine, upgrade

OECD = "oecd/HEALTH_WFMI_FTDS_2018_by_origin.csv"
WHO_DOCTORS = "who_gho/HWF_0001-0005_medical_doctors.csv"
WHO_NURSES = "who_gho/HWF_0006-0009_nursing_midwifery.csv"


@pytest.fixture(scope="module")
def observatory(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('mig') / 'm.db'}")
    upgrade(engine)
    registry = Registry(engine)
    build_demo(registry, workers=3_000, seed=2)
    import_public(registry, "oecd", SHARED_DATA / OECD, vintage="2020-01")
    import_public(registry, "who-gho", SHARED_DATA / WHO_DOCTORS, vintage="2023-01")
    import_public(registry, "who-gho", SHARED_DATA / WHO_NURSES, vintage="2023-01")
    return engine


def test_known_answers_on_the_real_oecd_file(observatory: Engine) -> None:
    abroad = stock_abroad(observatory, "VEN").set_index("destination")["value"]
    assert abroad["CHL"] == 2_480
    assert abroad.sum() == 2_731  # the sum of Venezuela's 13 rows in the file
    rate = emigration_rate(observatory, "VEN")
    assert rate.year == 2018
    assert (rate.denominator, rate.home_year) == (50_866, 2017)  # WHO, nearest year
    assert rate.value == pytest.approx(2_731 / (2_731 + 50_866))


def test_registry_and_published_flows_together_each_with_its_source(observatory: Engine) -> None:
    table = flows(observatory)
    sources = set(table["source"])
    assert "registry movements" in sources
    assert "OECD HEALTH_WFMI FTDS" in sources
    demo = table[table["source"] == "registry movements"]
    assert set(demo["measure"]) >= {"inflow", "outflow"}
    assert (demo[demo["measure"] == "outflow"]["origin"] == "VEN").all()
    cuban = demo[(demo["origin"] == "CUB") & (demo["basis"] == "cooperation")]
    assert cuban["value"].sum() > 0


def test_a_revised_file_replaces_and_never_doubles(observatory: Engine, tmp_path: Path) -> None:
    from tests.conftest import SHARED_DATA

    text = (SHARED_DATA / OECD).read_text("utf-8-sig")
    revised = tmp_path / "revised.csv"
    revised.write_text(
        text.replace(
            "CHL,Chile,FTDS,Foreign-trained doctors - Stock,VEN,Venezuela,2018,2018,2480",
            "CHL,Chile,FTDS,Foreign-trained doctors - Stock,VEN,Venezuela,2018,2018,2500",
        )
    )
    before = len(flows(observatory))
    report = import_public(Registry(observatory), "oecd", revised, vintage="2021-01")
    assert report.result.inserted == 0  # every figure re-stamped with the new vintage
    assert len(flows(observatory)) == before
    assert stock_abroad(observatory, "VEN")["value"].sum() == 2_751
    import_public(Registry(observatory), "oecd", SHARED_DATA / OECD, vintage="2020-01")
    assert stock_abroad(observatory, "VEN")["value"].sum() == 2_751  # older vintage: no change


def test_non_countries_never_enter_country_totals(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    path = tmp_path / "oecd.csv"
    path.write_text(
        "COU,Country,VAR,Variable,CO2,Country of origin,YEA,Year,Value,Flag Codes,"
        "Flags\nCHL,Chile,FTDS,x,TOT,Total,2018,2018,5000,,\n"
        "CHL,Chile,FTDS,x,OTH,Others n.e.c.,2018,2018,20,,\n"
        "CHL,Chile,FTDS,x,VEN,Venezuela,2018,2018,2480,,\n"
    )
    import_public(Registry(engine), "oecd", path, vintage="2020-01-01")
    table = flows(engine)
    into_chile = table[(table["destination"] == "CHL") & table["is_country"]]
    assert into_chile["value"].sum() == 2_480
    assert stock_abroad(engine, "TOT").empty
    rate = emigration_rate(engine, "VEN")
    assert not rate.computable  # no WHO home stock loaded: not computable, never zero
    assert rate.value is None
    assert "not computable" in rate.reason


def test_who_code_list_criterion_and_flags(observatory: Engine, tmp_path: Path) -> None:
    path = tmp_path / "list.toml"
    path.write_text('source = "test list"\nyear = 2023\ncountries = ["BOL", "HTI"]\n')
    listed = load_safeguards_list(path)
    criterion = density_criterion(observatory)
    assert len(criterion) > 150  # every country with WHO data, aggregates left out
    ven = criterion.set_index("country").loc["VEN"]
    assert ven["doctors_per_10k"] == pytest.approx(16.643)
    checked = check_list(listed, criterion).set_index("country")
    assert checked.loc["HTI", "listed"]
    assert checked.loc["HTI", "below_threshold"]
    flags = recruitment_flags(observatory, listed)
    assert set(flags["country"]) <= {"BOL", "HTI"}
    bad = tmp_path / "bad.toml"
    bad.write_text('source = "x"\nyear = 2023\ncountries = ["ZZZ"]\n')
    with pytest.raises(Exception, match="not ISO3"):
        load_safeguards_list(bad)


def test_nri_section_and_shares(observatory: Engine) -> None:
    section = nri_migration_section(observatory, 2024)
    doctors = section["doctors"]
    assert isinstance(doctors, dict)
    assert doctors["stock"] > doctors["foreign_trained"] > 0
    # the coverage of the countries, beside the counts they are shares of
    assert doctors["stock"] >= doctors["training_country_known"] >= doctors["foreign_trained"]
    assert doctors["stock"] >= doctors["birth_country_known"] >= doctors["foreign_born"]
    assert doctors["top_countries_of_training"][0]["country"] == "CUB"
    missions = cooperation(observatory)
    cuban = missions[(missions["direction"] == "received") & (missions["country"] == "CUB")]
    assert int(cuban["staff"].iloc[0]) > 0
    assert float(cuban["mean_term_months"].iloc[0]) == 24
    shares = foreign_shares(observatory).set_index("group")
    assert 0 < shares.loc["medical_doctors", "foreign_trained"] < 0.3
    assert 0 < shares.loc["medical_doctors", "training_known"] <= 1


def test_situation_report_offline_html_and_xlsx(
    observatory: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = write_report(observatory, "VEN", tmp_path / "r.html").read_text("utf-8")
    assert "2480" in html or "2,480" in html or "2500" in html
    assert not re.search(r"<script[^>]+src=[\"']https?://", html)  # plotly.js is embedded
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", observatory.url.render_as_string())
    get_settings.cache_clear()
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        app, ["migration", "report", "--country", "VEN", "--format", "xlsx", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    import openpyxl

    sheets = openpyxl.load_workbook(out).sheetnames
    assert {"emigration_rates", "abroad_medical_doctors", "inflows_by_origin"} <= set(sheets)
    assert (sheets[0] == "notice") == is_demo(observatory)  # a demo's report says so
    get_settings.cache_clear()


def test_the_forecast_takes_an_emigration_scenario_from_the_monitor(
    observatory: Engine, tmp_path: Path
) -> None:
    import numpy as np

    from healthforce.forecast.loader import load_supply
    from healthforce.forecast.scenarios import apply, load_scenario
    from healthforce.migration.monitor import emigration_scenario

    dims, params = load_supply(observatory, horizon=5)
    baseline = {occ: float(np.mean(params.emigration[i])) for i, occ in enumerate(dims.occupations)}
    path = emigration_scenario(observatory, 2020, tmp_path / "emig.toml", baseline)
    scenario = load_scenario(path, dims)
    assert scenario.name == "Emigration as in 2020"
    changed = apply(scenario, dims, params)
    assert not np.allclose(changed.emigration, params.emigration)


def test_the_public_report_publishes_only_the_releases_figures(observatory: Engine) -> None:
    """The default edition's registry figures are the protected release's: no small count of
    people, withheld rows withheld, no registry inflows and no missions by nationality; the
    internal edition has them, and says it is not for publication."""
    from healthforce.disclosure import DEFAULT_THRESHOLD as K
    from healthforce.indicators.releases import public_year
    from healthforce.migration.published import yearly_flows
    from healthforce.migration.report import sections

    public = sections(observatory, "VEN")
    assert public["edition"]["edition"].iloc[0] == "public"
    assert "cooperation" not in public
    assert "cooperation" not in set(public["inflows_by_origin"]["basis"])  # the registry's
    release = public_year(observatory, 2024, "country")
    expected = yearly_flows(release)
    shown = public["yearly"]
    assert list(shown["year"].unique()) == [2024]  # nothing published: the latest year only
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected.reset_index(drop=True))
    assert shown.isna().any().any()  # the release withholds some of the year's flows
    for column in ("entries", "foreign_trained_entries", "emigrations"):
        counts = shown[column].dropna()
        assert not ((counts >= 1) & (counts < K)).any(), column
    training = public["countries_of_training"]
    assert len(training) and (training["workers"] >= K).all()
    internal = sections(observatory, "VEN", internal=True)
    assert internal["edition"]["edition"].iloc[0] == "internal"
    assert "NOT FOR PUBLICATION" in internal["edition"]["note"].iloc[0]
    assert len(internal["cooperation"]) and "returns" in internal["yearly"].columns
    assert "cooperation" in set(internal["inflows_by_origin"]["basis"])


def test_every_destination_counts_with_its_latest_year(tmp_path: Path) -> None:
    """The USA reported Venezuela's doctors for 2016 only, Chile for 2016 and 2018: the stock
    abroad is Chile's 2018 figure plus the USA's 2016 one, never Chile's alone."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    path = tmp_path / "oecd.csv"
    path.write_text(
        "COU,Country,VAR,Variable,CO2,Country of origin,YEA,Year,Value,Flag Codes,Flags\n"
        "CHL,Chile,FTDS,x,VEN,Venezuela,2016,2016,2000,,\n"
        "CHL,Chile,FTDS,x,VEN,Venezuela,2018,2018,2480,,\n"
        "USA,United States,FTDS,x,VEN,Venezuela,2016,2016,1000,,\n"
    )
    import_public(Registry(engine), "oecd", path, vintage="2020-01-01")
    abroad = stock_abroad(engine, "VEN").set_index("destination")
    assert abroad.loc["CHL", "value"] == 2_480 and abroad.loc["CHL", "year"] == 2018
    assert abroad.loc["USA", "value"] == 1_000 and abroad.loc["USA", "year"] == 2016
    rate = emigration_rate(engine, "VEN")
    assert rate.numerator == 3_480 and (rate.destinations, rate.first_year, rate.year) == (
        2,
        2016,
        2018,
    )
    assert "2 destinations report (latest years 2016-2018)" in rate.coverage
    assert "floor" in rate.coverage
    assert stock_abroad(engine, "VEN", year=2016)["value"].sum() == 3_000  # a year asked
