"""A demo country's whole public release, attacked the three ways outsiders recovered suppressed
counts from the per-table suppression (issue 17): products of published figures, links between
tables, and margins; and the audit of the release finds nothing exposed."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from healthforce.disclosure import Protected
from healthforce.indicators.outputs import public, public_release
from healthforce.store import Registry, make_engine, upgrade

YEAR = 2024
K = 5


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from healthforce.ingest.demo import build_demo

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('release') / 'demo.db'}")
    upgrade(engine)
    build_demo(Registry(engine), workers=3_000, seed=5)
    return engine


@pytest.fixture(scope="module")
def release(demo: Engine) -> Protected:
    return public_release(demo, YEAR, K)


def _shown(p: Protected) -> pd.DataFrame:
    return p.table[~p.table["suppressed"]]


def test_the_audit_finds_nothing_exposed(release: Protected) -> None:
    result = release.audit()
    assert result.protected > 0  # the demo has small counts to protect
    assert result.safe, result.exposed[:5]
    assert 0 < release.row_loss < 1


def test_no_small_count_of_people_is_published(release: Protected) -> None:
    shown = _shown(release).copy()
    people = ~shown["code"].isin(
        ["VACANCY_RATE", "TEAM_NORM_MET", "TEAM_MISSING_HEADCOUNT", "MEDIAN_AGE"]
    )
    for column in ("numerator", "denominator"):
        counts = shown.loc[people, column]
        density = shown.loc[people, "code"].isin(["DENSITY", "SDG_3C1_DNM", "GRADUATES_PER_100K"])
        if column == "denominator":
            counts = counts[~density]  # populations are public
        assert not ((counts >= 1) & (counts < K)).any(), column


def test_products_give_nothing_away(release: Protected) -> None:
    """Highest / lowest density names only areas whose density is published, and the Gini
    index and urban / rural ratio are withheld whenever an area's density is."""
    t = release.table
    density = t[(t["code"] == "DENSITY") & (t["level"] == "state")]
    published = set(density.loc[~density["suppressed"], ["grp", "area"]].itertuples(index=False))
    withheld_groups = set(density.loc[density["suppressed"], "grp"])
    spread = t[(t["code"] == "DENSITY_MAX_MIN") & (t["level"] == "state")]
    assert len(spread)
    for row in spread.itertuples(index=False):
        for area in str(row.category).split("/"):
            assert (row.grp, area) in published
    for code in ("DENSITY_GINI", "DENSITY_URBAN_RURAL"):
        rows = t[(t["code"] == code) & (t["level"] == "state")]
        for row in rows.itertuples(index=False):
            assert row.suppressed == (row.grp in withheld_groups), (code, row.grp)


def test_a_withheld_count_is_nobody_elses_denominator(release: Protected) -> None:
    """Cross-table links: when a state's group is withheld in DENSITY, no share of that group
    publishes its workforce as a denominator (and the reverse)."""
    t = release.table
    state = t[t["level"] == "state"]
    density = state[state["code"] == "DENSITY"].set_index(["area", "grp"])["suppressed"]
    shares = state[state["code"].isin(["PCT_FEMALE", "PCT_FOREIGN_BORN", "PCT_COOPERATION"])]
    for row in shares.itertuples(index=False):
        if density.get((row.area, row.grp), False):
            assert row.suppressed, (row.code, row.area, row.grp)
    assert density.any()  # the demo has withheld groups to test


def test_no_margin_gives_away_a_small_count(demo: Engine, release: Protected) -> None:
    """Margins: wherever a group total, category total or country total can be differenced
    down to a single withheld row, what it gives away is not a small count (that row was
    withheld for its denominator, and its numerator is no secret)."""
    from healthforce.indicators.compute import compute

    truth = pd.concat([compute(demo, YEAR, level=lv) for lv in ("state", "country")])
    key = ["code", "level", "area", "grp", "category"]
    true = truth.set_index(key)["numerator"]
    t = release.table
    counted = t[~t["code"].isin(["MEDIAN_AGE", *DERIVED_ROWS])]
    for _, g in counted.groupby(["code", "level", "area", "category"]):
        members, total = g[g["grp"] != "all"], g[g["grp"] == "all"]
        hidden = members[members["suppressed"]]
        if len(total) and not total["suppressed"].iloc[0] and len(hidden) == 1:
            value = true[tuple(hidden[key].iloc[0])]
            assert not 1 <= value < K, tuple(hidden[key].iloc[0])
    for (code, grp, cat), g in counted.groupby(["code", "grp", "category"]):
        states, country = g[g["level"] == "state"], g[g["level"] == "country"]
        if code in ("GRADUATES_PER_100K", "TRAINING_DROPOUT") or not len(country):
            continue
        hidden = states[states["suppressed"]]
        if not country["suppressed"].iloc[0] and len(hidden) == 1:
            value = true[tuple(hidden[key].iloc[0])]
            assert not 1 <= value < K, (code, grp, cat)


