"""Time a full build, a build where nothing changed, and a build after one office changed.

Each build runs as its own `python -m dpo_docs` process on a copy of the project, as a
user or CI would run it; figures are medians of a few runs, reported with their ratios
to the full build (the machines are shared: ratios from one run are what to compare).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3
NO_CHANGE_MAX_S = 0.3
NO_CHANGE_MAX_RATIO = 0.05


def build(project: Path, *args: str) -> float:
    """Wall time of one build, in seconds; fails loudly if the build fails."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "dpo_docs", "-q", "build", *args], cwd=project,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr}")
    return elapsed


def toggle_office(project: Path, run: int) -> None:
    """Change one office's description (differently each run)."""
    units = project / "data/units.yaml"
    text = units.read_text(encoding="utf-8")
    marker = "pour appuyer la réalisation des objectifs de l’ONU"
    units.write_text(text.replace(marker, f"{marker} (révision {run})", 1) if f"(révision {run - 1})" not in text
                     else text.replace(f"(révision {run - 1})", f"(révision {run})"), encoding="utf-8")


def main() -> None:
    """Measure and print the three builds with their ratios and targets."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(ROOT / "data", project / "data")
        full, none, one = [], [], []
        for run in range(1, RUNS + 1):
            shutil.rmtree(project / "output", ignore_errors=True)
            full.append(build(project))
            none.append(build(project))
            toggle_office(project, run)
            one.append(build(project))
    f, n, o = (statistics.median(x) for x in (full, none, one))
    print(f"dpo-docs build benchmark (median of {RUNS} runs, each build a separate process)")
    print(f"{'build':<34}{'seconds':>9}{'ratio to full':>15}")
    print(f"{'full build (empty output folder)':<34}{f:>9.3f}{1:>15.3f}")
    print(f"{'no change':<34}{n:>9.3f}{n / f:>15.3f}")
    print(f"{'one office changed':<34}{o:>9.3f}{o / f:>15.3f}")
    ok_ratio, ok_time = n / f < NO_CHANGE_MAX_RATIO, n < NO_CHANGE_MAX_S
    print(f"target: no-change build under {NO_CHANGE_MAX_RATIO:.0%} of a full build: "
          f"{n / f:.1%} -> {'met' if ok_ratio else 'NOT met'}")
    print(f"target: no-change build under {NO_CHANGE_MAX_S} s: {n:.3f} s -> {'met' if ok_time else 'NOT met'}")


if __name__ == "__main__":
    main()
