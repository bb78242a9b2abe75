"""Benchmark: import 1,000,000 worker rows from CSV with full validation into the SQLite default.

Ours: ``import_file`` (encoding and delimiter detection, header matching, type, range, code-list
and reference checks, duplicate keys, one transaction, audit entries, import record). Peer, in the
same run: pandas ``read_csv`` + ``DataFrame.to_sql`` into the same database file, no validation.
Floor, also in the same run: the same rows already parsed, inserted by plain ``sqlite3`` into the
same table and committed (what SQLite itself needs, with no parsing or validation at all).
Targets (issue 3): at most 2x the pandas time and at least 125,000 rows/s. With ``--baseline
REV`` the same run also imports the file with the package as it was at git revision REV (issue
25: within 10 % of it).

    .venv/bin/python benchmarks/import_workers.py [--rows N] [--baseline REV]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from _measure import baseline_source, peak_rss_mb, run_part
from healthforce.ingest.demo.geography import area_columns, load_states
from healthforce.ingest.importer import import_file
from healthforce.ingest.reference import seed_reference
from healthforce.reference.codes import CODE_LISTS
from healthforce.store import Registry, make_engine, upgrade
from healthforce.store.registry import ROWS_PER_INSERT

HEADER = [
    "external_id",
    "national_id",
    "sex",
    "birth_date",
    "nationality",
    "birth_country",
    "training_country",
    "occupation",
    "qualification_date",
    "licence_number",
    "licence_status",
    "licence_expiry",
    "residence_area",
    "residence_lat",
    "residence_lon",
    "programme",
    "status",
    "status_date",
]


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    states = [s.code for s in load_states()]
    occs = np.array(["2211", "2212", "2221", "3221", "3253", "5321", "3212", "2261"])
    birth = np.datetime64("1950-01-01") + rng.integers(0, 45 * 365, rows)
    qualified = birth + rng.integers(22 * 365, 30 * 365, rows)
    columns = [
        [f"W{i:08d}" for i in range(rows)],
        [f"V-{10_000_000 + i}" for i in range(rows)],
        rng.choice(np.array(["F", "M"]), rows).tolist(),
        birth.astype(str).tolist(),
        ["VEN"] * rows,
        rng.choice(np.array(["VEN", "CUB", "COL"]), rows, p=[0.9, 0.08, 0.02]).tolist(),
        rng.choice(np.array(["VEN", "CUB", "COL"]), rows, p=[0.9, 0.08, 0.02]).tolist(),
        rng.choice(occs, rows).tolist(),
        qualified.astype(str).tolist(),
        [f"MPPS-{i}" for i in range(rows)],
        rng.choice(np.array(CODE_LISTS["licence_status"].codes), rows).tolist(),
        (np.datetime64("2026-01-01") + rng.integers(0, 1500, rows)).astype(str).tolist(),
        rng.choice(np.array(states), rows).tolist(),
        rng.uniform(1, 12, rows).round(5).astype(str).tolist(),
        rng.uniform(-73, -60, rows).round(5).astype(str).tolist(),
        rng.choice(np.array(CODE_LISTS["programme"].codes), rows).tolist(),
        rng.choice(np.array(["active", "on_leave", "retired"]), rows).tolist(),
        (np.datetime64("2015-01-01") + rng.integers(0, 3000, rows)).astype(str).tolist(),
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADER) + "\n")
        for row in zip(*columns, strict=True):
            handle.write(",".join(row) + "\n")


def setup(db: Path) -> None:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with Registry(engine).change(actor="bench", source="setup") as change:
        seed_reference(change)
        change.upsert("areas", area_columns(load_states()))
    engine.dispose()


def ours(db: Path, csv_path: Path) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    report = import_file(Registry(engine), "workers", csv_path, actor="bench")
    seconds = time.perf_counter() - started
    assert report.outcome == "stored", report.problems[:3]
    return {"seconds": seconds, "rows": report.result.inserted, "peak_mb": peak_rss_mb()}


def peer(db: Path, csv_path: Path) -> dict[str, float]:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(csv_path)
    with sqlite3.connect(db) as conn:
        frame.to_sql("worker_pandas", conn, index=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": float(len(frame)), "peak_mb": peak_rss_mb()}


def floor(db: Path, csv_path: Path) -> dict[str, float]:
    """What SQLite itself needs for the same rows: already parsed and checked (outside the
    timer), inserted by plain ``sqlite3`` into the same ``worker`` table (its unique keys,
    index and foreign keys) with the same many-row statements, then committed."""
    import csv

    with sqlite3.connect(db) as conn:
        area_id = dict(conn.execute("SELECT code, id FROM area").fetchall())
        change_set = conn.execute("SELECT max(id) FROM change_set").fetchone()[0]
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [
            (
                *r[:12],
                area_id[r[12]],
                float(r[13]),
                float(r[14]),
                *r[15:],
                change_set,
            )
            for r in reader
        ]
    columns = [
        "external_id", "national_id", "sex", "birth_date", "nationality", "birth_country",
        "training_country", "occupation_code", "qualification_date", "licence_number",
        "licence_status", "licence_expiry", "residence_area_id", "residence_lat",
        "residence_lon", "programme", "status", "status_date", "created_in",
    ]  # fmt: skip
    one = "(" + ", ".join("?" for _ in columns) + ")"
    per = ROWS_PER_INSERT
    sql = f"INSERT INTO worker ({', '.join(columns)}) VALUES " + ", ".join([one] * per)
    flat = [v for r in rows for v in r]
    step = per * len(columns)
    batches = [tuple(flat[i : i + step]) for i in range(0, len(flat), step)]
    raw = make_engine(f"sqlite:///{db}").raw_connection()  # the store's own pragmas
    conn = raw.driver_connection
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(sql, batches)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    raw.close()
    return {"seconds": seconds, "rows": float(len(rows)), "peak_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--part", choices=["ours", "peer", "floor"])
    parser.add_argument("--dir")
    parser.add_argument("--baseline", help="a git revision to compare ours with, same run")
    args = parser.parse_args()
    if args.part:
        folder = Path(args.dir)
        db = folder / f"{args.part}.db"
        setup(db)
        part = {"ours": ours, "peer": peer, "floor": floor}[args.part]
        figures = part(db, folder / "workers.csv")
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(Path(tmp) / "workers.csv", args.rows)
        size = (Path(tmp) / "workers.csv").stat().st_size / 2**20
        script = Path(__file__)
        a = run_part(script, "--part", "ours", "--dir", tmp)
        b = run_part(script, "--part", "peer", "--dir", tmp)
        c = run_part(script, "--part", "floor", "--dir", tmp)
        if args.baseline:
            base_dir = Path(tmp) / "baseline"
            base_dir.mkdir()
            source = baseline_source(args.baseline, base_dir)
            (Path(tmp) / "ours.db").unlink()
            d = run_part(script, "--part", "ours", "--dir", tmp, source=source)
            (Path(tmp) / "ours.db").unlink()
            a2 = run_part(script, "--part", "ours", "--dir", tmp)  # ours again, after it
    print(f"import {args.rows:,} worker rows from CSV ({size:.0f} MB) into SQLite")
    print(
        f"  ours (full validation, audit): {a['seconds']:6.2f} s  "
        f"{a['rows'] / a['seconds']:9,.0f} rows/s  peak {a['peak_mb']:6.0f} MB"
    )
    print(
        f"  peer (pandas read_csv+to_sql): {b['seconds']:6.2f} s  "
        f"{b['rows'] / b['seconds']:9,.0f} rows/s  peak {b['peak_mb']:6.0f} MB"
    )
    print(
        f"  floor (SQLite alone, same table):  {c['seconds']:6.2f} s  "
        f"{c['rows'] / c['seconds']:9,.0f} rows/s  (rows parsed before the timer)"
    )
    print(
        f"  ratio ours/peer: time {a['seconds'] / b['seconds']:.2f}x "
        f"(target <= 2x), memory {a['peak_mb'] / b['peak_mb']:.2f}x"
    )
    if args.baseline:
        mean = (a["seconds"] + a2["seconds"]) / 2
        print(
            f"  baseline ({args.baseline}): {d['seconds']:6.2f} s; ours again after it "
            f"{a2['seconds']:6.2f} s; ours (mean of two) / baseline {mean / d['seconds']:.3f}x "
            f"(target <= 1.10x)"
        )


if __name__ == "__main__":
    main()
