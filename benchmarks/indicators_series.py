"""Benchmark: the indicator catalogue as a ten-year series (issue 16).

Ours: every year's indicator summaries rebuilt (the first from the registry's dated history,
each other carried over from the year before), printing each year's time; then the whole
catalogue for the ten years read from the summaries (``indicators.series``), twice (the first
run in a process also compiles each indicator's SQL once). Peer, in the same run (another
process): pandas reading the registry's tables once and computing the same indicators for each
of the ten years, the workforce on each 31 December by the registry's documented rule written
again in pandas (``indicators_catalogue.present``); every figure both compute is compared.
Targets (issue 16): all years rebuilt in at most 60 s, the ten-year catalogue in at most 3 s and
at least 5x faster than the peer.

    .venv/bin/python benchmarks/indicators_series.py --db m1.db
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import ibis.backends.sqlite  # noqa: F401  (loaded before the timer, as pandas is for the peer)
import pandas as pd
from sqlalchemy import delete

from _measure import peak_rss_mb, run_part
from healthforce.indicators import summary
from healthforce.indicators.series import series
from healthforce.store import make_engine
from healthforce.store.models import SummaryYear
from indicators_catalogue import pandas_catalogue, read_tables


def ours(db: Path, first: int, last: int) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{db}")
    home = summary.home_of(engine)
    with engine.begin() as conn:  # every year rebuilt: the first from the registry, each
        conn.execute(delete(SummaryYear))  # other carried over from the one before
    started = time.perf_counter()
    per_year = []
    for year in range(first, last + 1):
        built = time.perf_counter()
        summary.current(engine, year, home)
        per_year.append(time.perf_counter() - built)
    rebuild = time.perf_counter() - started
    runs = []
    for _ in range(2):
        read = time.perf_counter()
        table = series(engine, first, last)
        runs.append(time.perf_counter() - read)
    figures = {f"year_{y}": s for y, s in zip(range(first, last + 1), per_year, strict=True)}
    return {
        **figures,
        "rebuild_seconds": rebuild,
        "first_seconds": runs[0],
        "seconds": runs[1],
        "rows": float(len(table)),
        "peak_mb": peak_rss_mb(),
    }


def peer(db: Path, first: int, last: int) -> dict[str, float]:
    started = time.perf_counter()
    tables = read_tables(db)
    theirs = pd.concat(
        [pandas_catalogue(tables, y).assign(year=y) for y in range(first, last + 1)],
        ignore_index=True,
    )
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    mine = series(make_engine(f"sqlite:///{db}"), first, last)
    mine["numerator"] = mine["numerator"].astype(float)
    median = mine["code"] == "MEDIAN_AGE"
    mine.loc[median, "numerator"] = mine.loc[median, "value"]  # compare the median itself
    mine.loc[median, "code"] = "MEDIAN_AGE_VALUE"
    keys = ["code", "year", "area", "grp", "category"]
    mine = mine.set_index(keys)[["numerator", "denominator"]].astype(float)
    theirs = theirs.set_index(keys)[["numerator", "denominator"]].astype(float)
    theirs.loc[theirs.index.get_level_values("code") == "MEDIAN_AGE_VALUE", "denominator"] = None
    common = mine.index.intersection(theirs.index)
    differ = (mine.loc[common] - theirs.loc[common]).abs() > 1e-9
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "compared": float(len(common)),
        "mismatches": float(differ.any(axis=1).sum()),
        "missing": float(len(theirs.index.difference(mine.index))),
        "codes": float(theirs.index.get_level_values("code").nunique()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--first", type=int, default=2015)
    parser.add_argument("--last", type=int, default=2024)
    parser.add_argument("--part", choices=["ours", "peer"])
    args = parser.parse_args()
    if args.part:
        fn = {"ours": ours, "peer": peer}[args.part]
        print(json.dumps(fn(args.db, args.first, args.last)))
        return
    script = Path(__file__)
    extra = ["--db", str(args.db), "--first", str(args.first), "--last", str(args.last)]
    a = run_part(script, "--part", "ours", *extra)
    b = run_part(script, "--part", "peer", *extra)
    years = range(args.first, args.last + 1)
    print(f"indicator catalogue {args.first}-{args.last}, {args.db}, every state x group")
    per_year = ", ".join(f"{a['year_' + str(y)]:.1f}" for y in years)
    print(f"  summaries rebuilt, per year (s): {per_year}")
    print(f"  all years rebuilt: {a['rebuild_seconds']:.1f} s (target <= 60 s)")
    print(
        f"  ours (the series from the summaries): {a['seconds']:.2f} s (first in the process "
        f"{a['first_seconds']:.2f} s)  peak {a['peak_mb']:.0f} MB  {a['rows']:,.0f} rows "
        "(target <= 3 s)"
    )
    print(
        f"  peer (pandas, {b['codes']:.0f} indicators, tables read once): {b['seconds']:.2f} s  "
        f"peak {b['peak_mb']:.0f} MB  ({b['compared']:,.0f} figures compared, "
        f"{b['mismatches']:,.0f} differ, {b['missing']:,.0f} not in ours)"
    )
    print(f"  ratio peer/ours: {b['seconds'] / a['seconds']:.2f}x (target >= 5)")


if __name__ == "__main__":
    main()
