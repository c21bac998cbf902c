"""Shared fixtures: a copy of the project in a temporary folder, and one full build."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dpo_docs.cli import cli
from dpo_docs.templates import THEME_DIR

ROOT = Path(__file__).resolve().parents[1]


def copy_project(dest: Path, templates: bool = True) -> Path:
    """Copy data/ into ``dest`` and return it; with ``templates``, the theme into its
    templates/ folder too (a project overriding every file, for tests that edit one)."""
    shutil.copytree(ROOT / "data", dest / "data")
    if templates:
        shutil.copytree(THEME_DIR, dest / "templates")
    return dest


def generated_project(dest: Path, units: int) -> Path:
    """A project with the default data grown to ``units`` units, each with a fact sheet."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import genorg  # the benchmarks' generator

    project = genorg.make_project(dest, units)
    shutil.copytree(THEME_DIR, project / "templates")  # for tests that edit a template
    return project


def processes() -> list[tuple[int, str, int, int]]:
    """Every process as (pid, state, parent pid, process group), read from Linux's /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while being read
            continue
        found.append((int(stat.parent.name), fields[0], int(fields[1]), int(fields[2])))
    return found


def misspell_word_template(project: Path) -> None:
    """Make the Word template ask for ``doc.titel``, a field the context does not have."""
    import docx

    template = project / "templates" / "factsheet.docx"
    document = docx.Document(str(template))
    paragraph = next(p for p in document.paragraphs if "{{ doc.title }}" in p.text)
    for run_ in paragraph.runs:
        run_.text = run_.text.replace("doc.title", "doc.titel")
    document.save(str(template))


def run(project: Path, *args: str):
    """Run the CLI in ``project`` (as the working folder); returns the Click result."""
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(project)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def pdf_text(path: Path, *pages: int) -> str:
    """The text of a PDF (or of pages first..last), as pdftotext extracts it."""
    cmd = ["pdftotext", "-layout"]
    if pages:
        cmd += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run(cmd + [str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session", autouse=True)
def _temporary_folder(tmp_path_factory: pytest.TempPathFactory):
    """Every process of the session makes its temporary files under the session's folder.

    Tests that kill a build with kill -9 leave that build's own temporary folder (the
    next build removes it); they must not leave it in the machine's /tmp.
    """
    import tempfile

    folder = tmp_path_factory.mktemp("tmpdir")
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None  # computed again from TMPDIR
    yield folder
    if saved is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved
    tempfile.tempdir = None


@pytest.fixture(scope="session", autouse=True)
def _font_cache(tmp_path_factory: pytest.TempPathFactory):
    """The web fonts cut during the session are kept in the session's folder, not the user's cache."""
    from dpo_docs.outputs.webfonts import CACHE_ENV

    saved = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("webfonts"))
    yield
    if saved is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = saved


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the default project."""
    return copy_project(tmp_path / "project")


def build_copy(tmp_path_factory: pytest.TempPathFactory, name: str, *args: str) -> Path:
    """A copy of the default project (no templates folder: the theme serves) built with
    ``build *args``; returns its output folder."""
    project = copy_project(tmp_path_factory.mktemp(name) / "project", templates=False)
    result = run(project, "build", *args)
    assert result.exit_code == 0, result.output
    return project / "output"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project built once for the whole session; returns its output folder."""
    return build_copy(tmp_path_factory, "built")