DERIVED_ROWS = ["DENSITY_MAX_MIN", "DENSITY_GINI", "DENSITY_URBAN_RURAL"]


def test_every_public_part_is_cut_from_the_same_protected_release(demo: Engine) -> None:
    """Differencing over what is asked: one indicator asked alone, or a level, shows exactly
    what the whole release shows for it."""
    whole = public(demo, [YEAR], K)
    alone = public(demo, [YEAR], K, level="state", codes=["PCT_FEMALE"])
    part = whole[(whole["level"] == "state") & (whole["code"] == "PCT_FEMALE")]
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), part.reset_index(drop=True))


def test_the_migration_page_shows_the_releases_flows(demo: Engine, release: Protected) -> None:
    """The registry's yearly entries and emigrations on the public migration page are the
    release's own cells: published where the release publishes them, withheld where it
    withholds them (counted apart, they would publish what the release withholds)."""
    import re

    from fastapi.testclient import TestClient

    from healthforce.migration.published import yearly_flows
    from healthforce.web.app import create_app

    page = TestClient(create_app(demo)).get("/migration?lang=en").text
    flows = yearly_flows(release.table)
    assert len(flows) and flows.isna().any().any()  # some figure of the year is withheld
    cells = re.findall(
        rf"<tr><td>{YEAR} \(provisional\)</td><td>[^<]*</td>((?:<td>[^<]*</td>)+)</tr>", page
    )
    assert len(cells) == len(flows)
    assert "<tr><td>2023" not in page  # a year without a release is not computed for the page
    for shown, row in zip(cells, flows.itertuples(index=False), strict=True):
        entries, _rate, foreign, _share, emigrations, _erate = re.findall(
            r"<td>([^<]*)</td>", shown
        )
        for text, value in (
            (entries, row.entries),
            (foreign, row.foreign_trained_entries),
            (emigrations, row.emigrations),
        ):
            assert text == ("Suppressed" if pd.isna(value) else f"{value:,.0f}"), (row, shown)


def test_no_query_parameter_differences_into_a_smaller_count(demo: Engine) -> None:
    """Differencing over every public query parameter of the indicators API: whatever the
    codes, level, group, area or year range asked, each figure is the one cell of its year's
    release; two answers never disagree on a cell, so no difference of answers can isolate
    what the release withholds."""
    import io

    from fastapi.testclient import TestClient

    from healthforce.web.app import create_app

    client = TestClient(create_app(demo))
    key = ["code", "level", "area", "grp", "category"]

    def values(rows: list[dict[str, object]]) -> dict[tuple[object, ...], object]:
        return {(*(r[k] for k in key), r.get("year", YEAR)): r.get("value") for r in rows}

    seen: dict[tuple[object, ...], object] = {}
    compared = 0
    answers = [
        client.get("/api/v1/indicators", params={"year": YEAR}).json()["data"],
        client.get(
            "/api/v1/indicators", params={"year": YEAR, "code": ["PCT_FEMALE", "DENSITY"]}
        ).json()["data"],
        client.get("/api/v1/indicators", params={"year": YEAR, "level": "country"}).json()["data"],
        *(
            client.get("/api/v1/indicators/series", params=q).json()["data"]
            for q in (
                {"code": "DENSITY", "from": YEAR - 1, "to": YEAR},
                {"code": "DENSITY", "from": YEAR, "to": YEAR, "grp": "nursing"},
                {"code": "DENSITY", "from": YEAR - 1, "level": "country", "grp": "midwifery"},
            )
        ),
    ]
    csv = client.get("/api/v1/indicators/download", params={"year": YEAR, "grp": "nursing"})
    answers.append(pd.read_csv(io.BytesIO(csv.content), keep_default_na=False).to_dict("records"))
    for answer in answers:
        assert answer
        for cell, value in values(answer).items():
            if value == "":
                value = None
            if cell in seen:
                same = seen[cell] == value or (seen[cell] is None and value is None)
                assert same or abs(float(seen[cell]) - float(value)) < 1e-9, cell
                compared += 1
            seen[cell] = value
    assert compared > 100  # the answers overlap: the same cells asked many ways
