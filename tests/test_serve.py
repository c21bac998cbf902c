"""``dpo-docs serve`` as a user runs it: a real process, a real browser, real edits to the data."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import axe_violations, chromium
from tests.conftest import copy_project, pdf_text, processes

NAME = "Bureau de l’état de droit et des institutions chargées de la sécurité"
NEW_NAME = "Bureau de l’état de droit, nom changé pendant l’aperçu"


class Served:
    """A ``dpo-docs serve`` process: its URL, its terminal output, its temporary folder."""

    def __init__(self, project: Path, tmp: Path, *args: str) -> None:
        """Start the command in ``project``, its temporary files under ``tmp``; wait for its URL."""
        self.project, self.tmp = project, tmp
        tmp.mkdir()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dpo_docs", "serve", "--port", "0", *args], cwd=project,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            env={**os.environ, "TMPDIR": str(tmp)})
        self.err: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        ready, _, _ = select.select([self.proc.stdout], [], [], 120)
        self.url = self.proc.stdout.readline().strip() if ready else ""
        assert self.url.startswith("http://"), f"no URL printed: {self.stderr}"

    def _drain(self) -> None:
        """Keep the terminal's lines (a full pipe would stall the server)."""
        for line in self.proc.stderr:
            self.err.append(line)

    @property
    def stderr(self) -> str:
        """What the command printed on standard error so far."""
        return "".join(self.err)

    def wait_err(self, text: str, timeout: float = 30) -> None:
        """Wait until the terminal shows ``text``."""
        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            assert time.monotonic() < deadline, self.stderr
            time.sleep(0.05)

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Send ``signum`` (as Ctrl-C does) and return how the process ended."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        code = self.proc.wait(timeout=30)
        self._reader.join(timeout=10)  # the last lines it printed
        return code


def group_members(pgid: int) -> list[int]:
    """Live processes (not zombies) in a process group."""
    return [pid for pid, state, _, group in processes() if state != "Z" and group == pgid]


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a file, as an editor saving it would."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium for the module."""
    with chromium() as ctx:
        yield ctx


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The default project, served for the module's tests (which edit its data in turn)."""
    root = tmp_path_factory.mktemp("serve")
    server = Served(copy_project(root / "project", templates=False), root / "tmp")
    yield server
    server.stop()


def test_it_listens_on_the_loopback_interface_only(served: Served) -> None:
    port = urlsplit(served.url).port
    assert urlsplit(served.url).hostname == "127.0.0.1"
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hexport = local.rpartition(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                listening.add(address)
    assert listening == {"0100007F"}, listening  # 127.0.0.1, in /proc's byte order


def test_a_saved_change_reloads_the_open_page(served: Served, browser) -> None:
    page = browser.new_page()
    page.goto(served.url + "fr/briefing.html")
    assert NAME in page.inner_text("body")
    page.evaluate("window.loadedBefore = true")  # a reload forgets it
    started = time.monotonic()
    edit(served.project / "data/units.yaml", f"fr: {NAME}", f"fr: {NEW_NAME}")
    page.wait_for_function("text => document.body.innerText.includes(text)", arg=NEW_NAME, timeout=20_000)
    latency = time.monotonic() - started
    print(f"edit to reloaded page: {latency:.2f} s")
    assert page.evaluate("window.loadedBefore") is None, "the page changed without a reload"
    served.wait_err("rebuilt ")
    page.close()


def test_invalid_data_shows_its_problems_over_the_last_good_edition(served: Served, browser) -> None:
    page = browser.new_page()
    page.goto(served.url + "fr/briefing.html")
    before = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert page.locator("[role=alert]").count() == 0
    units = served.project / "data/units.yaml"
    line = units.read_text(encoding="utf-8").splitlines().index("    kind: office") + 1
    edit(units, "    kind: office", "    kind: offfice")
    panel = page.locator("[role=alert]")
    panel.wait_for(timeout=20_000)
    text = panel.inner_text()
    assert f"data/units.yaml:{line}:" in text, text
    assert "'offfice'" in text
    assert f"data/units.yaml:{line}:" in served.stderr  # the terminal says it too
    assert "the preview keeps the last good edition" in served.stderr
    page.screenshot(path=str(served.tmp.parent / "panel.png"), full_page=False)
    # The panel is read out (role="alert") and meets the page's accessibility rules.
    assert not [v for v in axe_violations(page) if "dpo-docs-problems" in v]
    # The last good edition is still the page shown, and still what is served.
    assert (page.inner_text("main") if page.locator("main").count() else page.inner_text("body")).startswith(
        before[:200])
    page.evaluate("window.loadedBefore = true")
    edit(units, "    kind: offfice", "    kind: office")
    panel.wait_for(state="detached", timeout=20_000)
    page.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_stops_it_with_nothing_left_behind(tmp_path: Path, signum: int) -> None:
    # With --pdf a print build runs in a child process when the signal comes.
    server = Served(copy_project(tmp_path / "project", templates=False), tmp_path / "tmp", "--pdf")
    deadline = time.monotonic() + 20
    while len(group_members(server.proc.pid)) < 2:  # the print build's process has started
        assert time.monotonic() < deadline, "no print build started"
        time.sleep(0.05)
    time.sleep(1.0)  # into the print build
    started = time.monotonic()
    code = server.stop(signum)
    assert time.monotonic() - started < 5, "slow to stop"
    assert code == -signum  # ended by the signal: a shell shows 130 or 143
    name = signal.Signals(signum).name
    assert server.stderr.strip().splitlines()[-1] == f"error: interrupted by {name}", server.stderr
    assert "Traceback" not in server.stderr
    deadline = time.monotonic() + 10
    while group_members(server.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not group_members(server.proc.pid), "a process outlived the preview"
    assert sorted(os.listdir(server.tmp)) == [], "temporary files left behind"


def test_with_pdf_the_print_documents_follow_and_never_delay_the_pages(tmp_path: Path) -> None:
    server = Served(copy_project(tmp_path / "project", templates=False), tmp_path / "tmp", "--pdf")
    try:
        server.wait_err("rebuilt the PDF and Word files", timeout=300)

        def briefing_pdf() -> str:
            """The text of the briefing PDF, fetched from the preview's address."""
            with urllib.request.urlopen(server.url + "fr/briefing.pdf") as response:
                assert response.headers["Content-Type"] == "application/pdf"
                (tmp_path / "briefing.pdf").write_bytes(response.read())
            return " ".join(pdf_text(tmp_path / "briefing.pdf").split())

        assert "Bureau des affaires militaires" in briefing_pdf()
        units = server.project / "data/units.yaml"
        edit(units, "fr: Bureau des affaires militaires", "fr: Bureau des essais")
        server.wait_err("rebuilt 4 of", timeout=30)
        time.sleep(1.0)  # the print build this edit started is under way, for seconds yet
        edit(units, "fr: Bureau des essais", "fr: Bureau des seconds essais")
        deadline = time.monotonic() + 30
        while server.stderr.count("rebuilt 4 of") < 2:
            assert time.monotonic() < deadline, server.stderr
            time.sleep(0.05)
        # The pages were rebuilt and announced while that print build was still running.
        assert server.stderr.count("rebuilt the PDF and Word files") == 1, server.stderr
        deadline = time.monotonic() + 300
        while server.stderr.count("rebuilt the PDF and Word files") < 3:  # one more for the second edit
            assert time.monotonic() < deadline and "error" not in server.stderr, server.stderr
            time.sleep(0.2)
        assert "Bureau des seconds essais" in briefing_pdf()
    finally:
        server.stop()
