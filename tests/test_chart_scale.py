"""Org charts from 10 to 10,000 units: geometry, pagination to paper, and the handout built from data."""

from __future__ import annotations

import bisect
import json
import re
import shutil
import subprocess
import time
from functools import cache
from pathlib import Path

import pytest

from dpo_docs import fonts
from dpo_docs.chart import ChartLayout, ChartNode, ChartStyle, layout
from dpo_docs.chart.model import DEFAULT_STYLE
from dpo_docs.chart.paginate import paginate
from dpo_docs.chart.sample import sample_tree, sample_units
from dpo_docs.outputs.orgchart import Paper
from tests.conftest import copy_project, run

EPS = 0.02
SIZES = (10, 200, 1_000, 10_000)
MIN_PT = 7.0


@cache
def tree(size: int) -> ChartNode:
    """The generated organisation of ``size`` boxes (built once per session)."""
    return sample_tree(size, seed=size)


@cache
def whole(size: int) -> ChartLayout:
    """The whole chart of ``tree(size)`` on one canvas."""
    return layout(tree(size))


def edges(root: ChartNode) -> set[tuple[str, str]]:
    """(parent id, child id) for every link of the tree."""
    out, todo = set(), [root]
    while todo:
        node = todo.pop()
        out.update((node.id, c.id) for c in node.children)
        todo.extend(node.children)
    return out


def overlapping(boxes) -> list[tuple[str, str]]:
    """Pairs of overlapping boxes, by sort and sweep on x: O(n log n) for tidy charts."""
    bad, active = [], []
    for b in sorted(boxes, key=lambda b: (b.x, b.y)):
        active = [a for a in active if a.x + a.w > b.x + EPS]
        bad += [(a.id, b.id) for a in active if a.y < b.y + b.h - EPS and b.y < a.y + a.h - EPS]
        active.append(b)
    return bad


def crossings(lay: ChartLayout) -> list[tuple[str, str, str]]:
    """Connector segments that enter a box: each segment meets only boxes in its x range."""
    order = sorted(lay.boxes, key=lambda b: b.x)
    xs, widest = [b.x for b in order], max(b.w for b in order)
    bad = []
    for link in lay.connectors:
        for (x0, y0), (x1, y1) in zip(link.points, link.points[1:], strict=False):
            lo_x, hi_x, lo_y, hi_y = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
            start, stop = bisect.bisect_left(xs, lo_x - widest), bisect.bisect_right(xs, hi_x)
            bad += [
                (link.parent_id, link.child_id, b.id) for b in order[start:stop]
                if lo_x < b.x + b.w - EPS and hi_x > b.x + EPS
                and lo_y < b.y + b.h - EPS and hi_y > b.y + EPS
            ]  # fmt: skip
    return bad


def on_edge(point: tuple[float, float], b) -> bool:
    """True if the point lies on the box's border."""
    x, y = point
    inside = b.x - EPS <= x <= b.x + b.w + EPS and b.y - EPS <= y <= b.y + b.h + EPS
    border = min(abs(x - b.x), abs(x - b.x - b.w), abs(y - b.y), abs(y - b.y - b.h)) <= EPS
    return inside and border


def check_geometry(lay: ChartLayout, style: ChartStyle = DEFAULT_STYLE) -> None:
    """What a reader would notice: overlaps, links through boxes, children above parents, tiny text."""
    boxes = {b.id: b for b in lay.boxes}
    assert len(boxes) == len(lay.boxes), "a unit is drawn twice on one canvas"
    assert not overlapping(lay.boxes)
    assert not crossings(lay)
    for b in lay.boxes:
        assert 0 <= b.x and b.x + b.w <= lay.width + EPS and 0 <= b.y and b.y + b.h <= lay.height + EPS
        assert b.lines
        for line in b.lines:
            assert line.size >= MIN_PT
            width = fonts.text_width(line.text, line.size, line.bold, line.italic)
            assert b.x + style.padding - EPS <= line.x
            assert line.x + width <= b.x + b.w - style.padding + EPS, (b.id, line.text)
    for link in lay.connectors:
        parent, child = boxes[link.parent_id], boxes[link.child_id]
        assert child.y > parent.y + parent.h, (parent.id, child.id)
        assert on_edge(link.points[0], parent) and on_edge(link.points[-1], child)
        for (x0, y0), (x1, y1) in zip(link.points, link.points[1:], strict=False):
            assert x0 == x1 or y0 == y1
        for x, y in link.points:
            assert 0 <= x <= lay.width and 0 <= y <= lay.height


