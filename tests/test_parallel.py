"""Parallel builds: same bytes as one worker, progress as documents finish, clear errors."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
import time
from pathlib import Path

from dpo_docs.build import build
from dpo_docs.settings import default_settings
from tests.conftest import copy_project, generated_project, misspell_word_template, processes, run


def digests(out: Path) -> dict[str, str]:
    """SHA-256 of every document (not the reports) under an output folder."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and p.suffix in {".pdf", ".docx", ".svg", ".png"}}


def test_one_worker_and_three_give_the_same_bytes(tmp_path: Path) -> None:
    one, three = copy_project(tmp_path / "one"), copy_project(tmp_path / "three")
    for project, jobs in ((one, "1"), (three, "3")):
        result = subprocess.run([sys.executable, "-m", "dpo_docs", "build", "--lang", "fr,en", "-j", jobs],
                                cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert len(digests(one / "output")) == 16  # 8 files in each of two languages
    assert digests(one / "output") == digests(three / "output")


def test_progress_names_each_document_once_as_it_finishes(tmp_path: Path) -> None:
    project = generated_project(tmp_path / "org", 60)  # a fact sheet for each of 60 units
    settings = dataclasses.replace(default_settings(project), workers=2)
    seen: list[tuple[int, int, str, float]] = []
    result = build(settings, progress=lambda done, total, target: seen.append(
        (done, total, target.label, time.monotonic())))
    total = len(result.planned)
    assert total == 63  # the briefing, the org chart, the department's sheet and 60 units'
    assert [s[0] for s in seen] == list(range(1, total + 1))
    assert {s[1] for s in seen} == {total}
    assert sorted(s[2] for s in seen) == sorted(result.planned)
    # Reported as each document finishes, not all at once at the end: the sixty sheets
    # alone take over a second of work after the first document is done.
    assert seen[-1][3] - seen[0][3] > 0.3, seen


def test_a_helper_s_error_stops_the_build_and_keeps_the_old_files(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    before = digests(project / "output")
    misspell_word_template(project)
    # With two workers the briefing (the longest document) is rendered by the build's
    # own process, so the failing sheets are rendered in the helper process.
    result = subprocess.run([sys.executable, "-m", "dpo_docs", "build", "-j", "2"], cwd=project,
                            capture_output=True, text=True)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: templates/factsheet.docx (/word/document.xml), line "), last
    assert "'doc' has no 'titel' (did you mean 'title'?)" in last
    assert "Traceback" not in result.stderr
    assert digests(project / "output") == before


def group_members(pgid: int) -> list[int]:
    """Live processes (not zombies) in a process group."""
    return [pid for pid, state, _, group in processes() if state != "Z" and group == pgid]


def test_invalid_data_stops_the_helpers_with_the_build(project: Path) -> None:
    units = project / "data/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("kind: office", "kind: offfice", 1),
                     encoding="utf-8")
    # The helpers start before the data is read; the build's own process group holds them.
    proc = subprocess.Popen([sys.executable, "-m", "dpo_docs", "build", "-j", "3"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "units[0].kind: 'offfice' is not one of 'office'" in stderr
    assert stderr.strip().endswith("error: 1 problem in the data; nothing was written")
    assert "Traceback" not in stderr
    # A helper still warming up would outlive the build: none may.
    assert not group_members(proc.pid), "helper processes outlived the build"
    assert not (project / "output" / "fr").exists()


def test_a_build_with_nothing_to_render_leaves_no_helper_behind(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    units = project / "data/units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "# a comment changes no document\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "dpo_docs", "build", "-j", "3"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "nothing to do: all 6 documents are up to date" in stderr
    assert not group_members(proc.pid), "helper processes outlived the build"


def test_verbose_log_names_every_document_whichever_process_renders_it(project: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "dpo_docs", "-v", "build", "-j", "2"], cwd=project,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rendered = [line.removeprefix("INFO: rendering ") for line in result.stderr.splitlines()
                if line.startswith("INFO: rendering ")]
    # The helper's messages come back with its results and are logged by the build.
    assert sorted(rendered) == sorted(["fr/briefing.pdf", "fr/orgchart.pdf", "fr/factsheets/dpo.docx",
                                       "fr/factsheets/oma.docx", "fr/factsheets/orolsi.docx",
                                       "fr/factsheets/strategic-partnership.docx"])
