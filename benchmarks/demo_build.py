"""Benchmark: build the demo country (default 1,000,000 workers) into the default SQLite store.

Ours: ``build_demo`` through the registry API (validation of every field, reference resolution,
duplicate checks, audit entries, one transaction). Peer, in the same run: the same generated rows
written with plain ``sqlite3.executemany`` into the same schema, references resolved with Python
dicts, no validation and no audit: the cost floor of writing those rows at all. Generation time
is included in both. Each part runs in its own process so peak memory is its own.

    .venv/bin/python benchmarks/demo_build.py [--workers N]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from _measure import peak_rss_mb, run_part
from healthforce.ingest.demo import build_demo, generate_demo
from healthforce.ingest.reference import seed_reference
from healthforce.store import Registry, make_engine, upgrade
from healthforce.store.registry import CODE_KEYED
from healthforce.store.schema import ENTITIES


def ours(path: Path, workers: int) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    build_demo(Registry(engine), workers=workers, seed=1)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb()}


def peer(path: Path, workers: int) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Registry(engine).change(actor="bench", source="reference") as change:
        seed_reference(change)  # both sides start from the reference data
    engine.dispose()
    started = time.perf_counter()
    data = generate_demo(workers, seed=1)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    ids: dict[str, dict[object, object]] = {}
    for entity, cols in data.steps:
        spec = ENTITIES[entity]
        names, values = [], []
        for f in spec.fields:
            if f.name not in cols:
                continue
            col = cols[f.name]
            if f.ref is not None and f.ref.entity not in CODE_KEYED and f.ref.entity != entity:
                lookup = ids[f.ref.entity]
                col = [lookup.get(v) for v in col]
            names.append(f.column)
            values.append(col)
        table = spec.table
        first_id = conn.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{table}"').fetchone()[0] + 1
        rows = list(zip(*values, strict=True))
        if entity == "areas":  # parents come first; ids follow insertion order
            code_i, parent_i = names.index("code"), names.index("parent_id")
            area_ids: dict[object, object] = {}
            for k, row in enumerate(rows):
                area_ids[row[code_i]] = first_id + k
            rows = [
                tuple(area_ids.get(v) if i == parent_i else v for i, v in enumerate(r))
                for r in rows
            ]
        marks = ", ".join("?" for _ in names)
        conn.executemany(f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({marks})', rows)
        if len(spec.key) == 1:
            ids[entity] = {k: first_id + i for i, k in enumerate(cols[spec.key[0]])}
    conn.commit()
    conn.close()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--part", choices=["ours", "peer"])
    args = parser.parse_args()
    if args.part:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.db"
            figures = (ours if args.part == "ours" else peer)(path, args.workers)
            figures["db_mb"] = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
        print(json.dumps(figures))
        return
    script = Path(__file__)
    a = run_part(script, "--part", "ours", "--workers", str(args.workers))
    b = run_part(script, "--part", "peer", "--workers", str(args.workers))
    print(f"demo build, {args.workers:,} workers, SQLite")
    print(
        f"  ours (validated, audited):      {a['seconds']:8.1f} s  peak {a['peak_mb']:7.0f} MB"
        f"  db {a['db_mb']:6.0f} MB"
    )
    print(
        f"  peer (raw sqlite3 executemany): {b['seconds']:8.1f} s  peak {b['peak_mb']:7.0f} MB"
        f"  db {b['db_mb']:6.0f} MB"
    )
    print(
        f"  ratio ours/peer: time {a['seconds'] / b['seconds']:.2f}x, "
        f"memory {a['peak_mb'] / b['peak_mb']:.2f}x"
    )


if __name__ == "__main__":
    main()
