"""Reproducible, incremental, interruption-safe builds, and the change report."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from tests.conftest import ROOT, copy_project, pdf_text, processes, run

DOCUMENTS = ["fr/briefing.pdf", "fr/factsheets/dpo.docx", "fr/factsheets/oma.docx",
             "fr/factsheets/orolsi.docx", "fr/factsheets/strategic-partnership.docx",
             "fr/orgchart.pdf", "fr/orgchart.svg", "fr/orgchart.png"]


def hashes(out: Path) -> dict[str, str]:
    """SHA-256 of every document under an output folder."""
    return {rel: hashlib.sha256((out / rel).read_bytes()).hexdigest() for rel in DOCUMENTS}


def cli(project: Path, *args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m dpo_docs`` in its own process, in ``project``."""
    return subprocess.run([sys.executable, "-m", "dpo_docs", *args], cwd=project, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, **kwargs)


def edit(path: Path, old: str, new: str) -> None:
    """Replace one piece of a data file."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_two_clean_builds_in_two_folders_give_identical_bytes(tmp_path: Path) -> None:
    first, second = copy_project(tmp_path / "one"), copy_project(tmp_path / "two" / "nested")
    assert cli(first, "build").returncode == 0
    time.sleep(1.1)  # a clock-dependent date or id would now differ
    assert cli(second, "build").returncode == 0
    assert hashes(first / "output") == hashes(second / "output")


def test_no_change_build_rebuilds_nothing_and_imports_no_engine(project: Path) -> None:
    assert run(project, "build").exit_code == 0
    before = hashes(project / "output")
    probe = ("import sys\nfrom dpo_docs.cli import main\nsys.argv = ['dpo-docs', 'build']\n"
             "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
             "heavy = [m for m in ('weasyprint', 'docxtpl', 'docx', 'cairocffi', 'pydantic') if m in sys.modules]\n"
             "print('exit', code, 'heavy', heavy)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True)
    assert "exit 0 heavy []" in result.stdout, result.stderr
    assert "nothing to do: all 6 documents are up to date" in result.stderr
    assert hashes(project / "output") == before
    report = (project / "output/CHANGES.md").read_text(encoding="utf-8")
    assert "None: every document was up to date." in report


def test_editing_one_office_rebuilds_exactly_the_documents_that_show_it(project: Path) -> None:
    assert run(project, "build").exit_code == 0
    before = hashes(project / "output")
    # The second paragraph of the office's description shows in the briefing and the
    # office's own sheet; the department's sheet quotes only the first paragraph.
    edit(project / "data/units.yaml", "Il a pour but d’améliorer", "Il vise à améliorer")
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert "rebuilt 2 of 6 documents" in result.output
    after = hashes(project / "output")
    changed = sorted(rel for rel in DOCUMENTS if before[rel] != after[rel])
    assert changed == ["fr/briefing.pdf", "fr/factsheets/oma.docx"]
    assert "Il vise à améliorer" in pdf_text(project / "output/fr/briefing.pdf")
    report = json.loads((project / "output/changes.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in report["rebuilt"]] == ["fr/briefing.pdf", "fr/factsheets/oma.docx"]
    assert {r["reason"] for r in report["rebuilt"]} == {"changed: data"}


def test_templates_and_altered_outputs_trigger_rebuilds_and_force_rebuilds_all(project: Path) -> None:
    assert run(project, "build").exit_code == 0
    css = project / "templates/orgchart.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* restyled */\n", encoding="utf-8")
    (project / "output/fr/factsheets/dpo.docx").write_bytes(b"broken by hand")
    check = run(project, "check")
    assert check.exit_code == 1
    assert "fr/orgchart.pdf: changed: templates" in check.output
    assert "fr/factsheets/dpo.docx: altered" in check.output
    result = run(project, "build")
    assert "rebuilt 2 of 6 documents" in result.output
    docx.Document(project / "output/fr/factsheets/dpo.docx")  # a real Word file again
    assert run(project, "check").exit_code == 0
    assert "rebuilt 6 of 6 documents" in run(project, "build", "--force").output


def test_check_lists_missing_documents_and_exits_1(project: Path) -> None:
    result = run(project, "check")
    assert result.exit_code == 1
    assert "fr/briefing.pdf: new" in result.output
    assert "6 of 6 documents need a build" in result.output
    assert run(project, "build").exit_code == 0
    (project / "output/fr/orgchart.png").unlink()
    result = run(project, "check")
    assert result.exit_code == 1 and "fr/orgchart.pdf: missing" in result.output
    assert run(project, "build").exit_code == 0
    result = run(project, "check")
    assert result.exit_code == 0 and "all 6 documents are up to date" in result.output


def test_change_report_lists_units_heads_figures_and_stale_figures(project: Path) -> None:
    assert run(project, "build").exit_code == 0
    data = project / "data"
    edit(data / "units.yaml", "      fr: Service de la constitution des forces\n",
         "      fr: Service de la génération des forces\n")
    edit(data / "department.yaml", "    name: Jean-Pierre Lacroix\n", "    name: Nouveau Nom\n")
    edit(data / "figures.yaml", "    value: 119\n", "    value: 120\n")
    edit(data / "units.yaml", "  - id: ssr-unit\n", "  - id: ssr-unit-renamed\n")
    result = cli(project, "build", "--stale-after", "6", env={"SOURCE_DATE_EPOCH": "1767225600"})  # 2026-01-01
    assert result.returncode == 0, result.stderr
    assert "WARNING: figure 'personnel' is 7 months old (as of 2025-05-27)" in result.stderr
    report = (project / "output/CHANGES.md").read_text(encoding="utf-8")
    assert "- `force-generation`: Service de la constitution des forces → Service de la génération des forces" in report
    assert "- `dpo`: Secrétaire général adjoint aux opérations de paix : Jean-Pierre Lacroix → " \
           "Secrétaire général adjoint aux opérations de paix : Nouveau Nom" in report
    assert "- Pays fournissant du personnel en uniforme: 119 (as of 2025-05-27) → 120 (as of 2025-05-27)" in report
    assert "## Units added" in report and "Unité de réforme du secteur de la sécurité (`ssr-unit-renamed`)" in report
    assert "## Units removed" in report
    assert "## Stale figures (older than 6 months on 2026-01-01)" in report
    twin = json.loads((project / "output/changes.json").read_text(encoding="utf-8"))
    assert twin["data"]["units_renamed"] == [{"id": "force-generation", "from": "Service de la constitution des forces",
                                             "to": "Service de la génération des forces"}]
    fresh = cli(project, "build", env={"SOURCE_DATE_EPOCH": "1751328000"})  # 2025-07-01
    assert "months old" not in fresh.stderr


def test_documents_carry_the_revision_of_their_data(built: Path) -> None:
    manifest = json.loads((built / ".dpo-docs/manifest.json").read_text(encoding="utf-8"))
    revision = manifest["targets"]["fr/briefing.pdf"]["context"][:12]
    info = PdfReader(built / "fr/briefing.pdf").metadata
    assert info["/datarevision"] == revision  # WeasyPrint keeps letters only, lower-cased
    assert f"révision {revision}" in pdf_text(built / "fr/briefing.pdf", 3)
    sheet_rev = manifest["targets"]["fr/factsheets/oma.docx"]["context"][:12]
    sheet = docx.Document(built / "fr/factsheets/oma.docx")
    assert sheet.core_properties.identifier == sheet_rev
    footer = "\n".join(p.text for p in sheet.sections[0].footer.paragraphs)
    assert f"révision {sheet_rev}" in footer


def wait_for(proc: subprocess.Popen, text: str, timeout: float = 60) -> str:
    """Read a process's stderr until ``text`` shows up."""
    seen = ""
    deadline = time.monotonic() + timeout
    while text not in seen:
        assert time.monotonic() < deadline, seen
        line = proc.stderr.readline()
        assert line or proc.poll() is None, seen
        seen += line
    return seen


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``."""
    return [child for child, _, parent, _ in processes() if parent == pid]


def alive(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("delay", [0.0, 0.4, 1.2])
def test_kill_9_during_a_build_loses_nothing(tmp_path: Path, delay: float) -> None:
    old = copy_project(tmp_path / "old")
    new = copy_project(tmp_path / "new")
    edit(new / "data/units.yaml", "Il a pour but d’améliorer", "Il vise à améliorer")
    assert cli(old, "build").returncode == 0
    assert cli(new, "build").returncode == 0
    old_hashes, new_hashes = hashes(old / "output"), hashes(new / "output")
    # Rebuild the old folder with the new data, and kill it part-way.
    edit(old / "data/units.yaml", "Il a pour but d’améliorer", "Il vise à améliorer")
    proc = subprocess.Popen([sys.executable, "-m", "dpo_docs", "build", "--force"], cwd=old,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    wait_for(proc, "[1/6]")
    time.sleep(delay)
    workers = children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)], "worker processes outlived the killed build"
    for rel in DOCUMENTS:
        digest = hashlib.sha256((old / "output" / rel).read_bytes()).hexdigest()
        assert digest in (old_hashes[rel], new_hashes[rel]), rel
    visible = {str(p.relative_to(old / "output")) for p in (old / "output").rglob("*")
               if p.is_file() and not any(part.startswith(".") for part in p.relative_to(old / "output").parts)}
    assert visible <= set(DOCUMENTS) | {"CHANGES.md", "changes.json"}
    assert cli(old, "build").returncode == 0
    assert hashes(old / "output") == new_hashes
    assert not list((old / "output").rglob("*.tmp"))


def test_a_second_build_waits_for_the_first(project: Path) -> None:
    first = subprocess.Popen([sys.executable, "-m", "dpo_docs", "build", "-j", "1"], cwd=project,
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    wait_for(first, "[1/6]")
    second = cli(project, "build", "--force", timeout=300)
    first_err = first.stderr.read()
    assert first.wait(timeout=300) == 0, first_err
    assert second.returncode == 0, second.stderr
    assert "another build is writing to" in second.stderr and "waiting for it to finish" in second.stderr
    assert "rebuilt 6 of 6 documents" in second.stderr
    for rel in DOCUMENTS:
        assert (project / "output" / rel).stat().st_size > 0
    assert subprocess.run(["qpdf", "--check", str(project / "output/fr/briefing.pdf")],
                          capture_output=True).returncode == 0


def test_workflow_file_validates_against_the_github_actions_schema() -> None:
    workflow = ROOT / ".github/workflows/regenerate.yml"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         str(workflow)], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text(encoding="utf-8")
    for needle in ("schedule:", "workflow_dispatch:", "- 'data/**'", "- 'templates/**'", "make all",
                   "dpo-docs check", "upload-artifact", "GITHUB_STEP_SUMMARY", "publish",
                   # Publishing (opt-in) deploys the web edition with GitHub's own Pages actions.
                   "PUBLISH_DOCUMENTS", "actions/upload-pages-artifact@", "actions/deploy-pages@",
                   "pages: write"):
        assert needle in text
