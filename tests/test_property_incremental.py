"""Property: an incremental build equals a clean build, and `check` saw it coming.

For random edits of the data, of any template or included file, of the Word template
and of the settings, a build in the existing output folder gives the same bytes as a
build in a new folder; before it, `check` lists every document whose bytes then differ,
and after it, `check` says all are current.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import copy_project, run


def _replace(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a text file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def figure_value(project: Path, rng: random.Random) -> None:
    """A figure gets a new value."""
    _replace(project / "data/figures.yaml", "value: 119\n", f"value: {rng.randint(1, 999)}\n")


def figure_date(project: Path, rng: random.Random) -> None:
    """The newest figure gets a new as-of date (the date of the data in every footer)."""
    _replace(project / "data/figures.yaml", "as_of: 2025-06-30", f"as_of: 2025-{rng.randint(7, 11):02d}-{rng.randint(1, 28):02d}")


def unit_name(project: Path, rng: random.Random) -> None:
    """A service is renamed."""
    word = "".join(rng.choice("abcdefghij") for _ in range(8))
    _replace(project / "data/units.yaml", "fr: Service de la constitution des forces",
             f"fr: Service {word} des forces")


def stylesheet(project: Path, rng: random.Random) -> None:
    """The briefing's stylesheet (fetched by WeasyPrint) changes its spacing."""
    css = project / "templates/briefing.css"
    css.write_text(css.read_text(encoding="utf-8") + f"\np {{ letter-spacing: {rng.randint(1, 9) / 100}pt; }}\n",
                   encoding="utf-8")


def included(project: Path, rng: random.Random) -> None:
    """The file both HTML templates include gets a new keyword."""
    _replace(project / "templates/_meta.html", '<meta name="author"',
             f'<meta name="keywords" content="k{rng.randint(0, 999)}">\n<meta name="author"')


def handout_style(project: Path, rng: random.Random) -> None:
    """The handout's stylesheet changes a colour."""
    css = project / "templates/orgchart.css"
    css.write_text(css.read_text(encoding="utf-8") + f"\nh1 {{ color: #{rng.randint(0, 0xFFFFFF):06x}; }}\n",
                   encoding="utf-8")


def word_template(project: Path, rng: random.Random) -> None:
    """The Word template gains a line of text."""
    import docx

    path = project / "templates/factsheet.docx"
    document = docx.Document(str(path))
    document.add_paragraph(f"Note {rng.randint(0, 999)}")
    document.save(str(path))


def setting(project: Path, rng: random.Random) -> None:
    """The project's settings change the handout's paper or the charts' heads."""
    line = rng.choice(['orgchart_paper = "A4"', 'orgchart_paper = "A2"', "chart_heads = false",
                       'orgchart_orientation = "portrait"'])
    (project / "dpo-docs.toml").write_text(f"[build]\n{line}\n", encoding="utf-8")


EDITS = [figure_value, figure_date, unit_name, stylesheet, included, handout_style, word_template, setting]


def documents(out: Path) -> dict[str, str]:
    """Digest of every document under an output folder (reports and build state left out)."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file() and ".dpo-docs" not in p.parts and p.name not in ("CHANGES.md", "changes.json")}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project, built once."""
    project = copy_project(tmp_path_factory.mktemp("base") / "project")
    assert run(project, "build", "-j", "1").exit_code == 0
    return project


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from(EDITS), min_size=1, max_size=3, unique=True),
       seed=st.integers(0, 2**32 - 1))
def test_incremental_build_equals_clean_build_and_check_foresaw_it(
        base: Path, tmp_path_factory: pytest.TempPathFactory, edits: list, seed: int) -> None:
    work = tmp_path_factory.mktemp("edit")
    project = work / "project"
    shutil.copytree(base, project, symlinks=True)
    rng = random.Random(seed)
    for edit in edits:
        edit(project, rng)
    before = documents(project / "output")
    check = run(project, "check")
    stale = {line.split(": ", 1)[0] for line in check.stdout.splitlines() if ": " in line}
    clean = work / "clean"
    shutil.copytree(project, clean, ignore=shutil.ignore_patterns("output"))
    result = run(clean, "build", "-j", "1")
    assert result.exit_code == 0, result.output
    expected = documents(clean / "output")
    # A document is named by its first file: each of its files must be foreseen.
    differ = {rel for rel in expected if before.get(rel) != expected[rel]}
    labels = {rel.rsplit(".", 1)[0] for rel in stale}
    assert {rel.rsplit(".", 1)[0] for rel in differ} <= labels, (edits, check.stdout)
    result = run(project, "build", "-j", "1")
    assert result.exit_code == 0, result.output
    assert documents(project / "output") == expected, edits
    after = run(project, "check")
    assert after.exit_code == 0, (edits, after.output)
