"""`check` tells the truth: dependencies recorded while rendering, orphans, the output folder."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_project, pdf_text, run


def cli(project: Path, *args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m dpo_docs`` in its own process, in ``project``."""
    return subprocess.run([sys.executable, "-m", "dpo_docs", *args], cwd=project, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, **kwargs)


def digests(out: Path) -> dict[str, str]:
    """SHA-256 of every document under an output folder (reports and state left out)."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and p.suffix in (".pdf", ".docx", ".svg", ".png")}


def stale(project: Path, *args: str) -> dict[str, str]:
    """What ``check`` says is not current, document by document."""
    result = run(project, "check", *args)
    lines = [line for line in result.stdout.splitlines() if ": " in line]
    found = dict(line.split(": ", 1) for line in lines)
    assert (result.exit_code == 1) == bool(found), result.output
    return found


def test_a_newer_figure_date_makes_every_document_that_prints_it_stale(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    figures = project / "data/figures.yaml"
    text = figures.read_text(encoding="utf-8")
    assert "as_of: 2025-06-30" in text
    figures.write_text(text.replace("as_of: 2025-06-30", "as_of: 2025-09-30"), encoding="utf-8")
    found = stale(project)
    # The handout shows no figure, but its footer prints the date of the data.
    assert found["fr/orgchart.pdf"] == "changed: data"
    assert found["fr/briefing.pdf"] == "changed: data"
    assert run(project, "build", "-j", "1").exit_code == 0
    assert "Données au 30 septembre 2025" in pdf_text(project / "output/fr/orgchart.pdf")
    assert stale(project) == {}


def test_an_included_template_is_a_dependency_of_the_document_that_includes_it(project: Path) -> None:
    briefing = project / "templates/briefing.html"
    text = briefing.read_text(encoding="utf-8")
    briefing.write_text(text.replace('{% include "_meta.html" %}',
                                     '{% include "_meta.html" %}{% include "_note.html" %}', 1), encoding="utf-8")
    note = project / "templates/_note.html"
    note.write_text('<p class="note">Première version de la note</p>\n', encoding="utf-8")
    assert run(project, "build", "-j", "1").exit_code == 0
    assert stale(project) == {}
    note.write_text('<p class="note">Seconde version de la note</p>\n', encoding="utf-8")
    assert stale(project) == {"fr/briefing.pdf": "changed: templates"}
    result = run(project, "build", "-j", "1")
    assert "rebuilt 1 of 6 documents" in result.output
    assert "Seconde version de la note" in pdf_text(project / "output/fr/briefing.pdf")
    # A template looked for and not found is recorded too: creating it makes the page stale.
    note.unlink()
    briefing.write_text(text.replace('{% include "_meta.html" %}',
                                     '{% include "_meta.html" %}{% include "_note.html" ignore missing %}', 1),
                        encoding="utf-8")
    assert run(project, "build", "-j", "1").exit_code == 0
    assert stale(project) == {}
    note.write_text('<p class="note">Note ajoutée</p>\n', encoding="utf-8")
    assert stale(project) == {"fr/briefing.pdf": "changed: templates"}


def test_a_changed_byte_in_any_shipped_font_makes_every_document_stale(tmp_path: Path) -> None:
    # A private copy of the package, so the font edited is not the one other tests use.
    package = tmp_path / "site" / "dpo_docs"
    shutil.copytree(ROOT / "src/dpo_docs", package, ignore=shutil.ignore_patterns("__pycache__"))
    project = copy_project(tmp_path / "project")
    env = {"PYTHONPATH": str(package.parent)}
    assert cli(project, "build", "-j", "1", "--only", "briefing", env=env).returncode == 0
    assert cli(project, "check", "--only", "briefing", env=env).returncode == 0
    font = package / "fonts/NotoSansCJKsc-Regular.otf"  # not a .ttf: every file of the folder counts
    data = bytearray(font.read_bytes())
    data[1000] ^= 0xFF
    font.write_bytes(bytes(data))
    result = cli(project, "check", "--only", "briefing", env=env)
    assert result.returncode == 1
    assert "fr/briefing.pdf: changed: code" in result.stdout


def test_a_rendering_library_upgrade_changes_the_engine_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    from dpo_docs import deps

    deps.forget_engine()
    before = deps.engine_fingerprint()
    assert deps._version("weasyprint") and deps._version("python-docx") and deps._version("Pillow")
    real = deps._version
    monkeypatch.setattr(deps, "_version", lambda name: "999.0" if name == "weasyprint" else real(name))
    deps.forget_engine()
    try:
        assert deps.engine_fingerprint() != before
    finally:
        monkeypatch.undo()
        deps.forget_engine()
    assert deps.engine_fingerprint() == before
    assert {"weasyprint", "fonttools", "python-docx", "pillow", "docxtpl"} <= set(deps.LIBRARIES)


def test_a_context_value_that_cannot_be_hashed_is_refused() -> None:
    from dpo_docs.deps import fingerprint

    assert fingerprint({"a": (1, 2)}) == fingerprint({"a": [1, 2]})
    with pytest.raises(TypeError):
        fingerprint({"titles": lambda ids: ids})
    with pytest.raises(TypeError):
        fingerprint({"path": Path("/etc/passwd")})


def test_settings_a_document_reads_are_recorded_and_compared(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    # The paper is part of the handout's context, and a setting its render read.
    assert stale(project, "--paper", "A4") == {"fr/orgchart.pdf": "changed: data, settings"}
    assert stale(project, "--pdf-variant", "none") == {"fr/briefing.pdf": "changed: settings",
                                                       "fr/orgchart.pdf": "changed: settings"}
    result = run(project, "build", "-j", "1", "--pdf-variant", "none")
    assert "rebuilt 2 of 6 documents" in result.output
    assert stale(project, "--pdf-variant", "none") == {}


def test_a_document_no_longer_made_is_reported_then_its_file_removed(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    sheet = project / "output/fr/factsheets/orolsi.docx"
    assert sheet.is_file()
    units = project / "data/units.yaml"
    text = units.read_text(encoding="utf-8")
    start = text.index("id: orolsi")
    kind = text.index("kind: office", start)
    units.write_text(text[:kind] + "kind: division" + text[kind + len("kind: office"):], encoding="utf-8")
    assert stale(project)["fr/factsheets/orolsi.docx"] == "orphaned"
    result = run(project, "build", "-j", "1")
    assert result.exit_code == 0, result.output
    assert not sheet.exists()
    report = json.loads((project / "output/changes.json").read_text(encoding="utf-8"))
    assert report["removed"] == ["fr/factsheets/orolsi.docx"]
    assert "fr/factsheets/orolsi.docx" in (project / "output/CHANGES.md").read_text(encoding="utf-8")
    assert stale(project) == {}


@pytest.mark.parametrize("out", [".", "data", "templates", "data/inner", "/"])
def test_an_output_folder_that_is_not_one_is_refused(project: Path, out: str) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = run(project, "build", "--out", out, "--force-out")
    assert result.exit_code == 1
    assert "refusing to write documents" in result.output or "may not contain" in result.output
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_a_folder_of_other_files_needs_force_out_and_its_files_are_never_swept(project: Path) -> None:
    mine = project / "mine"
    (mine / "fr").mkdir(parents=True)
    keep = {mine / "notes.txt": b"my notes", mine / ".draft.tmp": b"a draft", mine / "fr" / ".x.tmp": b"x",
            mine / "fr" / ".briefing.pdf.tmp": b"not made by dpo-docs"}
    for path, content in keep.items():
        path.write_bytes(content)
    result = run(project, "build", "--out", "mine", "--only", "briefing", "-j", "1")
    assert result.exit_code == 1
    assert "holds other files (.draft.tmp, fr, notes.txt) and no dpo-docs build" in result.output
    assert "--force-out" in result.output
    result = run(project, "build", "--out", "mine", "--only", "briefing", "-j", "1", "--force-out")
    assert result.exit_code == 0, result.output
    assert (mine / "fr/briefing.pdf").is_file()
    assert all(path.read_bytes() == content for path, content in keep.items())


def test_a_temporary_file_left_by_an_interrupted_build_is_removed(project: Path) -> None:
    assert run(project, "build", "--only", "briefing", "-j", "1").exit_code == 0
    left = project / "output/fr/.briefing.pdf.k3j9_a0z.tmp"
    left.write_bytes(b"half a pdf")
    result = run(project, "-v", "build", "--only", "briefing", "-j", "1", "--force")
    assert result.exit_code == 0
    assert not left.exists()


def test_a_build_that_would_fail_while_writing_replaces_nothing(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    before = digests(project / "output")
    (project / "output/CHANGES.md").unlink()
    (project / "output/CHANGES.md").mkdir()  # a folder where the report goes
    (project / "data/figures.yaml").write_text(
        (project / "data/figures.yaml").read_text(encoding="utf-8").replace("value: 119\n", "value: 120\n"),
        encoding="utf-8")
    result = run(project, "build", "-j", "1")
    assert result.exit_code == 1
    assert "CHANGES.md: a folder stands where the file should go" in result.output
    assert digests(project / "output") == before
    assert not list((project / "output").rglob("*.tmp"))


@pytest.mark.parametrize("epoch", ["soon", "99999999999999999999", "-"])
def test_a_bad_source_date_epoch_stops_the_build_before_it_writes(project: Path, epoch: str) -> None:
    result = cli(project, "build", "-j", "1", env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 1
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "output" / "fr").exists()


def test_a_link_inside_the_output_folder_is_not_followed(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run(project, "build", "--only", "briefing", "-j", "1").exit_code == 0
    shutil.rmtree(project / "output/fr")
    (project / "output/fr").symlink_to(elsewhere)
    result = run(project, "build", "--only", "briefing", "-j", "1")
    assert result.exit_code == 1
    assert "is a link" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_malformed_or_hostile_manifest_rebuilds_and_opens_nothing_outside(project: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    state = project / "output/.dpo-docs"
    state.mkdir(parents=True)
    (state / "manifest.json").write_text("{not json", encoding="utf-8")
    result = run(project, "build", "--only", "briefing", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "unreadable build state" in result.output
    manifest = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["targets"]["fr/briefing.pdf"]
    # An entry naming a file outside the folder, for a document no longer made.
    manifest["targets"]["fr/gone.pdf"] = {**entry, "kind": "briefing", "outputs": {str(victim): "0" * 64}}
    manifest["targets"]["../../victim.pdf"] = {**entry, "outputs": {"../../victim.txt": "0" * 64}}
    (state / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run(project, "build", "--only", "briefing", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "malformed entry" in result.output
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert stale(project, "--only", "briefing") == {}


def test_a_waiting_build_decides_again_once_it_holds_the_lock(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    lock = os.open(project / "output/.dpo-docs/lock", os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        waiting = subprocess.Popen([sys.executable, "-m", "dpo_docs", "build", "-j", "1"], cwd=project,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (project / "output/.dpo-docs").exists():
            time.sleep(0.1)
        time.sleep(1.5)  # it is now waiting for the lock, having found nothing to do
        # Meanwhile "another build" changes the folder: one of its files goes.
        (project / "output/fr/orgchart.png").unlink()
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "another build is writing" in err
    assert "rebuilt 1 of 6 documents" in err
    assert (project / "output/fr/orgchart.png").is_file()


def test_every_document_module_is_registered() -> None:
    import ast

    from dpo_docs import kinds

    registered = {where.split(":")[0].rsplit(".", 1)[1] + ":" + where.split(":")[1]
                  for where in kinds.REGISTRY.values()}
    found = set()
    for module in (ROOT / "src/dpo_docs/outputs").glob("[!_]*.py"):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and {"targets", "context", "render"} <= {
                    f.name for f in node.body if isinstance(f, ast.FunctionDef)}:
                found.add(f"{module.stem}:{node.name}")
    assert found == registered
    assert tuple(kinds.kinds()) == kinds.NAMES


def test_alternating_selections_keep_their_shortcut_but_never_a_wrong_one(project: Path) -> None:
    assert run(project, "build", "-j", "1").exit_code == 0
    assert "nothing to do" in run(project, "build", "--only", "briefing").output
    assert "nothing to do: all 6 documents" in run(project, "build").output
    # Another selection rewrites a document: the first one's shortcut must not survive it.
    result = run(project, "build", "--only", "briefing", "--pdf-variant", "none", "-j", "1")
    assert "rebuilt 1 of 1 documents" in result.output
    assert stale(project) == {"fr/briefing.pdf": "changed: settings"}
    assert "rebuilt 1 of 6 documents" in run(project, "build", "-j", "1").output
    assert stale(project) == {}


def test_settings_checked_once_are_recalled_and_a_changed_value_is_checked_again(project: Path) -> None:
    (project / "dpo-docs.toml").write_text('[build]\norgchart_paper = "A4"\n', encoding="utf-8")
    assert cli(project, "build", "--only", "orgchart").returncode == 0
    probe = ("import sys\nfrom dpo_docs.cli import main\nsys.argv = ['dpo-docs', 'build', '--only', 'orgchart']\n"
             "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
             "print('pydantic' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True)
    assert result.stdout.split() == ["exit", "0", "False"], result.stderr
    (project / "dpo-docs.toml").write_text('[build]\norgchart_paper = "A5"\n', encoding="utf-8")
    result = cli(project, "build", "--only", "orgchart")
    assert result.returncode == 1
    assert "dpo-docs.toml:2: build.orgchart_paper" in result.stderr
