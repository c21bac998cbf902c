"""Org chart engine: font measurement, layout geometry, SVG, PNG and WeasyPrint output."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dpo_docs import fonts
from dpo_docs.chart import ChartError, ChartLayout, ChartNode, ChartStyle, layout, to_png, to_svg
from dpo_docs.chart.svg import PALETTE
from dpo_docs.errors import DpoDocsError

SVG = "{http://www.w3.org/2000/svg}"
EPS = 0.02
NASTY = '<b> & "x" {{ 7*7 }}'


def _leaves(prefix: str, names: list[str], kind: str = "unit") -> tuple[ChartNode, ...]:
    """Leaf units with ids prefix-0, prefix-1, …"""
    return tuple(ChartNode(f"{prefix}-{i}", n, kind=kind) for i, n in enumerate(names))


def dpo_tree() -> ChartNode:
    """A small tree shaped like the department: long French names, stacks, a shared unit."""
    return ChartNode(
        "dpo", "Département des opérations de paix", acronym="DPO",
        detail="Secrétaire général adjoint aux opérations de paix", kind="department",
        children=(
            ChartNode("osga", "Bureau du Secrétaire général adjoint", kind="office",
                      children=_leaves("osga", [
                          "Équipe de la communication stratégique", "Section des politiques",
                          "Cellule de coordination", "Groupe de l'appui juridique",
                          "Équipe des partenariats"])),
            ChartNode(
                "orolsi",
                "Bureau de l'état de droit et des institutions chargées de la sécurité",
                acronym="BEDIS", kind="office", children=(
                    ChartNode("pd", "Division de la police", kind="division",
                              children=_leaves("pd", [
                                  "Section des politiques de police",
                                  "Service de police permanent",
                                  "Section de la planification stratégique",
                                  "Groupe de sélection et de recrutement",
                                  "Section de l'appui aux missions"], "section")),
                    ChartNode("jcs", "Service de la justice et de l'administration pénitentiaire",
                              kind="service"),
                    ChartNode("ddr", "Section du désarmement, de la démobilisation et de la "
                              "réintégration", kind="section"),
                    ChartNode("unmas", "Service de la lutte antimines", acronym="UNMAS",
                              kind="service"),
                )),
            ChartNode("oma", "Bureau des affaires militaires", acronym="BAM", kind="office",
                      children=(
                          ChartNode("oma-1", "Service de la planification militaire",
                                    kind="service"),
                          ChartNode("oma-2", "Service des opérations militaires en cours",
                                    kind="service"))),
            ChartNode("reg", "Structure régionale commune DPPA–DPO", kind="shared", shared=True,
                      detail="Partagée avec le Département des affaires politiques et de la "
                      "consolidation de la paix",
                      children=_leaves("reg", [
                          "Division Afrique I", "Division Afrique II",
                          "Division Moyen-Orient, Asie et Pacifique",
                          "Division Europe, Asie centrale et Amériques",
                          "Section de l'appui transversal"], "division")),
        ),
    )  # fmt: skip


WORDS = (
    "Bureau Division Service Section Groupe Cellule de la des et du appui politique "
    "opérations paix sécurité état droit institutions chargées planification stratégique "
    "désarmement démobilisation réintégration Afrique Moyen-Orient Amériques Europe Asie "
    "formation évaluation partenariats logistique mission civile militaire police "
    "Anticonstitutionnellementextraordinairementlongmot"
).split()
KINDS = ("office", "division", "service", "section", "unit", "shared", "portfolio")


def random_tree(seed: int, size: int = 200, max_depth: int = 5) -> ChartNode:
    """A seeded random tree of ``size`` units, depth up to ``max_depth``."""
    rng = random.Random(seed)
    depth = [0]
    kids: list[list[int]] = [[]]
    for i in range(1, size):
        parent = rng.choice([p for p in range(i) if depth[p] < max_depth])
        # Favour a few busy parents so that stacked columns and wide rows both appear.
        if rng.random() < 0.35 and kids[parent] == [] and depth[parent] > 0:
            parent = depth.index(depth[parent] - 1)
        depth.append(depth[parent] + 1)
        kids.append([])
        kids[parent].append(i)

    def build(i: int) -> ChartNode:
        """The frozen node for index i, children first."""
        name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 14)))
        return ChartNode(
            id=f"u{i}", name=name,
            acronym=f"U{i}" if rng.random() < 0.3 else None,
            detail=" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))
            if rng.random() < 0.2 else None,
            kind="department" if i == 0 else rng.choice(KINDS),
            shared=rng.random() < 0.1,
            children=tuple(build(k) for k in kids[i]),
        )  # fmt: skip

    return build(0)


def parents_of(root: ChartNode) -> dict[str, str]:
    """child id -> parent id for every edge of the tree."""
    out, todo = {}, [root]
    while todo:
        node = todo.pop()
        for child in node.children:
            out[child.id] = node.id
            todo.append(child)
    return out


# --------------------------------------------------------------------------- fonts


def test_wide_letters_measure_wider_than_narrow_ones():
    assert fonts.text_width("MMMM", 10) > fonts.text_width("iiii", 10)
    assert fonts.text_width("MMMM", 10, bold=True) > fonts.text_width("MMMM", 10)
    assert fonts.text_width("abc", 20) == pytest.approx(2 * fonts.text_width("abc", 10))


@pytest.mark.parametrize("max_width", [20.0, 55.0, 110.0])
def test_wrap_never_exceeds_max_width(max_width):
    text = (
        "Bureau de l'état de droit et des institutions chargées de la sécurité "
        + "X" * 60
        + " Secrétaire général adjoint aux opérations de paix"
    )
    for bold in (False, True):
        lines = fonts.wrap(text, 8, max_width, bold=bold)
        assert lines
        for line in lines:
            assert fonts.text_width(line, 8, bold=bold) <= max_width
        # Nothing lost: the words come back in order, the long word merely cut.
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_keeps_no_break_spaces_and_handles_empty_text():
    assert fonts.wrap("", 8, 100) == []
    assert fonts.wrap("   ", 8, 100) == []
    lines = fonts.wrap("Effectif : 10\u00a0000 personnes", 8, 40)
    assert any("10\u00a0000" in line for line in lines)


def test_missing_characters_do_not_crash():
    assert fonts.text_width("\U0001f54a\U000e0001\u4e2d", 8) > 0
    assert fonts.wrap("\U0001f54a" * 30, 8, 50)


def test_wrap_refuses_impossible_width():
    with pytest.raises(ValueError):
        fonts.wrap("abc", 8, 0)


def test_font_face_css_points_at_the_shipped_files():
    css = fonts.font_face_css()
    fallback_faces = sum(len(files) for _, files in fonts.FALLBACKS)
    assert css.count("@font-face") == 4 + fallback_faces
    assert css.count(f'font-family: "{fonts.FAMILY}"') == 4
    for bold in (False, True):
        for italic in (False, True):
            path = fonts.font_path(bold, italic)
            assert path.is_file() and path.parent == fonts.FONT_DIR
            assert f'url("{path.as_uri()}")' in css


def test_importing_fonts_and_chart_stays_cheap():
    code = (
        "import sys, dpo_docs.fonts, dpo_docs.chart;"
        "heavy = [m for m in ('fontTools', 'PIL', 'weasyprint') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- layout


def check_geometry(root: ChartNode, lay: ChartLayout, style: ChartStyle | None = None) -> None:
    """Every invariant a reader of the chart would notice if broken."""
    style = style or ChartStyle()
    boxes = {b.id: b for b in lay.boxes}
    parent_of = parents_of(root)
    assert len(boxes) == len(lay.boxes) == len(parent_of) + 1

    # No two boxes overlap.
    ordered = sorted(lay.boxes, key=lambda b: b.x)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.x >= a.x + a.w - EPS:
                break
            assert not (a.y < b.y + b.h - EPS and b.y < a.y + a.h - EPS), (a.id, b.id)

    # All boxes inside the canvas.
    for b in lay.boxes:
        assert b.x >= 0 and b.y >= 0
        assert b.x + b.w <= lay.width and b.y + b.h <= lay.height

    # Children below parents; one connector per edge, from edge to edge, orthogonal.
    links = {(c.parent_id, c.child_id): c for c in lay.connectors}
    assert set(links) == {(p, c) for c, p in parent_of.items()}
    for child_id, parent_id in parent_of.items():
        parent, child = boxes[parent_id], boxes[child_id]
        assert child.y > parent.y + parent.h
        pts = links[(parent_id, child_id)].points
        assert len(pts) >= 2
        assert on_edge(pts[0], parent) and on_edge(pts[-1], child)
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            assert x0 == x1 or y0 == y1

    # No connector segment crosses the inside of any box (its own boxes included).
    for link in lay.connectors:
        for seg in zip(link.points, link.points[1:], strict=False):
            for b in lay.boxes:
                assert not crosses(seg, b), (link.parent_id, link.child_id, b.id)

    # No other box sits over a parent's bus, where it would look like those children's parent.
    for link in lay.connectors:
        if len(link.points) != 4:
            continue
        parent = boxes[link.parent_id]
        (x0, bus_y), (x1, _) = link.points[1], link.points[2]
        for b in lay.boxes:
            if b is not parent and b.y < bus_y and b.y + b.h > parent.y:
                assert b.x + b.w <= min(x0, x1) + EPS or b.x >= max(x0, x1) - EPS, b.id

    # Text fits, measured with the shipped font, and stays legible.
    for b in lay.boxes:
        assert b.lines
        for line in b.lines:
            assert line.size >= 7
            width = fonts.text_width(line.text, line.size, line.bold, line.italic)
            assert line.x >= b.x + style.padding - EPS
            assert line.x + width <= b.x + b.w - style.padding + EPS
            ascent, descent = fonts.vertical_metrics(line.bold, line.italic)
            assert line.y - ascent * line.size >= b.y - EPS
            assert line.y + descent * line.size <= b.y + b.h + EPS


def on_edge(point: tuple[float, float], b) -> bool:
    """True if the point lies on the box's border."""
    x, y = point
    inside = b.x - EPS <= x <= b.x + b.w + EPS and b.y - EPS <= y <= b.y + b.h + EPS
    border = min(abs(x - b.x), abs(x - b.x - b.w), abs(y - b.y), abs(y - b.y - b.h)) <= EPS
    return inside and border


