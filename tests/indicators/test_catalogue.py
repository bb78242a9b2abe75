"""Every indicator against answers worked out by hand on a small registry (tests/indicators/
registry.py), on SQLite and on PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from healthforce.indicators.catalogue import CATALOGUE
from healthforce.indicators.compute import DERIVED, compute
from tests.indicators import registry

# (code, area, group, category) -> (numerator, denominator, value)
EXPECTED: dict[tuple[str, str, str, str], tuple[float, float, float]] = {
    ("DENSITY", "VE-A", "all", ""): (2, 10_000, 2.0),
    ("DENSITY", "VE-B", "all", ""): (2, 20_000, 1.0),
    ("DENSITY", "VE-A", "medical_doctors", ""): (1, 10_000, 1.0),
    ("SDG_3C1_DNM", "VE-A", "core", ""): (2, 10_000, 2.0),
    ("SDG_3C1_DNM", "VE-B", "core", ""): (2, 20_000, 1.0),
    ("PCT_FEMALE", "VE-A", "all", ""): (2, 2, 100.0),
    ("PCT_FEMALE", "VE-B", "all", ""): (1, 2, 50.0),
    ("SEX_RECORDED", "VE-A", "all", ""): (2, 2, 100.0),
    ("AGE_DISTRIBUTION", "VE-A", "all", "<25"): (1, 2, 50.0),
    ("AGE_DISTRIBUTION", "VE-A", "all", "35-44"): (1, 2, 50.0),
    ("AGE_DISTRIBUTION", "VE-B", "all", "45-54"): (1, 2, 50.0),  # 54 on 31 December
    ("AGE_DISTRIBUTION", "VE-B", "all", "55-64"): (1, 2, 50.0),
    ("PCT_AGE_55_PLUS", "VE-B", "all", ""): (1, 2, 50.0),
    ("PCT_AGE_55_PLUS", "VE-A", "all", ""): (0, 2, 0.0),
    ("MEDIAN_AGE", "VE-A", "all", ""): (2, 2, 33.0),
    ("SECTOR", "VE-A", "all", "public"): (2, 2, 100.0),
    ("SECTOR", "VE-B", "all", "private_fp"): (1, 1, 100.0),  # W4 has no assignment
    ("FACILITY_TYPE", "VE-B", "all", "general_hospital"): (1, 1, 100.0),
    ("LEVEL_OF_CARE", "VE-A", "all", "1"): (2, 2, 100.0),
    ("PCT_FOREIGN_BORN", "VE-B", "all", ""): (1, 2, 50.0),
    ("BIRTH_COUNTRY_RECORDED", "VE-B", "all", ""): (2, 2, 100.0),
    ("TRAINING_COUNTRY_RECORDED", "VE-B", "all", ""): (2, 2, 100.0),
    ("PCT_FOREIGN_TRAINED", "VE-B", "all", ""): (1, 2, 50.0),
    ("PCT_FOREIGN_TRAINED", "VE-B", "all", "CUB"): (1, 2, 50.0),
    ("PCT_FOREIGN_TRAINED", "VE-A", "all", ""): (0, 2, 0.0),
    ("PCT_COOPERATION", "VE-B", "all", ""): (1, 2, 50.0),
    ("NURSES_PER_DOCTOR", "VE-A", "all", ""): (1, 1, 1.0),
    ("PRIMARY_CARE_DOCTORS", "VE-A", "medical_doctors", ""): (1, 1, 100.0),
    ("PRIMARY_CARE_DOCTORS", "VE-B", "medical_doctors", ""): (0, 1, 0.0),
    ("ENTRY_RATE", "VE-A", "nursing", ""): (1, 1, 100.0),
    ("ENTRY_RATE", "VE-A", "all", ""): (1, 2, 50.0),
    ("EXIT_RATE_VOLUNTARY", "VE-B", "nursing", ""): (1, 1, 100.0),
    ("EXIT_RATE_INVOLUNTARY", "VE-A", "medical_doctors", ""): (1, 1, 100.0),
    ("EXIT_RATE_INVOLUNTARY", "VE-B", "all", ""): (0, 2, 0.0),  # retirement is neither
    ("EMIGRATION_RATE", "VE-B", "nursing", ""): (1, 1, 100.0),
    ("FOREIGN_SHARE_OF_ENTRANTS", "VE-A", "all", ""): (0, 1, 0.0),
    ("GRADUATES_PER_100K", "VEN", "medical_doctors", ""): (70, 30_000, 70 / 30_000 * 1e5),
    # "all": the graduates of both programmes over the population once (was over it twice)
    ("GRADUATES_PER_100K", "VEN", "all", ""): (110, 30_000, 110 / 30_000 * 1e5),
    ("TRAINING_DROPOUT", "VEN", "medical_doctors", ""): (30, 100, 30.0),
    ("TRAINING_DROPOUT", "VEN", "all", ""): (40, 150, 40 / 150 * 100),
    ("VACANCY_RATE", "VE-B", "nursing", ""): (1, 1, 100.0),
    ("VACANCY_RATE", "VE-B", "all", ""): (1, 2, 50.0),
    ("VACANCY_RATE", "VE-A", "all", ""): (0, 2, 0.0),
    ("TEAM_NORM_MET", "VE-A", "all", ""): (1, 1, 100.0),
    ("TEAM_MISSING_HEADCOUNT", "VE-A", "all", "2211"): (0, 1, 0.0),
    # W1 holds C1 (2023, valid 2 years) and C2 (no expiry); W2's C1 (2021) expired in 2023.
    ("PATHWAY_COMPLETION", "VE-A", "medical_doctors", ""): (1, 1, 100.0),
    ("PATHWAY_COMPLETION", "VE-B", "medical_doctors", ""): (0, 1, 0.0),
    ("DENSITY_MAX_MIN", "all areas", "all", "VE-A/VE-B"): (2 * 20_000, 2 * 10_000, 2.0),
    ("DENSITY_URBAN_RURAL", "all areas", "all", ""): (2 * 20_000, 2 * 10_000, 2.0),
    ("DENSITY_GINI", "all areas", "all", ""): (4, 30_000, 1 / 6),
}


@pytest.fixture
def table(db: Engine) -> pd.DataFrame:
    registry.build(db)
    return compute(db, 2024)


def test_every_indicator_has_a_known_answer() -> None:
    codes = {key[0] for key in EXPECTED}
    assert codes == set(CATALOGUE) | set(DERIVED)


def test_known_answers(table: pd.DataFrame) -> None:
    indexed = table.set_index(["code", "area", "grp", "category"])
    for key, (num, den, value) in EXPECTED.items():
        assert key in indexed.index, key
        row = indexed.loc[key]
        assert (row["numerator"], row["denominator"]) == (num, den), key
        assert row["value"] == pytest.approx(value, abs=1e-9), key


def test_country_level(db: Engine) -> None:
    registry.build(db)
    national = compute(db, 2024, level="country", codes=["DENSITY", "VACANCY_RATE"])
    indexed = national.set_index(["code", "area", "grp"])
    assert indexed.loc[("DENSITY", "VEN", "all"), "value"] == pytest.approx(4 / 30_000 * 1e4)
    assert indexed.loc[("VACANCY_RATE", "VEN", "all"), "numerator"] == 1


def _one_more_in_ve_b(db: Engine, sex: str) -> None:
    """The small registry and one more doctor, W8, living in VE-A and working in VE-B's P5,
    of the given sex and nothing else recorded."""
    from healthforce.store.registry import Registry

    registry.build(db)
    with Registry(db).change(actor="test", source="one more") as change:
        change.upsert(
            "workers",
            {
                "external_id": ["W8"],
                "sex": [sex],
                "occupation": ["2211"],
                "status": ["active"],
                "residence_area": ["VE-A"],
            },
        )
        change.upsert(
            "assignments",
            {
                "external_id": ["A8"],
                "worker": ["W8"],
                "post": ["P5"],
                "start_date": [registry.D(2020, 1, 1)],
            },
        )


def test_unrecorded_sex_is_unknown_not_a_man(db: Engine) -> None:
    """A worker whose sex is not recorded is left out of the share of women (never counted as
    a man) and shows in the coverage of recorded sex."""
    _one_more_in_ve_b(db, sex="U")
    rows = compute(db, 2024, codes=["PCT_FEMALE", "SEX_RECORDED"]).set_index(
        ["code", "area", "grp", "category"]
    )
    female = rows.loc[("PCT_FEMALE", "VE-B", "all", "")]
    assert (female["numerator"], female["denominator"]) == (1, 2)
    recorded = rows.loc[("SEX_RECORDED", "VE-B", "all", "")]
    assert (recorded["numerator"], recorded["denominator"]) == (2, 3)
    assert recorded["value"] == pytest.approx(200 / 3)


def test_unrecorded_countries_are_unknown_not_home(db: Engine) -> None:
    """A worker whose countries of birth and training are not recorded is left out of the
    shares born and trained abroad (never counted as born or trained at home) and shows in
    their coverage."""
    _one_more_in_ve_b(db, sex="F")  # no country of birth or training
    codes = [
        "PCT_FOREIGN_BORN",
        "BIRTH_COUNTRY_RECORDED",
        "PCT_FOREIGN_TRAINED",
        "TRAINING_COUNTRY_RECORDED",
    ]
    rows = compute(db, 2024, codes=codes).set_index(["code", "area", "grp", "category"])
    for code, expected in [
        ("PCT_FOREIGN_BORN", (1, 2)),
        ("BIRTH_COUNTRY_RECORDED", (2, 3)),
        ("PCT_FOREIGN_TRAINED", (1, 2)),
        ("TRAINING_COUNTRY_RECORDED", (2, 3)),
    ]:
        row = rows.loc[(code, "VE-B", "all", "")]
        assert (row["numerator"], row["denominator"]) == expected, code


def test_every_all_row_is_what_its_groups_imply(table: pd.DataFrame) -> None:
    """An "all" row adds up its groups: numerators always; denominators too, except where the
    denominator is the population, which every group shares."""
    for code, ind in CATALOGUE.items():
        rows = table[table["code"] == code]
        if not ind.by_group or rows.empty:
            continue
        groups, total = rows[rows["grp"] != "all"], rows[rows["grp"] == "all"]
        for (area, category), got in total.groupby(["area", "category"]):
            parts = groups[(groups["area"] == area) & (groups["category"] == category)]
            assert got["numerator"].item() == parts["numerator"].sum(), (code, area, category)
            per_group = groups[groups["area"] == area].drop_duplicates("grp")["denominator"]
            expected = per_group.iloc[0] if ind.per_population else per_group.sum()
            assert got["denominator"].item() == expected, (code, area, category)
