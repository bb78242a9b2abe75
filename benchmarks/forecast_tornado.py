"""Benchmark: a tornado of 20 parameters x 2 (each 10 % down and up) on the supply of one
occupation 20 years ahead: the nine national parameters (retirement, mortality, other exits,
emigration, immigration, returns, intake, completion, graduates entering practice) and each of
11 occupations' own new intake, on the registry-sized model of the Monte Carlo benchmark
(25 areas x 11 occupations x 2 sexes x 60 ages x 20 years, every flow on): 41 projections.

Ours: ``sensitivity`` (one deterministic projection per parameter value, float64). Peer, in the
same run: PySD running the same disaggregated stock-and-flow model once; a tornado takes 41 such
runs, so its figure is that run's time x 41 (measured once, multiplied: 41 runs would take
minutes). Target (issue 19): at most 10 s.

    .venv/bin/python benchmarks/forecast_tornado.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import forecast_montecarlo as shared
from _measure import peak_rss_mb, run_part

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from healthforce.forecast.uncertainty import by_occupation, sensitivity

shared.O = 11  # nine national parameters and 11 occupations' intake: 20
PARAMETERS = 20
RUNS = 2 * PARAMETERS + 1  # each parameter down and up, and the baseline


def ours() -> dict[str, float]:
    dims, params = shared.model()
    names = by_occupation(dims)[:PARAMETERS]
    sensitivity(dims, params, 0.10, dims.occupations[0], 2026, parameters=names[:1])  # warm up
    started = time.perf_counter()
    table = sensitivity(dims, params, 0.10, dims.occupations[0], dims.years[-1], parameters=names)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "parameters": len(table),
        "widest": float(table["swing"].iloc[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["ours", "peer"])
    args = parser.parse_args()
    if args.part:
        print(json.dumps(ours() if args.part == "ours" else shared.peer()))
        return
    script = Path(__file__)
    a = run_part(script, "--part", "ours")
    b = run_part(script, "--part", "peer")
    peer_total = b["seconds"] * RUNS
    print(
        f"tornado: {int(a['parameters'])} parameters x 2 ({RUNS} projections) of "
        f"{shared.A} areas x {shared.O} occupations x {shared.S} sexes x {shared.G} ages x "
        f"{shared.YEARS} years"
    )
    print(f"  ours (sensitivity): {a['seconds']:7.2f} s  peak {a['peak_mb']:6.0f} MB")
    print(
        f"  peer (PySD): one run {b['seconds']:.2f} s measured, x {RUNS} runs = {peer_total:,.0f} s"
    )
    print(f"  ratio: {peer_total / a['seconds']:,.0f}x faster; target: <= 10 s")


if __name__ == "__main__":
    main()