def crosses(seg, b) -> bool:
    """True if the axis-aligned segment enters the open interior of the box."""
    (x0, y0), (x1, y1) = seg
    lo_x, hi_x, lo_y, hi_y = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    return (
        lo_x < b.x + b.w - EPS and hi_x > b.x + EPS and lo_y < b.y + b.h - EPS and hi_y > b.y + EPS
    )


def test_dpo_tree_geometry():
    root = dpo_tree()
    check_geometry(root, layout(root))


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_random_200_unit_tree_geometry(seed):
    root = random_tree(seed)
    lay = layout(root)
    check_geometry(root, lay)
    assert max(b.depth for b in lay.boxes) <= 5
    # The generator must exercise the stacked columns, or the test proves little.
    assert any(len(c.points) == 3 for c in lay.connectors)


@pytest.mark.parametrize(
    "style",
    [
        ChartStyle(equal_row_heights=False),
        ChartStyle(font_size=10, box_width=90, h_gap=6, v_gap=12, padding=3),
        ChartStyle(stack_threshold=2, stack_indent=40, min_box_width=20),
    ],
)
def test_geometry_holds_for_other_styles(style):
    root = random_tree(11)
    check_geometry(root, layout(root, style), style)


def test_layout_scales_near_linearly():
    import time

    root = random_tree(4, size=2000, max_depth=8)
    start = time.perf_counter()
    lay = layout(root)
    assert len(lay.boxes) == 2000
    assert time.perf_counter() - start < 5  # about 0.3 s on a laptop


