"""Benchmark: importing a 50 MB boundary file (issue 18: at most 30 s).

The file: about 1,100 "municipalities" (Voronoi cells of random points inside Venezuela's real
states, clipped to the country and densified to about 50 MB of GeoJSON). Ours, on an empty
SQLite registry that holds the 25 states: ``healthforce import areas FILE --level 2`` through
:func:`healthforce.ingest.boundaries.import_areas` (GDAL read, repair, parent by containment,
centroids, web outlines, validation and the audited write). Peer, in the same run: the least a
hand-written reader does with the same file (``json.load`` + ``shapely.shape`` + centroid and
simplification, no parents, no database), the floor of any import.

    .venv/bin/python benchmarks/boundaries.py [--mb 50] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

from _measure import peak_rss_mb, run_part


def make_file(path: Path, mb: float, seed: int = 0) -> int:
    """Write the municipalities file; returns its feature count."""
    from healthforce.geo.shapes import points_in
    from healthforce.ingest.demo.geography import load_states

    rng = np.random.default_rng(seed)
    states = load_states()
    country = shapely.union_all([s.geometry for s in states]).buffer(0)
    per = rng.multinomial(1100, [s.share for s in states]) + 1
    seeds = np.vstack(
        [points_in(s.geometry, int(k), rng) for s, k in zip(states, per, strict=True)]
    )
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds[:, ::-1]), extend_to=country)
    pieces = [c.intersection(country) for c in shapely.get_parts(cells)]
    pieces = [p for p in pieces if not p.is_empty and p.area > 0]
    # densify until the file reaches the size asked
    plain = sum(len(shapely.to_geojson(p)) for p in pieces)
    step = 0.05
    while True:
        dense = shapely.segmentize(pieces, step)
        size = sum(len(shapely.to_geojson(p)) for p in dense) + 120 * len(dense)
        if size >= mb * 2**20 or step < 1e-4:
            break
        step /= max(1.2, (mb * 2**20 / max(size, plain)) ** 0.8)
    features = [
        {
            "type": "Feature",
            "properties": {"ADM2_PCODE": f"VE-M{i:04d}", "ADM2_ES": f"Municipio {i}"},
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for i, g in enumerate(dense)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return len(features)


def part(which: str, path: Path, folder: Path) -> None:
    t = time.perf_counter()
    extra: dict[str, float] = {}
    if which == "ours":
        from healthforce.ingest.boundaries import import_areas
        from healthforce.ingest.demo.geography import BOUNDARIES
        from healthforce.ingest.sources import packaged
        from healthforce.store import make_engine, upgrade
        from healthforce.store.registry import Registry

        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        registry = Registry(engine)
        states = import_areas(registry, packaged(BOUNDARIES), level=1, country="VEN")
        assert states.outcome == "stored", states.problems
        t = time.perf_counter()
        report = import_areas(registry, path, level=2)
        if report.outcome != "stored":
            raise SystemExit(f"import refused: {report.problems[:3]}")
        extra = {"areas": report.result.inserted, "repaired": len(report.warnings)}
    else:
        collection = json.loads(path.read_text("utf-8"))
        for feature in collection["features"]:
            geom = shape(feature["geometry"])
            geom.centroid  # noqa: B018 - the work measured
            shapely.to_geojson(shapely.simplify(geom, 0.005, preserve_topology=True))
    print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": peak_rss_mb(), **extra}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated file in")
    parser.add_argument("--part", choices=["ours", "peer"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--folder", type=Path)
    a = parser.parse_args()
    if a.part:
        part(a.part, a.file, a.folder)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp)
        path = folder / "municipalities.geojson"
        if not path.exists():
            make_file(path, a.mb)
        size = path.stat().st_size / 2**20
        script = Path(__file__)
        common = ["--file", str(path), "--folder", str(folder)]
        (folder / "bench.db").unlink(missing_ok=True)
        ours = run_part(script, *common, "--part", "ours")
        peer = run_part(script, *common, "--part", "peer")
    print(f"boundary import, {size:.1f} MB GeoJSON, {ours['areas']:,.0f} municipalities")
    print(
        f"  ours (import areas: GDAL, repair, parents by containment, outlines, audited "
        f"write): {ours['seconds']:.2f} s, {ours['peak_mb']:.0f} MB; "
        f"{ours['repaired']:.0f} outlines repaired"
    )
    print(
        f"  peer (json.load + shapely, no parents, no database): {peer['seconds']:.2f} s, "
        f"{peer['peak_mb']:.0f} MB"
    )
    print(
        f"  ratio (ours / peer): {ours['seconds'] / peer['seconds']:.2f}x; target <= 30 s: "
        f"{'met' if ours['seconds'] <= 30 else 'MISSED'}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
