"""Whole releases of random small registries, protected and attacked (issue 17).

Hypothesis draws a registry (the demo generator's country with a drawn number of workers, a
drawn seed, so a drawn mix of occupations, ages, states, movements and training) and a year of
its history; the year's whole public release (every indicator at both levels) is protected at
thresholds 3, 5 and 10, and the audit, which knows every relation the published figures bear
out, may find no count of 1 to k-1 people narrowed to an interval shorter than k. Small
registries spread over two dozen states are almost all small counts: the hard case."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthforce.disclosure import protect
from healthforce.disclosure.cells import MEASURES, NOT_PEOPLE
from healthforce.indicators.compute import compute
from healthforce.indicators.outputs import LEVELS
from healthforce.store import Registry, make_engine, upgrade
from healthforce.store.areas import states
from healthforce.store.timeline import coverage

pytestmark = pytest.mark.slow

PEOPLE_SHARES = [c for c, (num, _den, _p) in MEASURES.items() if num and num not in NOT_PEOPLE]


def _registry_release(folder: Path, workers: int, seed: int, back: int) -> tuple:
    from healthforce.ingest.demo import build_demo

    engine = make_engine(f"sqlite:///{folder / f'r{workers}-{seed}.db'}")
    upgrade(engine)
    build_demo(Registry(engine), workers=workers, seed=seed)
    covered = coverage(engine)
    assert covered is not None
    year = max(covered.first.year, covered.last_full_year - back)
    table = pd.concat([compute(engine, year, level=level) for level in LEVELS], ignore_index=True)
    urban_rural = states(engine).urban_rural
    engine.dispose()
    return table, urban_rural


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    workers=st.integers(100, 400),
    seed=st.integers(0, 10_000),
    back=st.integers(0, 8),
)
def test_a_random_registrys_release_is_safe_at_every_threshold(
    tmp_path: Path, workers: int, seed: int, back: int
) -> None:
    table, urban_rural = _registry_release(tmp_path, workers, seed, back)
    for threshold in (3, 5, 10):
        protected = protect(table, threshold, urban_rural)
        result = protected.audit()
        assert result.safe, (threshold, result.exposed[:5])
        shown = protected.table[~protected.table["suppressed"]]
        people = shown[shown["code"].isin(PEOPLE_SHARES)]
        small = (people["numerator"] >= 1) & (people["numerator"] < threshold)
        assert not small.any(), people[small].head()
        withheld = protected.table[protected.table["suppressed"]]
        assert withheld[["numerator", "denominator", "value"]].isna().all().all()
