"""Shared by the benchmarks: run a part in a child process and read its time and peak memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_part(script: Path, *args: str) -> dict[str, float]:
    """Run ``script --part ...`` in a fresh interpreter; it prints one JSON line of figures."""
    out = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{script.name} {' '.join(args)} failed:\n{out.stderr}")
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
