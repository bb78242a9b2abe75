"""Need: population- and service-based, and WISN computed by hand from the manual's formulas."""

from __future__ import annotations

import pytest

from healthforce.forecast.need import (
    Activity,
    Allowance,
    WorkingTime,
    population_need,
    service_need,
    wisn,
)


def test_population_and_service_need() -> None:
    assert float(population_need(2_000_000, 44.5)) == pytest.approx(8_900)
    # 100,000 people x 3 visits x 1 service x 15 min / 60 / 1,600 h = 46.875 FTE
    assert float(service_need(100_000, 3, 1, 15, 1_600)) == pytest.approx(46.875)


def test_wisn_by_hand() -> None:
    time = WorkingTime(
        working_days=260,
        public_holidays=10,
        annual_leave=20,
        sick_leave=8,
        other_leave=2,
        hours_per_day=8,
    )
    result = wisn(
        time,
        [
            Activity("consultations", 12_000, unit_hours=0.25),
            Activity("deliveries", 400, rate_per_hour=0.5),
        ],
        [Allowance("meetings", hours=96), Allowance("records", percent=10)],
        [Allowance("supervision", hours=200, staff=1), Allowance("training", hours=50, staff=2)],
        current_staff=2,
    )
    awt = (260 - (10 + 20 + 8 + 2)) * 8  # 1,760 hours
    assert result.awt_hours == awt
    sw_consult, sw_deliv = awt / 0.25, awt * 0.5  # 7,040 and 880
    assert result.standard_workloads == {"consultations": sw_consult, "deliveries": sw_deliv}
    cap = 96 / awt * 100 + 10
    caf = 1 / (1 - cap / 100)
    iaf = (200 + 50 * 2) / awt
    required = (12_000 / sw_consult + 400 / sw_deliv) * caf + iaf
    assert result.category_allowance_percent == pytest.approx(cap, abs=1e-12)
    assert result.category_allowance_factor == pytest.approx(caf, abs=1e-12)
    assert result.individual_allowance_factor == pytest.approx(iaf, abs=1e-12)
    assert result.required == pytest.approx(required, abs=1e-12)
    assert result.required == pytest.approx(
        2.724218, abs=1e-6
    )  # (1.704545 + 0.454545) x 1.182796 + 0.170455
    assert result.difference == pytest.approx(2 - required, abs=1e-12)
    assert result.ratio == pytest.approx(2 / required, abs=1e-12)


def test_wisn_refuses_allowances_that_take_all_the_time() -> None:
    time = WorkingTime(260, 0, 0, 0, 0, 8)
    with pytest.raises(ValueError, match="CAP"):
        wisn(time, [Activity("x", 1, unit_hours=1)], [Allowance("all", percent=100)], [], 1)


def test_a_ratio_norm_reached_by_a_target_year_worked_by_hand() -> None:
    """Today 100 doctors for 100,000 people: 10 per 10,000. A core norm of 44.5 reached in
    2025 in a straight line from 2020: 16.9 in 2021 (need 169), 44.5 from 2025 on (445)."""
    import numpy as np

    from healthforce.forecast.plan import ratio_need
    from tests.forecast.helpers import single_stock

    dims, params = single_stock(100, 0.0, 0.0, horizon=10)
    population = np.full((11, 1), 100_000.0)
    need = ratio_need(dims, params, population, {"core": 44.5}, 2025)[:, 0, 0]
    assert need[0] == pytest.approx(100)
    assert need[1] == pytest.approx(169)
    assert need[5] == pytest.approx(445) and need[10] == pytest.approx(445)
    at_once = ratio_need(dims, params, population, {"2211": 20.0})[:, 0, 0]
    assert at_once == pytest.approx(np.full(11, 200.0))
