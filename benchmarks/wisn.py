"""Benchmark: WISN for 5,000 facilities x 10 occupations (issue 19: at most 2 s, and at least 5x
faster than a pandas implementation of the same formulas).

The workload: per facility and occupation five service activities (standards in minutes,
hours and rates per hour or per day) and one individual allowance (hours per week), plus two
category allowances per occupation shared by every facility (one in percent, one in hours a
year): 300,000 workload rows. Ours: ``forecast.workload.wisn_table`` (vectorised over every
row); peer: pandas grouping by facility and occupation and computing each group with the WISN
manual's one-facility formulas (``forecast.need.wisn``), the way a spreadsheet or a script does
it facility by facility. Both read the same checked tables; the results are compared.

    .venv/bin/python benchmarks/wisn.py [--facilities N] [--occupations K]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from healthforce.forecast.need import Activity, Allowance, WorkingTime, wisn
from healthforce.forecast.workload import wisn_table

UNITS = ("minutes", "hours", "per hour", "per day", "minutes")


def workload(facilities: int, occupations: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    occs = [f"{2200 + k}" for k in range(occupations)]
    time_ = pd.DataFrame(
        {
            "occupation": occs,
            "working_days": 260.0,
            "public_holidays": 10.0,
            "annual_leave": rng.integers(15, 25, occupations).astype(float),
            "sick_leave": 8.0,
            "other_leave": 2.0,
            "hours_per_day": 8.0,
        }
    )
    time_["days"] = time_["working_days"] - time_[
        ["public_holidays", "annual_leave", "sick_leave", "other_leave"]
    ].sum(axis=1)
    time_["awt"] = time_["days"] * time_["hours_per_day"]
    f = np.repeat(np.arange(facilities), occupations * 6)
    o = np.tile(np.repeat(np.arange(occupations), 6), facilities)
    slot = np.tile(np.arange(6), facilities * occupations)
    service = slot < 5
    unit = np.where(service, np.array((*UNITS, "hours per week"))[slot], "hours per week")
    value = np.where(
        unit == "minutes",
        rng.uniform(5, 40, f.size),
        np.where(
            unit == "hours",
            rng.uniform(0.5, 3, f.size),
            np.where(unit == "per hour", rng.uniform(0.5, 4, f.size), rng.uniform(2, 20, f.size)),
        ),
    )
    value = np.where(unit == "hours per week", rng.uniform(1, 6, f.size), value)
    local = pd.DataFrame(
        {
            "facility": [f"F{i:05d}" for i in f],
            "occupation": np.array(occs)[o],
            "kind": np.where(service, "service", "individual"),
            "activity": [f"a{s}" for s in slot],
            "value": value,
            "unit": unit,
            "annual_workload": np.where(service, rng.integers(100, 20_000, f.size), np.nan),
            "staff": np.where(service, 1.0, rng.integers(1, 3, f.size).astype(float)),
        }
    )
    shared = pd.DataFrame(
        {
            "facility": "",
            "occupation": np.repeat(occs, 2),
            "kind": "category",
            "activity": ["meetings", "records"] * occupations,
            "value": [96.0, 8.0] * occupations,
            "unit": ["hours per year", "percent"] * occupations,
            "annual_workload": np.nan,
            "staff": 1.0,
        }
    )
    return time_.set_index("occupation"), pd.concat([local, shared], ignore_index=True)


def peer(time_: pd.DataFrame, work: pd.DataFrame) -> pd.Series:
    """Facility by facility with the manual's formulas (the one-facility function)."""
    shared = work[work["facility"] == ""]
    local = work[work["facility"] != ""]

    def one(group: pd.DataFrame) -> float:
        occ = group.name[1]
        t = time_.loc[occ]
        hours = WorkingTime(
            t["working_days"],
            t["public_holidays"],
            t["annual_leave"],
            t["sick_leave"],
            t["other_leave"],
            t["hours_per_day"],
        )
        activities, individual = [], []
        for r in group.itertuples(index=False):
            if r.kind == "service":
                unit_hours = {
                    "minutes": r.value / 60,
                    "hours": r.value,
                    "per day": t["hours_per_day"] / r.value,
                }.get(r.unit)
                rate = r.value if r.unit == "per hour" else None
                activities.append(Activity(r.activity, r.annual_workload, unit_hours, rate))
            else:
                individual.append(
                    Allowance(r.activity, hours=r.value * t["days"] / 5, staff=r.staff)
                )
        category = [
            Allowance(r.activity, percent=r.value)
            if r.unit == "percent"
            else Allowance(r.activity, hours=r.value)
            for r in shared[shared["occupation"] == occ].itertuples(index=False)
        ]
        return wisn(hours, activities, category, individual, 0.0).required

    return local.groupby(["facility", "occupation"], sort=True).apply(one, include_groups=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=5_000)
    parser.add_argument("--occupations", type=int, default=10)
    a = parser.parse_args()
    time_, work = workload(a.facilities, a.occupations)
    started = time.perf_counter()
    ours = wisn_table(time_, work)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    theirs = peer(time_, work)
    peer_s = time.perf_counter() - started
    got = ours.set_index(["facility", "occupation"])["required"]
    worst = float(np.max(np.abs(got.to_numpy() - theirs.reindex(got.index).to_numpy())))
    print(
        f"WISN for {a.facilities:,} facilities x {a.occupations} occupations "
        f"({len(work):,} workload rows, {len(ours):,} results)"
    )
    print(f"  ours (wisn_table, vectorised):        {ours_s:7.3f} s")
    print(f"  peer (pandas, facility by facility):  {peer_s:7.3f} s")
    print(f"  ratio (peer / ours): {peer_s / ours_s:.1f}x; largest difference {worst:.2e} staff")
    print(
        f"  targets: <= 2 s {'met' if ours_s <= 2 else 'MISSED'}; >= 5x "
        f"{'met' if peer_s / ours_s >= 5 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
