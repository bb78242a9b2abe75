"""Benchmark: protecting a year's whole public release (issue 17).

Ours: ``healthforce.disclosure.protect`` on the year's catalogue at both levels (every
indicator, one linked release), then the attacker's audit of what it publishes. Peer, in the
same run (another process): the per-table suppression the release used before (the package at
a git revision, ``--baseline``), timed on the same table, and then attacked by the same audit:
its information loss, and how many small counts an outsider could narrow below the threshold.
Targets (issue 17): the 1,000,000-worker release protected in at most 10 s and 1 GB; the audit
of the 100,000-worker release in at most 60 s; fewer rows withheld than the per-table method's
32 % at threshold 5, with nothing exposed.

    cd benchmarks && ../.venv/bin/python disclosure.py --db m1.db --baseline 2e0cd4d
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

from _measure import baseline_source, peak_rss_mb, run_part


def _release(db: Path, year: int, cache: Path) -> pd.DataFrame:
    """The year's catalogue at both levels (computed once, kept beside the database)."""
    if cache.exists():
        return pd.read_pickle(cache)
    from healthforce.indicators.compute import compute
    from healthforce.store import make_engine

    engine = make_engine(f"sqlite:///{db}")
    table = pd.concat([compute(engine, year, level=lv) for lv in ("state", "country")])
    table.to_pickle(cache)
    return table


def ours(table: pd.DataFrame, threshold: int) -> dict[str, float]:
    from healthforce.disclosure import protect

    started = time.perf_counter()
    protected = protect(table, threshold)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    audited = time.perf_counter()
    result = protected.audit()
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "audit_seconds": time.perf_counter() - audited,
        "protected": float(result.protected),
        "exposed": float(len(result.exposed)),
        "row_loss": protected.row_loss,
        "cell_loss": protected.cell_loss,
    }


def peer(table: pd.DataFrame, threshold: int) -> dict[str, float]:
    """The per-table suppression of the baseline (its output is attacked by today's audit)."""
    from healthforce.indicators.suppression import suppress  # the baseline's module

    started = time.perf_counter()
    base = table[
        ~table["code"].isin(
            ["DENSITY_MAX_MIN", "DENSITY_URBAN_RURAL", "DENSITY_GINI", "MEDIAN_AGE"]
        )
    ].reset_index(drop=True)
    parts = [suppress(g, threshold) for _, g in base.groupby("level", sort=False)]
    out = pd.concat(parts, ignore_index=True)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "row_loss": float(out["suppressed"].mean()),
        "rows": float(len(out)),
        "withheld": float(out["suppressed"].sum()),
        "table": str(
            json.dumps(
                out[["code", "level", "area", "grp", "category"]]
                .assign(
                    suppressed=out["suppressed"].astype(bool),
                    numerator_shown=out["numerator"].notna(),
                    denominator_shown=out["denominator"].notna(),
                )
                .to_dict("list")
            )
        ),
    }


def attack_peer(table: pd.DataFrame, shown: dict[str, list[object]], threshold: int) -> float:
    """How many small counts an outsider narrows below the threshold from the baseline's
    output: today's audit, with the cells the baseline showed as the known ones."""
    import numpy as np

    from healthforce.disclosure.audit import audit
    from healthforce.disclosure.cells import DERIVED, cells

    base = table[~table["code"].isin(DERIVED)].reset_index(drop=True)
    c = cells(base, "VEN")
    frame = pd.DataFrame(shown)
    key = ["code", "level", "area", "grp", "category"]
    merged = base[key].merge(frame, on=key, how="left")
    known = np.zeros(len(c), dtype=bool)
    for refs, column in ((c.numerator, "numerator_shown"), (c.denominator, "denominator_shown")):
        seen = merged[column].fillna(False).to_numpy(bool)
        known[refs[(refs >= 0) & seen]] = True
    return float(len(audit(c, ~known, threshold).exposed))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--threshold", type=int, default=5)
    parser.add_argument("--baseline", default="2e0cd4d", help="git revision of the peer")
    parser.add_argument("--part", choices=["ours", "peer"])
    args = parser.parse_args()
    cache = args.db.with_suffix(f".release{args.year}.pkl")
    if args.part:
        table = _release(args.db, args.year, cache)
        figures = {"ours": ours, "peer": peer}[args.part](table, args.threshold)
        print(json.dumps(figures))
        return
    script = Path(__file__)
    extra = ["--db", str(args.db), "--year", str(args.year), "--threshold", str(args.threshold)]
    _release(args.db, args.year, cache)
    a = run_part(script, "--part", "ours", *extra)
    with tempfile.TemporaryDirectory() as folder:
        b = run_part(
            script, "--part", "peer", *extra, source=baseline_source(args.baseline, Path(folder))
        )
    shown = json.loads(str(b.pop("table")))
    exposed_peer = attack_peer(pd.read_pickle(cache), shown, args.threshold)
    print(f"public release {args.year}, {args.db}, threshold {args.threshold}")
    print(
        f"  ours (linked release, LP-audited): {a['seconds']:.2f} s  peak {a['peak_mb']:.0f} MB  "
        f"rows withheld {a['row_loss']:.1%} (counts of people {a['cell_loss']:.1%})  "
        f"audit {a['audit_seconds']:.2f} s: {a['exposed']:.0f} of {a['protected']:.0f} small "
        "counts exposed"
    )
    print(
        f"  peer (per-table suppression, {args.baseline}): {b['seconds']:.2f} s  "
        f"peak {b['peak_mb']:.0f} MB  rows withheld {b['row_loss']:.1%}  "
        f"the same audit: {exposed_peer:.0f} small counts exposed"
    )
    print(f"  ratio ours/peer: time {a['seconds'] / b['seconds']:.2f}x")


if __name__ == "__main__":
    main()
