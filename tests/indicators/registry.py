"""A small hand-built registry whose every indicator is worked out by hand in the tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from healthforce.ingest.reference import seed_reference
from healthforce.store.registry import Registry

D = dt.date


def build(engine: Engine) -> None:
    with Registry(engine).change(actor="test", source="indicators") as c:
        seed_reference(c)
        c.upsert(
            "areas",
            {
                "code": ["VEN", "VE-A", "VE-B"],
                "name": ["V", "A", "B"],
                "level": ["country", "state", "state"],
                "parent": [None, "VEN", "VEN"],
                "urban_rural": [None, "urban", "rural"],
            },
        )
        c.upsert(
            "population",
            {
                "area": ["VEN", "VE-A", "VE-B"],
                "year": [2024] * 3,
                "sex": ["T"] * 3,
                "age_band": ["total"] * 3,
                "population": [30_000, 10_000, 20_000],
            },
        )
        c.upsert(
            "facilities",
            {
                "code": ["F1", "F2"],
                "name": ["C1", "H2"],
                "type": ["primary_care_centre", "general_hospital"],
                "level_of_care": ["1", "2"],
                "ownership": ["public", "private_fp"],
                "area": ["VE-A", "VE-B"],
            },
        )
        c.upsert(
            "team_norms",
            {
                "facility_type": ["primary_care_centre"] * 2,
                "occupation": ["2211", "3221"],
                "headcount": [1, 1],
            },
        )
        c.upsert(
            "posts",
            {
                "external_id": ["P1", "P2", "P3", "P4", "P5"],
                "facility": ["F1", "F1", "F2", "F2", "F2"],
                "occupation": ["2211", "3221", "2211", "2221", "2221"],
                "funded": [True, True, True, True, False],
            },
        )
        c.upsert(
            "workers",
            {
                "external_id": ["W1", "W2", "W3", "W4", "W5", "W6", "W7"],
                "sex": ["F", "M", "F", "F", "M", "F", "M"],
                "birth_date": [
                    D(1980, 6, 15),
                    D(1960, 1, 1),
                    D(2002, 3, 1),
                    D(1970, 12, 31),
                    D(1955, 1, 1),
                    D(1990, 1, 1),
                    D(1985, 1, 1),
                ],
                "occupation": ["2211", "2211", "3221", "2221", "2211", "2221", "2211"],
                "training_country": ["VEN", "CUB", "VEN", "VEN", "VEN", "VEN", "VEN"],
                "birth_country": ["VEN", "CUB", "VEN", "VEN", "VEN", "VEN", "VEN"],
                "residence_area": ["VE-A", "VE-B", "VE-A", "VE-B", "VE-A", "VE-B", "VE-A"],
                "status": [
                    "active",
                    "active",
                    "active",
                    "active",
                    "retired",
                    "emigrated",
                    "left_sector",
                ],
            },
        )
        c.upsert(
            "assignments",
            {
                "external_id": ["A1", "A2", "A3", "A5"],
                "worker": ["W1", "W2", "W3", "W5"],
                "post": ["P1", "P3", "P2", "P4"],
                "start_date": [D(2015, 1, 1), D(2023, 6, 1), D(2024, 3, 1), D(2000, 1, 1)],
                "end_date": [None, D(2025, 5, 31), None, D(2024, 5, 1)],
                "sector": ["public", "private_fp", "public", "public"],
                "contract_type": ["permanent", "cooperation", "permanent", "permanent"],
                "term_months": [None, 24, None, None],
            },
        )
        c.upsert(
            "movements",
            {
                "external_id": ["M1", "M2", "M3", "M4", "M5"],
                "worker": ["W3", "W2", "W5", "W6", "W7"],
                "kind": ["entry", "entry", "exit", "emigration", "exit"],
                "date": [D(2024, 3, 1), D(2023, 6, 1), D(2024, 5, 1), D(2024, 7, 1), D(2024, 9, 1)],
                "origin_area": [None, None, "VE-B", "VE-B", "VE-A"],
                "destination_area": ["VE-A", "VE-B", None, None, None],
                "origin_country": [None, "CUB", None, None, None],
                "destination_country": [None, None, None, "CHL", None],
                "reason": [
                    "graduation",
                    "cooperation_start",
                    "retirement",
                    "migration",
                    "dismissal",
                ],
            },
        )
        c.upsert("training_institutions", {"code": ["U"], "name": ["U"], "country": ["VEN"]})
        c.upsert(
            "training_programmes",
            {
                "code": ["MED", "NUR"],
                "name": ["Medicine", "Nursing"],
                "institution": ["U", "U"],
                "occupation": ["2211", "2221"],
                "duration_years": [6, 4],
            },
        )
        c.upsert(
            "training_cohorts",
            {
                "programme": ["MED", "NUR"],
                "intake_year": [2018, 2020],
                "enrolled": [100, 50],
                "graduated": [70, 40],
                "dropped_out": [30, 10],
            },
        )
        c.upsert("competencies", {"code": ["K1"], "name_es": ["k"], "name_en": ["k"]})
        c.upsert(
            "courses",
            {
                "code": ["C1", "C2"],
                "name": ["One", "Two"],
                "hours": [10, 5],
                "validity_years": [2, None],
            },
        )
        c.upsert("course_competencies", {"course": ["C1"], "competency": ["K1"]})
        c.upsert("pathways", {"code": ["PW"], "name": ["Doctors"], "occupation": ["2211"]})
        c.upsert("pathway_courses", {"pathway": ["PW", "PW"], "course": ["C1", "C2"]})
        c.upsert(
            "competency_norms",
            {"facility_type": ["primary_care_centre"], "competency": ["K1"], "min_workers": [1]},
        )
        # W1 holds C1 (2023, valid two years) and C2 (no expiry); W2's C1 (2021) expired in 2023.
        c.upsert(
            "completions",
            {
                "worker": ["W1", "W1", "W2", "W2"],
                "course": ["C1", "C2", "C1", "C2"],
                "completed_on": [D(2023, 6, 1), D(2020, 1, 1), D(2021, 1, 1), D(2019, 1, 1)],
            },
        )
