"""Shared by the benchmarks: run a part in a child process and read its time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_part(script: Path, *args: str, source: Path | None = None) -> dict[str, float]:
    """Run ``script --part ...`` in a fresh interpreter; it prints one JSON line of figures.
    ``source``: run it on another copy of the package (its ``src`` folder), for a baseline."""
    env = None
    if source is not None:
        env = {**os.environ, "PYTHONPATH": str(source)}
    out = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env
    )
    if out.returncode:
        raise SystemExit(f"{script.name} {' '.join(args)} failed:\n{out.stderr}")
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline_source(revision: str, folder: Path) -> Path:
    """The package's ``src`` folder as it was at a git revision, unpacked into ``folder``."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", revision, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"