# --------------------------------------------------------------------------- one canvas


@pytest.mark.parametrize("size", SIZES)
def test_whole_chart_geometry(size):
    root, lay = tree(size), whole(size)
    assert len(lay.boxes) == size
    assert {(c.parent_id, c.child_id) for c in lay.connectors} == edges(root)
    check_geometry(lay)


def test_generated_trees_exercise_every_layout_shape():
    lay = whole(1_000)
    shapes = {len(c.points) for c in lay.connectors}
    assert {2, 3, 4, 5} <= shapes  # straight, column, row, column hanging from a row
    spines = {}
    for c in lay.connectors:
        if len(c.points) == 3:
            spines.setdefault((c.parent_id, c.points[0][0]), []).append(c.points[-1][0])
    # Two columns: leaves entered from both sides of one spine.
    assert any(min(xs) < x < max(xs) for (_p, x), xs in spines.items())


def test_children_start_right_below_their_parent_not_on_a_global_row():
    lay = whole(200)
    boxes = {b.id: b for b in lay.boxes}
    style = ChartStyle()
    rows = [c for c in lay.connectors if len(c.points) == 4]
    assert rows
    for link in rows:
        parent, child = boxes[link.parent_id], boxes[link.child_id]
        assert child.y == pytest.approx(parent.y + parent.h + style.v_gap, abs=EPS)
    depth_tops = {}
    for b in lay.boxes:
        depth_tops.setdefault(b.depth, set()).add(b.y)
    assert any(len(tops) > 1 for tops in depth_tops.values())  # not layered


def test_layout_time_grows_linearly():
    """The benchmark gives the figures; this only guards against a quadratic slip."""
    tree(10_000)
    timings = {}
    for size in (1_000, 10_000):
        start = time.perf_counter()
        layout(tree(size))
        timings[size] = time.perf_counter() - start
    assert timings[10_000] < 5.0
    assert timings[10_000] / max(timings[1_000], 1e-3) < 30  # 10x the units, not 100x the time


# --------------------------------------------------------------------------- pagination

PAPERS = {"A3 landscape": Paper.of("A3", "landscape"), "A4 portrait": Paper.of("A4", "portrait")}


@cache
def pages(size: int, paper: str):
    """The generated tree paginated for one paper."""
    return paginate(tree(size), PAPERS[paper].box)


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("size", SIZES)
def test_every_page_fits_its_paper_at_legible_size(size, paper):
    result = pages(size, paper)
    box_w, box_h = PAPERS[paper].box
    assert result.scale * result.pages[0].layout.min_text_size >= MIN_PT - 1e-9
    drawn: set[str] = set()
    links: set[tuple[str, str]] = set()
    by_number = {p.number: p for p in result.pages}
    for page in result.pages:
        lay = page.layout
        assert lay.width * result.scale <= box_w + 1e-6
        assert lay.height * result.scale <= box_h + 1e-6
        assert lay.min_text_size * result.scale >= MIN_PT - 1e-9
        check_geometry(lay)
        drawn |= {b.id for b in lay.boxes}
        links |= {(c.parent_id, c.child_id) for c in lay.connectors}
        boxes = {b.id: b for b in lay.boxes}
        for ref in page.links:
            # A continued box names a page that exists and draws that branch.
            target = by_number[ref.page]
            assert ref.page != page.number
            assert ref.box_id in target.roots
            assert any(line.note and f"suite page {ref.page}" in line.text
                       for line in boxes[ref.box_id].lines)
        for root_id in page.roots:
            notes = [line.text for line in boxes[root_id].lines if line.note]
            for back in page.back:
                if any(f"retour à la page {back}" == n for n in notes):
                    assert root_id in {b.id for b in by_number[back].layout.boxes}
    root = tree(size)
    assert drawn == {i for edge in edges(root) for i in edge} | {root.id}
    assert links == edges(root)  # every link is drawn on some page
    if size >= 1_000:
        assert len(result.pages) > 1
        assert all(page.back for page in result.pages[1:])
        assert result.scale == 1.0  # one scale for every page, never below the legible size


