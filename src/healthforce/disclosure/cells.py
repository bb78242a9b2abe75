"""A release as one set of linked counts: every number of people it publishes is a **cell**,
the same cell wherever it appears, and the arithmetic an outsider knows holds between cells is a
**relation**.

A release table (the catalogue's tidy rows, every indicator at every level) names each count by
its indicator; the same people are counted under several names: the active workers of a state
and group are ``DENSITY``'s numerator and the denominator of ``PCT_FEMALE``, the age bands,
the shares born or trained abroad and the flow rates. :data:`MEASURES` says, for each indicator,
what its numerator and denominator count, so that each distinct count becomes one cell keyed by
``(measure, year, area, group, category)``; its categories are kept apart by a prefix (the age
band ``25-34`` of the workforce is ``age:25-34``).

Relations are what the definitions imply and the figures show: the occupation groups add up to
"all", the categories of one kind to their total, the states to the country, doctors, nurses and
midwives to the SDG 3.c.1 core, the bands 55-64 and 65+ to the share aged 55 and over. Each is
taken as an equality where the figures add up exactly, as an upper bound where they fall short
(workers of unknown age are in no band), and not at all where they exceed it; and each row's
numerator is at most its denominator (the women of a group are at most its workers): an attacker is
assumed to know every relation that holds, which is the cautious assumption.

Counts of posts, facilities and norm headcounts are not counts of people: they are cells with
their relations, but never sensitive (``sensitive`` false), and populations are public
constants, not cells.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from healthforce.reference.occupations import CORE_GROUPS

#: Per indicator: what its numerator and its denominator count (None: a public constant, the
#: population), and the prefix of its categories. Counts of people are sensitive; the measures
#: in :data:`NOT_PEOPLE` are not.
MEASURES: dict[str, tuple[str | None, str | None, str]] = {
    "DENSITY": ("workforce", None, ""),
    "SDG_3C1_DNM": ("workforce", None, ""),
    "PCT_FEMALE": ("female", "sex_recorded", ""),
    "SEX_RECORDED": ("sex_recorded", "workforce", ""),
    "AGE_DISTRIBUTION": ("workforce", "workforce", "age"),
    "PCT_AGE_55_PLUS": ("aged_55_plus", "workforce", ""),
    "SECTOR": ("assigned", "assigned", "sector"),
    "FACILITY_TYPE": ("assigned", "assigned", "facility_type"),
    "LEVEL_OF_CARE": ("assigned", "assigned", "level"),
    "PCT_FOREIGN_BORN": ("foreign_born", "birth_recorded", ""),
    "BIRTH_COUNTRY_RECORDED": ("birth_recorded", "workforce", ""),
    "PCT_FOREIGN_TRAINED": ("foreign_trained", "training_recorded", "country"),
    "TRAINING_COUNTRY_RECORDED": ("training_recorded", "workforce", ""),
    "PCT_COOPERATION": ("cooperation", "workforce", ""),
    "ENTRY_RATE": ("entries", "workforce", ""),
    "EXIT_RATE_VOLUNTARY": ("exits_voluntary", "workforce", ""),
    "EXIT_RATE_INVOLUNTARY": ("exits_involuntary", "workforce", ""),
    "EMIGRATION_RATE": ("emigrations", "workforce", ""),
    "FOREIGN_SHARE_OF_ENTRANTS": ("entries_foreign_trained", "entries", ""),
    "GRADUATES_PER_100K": ("graduates", None, ""),
    "TRAINING_DROPOUT": ("dropouts", "enrolled", ""),
    "PATHWAY_COMPLETION": ("pathway_complete", "pathway_workers", ""),
    "VACANCY_RATE": ("vacant_posts", "funded_posts", ""),
    "TEAM_NORM_MET": ("facilities_meeting_norm", "facilities_with_norm", ""),
    "TEAM_MISSING_HEADCOUNT": ("missing_headcount", "norm_headcount", "occupation"),
}
NOT_PEOPLE = frozenset(
    {
        "vacant_posts",
        "funded_posts",
        "facilities_meeting_norm",
        "facilities_with_norm",
        "missing_headcount",
        "norm_headcount",
    }
)
#: Rows whose numerator and denominator are not counts at all (products of counts and
#: populations, a median): recomputed from protected figures (:mod:`healthforce.disclosure.derive`).
DERIVED = frozenset({"DENSITY_MAX_MIN", "DENSITY_URBAN_RURAL", "DENSITY_GINI", "MEDIAN_AGE"})
#: The SDG 3.c.1 core of doctors, nurses and midwives, as ``SDG_3C1_DNM`` names its group.
CORE = "core"

Key = tuple[str, int, str, str, str]  # measure, year, area, group, category


@dataclass(frozen=True)
class Relation:
    """``sum(cells[members]) == cells[total]`` (``exact``) or ``<=`` (not ``exact``)."""

    members: tuple[int, ...]
    total: int
    exact: bool


@dataclass
class Cells:
    """The distinct counts of a release, and where each row of the release reads them."""

    keys: list[Key]
    values: np.ndarray  # the true count of each cell
    sensitive: np.ndarray  # a count of people
    numerator: np.ndarray  # per release row: its numerator's cell, or -1
    denominator: np.ndarray  # per release row: its denominator's cell, or -1
    relations: list[Relation] = field(default_factory=list)

    @functools.cached_property
    def constraints(self) -> list[Relation]:
        """The relations less those others imply (a share's bound where its numerator is a part
        of an exact partition of its denominator, an age band of the workforce): the same
        knowledge in fewer rows, for the attacker's programmes."""
        parts = {
            (m, r.total)
            for r in self.relations
            if r.exact and len(r.members) > 1
            for m in r.members
        }
        return [
            r
            for r in self.relations
            if r.exact or len(r.members) != 1 or (r.members[0], r.total) not in parts
        ]

    @functools.cached_property
    def partners(self) -> list[list[int]]:
        """Per cell, for each release row that reads it, the row's other cell (-1: none): a row
        is withheld when any cell it reads is, so withholding a cell costs the rows whose other
        cell is still published."""
        out: list[list[int]] = [[] for _ in self.keys]
        for n, d in zip(self.numerator.tolist(), self.denominator.tolist(), strict=True):
            if n >= 0:
                out[n].append(d if d != n else -1)
            if d >= 0 and d != n:
                out[d].append(n)
        return out

    def __len__(self) -> int:
        return len(self.keys)


