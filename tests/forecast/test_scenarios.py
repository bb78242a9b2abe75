"""Scenarios from TOML files; Monte Carlo; sensitivity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from healthforce.errors import ValidationError
from healthforce.forecast.scenarios import apply, load_scenario
from healthforce.forecast.supply import project_supply
from healthforce.forecast.uncertainty import DEFAULT_SPREAD, bands, monte_carlo, sensitivity
from tests.forecast.helpers import small_country


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_a_scenario_changes_what_it_says(tmp_path: Path) -> None:
    dims, params = small_country(1)
    path = _file(
        tmp_path,
        'name = "Train and retain"\n[intake]\nall = 1.5\n'
        "[emigration]\nO0 = 0.5\n[retirement]\nage_shift = 2\n"
        "[graduates_to]\nA2 = 0.2\n[cooperation]\nreplacement = 1.0\n",
    )
    scenario = load_scenario(path, dims)
    changed = apply(scenario, dims, params)
    assert scenario.name == "Train and retain"
    np.testing.assert_allclose(changed.emigration[0], params.emigration[0] * 0.5)
    np.testing.assert_allclose(changed.emigration[1], params.emigration[1])
    future = np.arange(2012, 2012 + params.pipeline.intake.shape[0]) >= dims.base_year
    np.testing.assert_allclose(
        changed.pipeline.intake[future], params.pipeline.intake[future] * 1.5
    )
    np.testing.assert_allclose(changed.pipeline.intake[~future], params.pipeline.intake[~future])
    np.testing.assert_allclose(changed.retirement[..., 2:-1], params.retirement[..., :-3])
    assert (changed.retirement[..., -1] >= params.retirement[..., -3]).all()  # oldest keep theirs
    base, better = project_supply(dims, params), project_supply(dims, changed)
    assert better.total[-1].sum() > base.total[-1].sum()
    # Graduates sent to A2: its share of graduates rises.
    assert better.flows["graduates"][-1, 0, :, 2].sum() > base.flows["graduates"][-1, 0, :, 2].sum()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("[intake]\nall = 1.2\n[salary]\nx = 1\n", "salary", id="unknown-parameter"),
        pytest.param("[intake]\nZZZZ = 1.2\n", "intake.ZZZZ", id="unknown-occupation"),
        pytest.param("[graduates_to]\nNOWHERE = 0.1\n", "graduates_to.NOWHERE", id="unknown-area"),
        pytest.param("[completion]\nall = 1.4\n", "completion.all", id="share-above-one"),
        pytest.param("[intake]\nall = -0.5\n", "intake.all", id="negative-intake"),
        pytest.param(
            "[cooperation]\nreplacement = 2\n", "cooperation.replacement", id="rate-outside-0-1"
        ),
        pytest.param("emigration = 2\n", "emigration", id="a-number-where-a-table-goes"),
        pytest.param('[intake]\nall = "x"\n', "intake.all", id="text-where-a-number-goes"),
        pytest.param('exits = "sideways"\n', "exits", id="exits-unknown"),
        pytest.param("[retirement]\nage_shift = 1.5\n", "retirement.age_shift", id="half-year"),
        pytest.param("[graduates_to]\nA0 = 0.7\nA1 = 0.6\n", "graduates_to", id="shares-above-one"),
        pytest.param(
            '[need.service.O0]\npopulation = "T all"\nrate = 1\nservices = 1\nminutes = 1\n'
            "hours_per_fte = 0\n",
            "need.service.O0.hours_per_fte",
            id="service-zero-hours",
        ),
        pytest.param("retirement = 67\n", "retirement", id="retirement-as-a-number"),
        pytest.param("[need]\ntarget_year = 1999\n", "need.target_year", id="need-year-past"),
        pytest.param("[need]\nZZZZ = 10\n", "need.ZZZZ", id="need-unknown-occupation"),
        pytest.param("[need]\ncore = -4\n", "need.core", id="need-negative-density"),
        pytest.param(
            '[need.service.O0]\npopulation = "X 1-2"\nrate = 1\nservices = 1\nminutes = 1\n'
            "hours_per_fte = 1\n",
            "need.service.O0.population",
            id="service-population-not-a-group",
        ),
        pytest.param(
            '[need.service.O0]\npopulation = "T all"\nrate = 1\n',
            "need.service.O0.services",
            id="service-missing-setting",
        ),
    ],
)
def test_bad_scenarios_name_file_key_and_value(tmp_path: Path, text: str, key: str) -> None:
    dims, _ = small_country(1)
    path = _file(tmp_path, text)
    with pytest.raises(ValidationError) as info:
        load_scenario(path, dims)
    problem = info.value.problems[0]
    assert problem.field == key
    assert problem.source == str(path)
    assert " / " in problem.reason  # said in English and Spanish


def test_a_rate_a_scenario_pushes_above_one_names_its_file(tmp_path: Path) -> None:
    dims, params = small_country(1)
    path = _file(tmp_path, "[emigration]\nall = 100000\n")
    scenario = load_scenario(path, dims)  # a factor >= 0: fine by itself
    with pytest.raises(ValidationError) as info:
        apply(scenario, dims, params)
    problem = info.value.problems[0]
    assert (problem.field, problem.source) == ("emigration", str(path))
    assert "scenario" in problem.reason


def test_monte_carlo_is_seeded_vectorised_and_banded() -> None:
    dims, params = small_country(2)
    a = monte_carlo(dims, params, draws=200, seed=7)
    b = monte_carlo(dims, params, draws=200, seed=7)
    assert a.headcount.shape == (dims.horizon + 1, 200, 2, 3)
    np.testing.assert_array_equal(a.total, b.total)
    assert not np.allclose(a.total[-1, 0], a.total[-1, 1])
    frame = bands(a)
    assert (frame["p5"] <= frame["p50"] + 1e-6).all()
    assert (frame["p50"] <= frame["p95"] + 1e-6).all()
    still = monte_carlo(
        dims,
        params,
        draws=3,
        seed=1,
        spread=dict.fromkeys(DEFAULT_SPREAD, 0.0),
        dtype=np.float64,
    )
    np.testing.assert_allclose(
        still.total[:, 2], project_supply(dims, params).total[:, 0], rtol=1e-9
    )


def test_sensitivity_is_ranked() -> None:
    dims, params = small_country(3)
    table = sensitivity(dims, params, change=0.2)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    row = table.set_index("parameter").loc["emigration"]
    assert row["low"] > row["baseline"] > row["high"]
    one = sensitivity(dims, params, change=0.2, occupation="O1", year=2025)
    assert one.set_index("parameter").loc["emigration", "baseline"] == pytest.approx(
        project_supply(dims, params).total[5, 0, 1].sum()
    )


def test_a_tornado_by_occupation_names_each_occupations_intake() -> None:
    from healthforce.forecast.uncertainty import by_occupation

    dims, params = small_country(5)
    names = by_occupation(dims)
    assert names[-2:] == ("intake:O0", "intake:O1")
    table = sensitivity(dims, params, 0.2, occupation="O1", parameters=names).set_index("parameter")
    assert table.loc["intake:O0", "swing"] == pytest.approx(0, abs=1e-9)  # not O1's training
    assert table.loc["intake:O1", "swing"] == pytest.approx(table.loc["intake", "swing"])


def test_the_tornado_scales_new_intake_only() -> None:
    """A decision taken now changes the intake from the base year on, never the cohorts
    already enrolled."""
    from healthforce.forecast.uncertainty import _scaled

    dims, params = small_country(4)
    doubled = _scaled(params, "intake", 2.0, dims.base_year).pipeline.intake
    pipe = params.pipeline
    years = np.arange(pipe.first_year, pipe.first_year + pipe.intake.shape[0])
    past = years < dims.base_year
    np.testing.assert_allclose(doubled[past], pipe.intake[past])
    np.testing.assert_allclose(doubled[~past], 2 * pipe.intake[~past])


def test_population_draws_are_a_random_walk_around_the_projection() -> None:
    """1 in the base year; the log's standard deviation grows as spread x sqrt(years ahead),
    half of its variance shared by every state (so states' draws are correlated 1/2)."""
    from healthforce.forecast.uncertainty import POPULATION_SPREAD, population_factor

    dims, _ = small_country(horizon=16, areas=3)
    factor = population_factor(dims, 20_000, seed=3)
    assert factor.shape == (17, 20_000, 3)
    assert (factor[0] == 1).all()
    logs = np.log(factor[16])
    assert np.median(factor[16]) == pytest.approx(1, abs=0.01)
    assert logs.std(axis=0) == pytest.approx([POPULATION_SPREAD * 4] * 3, rel=0.03)
    assert np.corrcoef(logs[:, 0], logs[:, 1])[0, 1] == pytest.approx(0.5, abs=0.03)
    again = population_factor(dims, 20_000, seed=3)
    assert (again == factor).all()
