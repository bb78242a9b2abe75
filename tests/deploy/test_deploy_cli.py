"""Deployment on the demo country through the CLI: plan (nothing written), apply (audited)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.ingest.demo import build_demo
from healthforce.settings import get_settings
from healthforce.store import Registry, make_engine, upgrade
from healthforce.store.models import Assignment, ChangeSet


def test_plan_apply_and_access_on_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(engine)
    build_demo(Registry(engine), workers=2_000, seed=5)
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", engine.url.render_as_string())
    get_settings.cache_clear()
    runner = CliRunner()
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(Assignment)).scalar_one()
    plan = tmp_path / "plan.csv"
    result = runner.invoke(
        app,
        ["deploy", "plan", str(plan), "--occupation", "2211", "--movable", "--on", "2025-01-01"],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(plan)
    assert len(table) > 100
    assert table["post"].notna().all()
    assert (tmp_path / "plan.report.json").exists()
    assert "only (not certified: --certify)" in " ".join(result.output.split())
    said = " ".join(result.output.split())
    assert "placed / ubicados:" in said and "workers / trabajadores" in said
    assert "distance from home / distancia desde la residencia (km): p10" in said
    left_out = pd.read_csv(tmp_path / "plan.unplaced.csv")
    still = pd.read_csv(tmp_path / "plan.vacant.csv")
    assert list(left_out.columns)[:2] == ["worker", "occupation"]
    assert len(still) and still["reason"].notna().all() and still["facility_name"].notna().all()
    certified = runner.invoke(
        app,
        [
            "deploy",
            "plan",
            str(tmp_path / "certified.csv"),
            "--occupation",
            "2211",
            "--on",
            "2025-01-01",
            "--certify",
        ],
    )
    assert certified.exit_code == 0, certified.output
    assert "the complete graph (certified)" in " ".join(certified.output.split())
    # wishes: a hardship post caps its terms in the plan; a wrong row is located, nothing written
    first, far = table.iloc[0], str(table["facility"].iloc[-1])
    wishes = tmp_path / "wishes.csv"
    wishes.write_text(
        "worker,kind,target,km,months\n"
        f",hardship,{first['facility']},,12\n{first['worker']},exclude,{far},,\n"
    )
    wished = runner.invoke(
        app,
        [
            "deploy",
            "plan",
            str(tmp_path / "wished.csv"),
            "--occupation",
            "2211",
            "--movable",
            "--on",
            "2025-01-01",
            "--wishes",
            str(wishes),
        ],
    )
    assert wished.exit_code == 0, wished.output
    capped = pd.read_csv(tmp_path / "wished.csv")
    there = capped[capped["facility"] == first["facility"]]
    assert len(there) and (there["max_term_months"] == 12).all()
    mine = capped[capped["worker"] == first["worker"]]
    assert far not in set(mine["facility"])
    wishes.write_text("worker,kind,target\nNOBODY,prefer,F1\n")
    refused = runner.invoke(
        app, ["deploy", "plan", str(tmp_path / "no.csv"), "--wishes", str(wishes)]
    )
    assert refused.exit_code == 1 and "row 2" in refused.output and "NOBODY" in refused.output
    assert not (tmp_path / "no.csv").exists()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Assignment)).scalar_one() == before
    # placement letters: the mail-merge table in each language, and one printed page a worker
    for lang, heading, day in (
        ("en", "Worker (identifier)", "February 1, 2025"),
        ("es", "Trabajador (identificador)", "1 de febrero de 2025"),
    ):
        merge = tmp_path / f"letters_{lang}.csv"
        asked = ["deploy", "letters", str(plan), "--start", "2025-02-01", "--lang", lang]
        said = runner.invoke(app, [*asked, "--term-months", "24", "--output", str(merge)])
        assert said.exit_code == 0, said.output
        merged = pd.read_csv(merge, encoding="utf-8-sig")
        assert len(merged) == len(table) and heading in merged.columns
        assert (merged.iloc[:, 6] == day).all() and merged.iloc[:, 8].str.endswith(" km").all()
        assert merged["aviso / notice"].str.contains("sintéticos").all()  # the demo says so
    printed = tmp_path / "letters.pdf"
    done = runner.invoke(
        app,
        ["deploy", "letters", str(plan), "--start", "2025-02-01", "--output", str(printed)],
    )
    assert done.exit_code == 0, done.output
    assert printed.read_bytes().startswith(b"%PDF")
    import weasyprint

    from healthforce.deploy.letters import html, letters

    three = letters(engine, plan, start=pd.Timestamp("2025-02-01").date(), lang="es").head(3)
    assert len(weasyprint.HTML(string=html(three, "es")).render().pages) == 3  # a page each
    with engine.connect() as conn:  # letters write nothing
        assert conn.execute(select(func.count()).select_from(Assignment)).scalar_one() == before
    applied = runner.invoke(app, ["deploy", "apply", str(plan), "--start", "2025-02-01"])
    assert applied.exit_code == 0, applied.output
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(Assignment)).scalar_one()
        source = (
            conn.execute(select(ChangeSet.source).order_by(ChangeSet.id.desc())).scalars().first()
        )
    said = " ".join(applied.output.split())  # as one line, whatever the console's width
    written = int(said.split("Written / Escrito: ")[1].split()[0].replace(",", ""))
    kept = int(said.split("transfers between states / traslados entre estados; ")[1].split()[0])
    assert after == before + written and written + kept == len(table)  # --movable: some stay
    assert source is not None and source.startswith("deploy apply plan.csv sha256:")
    again = runner.invoke(app, ["deploy", "apply", str(plan), "--start", "2025-02-01"])
    assert again.exit_code == 0 and "Already applied in change set" in again.output
    wrong = runner.invoke(app, ["deploy", "apply", str(plan), "--start", "2025-02-30"])
    assert wrong.exit_code == 2 and "not a date" in wrong.output
    rotation = runner.invoke(
        app,
        [
            "deploy",
            "rotation",
            "--from",
            "2025-01-01",
            "--quarters",
            "8",
            "--output",
            str(tmp_path / "rot.csv"),
        ],
    )
    assert rotation.exit_code == 0, rotation.output
    rot = pd.read_csv(tmp_path / "rot.csv")
    assert len(rot) > 0
    assert rot["worker"].is_unique  # one row per leaver
    assert all(
        s in {"replaced", "left, post vacant"} or s.startswith("extended (last doctor)")
        for s in rot["status"]
    )
    bad_quarter = runner.invoke(
        app, ["deploy", "apply", str(tmp_path / "rot.csv"), "--quarter", "2025-Q5"]
    )
    assert bad_quarter.exit_code == 2 and "2025-Q3" in bad_quarter.output
    access = runner.invoke(
        app, ["access", "coverage", "--km", "10", "--add", "20", "--on", "2025-01-01"]
    )
    assert access.exit_code == 0, access.output
    assert "Covered / cubierta" in access.output
    # without --on: the registry's reference date, said; a wrong date: a located message
    default = runner.invoke(app, ["access", "coverage", "--km", "10"])
    assert default.exit_code == 0 and "the registry's reference date" in default.output
    wrong = runner.invoke(app, ["access", "coverage", "--on", "2025-13-01"])
    assert wrong.exit_code == 2 and "not a date YYYY-MM-DD" in wrong.output
    assert "Traceback" not in wrong.output
    get_settings.cache_clear()


def test_options_are_checked_before_anything_runs(tmp_path: Path) -> None:
    """A negative distance, an unknown occupation, a zero k or quarter count: refused with
    the option named, no traceback."""
    runner = CliRunner()
    cases = [
        (["access", "coverage", "--km", "-5"], "--km"),
        (["access", "coverage", "--add", "-1"], "--add"),
        (["deploy", "plan", str(tmp_path / "p.csv"), "--occupation", "9999"], "9999"),
        (["deploy", "plan", str(tmp_path / "p.csv"), "--k", "0"], "--k"),
        (["deploy", "plan", str(tmp_path / "p.csv"), "--underserved", "-1"], "--underserved"),
        (["deploy", "rotation", "--quarters", "0"], "--quarters"),
    ]
    for args, named in cases:
        result = runner.invoke(app, args)
        said = " ".join(result.output.split())
        assert result.exit_code == 2, (args, result.output)
        assert named in said and "Traceback" not in said, (args, said)
    assert not (tmp_path / "p.csv").exists()


def test_the_plan_summary_says_unknown_as_unknown() -> None:
    from healthforce.cli.deploy import summary_lines

    lines = summary_lines(
        {"placed": 1234, "equity_before": float("nan"), "distance_km": {10: 1.25, 50: 3.5}}
    )
    assert "placed / ubicados: 1,234 workers / trabajadores" in lines
    assert any(
        line.startswith("equity before") and "unknown / desconocido" in line for line in lines
    )
    assert "distance from home / distancia desde la residencia (km): p10 1.2, p50 3.5" in lines