def _row_keys(table: pd.DataFrame) -> tuple[list[Key | None], list[Key | None]]:
    """Each row's numerator and denominator key (None: not a cell)."""
    nums: list[Key | None] = []
    dens: list[Key | None] = []
    cols = ("code", "year", "area", "grp", "category")
    for code, year, area, grp, category in table[list(cols)].itertuples(index=False, name=None):
        year, area, grp, category = int(year), str(area), str(grp), str(category)
        if code == "NURSES_PER_DOCTOR":
            nums.append(("workforce", year, area, "nursing", ""))
            dens.append(("workforce", year, area, "medical_doctors", ""))
            continue
        if code == "PRIMARY_CARE_DOCTORS":
            nums.append(("assigned", year, area, grp, "level:1"))
            dens.append(("assigned", year, area, grp, ""))
            continue
        spec = MEASURES.get(str(code))
        if spec is None:  # derived rows, and any indicator not described: no cells
            nums.append(None)
            dens.append(None)
            continue
        num, den, prefix = spec
        cat = f"{prefix}:{category}" if prefix and category else category
        nums.append((num, year, area, grp, cat) if num else None)
        dens.append((den, year, area, grp, "") if den else None)
    return nums, dens


def cells(table: pd.DataFrame, country: str) -> Cells:
    """The cells and relations of a release table (rows of every indicator at every level;
    ``country``: the area code of the country-level rows)."""
    nums, dens = _row_keys(table)
    values = pd.to_numeric(table["numerator"], errors="coerce").to_numpy(float)
    den_values = pd.to_numeric(table["denominator"], errors="coerce").to_numpy(float)
    index: dict[Key, int] = {}
    found: list[float] = []
    for refs, vals in ((nums, values), (dens, den_values)):
        for key, value in zip(refs, vals, strict=True):
            if key is not None and key not in index:
                index[key] = len(found)
                found.append(0.0 if np.isnan(value) else float(value))
    keys = list(index)
    out = Cells(
        keys=keys,
        values=np.array(found, dtype=float),
        sensitive=np.array([k[0] not in NOT_PEOPLE for k in keys], dtype=bool),
        numerator=np.array([-1 if k is None else index[k] for k in nums], dtype=np.int64),
        denominator=np.array([-1 if k is None else index[k] for k in dens], dtype=np.int64),
    )
    shares = {(int(n), int(d)) for n, d in zip(out.numerator, out.denominator, strict=True)}
    out.relations = _relations(index, out.values, country, shares - {(-1, -1)})
    return out


def _relations(
    index: dict[Key, int], values: np.ndarray, country: str, shares: set[tuple[int, int]]
) -> list[Relation]:
    """The additive relations the definitions imply, kept where the figures bear them out;
    ``shares``: the (numerator, denominator) cells of the release's rows, the one no larger
    than the other (a share of a total)."""
    candidates: list[tuple[list[int], int]] = [
        ([n], d) for n, d in sorted(shares) if n >= 0 and d >= 0 and n != d
    ]
    by_group: dict[tuple[str, int, str, str], dict[str, int]] = defaultdict(dict)
    by_category: dict[tuple[str, int, str, str, str], list[int]] = defaultdict(list)
    by_area: dict[tuple[str, int, str, str], list[int]] = defaultdict(list)
    for key, cell in index.items():
        measure, year, area, grp, category = key
        by_group[(measure, year, area, category)][grp] = cell
        if ":" in category:
            by_category[(measure, year, area, grp, category.split(":", 1)[0])].append(cell)
        if area != country:
            by_area[(measure, year, grp, category)].append(cell)
    for (_m, _y, _a, _c), groups in by_group.items():
        members = [c for g, c in groups.items() if g not in ("all", CORE)]
        if "all" in groups and len(members) > 1:
            candidates.append((members, groups["all"]))
        core = [groups[g] for g in CORE_GROUPS if g in groups]
        if CORE in groups and core:
            candidates.append((core, groups[CORE]))
    for (measure, year, area, grp, _kind), members in by_category.items():
        total = index.get((measure, year, area, grp, ""))
        if total is not None:
            candidates.append((members, total))
    for (measure, year, grp, category), members in by_area.items():
        total = index.get((measure, year, country, grp, category))
        if total is not None and total not in members:
            candidates.append((members, total))
    for (measure, year, area, grp, category), cell in index.items():
        if measure == "aged_55_plus" and not category:
            bands = [
                index.get(("workforce", year, area, grp, f"age:{b}")) for b in ("55-64", "65+")
            ]
            candidates.append(([b for b in bands if b is not None], cell))
    out = []
    for members, total in candidates:
        got = float(values[members].sum()) if members else 0.0
        if got == values[total]:
            out.append(Relation(tuple(members), total, True))
        elif got < values[total]:
            out.append(Relation(tuple(members), total, False))
    return out
