"""Faults of the machine: a read-only or full disk, an output path through a file, a
missing font or system library, a bug. Each gives one sentence and exit 1, no traceback,
and the documents of the previous build stay byte for byte as they were.

The tests run as root, which ignores file permissions, so "no write permission" is made
real with a read-only tmpfs mount; where mounting is not allowed those tests are skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dpo_docs.templates import THEME_DIR
from tests.conftest import run

BASE = Path(__file__).parent / "bad_inputs" / "base"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def small_project(dest: Path) -> Path:
    """The small valid data set and the shipped templates in ``dest``."""
    shutil.copytree(BASE, dest / "data")
    shutil.copytree(THEME_DIR, dest / "templates")
    return dest


def one_error(output: str) -> str:
    """The output of a failed run, which must be exactly one 'error:' line."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for the test (skipped where this machine does not allow it)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}); needs root in a "
                    "container that allows mounts")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_read_only_output_folder(tmp_path: Path, tmpfs: Path) -> None:
    project = small_project(tmp_path / "project")
    out = tmpfs / "output"
    assert run(project, "build", "--out", str(out)).exit_code == 0
    before = snapshot(out)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = run(project, "-q", "build", "--force", "--out", str(out))
    assert result.exit_code == 1
    assert one_error(result.output) == (
        f"error: {out}: cannot write to the output folder: Read-only file system")
    assert snapshot(out) == before


def test_full_disk(tmp_path: Path, tmpfs: Path) -> None:
    project = small_project(tmp_path / "project")
    out = tmpfs / "output"
    assert run(project, "build", "--out", str(out)).exit_code == 0
    before = snapshot(out)
    # Fill the disk, then change the data so that every document must be written anew.
    # Unbuffered, in ever smaller pieces, to the last byte: a write left in a buffer
    # would fail only when the file is closed.
    with open(tmpfs / "filler", "wb", buffering=0) as filler:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    filler.write(b"\0" * size)
            except OSError:
                pass
    units = project / "data/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("Bureau des affaires militaires",
                                                               "Bureau des affaires militaires (BAM)"))
    result = run(project, "-q", "build", "--out", str(out))
    assert result.exit_code == 1
    message = one_error(result.output)
    assert message.startswith(f"error: cannot write {out}/fr/")
    assert message.endswith(": the disk is full; it was left as it was")
    assert snapshot(out) == before  # nothing replaced, no temporary file left behind


def test_output_folder_under_a_file(tmp_path: Path) -> None:
    project = small_project(tmp_path / "project")
    (project / "not-a-folder").write_text("a file\n")
    result = run(project, "-q", "build", "--out", "not-a-folder/output")
    assert result.exit_code == 1
    assert one_error(result.output) == (
        f"error: {project / 'not-a-folder/output'}: cannot write to the output folder: Not a directory")
    assert (project / "not-a-folder").read_text() == "a file\n"


def test_a_folder_where_a_document_goes(tmp_path: Path) -> None:
    project = small_project(tmp_path / "project")
    assert run(project, "build", "--only", "briefing").exit_code == 0
    pdf = project / "output/fr/briefing.pdf"
    pdf.unlink()
    pdf.mkdir()
    (pdf / "keep.txt").write_text("mine\n")
    # --force: without it the up-to-date check would hash the folder as if it were the PDF.
    result = run(project, "-q", "build", "--force", "--only", "briefing")
    assert result.exit_code == 1
    assert one_error(result.output) == (
        f"error: cannot write {pdf}: a folder stands where the file should go; nothing was written")
    assert (pdf / "keep.txt").read_text() == "mine\n"
    assert not list((project / "output").rglob("*.tmp"))


@pytest.fixture
def fresh_engines() -> Iterator[Callable[[], None]]:
    """Forget the loaded fonts and WeasyPrint before and after the test.

    Yields the forgetting, for a test that starts a build as a new process would.
    """
    from dpo_docs import fonts
    from dpo_docs.chart import measure, png, shape
    from dpo_docs.outputs import weasy

    def clear() -> None:
        fonts._face.cache_clear()
        weasy._engine.cache_clear()
        png._FACES.clear()
        png._GLYPHS.clear()
        measure.clear_caches()  # the shaped runs, which name their font files
        shape.face.cache_clear()
        shape._cmap.cache_clear()

    clear()
    yield clear
    clear()


def test_missing_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      fresh_engines: Callable[[], None]) -> None:
    from dpo_docs import fonts

    project = small_project(tmp_path / "project")
    assert run(project, "build", "--only", "orgchart").exit_code == 0
    before = snapshot(project / "output")
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setattr(fonts, "FONT_DIR", empty)
    fresh_engines()  # the fonts go missing before the build starts, as in a new process
    # One worker: the patched font folder must be the one the renderer sees.
    result = run(project, "-q", "build", "--force", "--jobs", "1")
    assert result.exit_code == 1, result.output
    message = one_error(result.output)
    assert re.fullmatch(f"error: font file missing: {re.escape(str(empty))}/NotoSans-[A-Za-z]+\\.ttf", message)
    assert snapshot(project / "output") == before


class _NoPango:
    """An import hook that fails as WeasyPrint does when Pango is not installed."""

    def find_spec(self, name, path=None, target=None):
        """Refuse weasyprint and its submodules."""
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return None


def test_missing_system_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_engines: Callable[[], None]) -> None:
    project = small_project(tmp_path / "project")
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    result = run(project, "-q", "build", "--only", "briefing", "--jobs", "1")
    assert result.exit_code == 1
    assert one_error(result.output) == (
        "error: WeasyPrint cannot load its system libraries (cannot load library 'libpango-1.0-0': "
        "libpango-1.0-0: cannot open shared object file); install them with: "
        "sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0")
    assert not (project / "output/fr/briefing.pdf").exists()


def test_a_bug_is_one_sentence_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from dpo_docs import build, cli

    def broken(*args, **kwargs):
        raise RuntimeError("the planner lost\n  its place")

    project = small_project(tmp_path / "project")
    monkeypatch.setattr(build, "build", broken)
    monkeypatch.chdir(project)
    monkeypatch.setattr(sys, "argv", ["dpo-docs", "build"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 1
    assert one_error(capsys.readouterr().err) == (
        "error: internal error: RuntimeError: the planner lost its place "
        "(please report; run with -vv for details)")
    monkeypatch.setattr(sys, "argv", ["dpo-docs", "-vv", "build"])
    with pytest.raises(RuntimeError, match="the planner lost"):
        cli.main()


def test_a_bug_in_a_real_process(tmp_path: Path) -> None:
    project = small_project(tmp_path / "project")
    code = ("import sys, dpo_docs.build as b\n"
            "def broken(*a, **k): raise KeyError('units')\n"
            "b.build = broken\n"
            "sys.argv = ['dpo-docs', 'build']\n"
            "from dpo_docs.cli import main\n"
            "main()\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "error: internal error: KeyError: 'units' (please report; run with -vv for details)")
