"""The CLI end to end on a temporary SQLite registry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def registry_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_init_is_idempotent() -> None:
    first = runner.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    assert "occupations: 436 new" in first.output
    second = runner.invoke(app, ["init"])
    assert "occupations: 0 new" in second.output
    assert "436 unchanged" in second.output


def test_db_upgrade_and_current() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["db", "current"])
    assert result.output.strip() == "0013"


def test_demo_then_status(registry_file: Path) -> None:
    result = runner.invoke(app, ["demo", "--workers", "500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "workers" in result.output
    with sqlite3.connect(registry_file) as conn:  # the shipped WHO, World Bank, OECD figures
        sources = dict(conn.execute("SELECT source, count(*) FROM observation GROUP BY 1"))
    assert set(sources) == {"WHO GHO", "World Bank", "OECD"}, sources
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0
    assert "Distrito Capital" in status.output
    assert "DEMO" in status.output
    assert "resúmenes de indicadores 2024: current / al día" in status.output
    assert "Data cover / los datos cubren" in status.output
    again = runner.invoke(app, ["demo", "--workers", "500"])
    assert again.exit_code == 1
    assert "--replace" in again.output
    declined = runner.invoke(app, ["demo", "--workers", "400", "--replace"], input="n\n")
    assert declined.exit_code == 1 and "Delete the demo registry" in declined.output
    assert "Distrito Capital" in runner.invoke(app, ["status"]).output  # nothing was touched
    replaced = runner.invoke(app, ["demo", "--workers", "400", "--replace"], input="y\n")
    assert replaced.exit_code == 0, replaced.output
    # a year outside the demo's data is refused with the years it covers, not computed
    outside = runner.invoke(app, ["indicators", "--year", "1950"])
    assert outside.exit_code == 1 and "outside the registry's data" in outside.output
    assert "Traceback" not in outside.output
    # without a year: the latest the data complete, stated; a range: a series, as CSV
    latest = runner.invoke(app, ["indicators", "--code", "DENSITY", "--level", "country"])
    assert latest.exit_code == 0 and "Year / Año 20" in latest.output
    assert "the latest the data complete (reference date" in latest.output
    out = registry_file.parent / "series.csv"
    args = ["indicators", "--from", "2020", "--to", "2024", "--code", "DENSITY"]
    ran = runner.invoke(app, [*args, "--format", "csv", "--output", str(out), "--public"])
    assert ran.exit_code == 0, ran.output
    header, *rows = out.read_text("utf-8").splitlines()
    assert "year" in header and "break" in header
    assert {r.split(",")[1] for r in rows} == {"2020", "2021", "2022", "2023", "2024"}
    # a release: frozen, then not again while nothing changes, listed and verified
    first = runner.invoke(app, ["publish", "--year", "2024"])
    assert first.exit_code == 0 and "Release / Versión 1: 2024" in first.output, first.output
    again = runner.invoke(app, ["publish", "--year", "2024"])
    assert "Nothing changed since release 1" in again.output
    listed = runner.invoke(app, ["releases"])
    assert listed.exit_code == 0 and "2024" in listed.output
    verified = runner.invoke(app, ["releases", "--verify", "1"])
    assert verified.exit_code == 0 and "matches its checksum" in verified.output
    assert "release / versión 1: 2024" in runner.invoke(app, ["status"]).output
    # a range of years, each its own release; --year with a range is refused
    ranged = runner.invoke(app, ["publish", "--from", "2022", "--to", "2023"])
    assert ranged.exit_code == 0, ranged.output
    assert "Release / Versión 2: 2022" in ranged.output
    assert "Release / Versión 3: 2023" in ranged.output
    both = runner.invoke(app, ["publish", "--year", "2024", "--series"])
    assert both.exit_code != 0 and "not both" in both.output


def test_status_on_an_empty_registry() -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert "Empty" in result.output


def test_a_registry_without_tables_is_told_to_init() -> None:
    """A reading command on a database never initialised: a sentence, never a traceback."""
    result = runner.invoke(app, ["forecast"])
    assert result.exit_code == 1
    assert "healthforce init" in result.output and "Traceback" not in result.output


def test_exporting_what_cannot_be_exported_is_said() -> None:
    result = runner.invoke(app, ["export", "users", "r.csv"])  # never: password hashes
    assert result.exit_code != 0 and "cannot be exported" in result.output
    assert "workers" in result.output and "Traceback" not in result.output


def test_an_import_rebuilds_stale_indicator_summaries(registry_file: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--workers", "300", "--no-access"]).exit_code == 0
    exported = tmp_path / "workers.csv"
    assert runner.invoke(app, ["export", "workers", str(exported)]).exit_code == 0
    with sqlite3.connect(registry_file) as conn:  # as a change made without the upkeep leaves it
        conn.execute("UPDATE summary_year SET stale = 1")
    assert "desactualizados" in runner.invoke(app, ["status"]).output
    result = runner.invoke(app, ["import", "workers", str(exported)])
    assert result.exit_code == 0, result.output
    assert "Indicator summaries rebuilt for" in result.output and "2024" in result.output
    assert "current / al día" in runner.invoke(app, ["status"]).output


def test_help_loads_no_heavy_library() -> None:
    """`healthforce --help` took 3 s and 270 MB loading every library of every command; the
    commands now load what they use when they run."""
    import subprocess
    import sys

    heavy = ["fastapi", "ibis", "numpy", "ortools", "pandas", "pyarrow", "scipy", "sqlalchemy"]
    code = (
        "import sys\n"
        "from healthforce.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout[-500:]
    assert "Usage" in out.stdout


def test_revert_lists_checks_and_undoes_a_change_set(registry_file: Path) -> None:
    demo = ["demo", "--workers", "200", "--no-access", "--no-public"]
    assert runner.invoke(app, demo).exit_code == 0
    listed = runner.invoke(app, ["revert"])
    assert (
        listed.exit_code == 0 and "(America/Caracas)" in listed.output and "DEMO" in listed.output
    )
    dry = runner.invoke(app, ["revert", "1", "--dry-run"])
    assert dry.exit_code == 0 and "Would undo" in dry.output and "200 workers" in dry.output
    with sqlite3.connect(registry_file) as conn:
        assert conn.execute("SELECT count(*) FROM worker").fetchone() == (200,)
    done = runner.invoke(app, ["revert", "1"])
    assert done.exit_code == 0, done.output
    with sqlite3.connect(registry_file) as conn:
        assert conn.execute("SELECT count(*) FROM worker").fetchone() == (0,)
    again = runner.invoke(app, ["revert", "1"])  # a later change set (the revert) depends on it
    assert again.exit_code == 1 and "later change set" in again.output
    unknown = runner.invoke(app, ["revert", "99"])
    assert unknown.exit_code == 1 and "change set 99" in unknown.output
    assert "Traceback" not in again.output + unknown.output


def test_the_demo_never_replaces_a_real_registry(registry_file: Path) -> None:
    from healthforce.store import make_engine
    from tests.indicators import registry

    engine = make_engine(f"sqlite:///{registry_file}")
    assert runner.invoke(app, ["init"]).exit_code == 0
    registry.build(engine)  # a ministry's own records, not the demo's
    for args in (["demo", "--workers", "300"], ["demo", "--replace", "--yes"]):
        refused = runner.invoke(app, args)
        assert refused.exit_code == 1, refused.output
        assert "not a demo" in refused.output and "--replace" not in refused.output
    from sqlalchemy import func, select

    from healthforce.store.models import Worker

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Worker)).scalar() == 7