def test_layout_is_deterministic_and_rounded():
    a, b = layout(random_tree(5)), layout(random_tree(5))
    assert a == b
    for box in a.boxes:
        for v in (box.x, box.y, box.w, box.h):
            assert round(v, 2) == v


def test_parent_is_centred_over_a_row_of_children():
    lay = layout(dpo_tree())
    boxes = {b.id: b for b in lay.boxes}
    oma, kids = boxes["oma"], [boxes["oma-1"], boxes["oma-2"]]
    centre = lambda b: b.x + b.w / 2  # noqa: E731
    assert centre(oma) == pytest.approx((centre(kids[0]) + centre(kids[1])) / 2, abs=0.02)
    assert kids[0].y == kids[1].y
    assert kids[0].x + kids[0].w < kids[1].x  # data order kept


def test_many_leaves_stack_in_one_column_right_of_a_spine():
    lay = layout(dpo_tree())
    boxes = {b.id: b for b in lay.boxes}
    stack = [boxes[f"pd-{i}"] for i in range(5)]
    assert len({b.x for b in stack}) == 1 and len({b.w for b in stack}) == 1
    assert all(a.y + a.h < b.y for a, b in zip(stack, stack[1:], strict=False))
    links = [c for c in lay.connectors if c.parent_id == "pd"]
    spine_x = {c.points[0][0] for c in links}
    assert len(spine_x) == 1 and spine_x.pop() < stack[0].x
    for link, leaf in zip(links, stack, strict=True):
        assert link.points[-1] == (leaf.x, link.points[-1][1])  # enters at the left edge


