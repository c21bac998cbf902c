"""Properties that hold for any input Hypothesis can think of.

- The loader turns any text or bytes into values or located problems, never another error.
- Any text in a unit's name or description, or in a figure's label, gives either a clear
  DataError or documents that open: a briefing PDF qpdf accepts, Word fact sheets that
  python-docx reopens.
- Any unit tree gives a chart whose boxes do not overlap and whose labels fit their boxes.

Example counts are kept small so the file runs in about a minute on two cores.
"""

from __future__ import annotations

import copy
import dataclasses
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st

from dpo_docs import loader, validate
from dpo_docs.errors import DataError
from dpo_docs.templates import THEME_DIR

BASE = Path(__file__).parent / "bad_inputs" / "base"
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=150, deadline=None)

# Pieces YAML gives meaning to, so that random text often looks like (broken) YAML.
YAML_PIECES = st.sampled_from([
    "units:", "department:", "figures:", "\n", "\n  ", "\n  - ", "\n    ", "- ", ": ", "id: oma",
    "parent: dpo", "name: {fr: x}", "[", "]", "{", "}", ",", "&a ", "*a", "<<: ", "!!python/object ",
    "!!str ", "!!bool ", "!!timestamp ", "? ", "'", '"', "\t", "#", "---\n", "...\n", "|\n", ">-\n",
    "\\x07", "\\ud800", "\x07", "\x00", "\ufeff", "2025-02-30", "1e400", ".nan", "~", "yes", "é", "🕊",
    "0x" + "f" * 80, "9" * 5000, "!!binary ", "!!set ", "!!omap ", "&b [*b]", "%YAML 1.1\n", "%TAG ! x\n",
])
YAML_TEXT = st.one_of(st.text(max_size=300), st.lists(YAML_PIECES, max_size=60).map("".join))

# Texts for the renderers: anything at all, and text made of what breaks documents.
NASTY_PIECES = st.sampled_from([
    "<", ">", "&", "&amp;", "]]>", "<![CDATA[", "{{", "}}", "{%", "%}", "{#", "{ PAGE }",
    "MERGEFIELD Nom", "\\", '"', "'", "\n", "\t", " ", "\u00a0", "\u202f", "\u200b", "\u202e",
    "\u0301", "🕊️", "👩🏽‍🚀", "إدارة", "和平", "X" * 120, "é", "\U0010fffd",
])
ANY_TEXT = st.one_of(
    st.text(min_size=1, max_size=120),
    st.lists(NASTY_PIECES, min_size=1, max_size=12).map("".join),
)


def _check_problems(error: DataError) -> None:
    """A DataError a user can act on: problems located in a data file, one line each."""
    assert error.problems
    for problem in error.problems:
        # Named from the current folder: "data/…" there, the full path of a project elsewhere.
        file = problem.location.file
        assert file.startswith("data") or "/data/" in file or file.endswith("/data"), problem
        assert problem.message and "\n" not in str(problem), problem
        assert "Traceback" not in problem.message


# --- The loader ---------------------------------------------------------------------------

