"""Small hand-built supply models for tests."""

from __future__ import annotations

import numpy as np

from healthforce.forecast.spec import Cooperation, Dims, Pipeline, SupplyParams


def single_stock(
    s0: float,
    attrition: float,
    entries: float,
    horizon: int = 10,
    intake: float = 0.0,
    duration: int = 6,
    completion: float = 1.0,
    share: float = 1.0,
) -> tuple[Dims, SupplyParams]:
    """One occupation, area, sex and open age group: S_{t+1} = S_t (1 - a) + I."""
    dims = Dims(("2211",), ("X",), 2020, horizon, ("F",), 20, 1, last_age_open=True)
    return dims, SupplyParams(
        stock=np.full((1, 1, 1, 1), s0),
        retirement=np.zeros((1, 1, 1)),
        mortality=np.zeros((1, 1)),
        other_exit=np.array([attrition]),
        emigration=np.zeros((1, 1)),
        immigration=np.array([[entries]]),
        returns=np.zeros((1, 1)),
        entry_age=np.ones((1, 1)),
        entry_sex=np.ones((1, 1)),
        pipeline=Pipeline(
            np.full((horizon + 1, 1, 1), intake),
            2020,
            np.array([duration]),
            np.array([completion]),
            np.array([share]),
        ),
        fte=np.ones(1),
    )


def small_country(
    seed: int = 0, horizon: int = 10, occupations: int = 2, areas: int = 3, ages: int = 12
) -> tuple[Dims, SupplyParams]:
    """Every flow on, random but plausible."""
    rng = np.random.default_rng(seed)
    o, a, s, g = occupations, areas, 2, ages
    dims = Dims(
        tuple(f"O{i}" for i in range(o)),
        tuple(f"A{i}" for i in range(a)),
        2020,
        horizon,
        ("F", "M"),
        20,
        g,
    )
    migration = rng.uniform(0, 0.03, (o, a, a))
    entry_age = rng.dirichlet(np.ones(g), o)
    return dims, SupplyParams(
        stock=rng.uniform(0, 100, (o, a, s, g)),
        retirement=np.clip(
            np.linspace(0, 0.3, g)[None, None] * rng.uniform(0.5, 1.5, (o, s, 1)), 0, 1
        ),
        mortality=np.full((s, g), 0.002),
        other_exit=rng.uniform(0, 0.05, o),
        emigration=rng.uniform(0, 0.04, (o, a)),
        immigration=rng.uniform(0, 10, (o, a)),
        returns=rng.uniform(0, 3, (o, a)),
        entry_age=entry_age,
        entry_sex=np.array([[0.6, 0.4]] * o),
        pipeline=Pipeline(
            rng.uniform(0, 40, (horizon + 8, o, a)),
            2012,
            np.array([6, 3][:o] + [4] * max(0, o - 2)),
            np.full(o, 0.8),
            np.full(o, 0.9),
        ),
        fte=np.full(o, 0.9),
        migration=migration,
        cooperation=Cooperation(
            rng.uniform(0, 20, (o, a)), rng.uniform(0, 5, (horizon, o, a)), np.full(o, 0.5), 2
        ),
    )