def test_boxes_are_sized_by_their_labels():
    style = ChartStyle()
    lay = layout(dpo_tree(), style)
    boxes = {b.id: b for b in lay.boxes}
    assert boxes["oma-1"].w <= style.box_width
    assert boxes["reg-0"].w < style.box_width  # short names, narrow column
    assert [line.bold for line in boxes["dpo"].lines][:2] == [True, False]
    assert boxes["dpo"].lines[0].text == "DPO"
    assert boxes["dpo"].lines[-1].size == style.detail_size
    assert boxes["reg"].shared and not boxes["oma"].shared


def test_single_node_deep_chain_and_bad_input():
    single = layout(ChartNode("a", "Seul"))
    assert len(single.boxes) == 1 and single.connectors == ()
    chain = ChartNode("n0", "Unité 0")
    for i in range(1, 1500):
        chain = ChartNode(f"n{i}", f"Unité {i}", children=(chain,))
    assert len(layout(chain).boxes) == 1500  # no recursion limit
    dup = ChartNode("a", "A", children=(ChartNode("a", "B"),))
    with pytest.raises(ChartError):
        layout(dup)
    with pytest.raises(DpoDocsError):
        layout(ChartNode("a", "A"), ChartStyle(font_size=6))
    with pytest.raises(ValueError):
        layout(ChartNode("a", "   "))


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("kind", sorted(PALETTE))
def test_palette_text_contrast_meets_wcag_aa(kind):
    colours = PALETTE[kind]
    hi, lo = sorted([_luminance(colours.fill), _luminance(colours.text)], reverse=True)
    assert (hi + 0.05) / (lo + 0.05) >= 4.5


# --------------------------------------------------------------------------- SVG


def test_svg_parses_and_is_accessible():
    lay = layout(dpo_tree())
    svg = to_svg(lay, "Organigramme du DPO", "Structure du département")
    assert svg.startswith("<?xml")
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {lay.width:g} {lay.height:g}"
    assert root.get("width").endswith("pt") and root.get("height").endswith("pt")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Organigramme du DPO" and desc.text == "Structure du département"
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert len(root.findall(f".//{SVG}rect")) == len(lay.boxes)
    assert len(root.findall(f".//{SVG}polyline")) == len(lay.connectors)
    # The shared unit's border is dashed; kinds whose own border is solid stay solid.
    shared = {b.id for b in lay.boxes if b.shared}
    solid = {b.id for b in lay.boxes if not b.shared and PALETTE[b.kind].dash is None}
    groups = {g.get("data-id"): g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if g.get("data-id")}
    assert len(shared) == 1
    assert all(groups[i].get("stroke-dasharray") for i in shared)
    assert not any(groups[i].get("stroke-dasharray") for i in solid)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Division de la police" in texts
    assert all(float(t.get("font-size")) >= 7 for t in root.iter(f"{SVG}text"))