def _load_one(content: bytes) -> None:
    """Load (and validate) a data folder holding the base data plus one file of ``content``."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(BASE, data)
        (data / "zz-random.yaml").write_bytes(content)
        lines = content.count(b"\n") + 1
        try:
            validate.validate(loader.load(data, root=Path(tmp)))
        except DataError as error:
            _check_problems(error)
            for problem in error.problems:
                if problem.location.file == "data/zz-random.yaml" and problem.location.line:
                    assert problem.location.line <= lines + 1, problem


@FAST
@given(YAML_TEXT)
@example("!0\n0:")  # a tagged top level once crashed the loader
@example("a: " + "[" * 200)
def test_loader_answers_any_text_with_values_or_located_problems(text: str) -> None:
    _load_one(text.encode("utf-8", errors="surrogatepass"))


@FAST
@given(st.binary(max_size=300))
def test_loader_answers_any_bytes_with_values_or_located_problems(content: bytes) -> None:
    _load_one(content)


# --- The renderers ------------------------------------------------------------------------

def _project_with(tmp: Path, name: str, description: str, label: str) -> Path:
    """A project whose first unit and first figure carry the given texts."""
    project = tmp / "project"
    shutil.copytree(BASE, project / "data")
    shutil.copytree(THEME_DIR, project / "templates")
    units_path, figures_path = project / "data/units.yaml", project / "data/figures.yaml"
    units = yaml.safe_load(units_path.read_text(encoding="utf-8"))
    figures = yaml.safe_load(figures_path.read_text(encoding="utf-8"))
    units = copy.deepcopy(units)
    units["units"][0]["name"] = {"fr": name}
    units["units"][0]["description"] = [{"fr": description}]
    figures["figures"][0]["label"] = {"fr": label}
    for path, value in ((units_path, units), (figures_path, figures)):
        path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return project


def _build(project: Path, kind: str, in_hypothesis: bool = True) -> Path | None:
    """Build one kind of document in one process; the output folder, or None on a DataError."""
    from dpo_docs.build import build
    from dpo_docs.settings import default_settings

    options = dataclasses.replace(default_settings(project), only=(kind,), workers=1)
    try:
        build(options)
    except DataError as error:
        _check_problems(error)
        if in_hypothesis:
            event("refused with a DataError")
        return None
    if in_hypothesis:
        event("rendered")  # --hypothesis-show-statistics tells how many examples got this far
    return options.out_dir / "fr"


@SLOW
@given(name=ANY_TEXT, description=ANY_TEXT, label=ANY_TEXT)
def test_any_text_gives_a_briefing_qpdf_accepts_or_a_data_error(name: str, description: str, label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = _build(_project_with(Path(tmp), name, description, label), "briefing")
        if out is None:
            return
        check = subprocess.run(["qpdf", "--check", str(out / "briefing.pdf")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


@SLOW
@given(name=ANY_TEXT, description=ANY_TEXT, label=ANY_TEXT)
def test_any_text_gives_fact_sheets_word_reopens_or_a_data_error(name: str, description: str, label: str) -> None:
    import docx

    with tempfile.TemporaryDirectory() as tmp:
        out = _build(_project_with(Path(tmp), name, description, label), "factsheets")
        if out is None:
            return
        sheets = sorted((out / "factsheets").glob("*.docx"))
        assert [p.stem for p in sheets] == ["dpo", "oma", "orolsi"]
        for sheet in sheets:
            document = docx.Document(str(sheet))
            assert document.paragraphs


# --- The chart ----------------------------------------------------------------------------

@st.composite
def unit_trees(draw):
    """Data with a random unit tree: each unit hangs under the department or an earlier unit."""
    count = draw(st.integers(min_value=0, max_value=25))
    kinds = ["office", "division", "service", "section", "unit", "shared", "portfolio"]
    names = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80),
                      st.lists(NASTY_PIECES, min_size=1, max_size=6).map("".join))
    units = []
    for i in range(count):
        parent = draw(st.sampled_from(["dpo"] + [f"u{j}" for j in range(i)]))
        unit = {"id": f"u{i}", "parent": parent, "kind": draw(st.sampled_from(kinds)),
                "name": {"fr": draw(names)}}
        if draw(st.booleans()):
            unit["acronym"] = {"fr": draw(st.text(st.characters(min_codepoint=65, max_codepoint=90),
                                                  min_size=1, max_size=12))}
        if draw(st.booleans()):
            unit["shared_with"] = ["DPPA"]
        units.append(unit)
    base = yaml.safe_load((BASE / "department.yaml").read_text(encoding="utf-8"))
    base["department"]["sources"] = []
    try:  # the chart only ever sees data that passed validation
        return validate.validate(loader.LoadedData(values={"department": base["department"], "units": units}))
    except DataError:
        reject()


@settings(max_examples=40, deadline=None)
@given(unit_trees())
def test_any_unit_tree_gives_a_chart_without_overlaps(data) -> None:
    from dpo_docs.chart import layout, measure, to_png, to_svg
    from dpo_docs.views import chart_node, unit_tree

    chart = layout(chart_node(unit_tree(data), "fr"))
    boxes = chart.boxes
    assert len(boxes) == len(data.units) + 1
    eps = 0.02
    for i, a in enumerate(boxes):
        assert a.x >= -eps and a.y >= -eps
        assert a.x + a.w <= chart.width + eps and a.y + a.h <= chart.height + eps
        for b in boxes[i + 1:]:
            overlap = a.x < b.x + b.w - eps and b.x < a.x + a.w - eps and a.y < b.y + b.h - eps and b.y < a.y + a.h - eps
            assert not overlap, (a.id, b.id)
        for line in a.lines:  # long words are cut between characters, never past the edge
            # Measured shaped, as the PNG and the PDF draw it (HarfBuzz): per-character
            # widths overstate joined Arabic ("0000ؠػفؽ": 45.3 against 34.6 drawn).
            width = measure.em_width(line.text, line.bold, line.italic) * line.size
            assert line.x >= a.x - eps and line.x + width <= a.x + a.w + eps, (a.id, line.text)
    ET.fromstring(to_svg(chart, title="t", desc="d", standalone=True))
    assert to_png(chart, dpi=72).startswith(b"\x89PNG")


@pytest.mark.parametrize("count", [0, 1, 60])
def test_trees_at_the_edges_build_a_handout(count: int, tmp_path: Path) -> None:
    """No unit, one unit and a wide flat tree all give a handout qpdf accepts."""
    project = tmp_path / "project"
    shutil.copytree(BASE, project / "data")
    shutil.copytree(THEME_DIR, project / "templates")
    units = [{"id": f"u{i}", "parent": "dpo", "kind": "office", "name": {"fr": f"Bureau numéro {i}"}}
             for i in range(count)]
    (project / "data/units.yaml").write_text(yaml.safe_dump({"units": units}, allow_unicode=True))
    (project / "data/history.yaml").write_text("history: []\n")
    out = _build(project, "orgchart", in_hypothesis=False)
    assert out is not None
    check = subprocess.run(["qpdf", "--check", str(out / "orgchart.pdf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    ET.parse(out / "orgchart.svg")
