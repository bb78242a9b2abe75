"""The population a projection plans for, worked by hand: the states' own figures, straight
lines between them, the country's projection shared out by the states' shares, and the
documented extrapolation beyond every figure, said in the notes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from healthforce.forecast.population import load_population
from healthforce.forecast.spec import Dims
from healthforce.store.registry import Registry

DIMS = Dims(occupations=("2211",), areas=("VE-A", "VE-B"), base_year=2024, horizon=10)


def _registry(db: Engine, population: list[tuple[str, int, int]]) -> None:
    with Registry(db).change(actor="test", source="population") as change:
        change.upsert(
            "areas",
            {
                "code": ["VEN", "VE-A", "VE-B"],
                "name": ["Venezuela", "A", "B"],
                "level": ["country", "state", "state"],
                "parent": [None, "VEN", "VEN"],
            },
        )
        change.upsert(
            "population",
            {
                "area": [a for a, _y, _p in population],
                "year": [y for _a, y, _p in population],
                "population": [p for _a, _y, p in population],
                "source": ["test"] * len(population),
            },
        )


def test_the_countrys_projection_shared_out_then_carried(db: Engine) -> None:
    _registry(
        db,
        [
            ("VE-A", 2024, 100_000),
            ("VE-B", 2024, 300_000),
            ("VEN", 2024, 400_000),
            ("VEN", 2025, 410_000),
            ("VEN", 2030, 460_000),
        ],
    )
    got = load_population(db, DIMS)
    a = {y: got.values[t, 0] for t, y in enumerate(DIMS.years)}
    assert a[2024] == 100_000  # the state's own figure
    assert a[2025] == pytest.approx(410_000 * 0.25)  # the country's, by the 2024 shares
    assert a[2027] == pytest.approx(430_000 * 0.25)  # the country's line 2025-2030
    assert a[2030] == pytest.approx(115_000)
    rate = (460_000 / 410_000) ** (1 / 5) - 1  # the country's growth 2025-2030
    assert a[2032] == pytest.approx(115_000 * (1 + rate) ** 2)
    assert got.how[0] == "recorded" and got.how[3] == "national" and got.how[8] == "extrapolated"
    said = " ".join(got.notes)
    assert "2031-2034" in said and "carried at +2.33% a year (growth 2025-2030)" in said
    assert "2025-2030: the country's projection shared out" in said
    assert a[2034] > a[2030] > a[2024]  # need can only grow with it: never one flat figure


def test_the_states_own_projections_come_first(db: Engine) -> None:
    _registry(
        db,
        [
            ("VE-A", 2024, 100_000),
            ("VE-A", 2034, 150_000),
            ("VE-B", 2024, 300_000),
            ("VEN", 2028, 999_999),
        ],
    )
    got = load_population(db, DIMS)
    t = DIMS.years.index(2028)
    assert got.values[t, 0] == pytest.approx(120_000)  # the line between its own figures
    assert got.values[t, 1] == pytest.approx(999_999 * 0.75)  # B: the country's, shared
    assert got.values[-1, 0] == 150_000


def test_states_recorded_only_before_the_plan_are_carried_from_their_last_figure(
    db: Engine,
) -> None:
    _registry(db, [("VE-A", 2019, 90_000), ("VE-A", 2022, 100_000), ("VE-B", 2022, 300_000)])
    dims = Dims(occupations=("2211",), areas=("VE-A", "VE-B"), base_year=2025, horizon=5)
    got = load_population(db, dims)
    rate = (100_000 / 90_000) ** (1 / 3) - 1  # the states with figures in 2019 and 2022
    assert got.values[0, 0] == pytest.approx(100_000 * (1 + rate) ** 3)
    assert got.values[-1, 1] == pytest.approx(300_000 * (1 + rate) ** 8)
    assert set(got.how) == {"extrapolated"} and "2025-2030" in got.notes[0]


def test_no_population_is_said(db: Engine) -> None:
    _registry(db, [])
    got = load_population(db, DIMS)
    assert not got.values.any() and "No population" in got.notes[0]


def test_service_based_need_worked_by_hand(db: Engine) -> None:
    """Women 15-49 are 20,000 of the country's 45,000 (the 50-54 band is outside): 4/9 of
    VE-A's 100,000. Births at 0.03 a year, 5 services of 45 minutes each, 1,600 productive
    hours an FTE: 100,000 x 4/9 x 0.03 x 5 x 45 / 60 / 1,600 = 3.125 FTE, 3.125 / 0.8 heads
    at 0.8 FTE a head."""
    from healthforce.forecast.service import group_shares, service_need

    _registry(db, [("VE-A", 2024, 100_000), ("VE-B", 2024, 300_000)])
    bands = [("F", "15-19", 10_000), ("F", "20-24", 10_000), ("F", "50-54", 5_000)]
    bands += [("M", "15-19", 10_000), ("M", "20-24", 10_000)]
    with Registry(db).change(actor="test", source="by age") as change:
        change.upsert(
            "population",
            {
                "area": ["VEN"] * len(bands),
                "year": [2024] * len(bands),
                "sex": [s for s, _b, _p in bands],
                "age_band": [b for _s, b, _p in bands],
                "population": [p for _s, _b, p in bands],
            },
        )
    shares = group_shares(db, DIMS, "F 15-49", "s.toml")
    assert shares == pytest.approx([4 / 9, 4 / 9])
    assert group_shares(db, DIMS, "F 17-21", "s.toml")[0] == pytest.approx(10_000 / 45_000)
    assert group_shares(db, DIMS, "T all", "s.toml")[0] == pytest.approx(1.0)
    got = load_population(db, DIMS)
    spec = {"population": "F 15-49", "rate": 0.03, "services": 5, "minutes": 45}
    need = service_need(db, DIMS, got.values, {**spec, "hours_per_fte": 1600}, 0.8, "s.toml")
    assert need[0, 0] == pytest.approx(3.125 / 0.8)
    assert need[0, 1] == pytest.approx(3 * 3.125 / 0.8)


def test_service_need_without_population_by_age_says_so(db: Engine) -> None:
    from healthforce.errors import HealthforceError
    from healthforce.forecast.service import group_shares

    _registry(db, [("VE-A", 2024, 100_000)])
    with pytest.raises(HealthforceError, match="healthforce import wpp"):
        group_shares(db, DIMS, "F 15-49", "s.toml")
