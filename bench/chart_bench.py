"""Time the org-chart engine on generated organisations of 10 to 10,000 units.

Run: .venv/bin/python bench/chart_bench.py [--sizes 10,100,1000,10000] [--repeat 3]

For each size it prints the layout time (cold: label measurements not cached, best of
--repeat runs), the time to fit the chart to A3 landscape pages, then the time to draw
every page as SVG and as PNG (72 dpi), each with its ratio to the previous size. Each
size is ten times the previous one, so linear growth shows as ratios near 10.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dpo_docs.chart import measure  # noqa: E402
from dpo_docs.chart.layout import layout  # noqa: E402
from dpo_docs.chart.paginate import paginate  # noqa: E402
from dpo_docs.chart.png import to_png  # noqa: E402
from dpo_docs.chart.sample import sample_tree  # noqa: E402
from dpo_docs.chart.svg import to_svg  # noqa: E402
from dpo_docs.outputs.orgchart import Paper  # noqa: E402

LAYOUT_BUDGET_S = 1.0
LINEAR_SLACK = 1.5  # a ratio up to 1.5 times the size ratio still counts as linear


def _cold() -> None:
    """Forget measured labels, as a fresh process would."""
    measure.clear_caches()


def _best(func, repeat: int, cold: bool = False) -> float:
    """The best wall time of ``repeat`` calls, in ms."""
    best = float("inf")
    for _ in range(repeat):
        if cold:
            _cold()
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _ratio(value: float, previous: float | None) -> str:
    """``×r`` against the previous size, or a dash for the first."""
    return "—" if previous is None else f"×{value / previous:.1f}"


def main() -> int:
    """Run the sizes, print the table and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    box = Paper.of("A3", "landscape").box
    print(f"org chart engine, Python {platform.python_version()}, {os.cpu_count()} CPU(s)")
    head = (f"{'units':>7} {'layout ms':>10} {'ratio':>6} {'paginate ms':>12} {'pages':>6}"
            f" {'SVG ms':>9} {'ratio':>6} {'PNG ms':>9} {'ratio':>6}")
    print(head)
    print("-" * len(head))
    # Warm up: imports and font files are a one-off cost, not the engine's.
    to_png(layout(sample_tree(10)), dpi=72)
    rows = {}
    previous = None
    for size in sizes:
        root = sample_tree(size, seed=size)
        lay_ms = _best(lambda root=root: layout(root), args.repeat, cold=True)
        start = time.perf_counter()
        pages = paginate(root, box).pages
        pag_ms = (time.perf_counter() - start) * 1000
        svg_ms = _best(lambda pages=pages: [to_svg(p.layout, "t", "d") for p in pages], 1)
        png_ms = _best(lambda pages=pages: [to_png(p.layout, dpi=72) for p in pages], 1)
        row = (lay_ms, svg_ms, png_ms)
        ratios = [_ratio(v, previous[i] if previous else None) for i, v in enumerate(row)]
        print(f"{size:>7,} {lay_ms:>10.1f} {ratios[0]:>6} {pag_ms:>12.1f} {len(pages):>6}"
              f" {svg_ms:>9.1f} {ratios[1]:>6} {png_ms:>9.1f} {ratios[2]:>6}")
        rows[size] = row
        previous = row
    print()
    if 10_000 in rows:
        ms = rows[10_000][0]
        verdict = "yes" if ms < LAYOUT_BUDGET_S * 1000 else "NO"
        print(f"layout of 10,000 units under {LAYOUT_BUDGET_S:g} s: {verdict} ({ms:.0f} ms)")
    if len(sizes) >= 2:
        small, big = sizes[-2], sizes[-1]
        expected = big / small
        for name, i in (("layout", 0), ("SVG", 1), ("PNG", 2)):
            ratio = rows[big][i] / rows[small][i]
            verdict = "yes" if ratio <= expected * LINEAR_SLACK else "NO"
            print(f"{name} grows linearly from {small:,} to {big:,} units: {verdict} "
                  f"(×{ratio:.1f} for ×{expected:g} units)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
