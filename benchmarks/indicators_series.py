"""Benchmark: the indicator catalogue as a ten-year series (issue 16).

Builds (or finds current) the indicator summaries of each year from 2015 to 2024, each from the
registry's dated history, printing each year's time, then times the whole catalogue for the ten
years read from the summaries, twice. Targets (issue 16): all years rebuilt in at most 60 s, the
ten-year catalogue in at most 3 s and at least 5x a pandas peer computing the same series (the
peer is not written yet: the pandas catalogue of indicators_catalogue.py counts today's status).

    .venv/bin/python benchmarks/indicators_series.py --db m1.db
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import delete

from healthforce.indicators import summary
from healthforce.indicators.series import series
from healthforce.store import make_engine
from healthforce.store.models import SummaryYear


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--first", type=int, default=2015)
    parser.add_argument("--last", type=int, default=2024)
    args = parser.parse_args()
    engine = make_engine(f"sqlite:///{args.db}")
    home = summary.home_of(engine)
    with engine.begin() as conn:  # every year rebuilt: the first from the registry, each
        conn.execute(delete(SummaryYear))  # other carried over from the one before
    started = time.perf_counter()
    per_year = []
    for year in range(args.first, args.last + 1):
        built = time.perf_counter()
        summary.current(engine, year, home)
        per_year.append(time.perf_counter() - built)
    total = time.perf_counter() - started
    print(f"indicator summaries {args.first}-{args.last}, from the dated history:")
    print(f"  per year (s, 0 where already current): {', '.join(f'{t:.1f}' for t in per_year)}")
    print(f"  all years: {total:.1f} s (target <= 60 s)")
    for _ in range(2):
        read = time.perf_counter()
        table = series(engine, args.first, args.last)
        print(
            f"  the catalogue for the {args.last - args.first + 1} years from the summaries: "
            f"{time.perf_counter() - read:.2f} s, {len(table):,} rows (target <= 3 s)"
        )


if __name__ == "__main__":
    main()
