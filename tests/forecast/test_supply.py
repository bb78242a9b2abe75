"""Known answers to 1e-9, properties, and an independent engine (PySD)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthforce.errors import ValidationError
from healthforce.forecast.gap import intake_to_close, wage_bill, years_until_balance
from healthforce.forecast.spec import Dims, Pipeline, SupplyParams
from healthforce.forecast.supply import project_supply
from tests.forecast.helpers import single_stock, small_country


def test_single_stock_matches_its_closed_form() -> None:
    s0, a, i = 1000.0, 0.07, 100.0
    dims, params = single_stock(s0, a, i, horizon=25)
    result = project_supply(dims, params)
    t = np.arange(26)
    expected = i / a + (s0 - i / a) * (1 - a) ** t
    np.testing.assert_allclose(result.headcount[:, 0, 0, 0], expected, rtol=0, atol=1e-9)


def test_cohort_ageing_with_exits_by_hand() -> None:
    """Three ages, exits then entrants then ageing, computed by hand."""
    dims = Dims(("2211",), ("X",), 2020, 2, ("F",), 20, 3)
    params = SupplyParams(
        stock=np.array([100.0, 200.0, 300.0]).reshape(1, 1, 1, 3),
        retirement=np.array([0.0, 0.0, 0.3]).reshape(1, 1, 3),
        mortality=np.array([[0.0, 0.2, 0.0]]),
        other_exit=np.array([0.1]),
        emigration=np.zeros((1, 1)),
        immigration=np.array([[10.0]]),
        returns=np.zeros((1, 1)),
        entry_age=np.array([[1.0, 0.0, 0.0]]),
        entry_sex=np.ones((1, 1)),
        pipeline=Pipeline(np.zeros((5, 1, 1)), 2020, np.array([6]), np.ones(1), np.ones(1)),
        fte=np.ones(1),
    )
    r = project_supply(dims, params, by_sex=True)
    # Year 1: keep = 0.9, 0.9*0.8 = 0.72, 0.9*0.7 = 0.63 -> 90, 144, 189; +10 at age 20;
    # ageing: [0, 100, 144], 189 retire by ageing out.
    assert r.headcount[1, 0, 0, 0] == pytest.approx(0 + 100 + 144, abs=1e-9)
    assert r.flows["aged_out"][0, 0, 0, 0] == pytest.approx(189, abs=1e-9)
    assert r.flows["exits"][0, 0, 0, 0] == pytest.approx(10 + 56 + 111, abs=1e-9)
    # Year 2: [0, 100, 144] -> [0, 72, 90.72]; +10 -> ageing: [0, 10, 72], 90.72 age out.
    assert r.headcount[2, 0, 0, 0] == pytest.approx(82, abs=1e-9)
    assert r.flows["aged_out"][1, 0, 0, 0] == pytest.approx(90.72, abs=1e-9)
    split = sum(
        r.flows[k][0, 0, 0, 0] for k in ("retirement", "mortality", "other_exit", "emigration")
    )
    assert split == pytest.approx(r.flows["exits"][0, 0, 0, 0], abs=1e-9)


def test_graduates_arrive_after_the_programme() -> None:
    dims, params = single_stock(
        0.0, 0.0, 0.0, horizon=8, intake=100, duration=6, completion=0.8, share=0.5
    )
    r = project_supply(dims, params)
    grads = r.flows["graduates"][:, 0, 0, 0]
    np.testing.assert_allclose(grads, [0, 0, 0, 0, 0, 0, 40, 40])


def test_inverse_intake_matches_its_closed_form() -> None:
    s0, a, c, d, target = 500.0, 0.05, 0.8, 3, 2030
    dims, params = single_stock(s0, a, 0.0, horizon=10, duration=d, completion=c)
    need = np.array([700.0])
    x = intake_to_close(dims, params, need, 0, target)
    t = target - 2020
    series = sum((1 - a) ** (t - 1 - k) for k in range(d, t))
    expected = (700 - s0 * (1 - a) ** t) / (c * series)
    assert x[0] == pytest.approx(expected, abs=1e-9)
    # And that intake does close it.
    intake = np.full((11, 1, 1), x[0])
    r = project_supply(
        dims,
        params.with_(pipeline=Pipeline(intake, 2020, np.array([d]), np.array([c]), np.ones(1))),
    )
    assert r.total[t, 0, 0, 0] == pytest.approx(700, abs=1e-9)


def test_inverse_intake_when_training_is_too_long() -> None:
    dims, params = single_stock(500.0, 0.05, 0.0, horizon=10, duration=6)
    assert np.isnan(intake_to_close(dims, params, np.array([900.0]), 0, 2024)[0])


def test_the_inverse_answer_is_flagged_never_negative() -> None:
    from healthforce.forecast.gap import intake_answer

    dims, params = single_stock(500.0, 0.05, 0.0, horizon=10, duration=3)
    enough, why = intake_answer(dims, params, np.array([100.0]), 0, 2030)  # 500 x .95^10 > 100
    assert enough[0] == 0 and why == ["none needed"]
    late, why = intake_answer(dims, params, np.array([900.0]), 0, 2022)
    assert np.isnan(late[0]) and why == ["too late"]
    plain, why = intake_answer(dims, params, np.array([700.0]), 0, 2030)
    assert plain[0] > 0 and why == [""]


def test_years_until_balance_and_wage_bill() -> None:
    assert years_until_balance(np.array([-5, -1, 0, 3]), [2020, 2021, 2022, 2023]) == 2022
    assert years_until_balance(np.array([-5, -1]), [2020, 2021]) is None
    # sustained, with a tolerance: noise is no balance, a reopening gap is not closed
    noise = np.array([1.4e-13, -10, -50, -279])
    assert years_until_balance(noise, [2025, 2030, 2040, 2045]) is None
    assert years_until_balance(np.array([-3, 2, -4, 1, 1]), [1, 2, 3, 4, 5]) == 4
    assert years_until_balance(np.array([-0.3, 0.1]), [2025, 2026]) == 2025  # half a worker
    np.testing.assert_allclose(
        wage_bill(np.array([[2.0, 1.0]]).T, np.array([10.0, 20.0])), [[20.0], [20.0]]
    )


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_conservation_and_no_negative_stocks(seed: int) -> None:
    dims, params = small_country(seed)
    r = project_supply(dims, params)
    f = r.flows
    inflow = f["graduates"] + f["immigration"] + f["returns"] + f["migration_in"]
    outflow = f["exits"] + f["aged_out"] + f["migration_out"]
    np.testing.assert_allclose(np.diff(r.headcount, axis=0), inflow - outflow, atol=1e-7)
    coop = f["cooperation_arrivals"] - f["cooperation_leaving"]
    np.testing.assert_allclose(np.diff(r.cooperation, axis=0), coop, atol=1e-9)
    assert (r.headcount >= -1e-9).all()
    assert (r.cooperation >= -1e-9).all()
    assert r.by_sex is not None
    np.testing.assert_allclose(r.by_sex.sum(axis=-1), r.headcount, atol=1e-7)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_zero_flows_give_pure_ageing(seed: int) -> None:
    dims, params = small_country(seed)
    zero = params.with_(
        retirement=np.zeros((2, 2, 12)),
        mortality=np.zeros((2, 12)),
        other_exit=np.zeros(2),
        emigration=np.zeros((2, 3)),
        immigration=np.zeros((2, 3)),
        returns=np.zeros((2, 3)),
        migration=None,
        cooperation=None,
        pipeline=Pipeline(np.zeros((20, 2, 3)), 2012, np.array([6, 3]), np.ones(2), np.ones(2)),
    )
    r = project_supply(dims, zero, by_sex=True)
    stock = params.stock
    for t in range(1, 5):
        expected = np.zeros_like(stock)
        expected[..., t:] = stock[..., :-t]
        assert r.by_sex is not None
        np.testing.assert_allclose(r.by_sex[t, 0], expected.sum(axis=-1), atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), extra=st.floats(0, 50))
def test_more_intake_never_lowers_supply(seed: int, extra: float) -> None:
    dims, params = small_country(seed)
    more = params.with_(
        pipeline=Pipeline(
            params.pipeline.intake + extra,
            2012,
            params.pipeline.duration,
            params.pipeline.completion,
            params.pipeline.entry_share,
        )
    )
    base, bigger = project_supply(dims, params), project_supply(dims, more)
    assert (bigger.total >= base.total - 1e-9).all()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"other_exit": np.array([1.5])}, "other_exit", id="rate-above-one"),
        pytest.param({"immigration": np.array([[-1.0]])}, "immigration", id="negative-count"),
    ],
)
def test_bad_parameters_are_named(change: dict[str, object], field: str) -> None:
    dims, params = single_stock(10.0, 0.1, 1.0)
    with pytest.raises(ValidationError) as info:
        project_supply(dims, params.with_(**change))
    assert info.value.problems[0].field == field


def test_negative_intake_and_zero_horizon_are_refused() -> None:
    dims, params = single_stock(10.0, 0.1, 1.0, intake=-5)
    with pytest.raises(ValidationError, match="intake"):
        project_supply(dims, params)
    dims, params = single_stock(10.0, 0.1, 1.0)
    with pytest.raises(ValidationError, match="horizon"):
        project_supply(Dims(dims.occupations, dims.areas, 2020, 0, ("F",), 20, 1), params)


def test_exit_rates_compete_or_act_simultaneously() -> None:
    """100 workers, other exits 20 % and emigration 10 %: as competing risks 100 x 0.8 x 0.9 =
    72 stay; taken simultaneously from the start-of-year stock (a system-dynamics model's yearly
    step) 100 x (1 - 0.3) = 70; rates adding to more than 1 leave no one, never fewer than 0.
    Either way the exits split in proportion to the rates (2 : 1)."""
    dims, params = single_stock(100.0, 0.2, 0.0, horizon=1)
    params = params.with_(emigration=np.array([[0.1]]))
    competing = project_supply(dims, params, detail=True)
    simultaneous = project_supply(dims, params.with_(exits="simultaneous"), detail=True)
    assert competing.headcount[1].sum() == pytest.approx(72.0)
    assert simultaneous.headcount[1].sum() == pytest.approx(70.0)
    flows = simultaneous.flows
    assert flows["other_exit"][0].sum() == pytest.approx(20.0)
    assert flows["emigration"][0].sum() == pytest.approx(10.0)
    assert competing.flows["other_exit"][0].sum() == pytest.approx(28 * 2 / 3)
    crowded = params.with_(
        exits="simultaneous", other_exit=np.array([0.7]), emigration=np.array([[0.6]])
    )
    assert project_supply(dims, crowded).headcount[1].sum() == pytest.approx(0.0)
    with pytest.raises(ValidationError, match="exits"):
        project_supply(dims, params.with_(exits="sideways"))


def test_a_scenario_chooses_how_exits_combine(tmp_path: Path) -> None:
    from healthforce.forecast.scenarios import apply, load_scenario

    dims, params = single_stock(100.0, 0.2, 0.0, horizon=1)
    path = tmp_path / "sd.toml"
    path.write_text('name = "SD"\nexits = "simultaneous"\n')
    assert apply(load_scenario(path, dims), dims, params).exits == "simultaneous"
    path.write_text('name = "SD"\nexits = "sometimes"\n')
    with pytest.raises(ValidationError, match="exits"):
        load_scenario(path, dims)
