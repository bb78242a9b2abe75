"""Workers' wishes and the programme's rules, by hand on the equator (0.1 degree of longitude is
11.1 km): preferences and exclusions in the flow, spouses together and pairs kept apart by the
repair step, hardship terms in the plan, and a wrong file located by row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from healthforce.deploy.allocate import allocate
from healthforce.deploy.network import Placement
from healthforce.deploy.plan import DeploymentProblem, plan_table
from healthforce.deploy.wishes import read_wishes, respect_pairs, with_wishes
from healthforce.errors import ValidationError

#: Facilities: id -> (code, longitude, vacant posts of 2211), all in state VE-A.
FACILITIES = {1: ("F1", 0.0, 1), 2: ("F2", 0.2, 2), 3: ("F3", 0.5, 2)}


def _problem(homes: dict[str, float]) -> DeploymentProblem:
    ids = sorted(FACILITIES)
    placement = Placement(
        worker_ids=np.array(list(homes), dtype=object),
        worker_lat=np.zeros(len(homes)),
        worker_lon=np.array(list(homes.values())),
        worker_occupation=np.array(["2211"] * len(homes), dtype=object),
        slot_facility=np.array(ids, dtype=np.int64),
        slot_lat=np.zeros(len(ids)),
        slot_lon=np.array([FACILITIES[f][1] for f in ids]),
        slot_occupation=np.array(["2211"] * len(ids), dtype=object),
        slot_capacity=np.array([FACILITIES[f][2] for f in ids], dtype=np.int64),
        slot_critical=np.zeros(len(ids), dtype=np.int64),
        slot_weight=np.ones(len(ids)),
        slot_area=np.array(["VE-A"] * len(ids), dtype=object),
    )
    return DeploymentProblem(
        placement,
        [[f"P{f}{i}" for i in range(FACILITIES[f][2])] for f in ids],
        {f: FACILITIES[f][0] for f in ids},
        dict.fromkeys(ids, "VE-A"),
        {},
        {},
        {},
        np.zeros(0, dtype=np.int64),
    )


def _wishes(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "wishes.csv"
    path.write_text("worker,kind,target,km,months\n" + "\n".join(rows) + "\n")
    return path


def _where(problem: DeploymentProblem, result: object) -> dict[str, str]:
    table = plan_table(problem, result)  # type: ignore[arg-type]
    return dict(zip(table["worker"], table["facility"], strict=True))


@pytest.mark.parametrize("certify", [False, True])
def test_a_preference_and_an_exclusion_enter_the_optimum(tmp_path: Path, certify: bool) -> None:
    """W1 lives at F1 but prefers F2, 22 km away, by 50 km: F2 costs it -28, F1 0. W2 lives at
    F1 too and may not work there: F2 (22 km), never F1, certified or not; F1 stays vacant."""
    problem = _problem({"W1": 0.0, "W2": 0.0})
    path = _wishes(tmp_path, ["W1,prefer,F2,50,", "W2,exclude,F1,,"])
    wished = with_wishes(problem, read_wishes(path, problem))
    result = allocate(wished.placement, certify=certify, team_rounds=0)
    assert _where(wished, result) == {"W1": "F2", "W2": "F2"}
    if certify:
        assert result.certified


def test_an_exclusion_by_state_and_a_preference_by_state(tmp_path: Path) -> None:
    problem = _problem({"W1": 0.0})
    path = _wishes(tmp_path, ["W1,exclude,VE-A,,"])
    result = allocate(with_wishes(problem, read_wishes(path, problem)).placement, team_rounds=0)
    assert result.worker.size == 0  # every post is in VE-A: better unplaced than there


def test_pairs_kept_apart_and_spouses_placed_together(tmp_path: Path) -> None:
    """W1 and W2 live by F2 (0.19) and both go there; they must not work together: W2, whose
    move costs the same, goes to the next post with room, F3 (34 km from home, F1 21 km but
    full with W4). Spouses W3 (home 0.5, at F3) and W4 (home 0.0, at F1): W4 to F3 costs
    55.6 km more, over its 30 km default bonus, so W3 to F1? F1 is full: they stay apart. With
    a 60 km bonus W4 joins W3 in F3."""
    homes = {"W1": 0.19, "W2": 0.19, "W3": 0.5, "W4": 0.0}
    problem = _problem(homes)
    path = _wishes(tmp_path, ["W1,not_with,W2,,", "W3,with,W4,,"])
    wishes = read_wishes(path, problem)
    wished = with_wishes(problem, wishes)
    result = allocate(wished.placement, team_rounds=0)
    assert _where(wished, result) == {"W1": "F2", "W2": "F2", "W3": "F3", "W4": "F1"}
    kept, moves = respect_pairs(wished, result, wishes)
    where = _where(wished, kept)
    assert where["W1"] != where["W2"] and "F2" in (where["W1"], where["W2"])
    assert where["W4"] == "F1" and len(moves) == 1 and "not with" in str(moves[0]["why"])
    generous = read_wishes(_wishes(tmp_path, ["W3,with,W4,60,"]), problem)
    joined, moves = respect_pairs(wished, result, generous)
    assert _where(wished, joined)["W4"] == "F3" and moves[0]["to"] == "F3"
    assert int(joined.unfilled.sum()) == 5 - 4  # five posts, four workers placed


def test_a_hardship_post_caps_the_term_in_the_plan(tmp_path: Path) -> None:
    from healthforce.deploy.apply import term_for as _term

    problem = _problem({"W1": 0.5})
    wishes = read_wishes(_wishes(tmp_path, [",hardship,F3,,12"]), problem)
    result = allocate(problem.placement, team_rounds=0)
    table = plan_table(problem, result, wishes.hardship)
    assert table.loc[0, "facility"] == "F3" and table.loc[0, "max_term_months"] == 12
    assert (_term(24, "12"), _term(None, "12"), _term(6, "12"), _term(24, "")) == (12, 12, 6, 24)


def test_a_wrong_wishes_file_is_located_row_by_row(tmp_path: Path) -> None:
    problem = _problem({"W1": 0.0, "W2": 0.0})
    path = _wishes(
        tmp_path,
        [
            "W1,prefers,F2,,",  # row 2: no such kind
            "W9,prefer,F2,,",  # row 3: not a worker to place
            "W1,prefer,F9,,",  # row 4: no such facility
            "W1,prefer,F2,-3,",  # row 5: a negative bonus
            "W1,with,W1,,",  # row 6: oneself
            ",hardship,F2,,0",  # row 7: no term
        ],
    )
    with pytest.raises(ValidationError) as info:
        read_wishes(path, problem)
    found = [(p.row, p.field) for p in info.value.problems]
    assert found == [
        (2, "kind"),
        (3, "worker"),
        (4, "target"),
        (5, "km"),
        (6, "target"),
        (7, "months"),
    ]
    assert all(p.source == str(path) and " / " in p.reason for p in info.value.problems)
