"""Exit rates from events over person-years at risk, worked by hand; and the loader's exposure
from the dated history (a worker counts only for the time they were in the workforce)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from sqlalchemy import Engine

from healthforce.forecast.hazards import (
    DEFAULT_RETIREMENT,
    Events,
    default_mortality,
    estimate,
    person_years,
)
from healthforce.forecast.loader import load_supply
from healthforce.store.registry import Registry

D = dt.date
AGES = np.arange(55, 65)  # two five-year bands: 55-59 and 60-64


def _exposure() -> np.ndarray:
    """[O=2, A=2, S=1, G=10]: occupation 0 has 10 person-years at each age (5 in each state),
    occupation 1 has 30 (15 in each)."""
    out = np.zeros((2, 2, 1, 10))
    out[0] = 5.0
    out[1] = 15.0
    return out


def _events(**change: np.ndarray) -> Events:
    parts = {
        "retirement": np.zeros((2, 1, 10)),
        "death": np.zeros((1, 10)),
        "other": np.zeros(2),
        "emigration": np.zeros((2, 2)),
    }
    parts.update(change)
    return Events(**parts)


def test_person_years_are_the_trapezoid_of_the_yearly_stocks() -> None:
    """100 on 1 January 2023, 80 on 2024, 90 on 2025: (100 + 80) / 2 + (80 + 90) / 2 = 175."""
    stocks = [np.array([100.0]), np.array([80.0]), np.array([90.0])]
    assert person_years(stocks).tolist() == [175.0]
    assert person_years([np.array([5.0])]).tolist() == [0.0]  # one date: no time at risk


def test_retirement_is_the_national_schedule_times_each_occupation_factor() -> None:
    """Ten retirements at 62 in each occupation. The 60-64 band has 50 + 150 = 200 person-years,
    so the national rate is 20 / 200 = 0.1 a year. Occupation 0 was expected to have 0.1 x 50 = 5
    and had 10: factor (10 + 5) / (5 + 5) = 1.5; occupation 1 expected 15, had 10: factor
    (10 + 5) / (15 + 5) = 0.75. No one retired before 60: no rate there."""
    retired = np.zeros((2, 1, 10))
    retired[:, 0, 7] = 10
    rates = estimate(_exposure(), _events(retirement=retired), AGES)
    assert rates.retirement[0, 0, 5:] == pytest.approx([1 - math.exp(-0.15)] * 5)
    assert rates.retirement[1, 0, 5:] == pytest.approx([1 - math.exp(-0.075)] * 5)
    assert not rates.retirement[:, :, :5].any()
    assert rates.events["retirement"].tolist() == [10, 10]


def test_no_retirement_recorded_gives_the_documented_default() -> None:
    rates = estimate(_exposure(), _events(), AGES)
    assert rates.retirement[0, 0, AGES >= 60] == pytest.approx(DEFAULT_RETIREMENT[60])
    assert rates.retirement[0, 0, AGES < 60] == pytest.approx(0.0)
    assert "retirement" not in rates.events


def test_mortality_is_the_schedule_scaled_by_the_registry_own_ratio() -> None:
    """The schedule expects sum(-log(1 - q) x person-years) deaths; with 12 recorded the central
    rates are scaled by 12 / expected. With 9 (under ten) the schedule stays as it is."""
    exposure = np.repeat(_exposure(), 2, axis=2) / 2  # women and men, half each
    central = -np.log1p(-default_mortality(AGES))
    expected = float((central * exposure.sum(axis=(0, 1))).sum())
    died = np.zeros((2, 10))
    died[:, 9] = 6
    events = _events(retirement=np.zeros((2, 2, 10)), death=died)
    rates = estimate(exposure, events, AGES)
    assert -np.log1p(-rates.mortality) == pytest.approx(central * 12 / expected)
    assert float(rates.events["mortality"]) == 12
    died[:, 9] = 4.5
    few = estimate(exposure, events, AGES)
    assert few.mortality == pytest.approx(default_mortality(AGES))
    assert "mortality" not in few.events


def test_other_exits_and_emigration_over_person_years() -> None:
    """Occupation 1: 6 resignations over 300 person-years, q = 1 - exp(-0.02). Emigration:
    occupation 0 had 12 from state 0 (50 person-years there: local, 12 / 50) and 2 from state 1
    (under ten: the occupation's national rate, 14 / 100)."""
    emigrated = np.array([[12.0, 2.0], [0.0, 0.0]])
    rates = estimate(_exposure(), _events(other=np.array([0.0, 6.0]), emigration=emigrated), AGES)
    assert rates.other_exit == pytest.approx(np.array([[0.0, 0.0], [1 - math.exp(-0.02)] * 2]))
    assert rates.emigration[0] == pytest.approx([1 - math.exp(-0.24), 1 - math.exp(-0.14)])
    assert rates.events["emigration"].tolist() == [14, 0]


def test_other_exits_by_state_where_a_state_recorded_enough() -> None:
    """Occupation 1 (150 person-years in each state): 12 resignations in state 0 and 3 with no
    state recorded, 15 in all. State 0 recorded ten or more: its own rate, scaled up by the
    occupation's 15 exits over the 12 with a state, 12 x 1.25 / 150 = 0.1; state 1 recorded
    none: the national rate, 15 / 300 = 0.05."""
    other = np.zeros((2, 3))
    other[1] = [12, 0, 3]
    rates = estimate(_exposure(), _events(other=other), AGES)
    assert rates.other_exit[1] == pytest.approx([1 - math.exp(-0.1), 1 - math.exp(-0.05)])
    assert rates.events["other_exit"].tolist() == [0, 15]


def _history(db: Engine) -> None:
    """Three doctors born in 1970, in state A: W1 in the workforce throughout, W2 resigned on
    1 March 2024, W3 joined on 1 June 2024."""
    from healthforce.ingest.reference import seed_reference

    with Registry(db).change(actor="test", source="history") as change:
        seed_reference(change)
        change.upsert(
            "areas",
            {
                "code": ["VEN", "VE-A"],
                "name": ["Venezuela", "A"],
                "level": ["country", "state"],
                "parent": [None, "VEN"],
            },
        )
        change.upsert(
            "workers",
            {
                "external_id": ["W1", "W2", "W3"],
                "sex": ["F"] * 3,
                "birth_date": [D(1970, 1, 1)] * 3,
                "occupation": ["2211"] * 3,
                "status": ["active", "left_sector", "active"],
                "residence_area": ["VE-A"] * 3,
            },
        )
        moves = [
            ("W1", "entry", D(2010, 1, 1), None),
            ("W2", "entry", D(2010, 1, 1), None),
            ("W2", "exit", D(2024, 3, 1), "resignation"),
            ("W3", "entry", D(2024, 6, 1), None),
        ]
        change.upsert(
            "movements",
            {
                "external_id": [f"M{i}" for i in range(len(moves))],
                "worker": [m[0] for m in moves],
                "kind": [m[1] for m in moves],
                "date": [m[2] for m in moves],
                "reason": [m[3] for m in moves],
            },
        )


def test_the_loader_counts_each_worker_only_while_in_the_workforce(db: Engine) -> None:
    """Window of two years to 1 January 2025: stocks 2 (W1, W2) on 2023, 2 on 2024, 2 (W1, W3)
    on 2025, so 4 person-years and one resignation: q = 1 - exp(-1/4). Dividing by the base
    stock and the years (1 / 2 / 2) would say 0.25; W3, who joined in the window, is at risk
    for half a year, not two."""
    _history(db)
    dims, params = load_supply(db, base_date=D(2025, 1, 1), window=2, horizon=2)
    assert dims.occupations == ("2211",)
    assert params.stock.sum() == 2
    assert params.other_exit == pytest.approx(np.array([[1 - math.exp(-0.25)]]))
    assert params.events["other_exit"].tolist() == [1]
