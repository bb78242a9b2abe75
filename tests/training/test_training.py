"""Learning pathways on a hand-built registry: progress, expiry, coverage, places by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from healthforce.errors import ValidationError
from healthforce.ingest.importer import import_file
from healthforce.ingest.mapping import load_mapping
from healthforce.reference.occupations import group_of
from healthforce.store.registry import Registry
from healthforce.training.analysis import (
    coverage,
    interprofessional,
    load,
    progress,
    training_places,
)
from tests.indicators import registry as small

ON = dt.date(2024, 12, 31)
MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "healthforce" / "ingest" / "mappings"


@pytest.fixture
def built(db: Engine) -> Engine:
    small.build(db)
    return db


def test_progress_and_expiry(built: Engine) -> None:
    table = progress(load(built, ON)).set_index("worker")
    # Doctors need C1 (valid 2 years) and C2. W1: C1 of 2023-06-01 (expires 2025-06-01), C2.
    assert table.loc["W1", "progress"] == 1.0
    assert table.loc["W1", "expiring_soon"] == ""
    # W2: C1 of 2021 expired on 2023-01-01; C2 has no expiry.
    assert table.loc["W2", "completed"] == 1
    assert table.loc["W2", "missing"] == "C1"
    assert not table.loc["W2", "complete"]
    soon = progress(load(built, dt.date(2025, 4, 1))).set_index("worker")
    assert soon.loc["W1", "expiring_soon"] == "C1"  # within 90 days of 2025-06-01
    assert set(table.index) == {"W1", "W2"}  # only occupations with a pathway


def test_team_coverage(built: Engine) -> None:
    table = coverage(load(built, ON))
    # F1 (primary care) must have one worker certified in K1 (granted by C1): W1 is.
    row = table.set_index("competency").loc["K1"]
    assert (row["certified"], row["required"], bool(row["met"])) == (1, 1, True)


def test_interprofessional_courses(built: Engine) -> None:
    table = interprofessional(load(built, ON), group_of()).set_index("course")
    assert not table.loc["C1", "interprofessional"]  # only doctors took it


def test_training_places_by_hand(built: Engine) -> None:
    places = training_places(load(built, ON), 2027, entrants={("2211", 2026): 10})
    got = {(r.course, r.year): r.places for r in places.itertuples()}
    # Backlog: W2 lacks C1 -> 1/3 place a year in 2025-2027. Renewals: W1's C1 expires
    # 2025-06-01 and, renewed, 2027-06-01. Entrants: 10 doctors in 2026 need C1 and C2.
    assert got[("C1", 2025)] == pytest.approx(1 / 3 + 1)
    assert got[("C1", 2026)] == pytest.approx(1 / 3 + 10)
    assert got[("C1", 2027)] == pytest.approx(1 / 3 + 1)
    assert got[("C2", 2026)] == pytest.approx(10)
    assert ("C2", 2025) not in got


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        pytest.param(
            "worker,course,completed_on\nNOBODY,C1,2024-01-01\n",
            "worker",
            "no such workers",
            id="unknown-worker",
        ),
        pytest.param(
            "worker,course,completed_on\nW1,ZZ,2024-01-01\n",
            "course",
            "no such courses",
            id="unknown-course",
        ),
        pytest.param(
            "worker,course,completed_on\nW1,C1,2999-01-01\n",
            "completed_on",
            "future",
            id="future-date",
        ),
        pytest.param(
            "worker,course,completed_on\nW3,C1,2024-01-01\nW3,C1,2024-01-01\n",
            "worker",
            "duplicate",
            id="duplicate-completion",
        ),
    ],
)
def test_bad_completions(built: Engine, tmp_path: Path, text: str, field: str, reason: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text)
    report = import_file(Registry(built), "completions", path)
    assert report.outcome == "rejected"
    assert any(p.field == field and reason in p.reason for p in report.problems), report.problems


def test_a_pathway_naming_an_unknown_course_is_refused(built: Engine) -> None:
    with (
        pytest.raises(ValidationError, match="no such courses"),
        Registry(built).change(actor="t", source="t") as change,
    ):
        change.upsert("pathway_courses", {"pathway": ["PW"], "course": ["NOPE"]})


def test_learning_platform_export_through_the_shipped_mapping(
    built: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "campus.csv"
    path.write_text(
        "userid,email,course_shortname,timecompleted,grade\n"
        "W3,w3@example.org,C1,15/03/2024,87.5\n"
        "W404,ghost@example.org,C1,15/03/2024,90\n"
    )
    mapping = load_mapping(MAPPINGS / "learning_platform_completions.toml")
    report = import_file(Registry(built), "completions", path, mapping=mapping, skip_invalid=True)
    assert report.result.inserted == 1
    assert [(p.row, p.value) for p in report.problems] == [(3, "W404")]  # reported, not guessed