def test_small_chart_grows_to_use_its_single_page():
    result = pages(10, "A3 landscape")
    assert len(result.pages) == 1 and result.pages[0].links == ()
    assert result.scale > 1


def test_pagination_is_deterministic():
    again = paginate(sample_tree(1_000, seed=1_000), PAPERS["A3 landscape"].box)
    assert again == pages(1_000, "A3 landscape")


def test_a_unit_with_hundreds_of_sub_units_is_split_over_pages():
    kids = tuple(ChartNode(f"k{i}", f"Section des affaires civiles {i}",
                           children=(ChartNode(f"g{i}", f"Groupe {i}"),)) for i in range(300))
    root = ChartNode("root", "Département", kind="department", children=kids)
    result = paginate(root, PAPERS["A4 portrait"].box)
    firsts = [p for p in result.pages if "root" in p.roots]
    assert len(firsts) > 2  # the department's top box is repeated over its parts
    for page in result.pages:
        check_geometry(page.layout)
    drawn = {b.id for p in result.pages for b in p.layout.boxes}
    assert drawn == {"root"} | {f"k{i}" for i in range(300)} | {f"g{i}" for i in range(300)}


# --------------------------------------------------------------------------- the handout


def write_units(project: Path, count: int) -> None:
    """Replace the project's units with ``count`` generated ones (acronyms U1, U2, …)."""
    lines = ["units:"]
    for unit in sample_units(count, seed=count):
        lines += [f"  - id: {unit.id}", f"    parent: {unit.parent}", f"    kind: {unit.kind}",
                  "    name:", f"      fr: {json.dumps(unit.name, ensure_ascii=False)}",
                  "    acronym:", f"      fr: U{unit.id[1:]}"]
        if unit.head:
            lines += ["    head:", "      title:", f"        fr: {unit.head}"]
        if unit.shared:
            lines += ["    shared_with: [DPPA]"]
    (project / "data/units.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The history cites units of the real data by id; they are gone.
    history = project / "data/history.yaml"
    text = history.read_text(encoding="utf-8")
    history.write_text(re.sub(r"(?m)^\s+units: \[.*\]\n", "", text), encoding="utf-8")


def raw_text(pdf: Path, page: int) -> str:
    """The text of one page in drawing order (each box's lines together)."""
    cmd = ["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(not shutil.which("qpdf") or not shutil.which("pdftotext"),
                    reason="qpdf and poppler-utils are needed")
def test_thousand_unit_handout_through_the_cli(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    write_units(project, 999)
    result = run(project, "build", "--only", "orgchart")
    assert result.exit_code == 0, result.output
    pdf = project / "output/fr/orgchart.pdf"
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    from pypdf import PdfReader

    count = len(PdfReader(pdf).pages)
    texts = {n: raw_text(pdf, n) for n in range(1, count + 1)}
    assert all(text.strip() for text in texts.values())  # every page has extractable text
    chart_pages = next(n for n, t in texts.items() if "Version texte" in t) - 1
    assert chart_pages > 1
    acronym = r"\b(?:U\d+|DPO)\b"
    markers = 0
    for number in range(1, chart_pages + 1):
        text = texts[number]
        assert re.search(acronym, text)
        for match in re.finditer(r"suite page (\d+)", text):
            # The marker belongs to the box whose acronym (first line) comes last before it.
            target, owner = int(match.group(1)), re.findall(acronym, text[: match.start()])[-1]
            assert 1 <= target <= chart_pages and target != number
            box = rf"\n{owner}\n(?:(?!{acronym}).)*?retour à la page {number}\b"
            assert re.search(box, texts[target], re.S), (number, owner, target)
            markers += 1
        for match in re.finditer(r"retour à la page (\d+)", text):
            origin, owner = int(match.group(1)), re.findall(acronym, text[: match.start()])[-1]
            box = rf"\n{owner}\n(?:(?!{acronym}).)*?suite page {number}\b"
            assert re.search(box, texts[origin], re.S), (number, owner, origin)
    assert markers >= chart_pages - 1


# --------------------------------------------------------------------------- options


def test_paper_orientation_and_heads_from_the_command_line(project: Path):
    from pypdf import PdfReader

    from tests.conftest import pdf_text

    result = run(project, "build", "--only", "orgchart", "--paper", "A2",
                 "--orientation", "portrait", "--no-chart-heads")
    assert result.exit_code == 0, result.output
    pdf = project / "output/fr/orgchart.pdf"
    page = PdfReader(pdf).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (1190.55, 1683.78), abs=1)
    chart = pdf_text(pdf, 1)
    assert "OROLSI" in chart and "Conseiller militaire" not in chart
    # The legend pairs every colour with the name of a kind, and explains dashed borders.
    for label in ("Département", "Bureau principal", "Division", "Structure partagée",
                  "Bordure en tirets"):
        assert label in chart
    assert "Conseiller militaire" in pdf_text(pdf, 2)  # the text version keeps the heads


def test_paper_and_heads_from_the_project_config(project: Path):
    from pypdf import PdfReader

    from tests.conftest import pdf_text

    config = project / "dpo-docs.toml"
    config.write_text('[build]\norgchart_paper = "A4"\norgchart_orientation = "portrait"\n'
                      "chart_heads = false\n", encoding="utf-8")
    result = run(project, "build", "--only", "orgchart")
    assert result.exit_code == 0, result.output
    pdf = project / "output/fr/orgchart.pdf"
    page = PdfReader(pdf).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (595.28, 841.89), abs=1)
    first = pdf_text(pdf, 1)
    assert "Conseiller militaire" not in first
    # The department does not fit an A4 portrait page at 7 pt: an overview, then its branches.
    assert re.search(r"suite page \d", first)
    assert "retour à la page 1" in pdf_text(pdf, 2)
    # The command line wins over the file.
    result = run(project, "build", "--only", "orgchart", "--chart-heads", "--paper", "A3",
                 "--orientation", "landscape")
    assert result.exit_code == 0, result.output
    assert "Conseiller militaire" in pdf_text(pdf, 1)


@pytest.mark.parametrize(("line", "message"), [
    ('orgchart_paper = "B5"', "build.orgchart_paper: must be one of A2, A3, A4, not 'B5'"),
    ('orgchart_orientation = "sideways"', "build.orgchart_orientation: must be one of landscape"),
    ('chart_heads = "no"', "build.chart_heads: must be true or false"),
])
def test_bad_chart_settings_in_the_config_are_reported(tmp_path: Path, line: str, message: str):
    from dpo_docs.errors import DataError
    from dpo_docs.settings import default_settings

    (tmp_path / "dpo-docs.toml").write_text(f"[build]\n{line}\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        default_settings(tmp_path)
    assert f"dpo-docs.toml:2: {message}" in caught.value.report()


def test_a_box_bigger_than_the_paper_is_an_error_not_a_clipped_page():
    from dpo_docs.chart import ChartError

    giant = ChartNode("g", " ".join(["Très longue dénomination"] * 60))
    with pytest.raises(ChartError, match="does not fit on one page"):
        paginate(giant, (200.0, 150.0))
    with pytest.raises(ChartError, match="does not fit on one page"):
        paginate(ChartNode("root", "Département", children=(giant,)), (200.0, 150.0))
