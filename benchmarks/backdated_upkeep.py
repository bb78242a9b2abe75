"""Benchmark: the upkeep of a back-dated edit (issue 16).

An exit dated 2019 is recorded today for an active worker, then removed: each is a change whose
upkeep recomputes that worker's rows in every kept year of the indicator summaries (the store
registers the upkeep by name, so nothing here has to import it). Prints each change's time, the
first in a process including the compilation of the summaries' statements, and the kept years.
Target (issue 16): at most 100 ms.

    .venv/bin/python benchmarks/backdated_upkeep.py --db m1.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from sqlalchemy import text

from healthforce.store import Registry, make_engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    engine = make_engine(f"sqlite:///{parser.parse_args().db}")
    repeat = parser.parse_args().repeat
    with engine.connect() as conn:
        worker = conn.execute(
            text("SELECT external_id FROM worker WHERE status = 'active' LIMIT 1")
        ).scalar()
        kept = conn.execute(text("SELECT year FROM summary_year WHERE NOT stale")).scalars()
        years = sorted(kept)
    registry = Registry(engine)
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        with registry.change(actor="benchmark", source="back-dated exit") as change:
            change.upsert(
                "movements",
                {
                    "external_id": [f"BENCH-{i}"],
                    "worker": [worker],
                    "kind": ["exit"],
                    "date": [dt.date(2019, 6, 30)],
                    "reason": ["resignation"],
                },
            )
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with registry.change(actor="benchmark", source="back-dated exit undone") as change:
            change.delete("movements", f"BENCH-{i}")
        times.append(time.perf_counter() - started)
    print(f"back-dated exit (2019) recorded and removed, upkeep of kept years {years}:")
    print(f"  first change in the process: {1000 * times[0]:.0f} ms (compiles the statements)")
    rest = times[1:]
    print(
        f"  then: {', '.join(f'{1000 * t:.0f}' for t in rest)} ms "
        f"(mean {1000 * sum(rest) / len(rest):.0f} ms; target <= 100 ms)"
    )


if __name__ == "__main__":
    main()
