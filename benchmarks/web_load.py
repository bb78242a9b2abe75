"""Benchmark: the observatory under concurrent load on loopback (wrk), on the demo country.

Ours: `healthforce serve` (one Uvicorn process) answering the public pages and the indicators
API, after one warm-up request per URL (public figures are cached per registry version; the
cold time of that first request is reported too). Peer, in the same run: Python's standard
`http.server` (threaded) serving the very same bytes as static files, the floor of serving
these responses from Python on this machine. Target (issue 7): p95 under 300 ms for public
pages on the 1,000,000-worker demo.

    .venv/bin/python benchmarks/web_load.py [--workers 1000000] [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int) -> None:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def build(db: Path, workers: int) -> None:
    env = {**os.environ, "HEALTHFORCE_DATABASE_URL": f"sqlite:///{db}"}
    for args in (["db", "upgrade"], ["demo", "--workers", str(workers), "--replace", "--yes"]):
        subprocess.run([str(BIN / "healthforce"), *args], env=env, check=True)


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "20s",
            "-s",
            str(HERE / "wrk_report.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    a = parser.parse_args()
    db = a.db or HERE / "out" / f"web-{a.workers}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        print(f"building the demo country with {a.workers:,} workers into {db} ...", flush=True)
        build(db, a.workers)
    port, peer_port = free_port(), free_port()
    env = {**os.environ, "HEALTHFORCE_DATABASE_URL": f"sqlite:///{db}"}
    server = subprocess.Popen(
        [str(BIN / "healthforce"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    static = tempfile.TemporaryDirectory()
    peer = None
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        year = json.load(urllib.request.urlopen(f"{base}/api/v1/health"))
        del year
        years = urllib.request.urlopen(f"{base}/explorer").read().decode()
        chosen = years.split('name="year"><option value="')[1].split('"')[0]
        paths = [
            "/",
            "/explorer",
            "/map",
            "/migration",
            "/planning",
            "/placement",
            "/access",
            f"/api/v1/indicators?year={chosen}",
            f"/api/v1/indicators/download?year={chosen}&format=csv",
        ]
        cold = {}
        for i, path in enumerate(paths):
            t = time.perf_counter()
            body = urllib.request.urlopen(base + path, timeout=600).read()
            cold[path] = time.perf_counter() - t
            (Path(static.name) / f"p{i}").write_bytes(body)
        peer = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(peer_port),
                "--bind",
                "127.0.0.1",
                "--directory",
                static.name,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(peer_port)
        print(
            f"observatory under load: {a.workers:,}-worker demo, wrk 1 thread, "
            f"{a.connections} connections, {a.seconds} s per URL, loopback"
        )
        print(
            f"{'URL':58} {'cold s':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'peer req/s':>10} {'peer p95':>8} {'ratio':>6}"
        )
        worst = 0.0
        for i, path in enumerate(paths):
            ours = wrk(base + path, a.seconds, a.connections)
            theirs = wrk(f"http://127.0.0.1:{peer_port}/p{i}", a.seconds, a.connections)
            if not path.startswith("/api"):
                worst = max(worst, ours["p95_ms"])
            bad = ours["non_2xx"] + ours["errors"]
            print(
                f"{path[:58]:58} {cold[path]:7.2f} {ours['rps']:8.1f} {ours['p50_ms']:7.1f} "
                f"{ours['p95_ms']:7.1f} {theirs['rps']:10.1f} {theirs['p95_ms']:8.1f} "
                f"{theirs['rps'] / max(ours['rps'], 1e-9):6.1f}"
                + (f"  ({bad:.0f} failed)" if bad else "")
            )
        print(
            f"worst p95 of the public pages: {worst:.1f} ms; target < 300 ms: "
            f"{'met' if worst < 300 else 'MISSED'} (ratio = peer req/s / ours)"
        )
    finally:
        server.terminate()
        if peer is not None:
            peer.terminate()
        static.cleanup()


if __name__ == "__main__":
    main()
