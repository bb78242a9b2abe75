"""A golden registry with a history: eight workers across 2014-2024, worked out by hand.

Two states, A (facility F1) and B (F2); populations 10,000 and 20,000 every year. Each worker's
story (year-end presence is what the indicators count):

- G1  F 1980 doctor,  trained VEN: entered 2014-03-01 at F1 (A); still there.
- G2  M 1975 nurse,   trained CUB: entered 2016-07-01 at F2 (B); resigned 2020-05-01.
- G3  F 1990 doctor,  trained VEN: entered 2015-01-10 at F1 (A); transferred to F2 (B)
      2019-01-01; emigrated to Spain 2021-08-01; returned 2023-02-01 to F2 (B).
- G4  M 1960 doctor,  trained VEN: at F2 (B) since 2010 with no entry movement (joined by his
      assignment); retired 2022-12-31.
- G5  F 1995 nurse,   trained VEN: qualified 2018-06-01, no movement, no post, lives in A
      (joined by her qualification).
- G6  F 1985 nurse,   trained VEN: at F1 (A) 2012-2017; deceased 2017-03-01, known from her
      status and its date only (no exit movement).
- G7  M 1970 doctor,  trained COL: entered 2014-01-01 at F2 (B); dismissed 2019-06-30, an exit
      recorded later, back-dated (a second change).
- G8  F 2000 nurse,   trained VEN: entered 2024-02-01 at F1 (A).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from healthforce.ingest.reference import seed_reference
from healthforce.store.registry import Registry

D = dt.date
YEARS = range(2014, 2025)

# year -> (stock in A, stock in B); country = A + B
STOCK = {
    2014: (2, 2),  # G1 G6 | G4 G7
    2015: (3, 2),  # + G3 (A)
    2016: (3, 3),  # + G2 (B)
    2017: (2, 3),  # - G6 (deceased)
    2018: (3, 3),  # + G5 (qualified)
    2019: (2, 3),  # G3 A -> B; - G7 (back-dated exit)
    2020: (2, 2),  # - G2
    2021: (2, 1),  # - G3 (emigrated)
    2022: (2, 0),  # - G4 (retired on 31 December)
    2023: (2, 1),  # + G3 (returned, B)
    2024: (3, 1),  # + G8 (A)
}
# year -> workers trained abroad in the stock (G2 CUB, G7 COL)
FOREIGN_TRAINED = {
    2014: 1, 2015: 1, 2016: 2, 2017: 2, 2018: 2, 2019: 1,
    2020: 0, 2021: 0, 2022: 0, 2023: 0, 2024: 0,
}  # fmt: skip
# year -> workers aged 55 or more on 31 December (G4, born 1960-01-01, until he retires)
AGED_55_PLUS = {y: 1 if 2015 <= y <= 2021 else 0 for y in YEARS}
# year -> entries and returns; exits and emigrations (movements only)
ENTRIES = {2014: 2, 2015: 1, 2016: 1, 2023: 1, 2024: 1}
EMIGRATIONS = {2021: 1}


def build(engine: Engine) -> None:
    registry = Registry(engine)
    with registry.change(actor="test", source="golden") as c:
        seed_reference(c)
        c.upsert(
            "areas",
            {
                "code": ["VEN", "VE-A", "VE-B"],
                "name": ["V", "A", "B"],
                "level": ["country", "state", "state"],
                "parent": [None, "VEN", "VEN"],
            },
        )
        areas = ["VEN", "VE-A", "VE-B"]
        c.upsert(
            "population",
            {
                "area": areas * len(YEARS),
                "year": [y for y in YEARS for _ in areas],
                "sex": ["T"] * 3 * len(YEARS),
                "age_band": ["total"] * 3 * len(YEARS),
                "population": [30_000, 10_000, 20_000] * len(YEARS),
            },
        )
        c.upsert(
            "facilities",
            {
                "code": ["F1", "F2"],
                "name": ["C1", "H2"],
                "type": ["primary_care_centre", "general_hospital"],
                "ownership": ["public", "public"],
                "area": ["VE-A", "VE-B"],
            },
        )
        ids = ["G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8"]
        c.upsert(
            "workers",
            {
                "external_id": ids,
                "sex": ["F", "M", "F", "M", "F", "F", "M", "F"],
                "birth_date": [
                    D(1980, 6, 15),
                    D(1975, 1, 1),
                    D(1990, 2, 1),
                    D(1960, 1, 1),
                    D(1995, 5, 5),
                    D(1985, 1, 1),
                    D(1970, 1, 1),
                    D(2000, 1, 1),
                ],
                "occupation": ["2211", "2221", "2211", "2211", "2221", "2221", "2211", "2221"],
                "training_country": ["VEN", "CUB", "VEN", "VEN", "VEN", "VEN", "COL", "VEN"],
                "qualification_date": [None, None, None, None, D(2018, 6, 1), None, None, None],
                "residence_area": ["VE-A", "VE-B", "VE-A", "VE-B", "VE-A", "VE-A", "VE-B", "VE-A"],
                "status": [
                    "active",
                    "left_sector",
                    "active",
                    "retired",
                    "active",
                    "deceased",
                    "active",  # until the back-dated exit is recorded
                    "active",
                ],
                "status_date": [
                    None,
                    D(2020, 5, 1),
                    D(2023, 2, 1),
                    D(2022, 12, 31),
                    None,
                    D(2017, 3, 1),
                    None,
                    D(2024, 2, 1),
                ],
            },
        )
        # one post per assignment, on the facility and occupation of its holder
        assignments = [
            ("AG1", "G1", "F1", "2211", D(2014, 3, 1), None),
            ("AG2", "G2", "F2", "2221", D(2016, 7, 1), D(2020, 5, 1)),
            ("AG3a", "G3", "F1", "2211", D(2015, 1, 10), D(2018, 12, 31)),
            ("AG3b", "G3", "F2", "2211", D(2019, 1, 1), D(2021, 8, 1)),
            ("AG3c", "G3", "F2", "2211", D(2023, 2, 1), None),
            ("AG4", "G4", "F2", "2211", D(2010, 1, 1), D(2022, 12, 31)),
            ("AG6", "G6", "F1", "2221", D(2012, 1, 1), D(2017, 3, 1)),
            ("AG7", "G7", "F2", "2211", D(2014, 1, 1), D(2019, 6, 30)),
            ("AG8", "G8", "F1", "2221", D(2024, 2, 1), None),
        ]
        c.upsert(
            "posts",
            {
                "external_id": [f"P{a[0]}" for a in assignments],
                "facility": [a[2] for a in assignments],
                "occupation": [a[3] for a in assignments],
            },
        )
        c.upsert(
            "assignments",
            {
                "external_id": [a[0] for a in assignments],
                "worker": [a[1] for a in assignments],
                "post": [f"P{a[0]}" for a in assignments],
                "start_date": [a[4] for a in assignments],
                "end_date": [a[5] for a in assignments],
            },
        )
        moves = [
            ("M1", "G1", "entry", D(2014, 3, 1), None, "VE-A", None, "graduation"),
            ("M2", "G2", "entry", D(2016, 7, 1), None, "VE-B", None, "recruitment"),
            ("M3", "G2", "exit", D(2020, 5, 1), "VE-B", None, None, "resignation"),
            ("M4", "G3", "entry", D(2015, 1, 10), None, "VE-A", None, "graduation"),
            ("M5", "G3", "transfer", D(2019, 1, 1), "VE-A", "VE-B", None, None),
            ("M6", "G3", "emigration", D(2021, 8, 1), "VE-B", None, "ESP", "migration"),
            ("M7", "G3", "return", D(2023, 2, 1), None, "VE-B", None, None),
            ("M8", "G4", "exit", D(2022, 12, 31), "VE-B", None, None, "retirement"),
            ("M9", "G7", "entry", D(2014, 1, 1), None, "VE-B", None, "recruitment"),
            ("M11", "G8", "entry", D(2024, 2, 1), None, "VE-A", None, "graduation"),
        ]
        _movements(c, moves)
    # the back-dated exit, recorded in a later change
    with registry.change(actor="test", source="golden: back-dated exit") as c:
        _movements(c, [("M10", "G7", "exit", D(2019, 6, 30), "VE-B", None, None, "dismissal")])
        c.update("workers", "G7", {"status": "left_sector", "status_date": D(2019, 6, 30)})


def _movements(c: object, moves: list[tuple[object, ...]]) -> None:
    names = (
        "external_id",
        "worker",
        "kind",
        "date",
        "origin_area",
        "destination_area",
        "destination_country",
        "reason",
    )
    c.upsert("movements", {n: [m[i] for m in moves] for i, n in enumerate(names)})  # type: ignore[attr-defined]
