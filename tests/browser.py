"""A real browser for the web edition's tests: Debian's headless Chromium, driven by
Playwright, and axe-core's accessibility rules run inside the page.

No browser is downloaded: Playwright starts ``/usr/bin/chromium`` (tools/sysdeps.sh
installs it for ``make test``). axe-core is vendored at install time by tools/axe.sh into
the virtual environment; the pages never fetch it, the tests inject it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DPO_DOCS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(sys.prefix) / "share" / "axe-core" / "axe.min.js"
# The machine's network is closed: without these, Chromium retries its own services.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
# axe's rule sets the pages are held to: WCAG 2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium with an empty profile, closed (and its profile removed) afterwards."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test` (tools/sysdeps.sh test installs it)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dpo-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900}, service_workers="block")
        try:
            yield context
        finally:
            context.close()


def axe_violations(page, exclude: tuple[str, ...] = ()) -> list[str]:
    """Run axe-core in ``page``; one line per violation: rule, impact, and the nodes it found."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test` (tools/axe.sh vendors it)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """([tags, exclude]) => axe.run({include: [document], exclude: exclude.map(s => [s])},
                                      {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [AXE_TAGS, list(exclude)])
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]]
