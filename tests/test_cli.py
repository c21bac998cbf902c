"""The command line: help, version, exit codes, listing, template errors, progress."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from dpo_docs import __version__
from tests.conftest import ROOT, run


def test_module_entry_point_prints_help_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "dpo_docs", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    for command in ("build", "validate", "list"):
        assert command in result.stdout
    assert "Exit codes: 0 success; 1" in result.stdout
    version = subprocess.run([sys.executable, "-m", "dpo_docs", "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"dpo-docs, version {__version__}"


def test_usage_errors_exit_2(project: Path) -> None:
    result = run(project, "build", "--only", "posters")
    assert result.exit_code == 2
    assert "Invalid value for '--only'" in result.output
    result = run(project, "build", "--lang", "xx")
    assert result.exit_code == 2
    assert "unsupported language 'xx'; available: fr" in result.output


def test_list_names_every_target_and_path(project: Path) -> None:
    result = run(project, "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("briefing") and "output/fr/briefing.pdf" in line for line in lines)
    sheets = [line.split()[2] for line in lines if line.startswith("factsheets")]
    assert sheets == ["dpo", "orolsi", "oma", "strategic-partnership"]
    assert any("output/fr/orgchart.pdf, output/fr/orgchart.svg, output/fr/orgchart.png" in line for line in lines)


def test_build_only_one_kind_shows_progress(project: Path) -> None:
    result = run(project, "build", "--only", "factsheets", "--out", "elsewhere")
    assert result.exit_code == 0, result.output
    for sheet in ("dpo", "orolsi", "oma", "strategic-partnership"):  # in the order they finish
        assert re.search(rf"^\[[1-4]/4\] fr/factsheets/{sheet}\.docx$", result.output, re.M)
    assert "rebuilt 4 of 4 documents (4 files) in elsewhere" in result.output
    assert sorted(p.name for p in (project / "elsewhere/fr/factsheets").iterdir()) == [
        "dpo.docx", "oma.docx", "orolsi.docx", "strategic-partnership.docx"]
    assert not (project / "output").exists()
    quiet = run(project, "-q", "build", "--only", "orgchart")
    assert quiet.exit_code == 0 and quiet.output == ""


def test_template_errors_name_file_line_and_what_is_available(project: Path) -> None:
    template = project / "templates/briefing.html"
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if "<h2>{{ labels.mission }}</h2>" in line)
    lines[number - 1] = lines[number - 1].replace("labels.mission", "labels.missio")
    template.write_text("".join(lines), encoding="utf-8")
    result = run(project, "build", "--only", "briefing")
    assert result.exit_code == 1
    assert (f"error: templates/briefing.html:{number}: 'labels' has no 'missio' (did you mean 'mission'?); "
            "available on it:") in result.output
    assert not (project / "output/fr/briefing.pdf").exists()

    template.write_text("{% for x in %}\n", encoding="utf-8")
    result = run(project, "build", "--only", "briefing")
    assert result.exit_code == 1
    assert "error: templates/briefing.html:1: syntax error:" in result.output


def test_a_failing_template_leaves_earlier_outputs_untouched(project: Path) -> None:
    assert run(project, "build", "--only", "orgchart").exit_code == 0
    chart = project / "output/fr/orgchart.pdf"
    before = chart.read_bytes()
    (project / "templates/orgchart.html").write_text("{{ doc.nothing }}", encoding="utf-8")
    result = run(project, "build")
    assert result.exit_code == 1
    assert chart.read_bytes() == before
    assert not (project / "output/fr/briefing.pdf").exists()
    assert not list((project / "output").rglob("*.tmp"))
