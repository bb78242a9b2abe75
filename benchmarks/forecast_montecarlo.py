"""Benchmark: Monte Carlo supply projection, 1,000 draws x 25 areas x 10 occupations x 2 sexes
x 60 ages (20 to 79, the registry's model) x 20 years, every flow on (exits by cause,
emigration, immigration, returns, graduates from the training pipeline, internal migration,
cooperation terms), each rate with the events it was estimated from (their sampling error is
drawn too).

Ours: ``monte_carlo`` (float32, draws as an array axis). Peer, in the same run: PySD running the
same disaggregated stock-and-flow model deterministically (a Vensim model with 60 age stocks
subscripted by occupation x area x sex; exits, immigration and graduates), one run. The ratio
compares time per draw. Targets (issue 5): at most 5 s and 2 GB, at least 100x faster per draw.

    .venv/bin/python benchmarks/forecast_montecarlo.py [--draws N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from _measure import peak_rss_mb, run_part

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from healthforce.forecast.spec import Cooperation, Dims, Pipeline, SupplyParams
from healthforce.forecast.uncertainty import monte_carlo

O, A, S, G, YEARS = 10, 25, 2, 60, 20  # noqa: E741 - the model's axes


def model() -> tuple[Dims, SupplyParams]:
    rng = np.random.default_rng(0)
    dims = Dims(
        tuple(f"O{i}" for i in range(O)),
        tuple(f"A{i:02d}" for i in range(A)),
        2025,
        YEARS,
        ("F", "M"),
        20,
        G,
    )
    ages = np.arange(20, 20 + G)
    retirement = np.where(ages >= 60, 0.08, 0.0)[None, None, :] * rng.uniform(0.8, 1.2, (O, S, 1))
    return dims, SupplyParams(
        stock=rng.uniform(0, 40, (O, A, S, G)),
        retirement=retirement,
        mortality=np.stack([0.0002 * np.exp(0.085 * (ages - 20))] * 2),
        other_exit=rng.uniform(0.01, 0.04, (O, A)),
        emigration=rng.uniform(0.0, 0.03, (O, A)),
        immigration=rng.uniform(0, 20, (O, A)),
        returns=rng.uniform(0, 5, (O, A)),
        entry_age=rng.dirichlet(np.ones(G) * 0.5, O),
        entry_sex=np.tile([0.6, 0.4], (O, 1)),
        pipeline=Pipeline(
            rng.uniform(10, 80, (YEARS + 10, O, A)),
            2015,
            rng.integers(3, 7, O),
            np.full(O, 0.75),
            np.full(O, 0.9),
        ),
        fte=np.full(O, 0.95),
        migration=rng.uniform(0, 0.004, (O, A, A)),
        cooperation=Cooperation(
            rng.uniform(0, 30, (O, A)), rng.uniform(0, 6, (YEARS, O, A)), np.full(O, 0.5), 2
        ),
        events={  # as the loader counts them over its five-year window
            "retirement": rng.integers(5, 400, O).astype(float),
            "mortality": np.array(120.0),
            "other_exit": rng.integers(10, 900, O).astype(float),
            "emigration": rng.integers(0, 300, O).astype(float),
            "immigration": rng.integers(0, 200, O).astype(float),
            "returns": rng.integers(0, 50, O).astype(float),
        },
    )


def ours(draws: int) -> dict[str, float]:
    dims, params = model()
    monte_carlo(dims, params, draws=2, seed=0)  # warm up imports and caches
    started = time.perf_counter()
    result = monte_carlo(dims, params, draws=draws, seed=1)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "draws": draws,
        "total": float(result.total[-1].sum() / draws),
    }


def peer() -> dict[str, float]:
    import pysd
    from tests.forecast.pysd_model import vensim

    dims, params = model()
    keep = (1 - params.retirement[0, 0]) * (1 - params.mortality[0]) * (1 - 0.025) * (1 - 0.015)
    subscripts = {"occ": list(dims.occupations), "area": list(dims.areas), "sex": ["F", "M"]}
    text = vensim(
        [f"{float(params.stock[..., k].mean())!r}" for k in range(G)],
        [repr(float(v)) for v in keep],
        [float(v) for v in params.entry_age[0]],
        12.5,
        (float(45 * 0.75 * 0.9), 5),
        YEARS,
        subscripts,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "supply.mdl"
        path.write_text(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = pysd.read_vensim(str(path))
            started = time.perf_counter()
            loaded.run(return_columns=["Total"])
            seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_rss_mb(), "draws": 1}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--part", choices=["ours", "peer"])
    args = parser.parse_args()
    if args.part:
        print(json.dumps(ours(args.draws) if args.part == "ours" else peer()))
        return
    script = Path(__file__)
    a = run_part(script, "--part", "ours", "--draws", str(args.draws))
    b = run_part(script, "--part", "peer")
    per_draw_ours = a["seconds"] / a["draws"]
    print(
        f"supply Monte Carlo: {args.draws:,} draws x {A} areas x {O} occupations x {S} sexes "
        f"x {G} ages x {YEARS} years"
    )
    print(
        f"  ours (vectorised, float32): {a['seconds']:7.2f} s  peak {a['peak_mb']:6.0f} MB  "
        f"({per_draw_ours * 1000:.2f} ms per draw)"
    )
    print(
        f"  peer (PySD, one deterministic run): {b['seconds']:7.2f} s  peak {b['peak_mb']:6.0f} MB"
    )
    print(
        f"  ratio per draw: {b['seconds'] / per_draw_ours:,.0f}x faster (target >= 100x); "
        f"targets: <= 5 s and <= 2,048 MB"
    )


if __name__ == "__main__":
    main()
