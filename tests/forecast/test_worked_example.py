"""docs/forecast.md's worked example, end to end from the command line: the demo country, an
imported population projection, a scenario file with its own need, 200 draws. Every figure of
the documented table must be what the CLI prints, and the CSV's gap in FTE what the text says."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.settings import get_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"
FORECAST = [
    "forecast",
    "--scenario",
    str(EXAMPLES / "plan_2035.toml"),
    "--draws",
    "200",
    "--seed",
    "1",
    "--horizon",
    "10",
]


def _documented() -> list[list[str]]:
    """The body rows of the table between the worked-example markers."""
    text = (DOCS / "forecast.md").read_text("utf-8")
    block = text.split("<!-- worked-example -->", 1)[1].split("<!-- /worked-example -->", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("|")][2:]  # no heading
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def _printed(output: str) -> list[list[str]]:
    """The table's rows, each of its lines' cells joined with <br> (rows are ruled apart)."""
    rows: list[list[list[str]]] = [[]]
    for line in output.splitlines():
        if line.startswith("│"):
            rows[-1].append([cell.strip() for cell in line.strip("│").split("│")])
        elif line.startswith(("├", "└")):
            rows.append([])
    return [
        ["<br>".join(part for part in parts if part) for parts in zip(*lines, strict=True)]
        for lines in rows
        if lines
    ]


def test_the_worked_example_reproduces_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", f"sqlite:///{tmp_path / 'example.db'}")
    monkeypatch.setenv("COLUMNS", "220")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        for command in (
            ["demo", "--workers", "4000", "--seed", "3", "--no-access"],
            ["import", "population", str(EXAMPLES / "population.csv")],
        ):
            done = runner.invoke(app, command)
            assert done.exit_code == 0, done.output
        shown = runner.invoke(app, [*FORECAST, "--occupation", "2211"])
        assert shown.exit_code == 0, shown.output
        assert _printed(shown.output) == _documented(), shown.output
        assert "the country's projection shared out" in shown.output
        out = tmp_path / "plan.csv"
        written = runner.invoke(app, [*FORECAST, "--format", "csv", "--output", str(out)])
        assert written.exit_code == 0, written.output
    finally:
        get_settings.cache_clear()
    long = pd.read_csv(out, encoding="utf-8-sig", dtype={"occupation": str}, low_memory=False)
    row = long[
        (long["scenario"] == "Plan 2035")
        & (long["year"] == 2035)
        & (long["level"] == "country")
        & (long["occupation"] == "2211")
    ].set_index("measure")["value"]
    said = (DOCS / "forecast.md").read_text("utf-8")
    fte, need_fte, gap_fte = re.search(r"([\d.]+) - ([\d.]+) = (\d+) \(`gap_fte`", said).groups()  # type: ignore[union-attr]
    assert row["fte"] == pytest.approx(float(fte), abs=0.05)
    assert row["need_fte"] == pytest.approx(float(need_fte), abs=0.05)
    assert round(row["gap_fte"]) == int(gap_fte)
    assert row["need"] == pytest.approx(25 * 310_620 / 10_000)  # the norm, by hand
