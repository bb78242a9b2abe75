"""An independent engine agrees: the deterministic national model equals a PySD run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from healthforce.forecast.spec import Dims, Pipeline, SupplyParams
from healthforce.forecast.supply import project_supply
from tests.forecast.pysd_model import vensim

pysd = pytest.importorskip("pysd", reason="PySD is a test dependency: pip install -e .[test]")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_national_model_equals_pysd(tmp_path: Path) -> None:
    g, horizon = 12, 15
    rng = np.random.default_rng(4)
    stock = rng.uniform(50, 500, g)
    retirement = np.concatenate([np.zeros(g - 4), [0.05, 0.1, 0.2, 0.4]])
    mortality = np.linspace(0.001, 0.02, g)
    other, emigration = 0.03, 0.02
    entry = rng.dirichlet(np.ones(g))
    intake, completion, share, duration = 120.0, 0.75, 0.9, 4
    dims = Dims(("2211",), ("VEN",), 2020, horizon, ("F",), 20, g)
    params = SupplyParams(
        stock=stock.reshape(1, 1, 1, g),
        retirement=retirement.reshape(1, 1, g),
        mortality=mortality.reshape(1, g),
        other_exit=np.array([other]),
        emigration=np.array([[emigration]]),
        immigration=np.array([[35.0]]),
        returns=np.zeros((1, 1)),
        entry_age=entry.reshape(1, g),
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
    ours = project_supply(dims, params).headcount[:, 0, 0, 0]
    survive = (1 - retirement) * (1 - mortality) * (1 - other) * (1 - emigration)
    model_file = tmp_path / "supply.mdl"
    model_file.write_text(
        vensim(
            [repr(float(v)) for v in stock],
            [repr(float(v)) for v in survive],
            [float(v) for v in entry],
            35.0,
            (intake * completion * share, duration),
            horizon,
        )
    )
    model = pysd.read_vensim(str(model_file))
    theirs = model.run(return_columns=["Total"])["Total"].to_numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
