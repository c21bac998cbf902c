"""Edit-to-preview latency of ``dpo-docs serve``, measured in a real browser.

For the default data and for a generated 1,000-unit organisation: start ``serve`` as a
user would, open the French org-chart page (it names every unit) in Debian's headless
Chromium, then save a new French name for one unit and time until the page, reloaded
by the server, shows it. Each figure is the median of several edits, beside its target.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
import genorg  # noqa: E402

from browser import chromium  # noqa: E402

EDITS = 5
URL = re.compile(r"http://127\.0\.0\.1:\d+/\S*")


def start(project: Path) -> tuple[subprocess.Popen, str]:
    """``dpo-docs serve`` on a free port, and the address it prints once the first build is served."""
    command = Path(sys.executable).with_name("dpo-docs")
    proc = subprocess.Popen([str(command), "serve", "--port", "0", "--lang", "fr"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        found = URL.search(line)
        if found:
            os.set_blocking(proc.stdout.fileno(), False)  # never block on output the bench does not read
            return proc, found.group(0).rstrip("/") + "/"
    proc.kill()
    sys.exit(f"serve did not print its address in {project}")


def shows(page, text: str) -> bool:
    """True when the page's current document shows ``text`` (False while it reloads)."""
    try:  # the text in the document, without forcing a layout at every poll
        return bool(page.evaluate("t => document.body !== null && document.body.textContent.includes(t)", text))
    except Exception:  # the document was replaced between two calls
        return False


def rename(units: Path, unit_id: str, name: str) -> None:
    """Give ``unit_id`` the French name ``name`` in units.yaml, written in place as an editor saves."""
    text = units.read_text(encoding="utf-8")
    block = re.compile(rf"(- id: {re.escape(unit_id)}\n(?:    .*\n)*?    name:\n      fr: ).*\n")
    new, count = block.subn(lambda m: m.group(1) + f'"{name}"\n', text, count=1)
    if count != 1:
        sys.exit(f"no French name for {unit_id} in {units}")
    units.write_text(new, encoding="utf-8")


def latency(project: Path, unit_id: str, page) -> list[float]:
    """Seconds from saving a new name to the page showing it, for each edit."""
    proc, url = start(project)
    times = []
    try:
        page.goto(url + "fr/orgchart.html")
        for n in range(EDITS):
            name = f"Unité renommée {n} {time.monotonic_ns() % 100000}"
            time.sleep(0.5)  # the page has settled; the previous rebuild is over
            started = time.perf_counter()
            rename(project / "data/units.yaml", unit_id, name)
            while not shows(page, name):
                if time.perf_counter() - started > 60:
                    sys.exit(f"the page never showed {name!r}")
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    return times


def main() -> None:
    """Measure both organisations and print each median beside its target."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="dpo-preview-") as tmp, chromium() as browser:
        page = browser.new_page()
        default = Path(tmp, "default")
        shutil.copytree(ROOT / "data", default / "data")
        big = genorg.make_project(Path(tmp, "big"), 1000, every_unit_sheet=False)
        for label, project, unit, target in (("default data", default, "oma", 1.0),
                                             ("1,000 units", big, "gen-500", 2.0)):
            times = latency(project, unit, page)
            rows.append((label, statistics.median(times), max(times), target))
    print("Edit-to-preview latency (save a unit's name -> reloaded page shows it; Chromium)")
    for label, median, worst, target in rows:
        verdict = "met" if median < target else "NOT met"
        print(f"  {label:<14} median {median:6.3f} s  (worst {worst:6.3f} s)  target < {target:g} s  {verdict}")


if __name__ == "__main__":
    main()