def test_svg_escapes_everything_literally():
    lay = layout(ChartNode("x", NASTY, acronym="<&>", detail="a & b", kind="department"))
    svg = to_svg(lay, f"Titre {NASTY}", "</desc><script>alert(1)</script>")
    root = ET.fromstring(svg.encode("utf-8"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert " ".join(texts[1:-1]) == NASTY and texts[0] == "<&>"
    assert root.find(f"{SVG}title").text == f"Titre {NASTY}"
    assert root.find(f"{SVG}desc").text == "</desc><script>alert(1)</script>"
    assert "<b>" not in svg and "<script>" not in svg and "49" not in svg


def test_svg_is_deterministic_and_inline_ids_can_differ():
    lay = layout(random_tree(3))
    assert to_svg(lay, "t", "d") == to_svg(layout(random_tree(3)), "t", "d")
    one = to_svg(lay, "t", "d", standalone=False, id_prefix="chart-a")
    two = to_svg(lay, "t", "d", standalone=False, id_prefix="chart-b")
    assert one.startswith("<svg") and "<?xml" not in one
    ids = lambda s: {e.get("id") for e in ET.fromstring(s).iter() if e.get("id")}  # noqa: E731
    assert ids(one) and not ids(one) & ids(two)
    with pytest.raises(ChartError):
        to_svg(lay, "t", "d", id_prefix='x" onload="alert(1)')


# --------------------------------------------------------------------------- PNG


def test_png_reopens_at_the_right_size_and_is_deterministic():
    from PIL import Image

    lay = layout(dpo_tree())
    data = to_png(lay, dpi=150)
    assert data == to_png(layout(dpo_tree()), dpi=150)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG" and image.mode == "RGB"
    assert abs(image.width - lay.width * 150 / 72) <= 1
    assert abs(image.height - lay.height * 150 / 72) <= 1
    assert round(image.info["dpi"][0]) == 150
    # The department box is filled dark UN blue; the corner of the canvas is white.
    dpo = next(b for b in lay.boxes if b.id == "dpo")
    scale = 150 / 72
    inside = (round((dpo.x + 2.5) * scale), round((dpo.y + dpo.h / 2) * scale))
    assert image.getpixel(inside) == (0x1F, 0x4E, 0x79)
    assert image.getpixel((0, 0)) == (255, 255, 255)


# --------------------------------------------------------------------------- WeasyPrint


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_inline_svg_renders_in_weasyprint(tmp_path: Path):
    weasyprint = pytest.importorskip("weasyprint")
    root = ChartNode("dpo", "Département des opérations de paix", acronym="DPO",
                     kind="department", children=(
                         ChartNode("oma", "Bureau des affaires militaires", kind="office"),
                         ChartNode("pd", "Division de la police", kind="division")))  # fmt: skip
    svg = to_svg(layout(root), "Organigramme", "Test", standalone=False)
    html = f"<html><head><style>{fonts.font_face_css()}</style></head><body>{svg}</body></html>"
    pdf = tmp_path / "chart.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Bureau des affaires militaires" in text
    assert "Division de la police" in text
    if shutil.which("pdffonts"):
        listing = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        assert "Noto" in listing  # the shipped font, not a system fallback


def test_more_than_eight_leaves_take_two_columns_in_data_order():
    leaves = _leaves("s", [f"Section {i}" for i in range(12)], "section")
    lay = layout(ChartNode("p", "Service", kind="service", children=leaves))
    boxes = {b.id: b for b in lay.boxes}
    left, right = [boxes[f"s-{i}"] for i in range(6)], [boxes[f"s-{i}"] for i in range(6, 12)]
    assert len({b.x for b in left}) == 1 and len({b.x for b in right}) == 1
    assert left[0].x + left[0].w < right[0].x  # first half on the left, read top to bottom
    assert all(a.y < b.y for a, b in zip(left, left[1:], strict=False))
    spine = {c.points[0][0] for c in lay.connectors}
    assert len(spine) == 1 and left[0].x + left[0].w < spine.pop() < right[0].x
    side = layout(ChartNode("p", "Service", kind="service", children=leaves[:5],
                            side_by_side=True))
    assert len({b.y for b in side.boxes if b.id != "p"}) == 1  # kept in one row


def test_notes_are_drawn_last_and_flagged():
    node = ChartNode("p", "Division", acronym="DIV", notes=("suite page 12",), continued=True)
    box = layout(node).boxes[0]
    assert [line.note for line in box.lines] == [False, False, True]
    assert box.lines[-1].text == "suite page 12" and box.lines[-1].bold and box.continued
