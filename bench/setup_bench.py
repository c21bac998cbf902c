"""Time a fresh `make briefing`: a new copy of the committed project, no virtual environment.

This is what a new user or CI does first. The package caches (uv's or pip's) are warm, as
on any machine that installed once; the system packages are already present. Reported:
the whole command, and how much of it is the virtual environment and its packages.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 15.0
RUNS = 2


def fresh_copy(dest: Path) -> None:
    """The committed tree (HEAD) unpacked into ``dest``, as a clone would give it."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def timed(cmd: list[str], cwd: Path) -> float:
    """Wall time of ``cmd`` in ``cwd``; fails loudly if it fails."""
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def main() -> None:
    """Measure and print fresh set-up times against the target."""
    totals, installs = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            fresh_copy(project)
            totals.append(timed(["make", "briefing"], project))
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            fresh_copy(project)
            installs.append(timed(["make", ".venv/.runtime-stamp"], project))
    total, install = min(totals), min(installs)
    print(f"fresh `make briefing` (best of {RUNS}; warm package cache)")
    print(f"{'step':<40}{'seconds':>9}{'share':>8}")
    print(f"{'whole command':<40}{total:>9.2f}{1:>8.2f}")
    print(f"{'  of which: environment and packages':<40}{install:>9.2f}{install / total:>8.2f}")
    verdict = "met" if total < TARGET_S else "NOT met"
    print(f"target: under {TARGET_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
