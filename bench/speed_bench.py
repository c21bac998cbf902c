"""Speed of the whole pipeline, on the default data and on generated 100- and 300-unit
organisations with a fact sheet for every unit.

Every build runs as its own process (as a user or CI runs it). Figures are reported with
the target beside them; compare ratios measured in one run, as the machines are shared.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import genorg  # noqa: E402

LAUNCH = """
import json, resource, runpy, sys
sys.argv = ["dpo-docs", "-q", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("dpo_docs", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(__import__("os").environ["BENCH_OUT"], "w").write(json.dumps([code, own, kids]))
"""


def build(project: Path, *args: str) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, largest process) of one build process."""
    out = project / ".bench.json"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", LAUNCH, "x", "build", *args], cwd=project, check=True,
                   env={**os.environ, "BENCH_OUT": str(out)})
    elapsed = time.perf_counter() - started
    code, own, kids = json.loads(out.read_text())
    if code:
        sys.exit(f"build failed in {project}")
    return elapsed, max(own, kids) / 1024


def in_process(project: Path) -> dict[str, float]:
    """Per-document costs measured inside one process, engines already loaded."""
    code = f"""
import gc, json, time, os
os.chdir({str(project)!r})
from dpo_docs.settings import default_settings
from dpo_docs.build import load_data
from dpo_docs.plan import plan
from dpo_docs.outputs import Session, make, outputs
from dpo_docs.outputs import weasy
settings = default_settings()
data = load_data(settings)
jobs = {{}}
planned = plan(data, settings, jobs)
kinds = outputs()
briefing = next(p.target for p in planned if p.target.kind == "briefing")
sheets = [p.target for p in planned if p.target.kind == "factsheets"]
job = jobs["fr"]
session = Session(settings, "fr")
def briefing_html():
    return kinds["briefing"].html(kinds["briefing"].context(briefing, job), session)
make(briefing, job)  # warm up engines and caches
make(sheets[0], job)
html = briefing_html()
ours, alone, stages = [], [], []
def whole():
    t = time.perf_counter(); make(briefing, job); ours.append(time.perf_counter() - t)
def engine():
    t = time.perf_counter(); weasy.html_to_pdf(html, settings.templates_dir); alone.append(time.perf_counter() - t)
for i in range(9):  # interleaved, in both orders; the least disturbed run of each counts
    for step in ((whole, engine) if i % 2 == 0 else (engine, whole)):
        gc.collect()  # neither run pays for the other's garbage
        step()
    t = time.perf_counter()
    briefing_html()
    stages.append(time.perf_counter() - t)
ours, weasy_alone, before_engine = min(ours), min(alone), min(stages)
pdf = make(briefing, job).files[briefing.paths[0]]
from pypdf import PdfReader
import io
pages = len(PdfReader(io.BytesIO(pdf)).pages)
times = []
for target in sheets:
    t = time.perf_counter()
    make(target, job)
    times.append(time.perf_counter() - t)
times.sort()
per_sheet = sum(times) / len(times)
slowest = sum(times[-len(times) // 10:]) / (len(times) // 10)
subsetter = weasy.font_subsetter()
print(json.dumps({{"ours": ours, "weasy": weasy_alone, "stages": before_engine, "pages": pages, "per_sheet": per_sheet,
                  "slowest": slowest, "sheets": len(times), "subsetter": subsetter}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def scenario(project: Path, workers: int) -> dict[str, float]:
    """Cold, warm, no-change and one-change builds of one project."""
    shutil.rmtree(project / "output", ignore_errors=True)
    cold, cold_mem = build(project, "-j", str(workers))
    warm, warm_mem = build(project, "--force", "-j", str(workers))
    none, _ = build(project)
    units = project / "data/units.yaml"
    text = units.read_text(encoding="utf-8")
    # Toggle between two wordings, so every scenario really changes one office.
    old, new = ("pour appuyer la réalisation", "pour soutenir la réalisation")
    if old not in text:
        old, new = new, old
    units.write_text(text.replace(old, new, 1), encoding="utf-8")
    one, _ = build(project, "-j", str(workers))
    return {"cold": cold, "warm": warm, "none": none, "one": one, "mem": max(cold_mem, warm_mem)}


def line(label: str, value: str, target: str = "", verdict: bool | None = None) -> None:
    """One row of the report."""
    mark = "" if verdict is None else ("met" if verdict else "NOT met")
    print(f"{label:<52}{value:>14}  {target:<28}{mark}")


def help_time(runs: int = 5) -> float:
    """Median wall time of ``dpo-docs --help``, through the installed command."""
    command = Path(sys.executable).with_name("dpo-docs")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(command), "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def speedup(project: Path, workers: int, runs: int = 3) -> tuple[float, float, float]:
    """Warm builds with one worker and with ``workers``, interleaved: the fastest of each, and their ratio.

    The fastest run is the least disturbed by other work on a shared machine.
    """
    one, many = [], []
    for _ in range(runs):
        one.append(build(project, "--force", "-j", "1")[0])
        many.append(build(project, "--force", "-j", str(workers))[0])
    return min(one), min(many), min(one) / min(many)


def main() -> None:
    """Run every scenario and print the figures with their targets."""
    cores = len(os.sched_getaffinity(0))
    help_s = help_time()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        default = genorg.make_project(tmp / "default", 13, every_unit_sheet=False)
        (default / "data/units.yaml").write_text((genorg.ROOT / "data/units.yaml").read_text(encoding="utf-8"),
                                                 encoding="utf-8")
        org100 = genorg.make_project(tmp / "org100", 100)
        org300 = genorg.make_project(tmp / "org300", 300)
        d = scenario(default, 1)
        one100 = scenario(org100, 1)
        one300 = scenario(org300, 1)
        two300 = scenario(org300, 2)
        speedups = [(2, *speedup(org300, 2))]
        if cores > 2:
            speedups.append((cores, *speedup(org300, cores)))
        costs = in_process(org300)
    print("dpo-docs speed benchmark (each build a separate process; seconds; best or median where said)")
    line("", "value", "target")
    line("dpo-docs --help (median of 5)", f"{help_s:.3f} s", "< 0.3 s", help_s < 0.3)
    for name, s in (("default data", d), ("100 units, -j 1", one100), ("300 units, -j 1", one300),
                    ("300 units, -j 2", two300)):
        line(f"{name}: cold full build", f"{s['cold']:.2f} s")
        line(f"{name}: warm full build (--force)", f"{s['warm']:.2f} s")
        line(f"{name}: no-change build", f"{s['none']:.3f} s", "< 0.3 s", s["none"] < 0.3)
        line(f"{name}: one-change build", f"{s['one']:.2f} s")
    overhead = costs["ours"] / costs["weasy"]  # fastest of 5 interleaved runs each
    line("briefing, 300 units: pipeline / WeasyPrint (best of 9)", f"{overhead:.3f}", "<= 1.10", overhead <= 1.10)
    line("briefing: data to HTML before WeasyPrint", f"{costs['stages'] * 1000:.1f} ms",
         f"({costs['stages'] / costs['weasy']:.1%} of WeasyPrint)")
    line("briefing: ms per PDF page", f"{costs['ours'] * 1000 / costs['pages']:.1f} ms",
         f"({costs['pages']} pages)")
    line(f"Word fact sheet, mean of all {costs['sheets']} (with chart PNG)", f"{costs['per_sheet'] * 1000:.1f} ms",
         "< 50 ms", costs["per_sheet"] < 0.05)
    line("Word fact sheet, mean of the slowest tenth", f"{costs['slowest'] * 1000:.1f} ms", "(big branches)")
    line("font subsetting by", costs["subsetter"], "HarfBuzz", costs["subsetter"] == "HarfBuzz")
    for workers, one_s, many_s, ratio in speedups:
        line(f"{workers} workers over 1, 300 units (best of 3: {one_s:.1f} / {many_s:.1f} s)", f"{ratio:.2f}x",
             ">= 1.7x" if workers == 2 else "", ratio >= 1.7 if workers == 2 else None)
    peak = max(one300["mem"], two300["mem"])
    line("peak memory, 300 units (largest process)", f"{peak:.0f} MB", "< 500 MB", peak < 500)
    growth = one300["warm"] / one100["warm"]
    line("300-unit build / 100-unit build", f"{growth:.2f}", "<= 3.3", growth <= 3.3)


if __name__ == "__main__":
    main()
