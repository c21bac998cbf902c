"""Data that would tie up or fool the build: each is refused early, in one located line.

- Limits are checked while loading, before the work they bound, and every check on the
  unit tree is linear: long chains, long cycles, floods of tiny items, deep trees.
- Only plain files inside the data folder are read: a named pipe, a device, a link out
  of the folder or a file name that is not UTF-8 is refused by name.
- Bidirectional controls, which make a text display in another order than it is
  stored, are refused like other control characters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dpo_docs import loader
from dpo_docs.model import MAX_TREE_DEPTH
from dpo_docs.templates import THEME_DIR
from tests.conftest import run

BASE = Path(__file__).parent / "bad_inputs" / "base"
LAST = "error: {} in the data; nothing was written"


def small_project(tmp_path: Path, units: str | None = None, templates: bool = False) -> Path:
    """The small valid data set in ``tmp_path``, with ``units`` as its units.yaml."""
    project = tmp_path / "project"
    shutil.copytree(BASE, project / "data")
    if templates:
        shutil.copytree(THEME_DIR, project / "templates")
    if units is not None:
        (project / "data/units.yaml").write_text(units, encoding="utf-8")
    return project


def chain(count: int, cycle: bool = False) -> str:
    """A units.yaml where u0 is the parent of u1, u1 of u2…, one unit a line (units[i] on line i + 2).

    u0 stands under the department, or, for a cycle, under the last unit.
    """
    lines = ["units:", "  - {id: oma, parent: dpo, kind: office, name: {fr: B}}"]  # the history names oma
    for i in range(count):
        parent = f"u{i - 1}" if i else (f"u{count - 1}" if cycle else "dpo")
        lines.append(f"  - {{id: u{i}, parent: {parent}, kind: unit, name: {{fr: U}}}}")
    return "\n".join(lines) + "\n"


def column(text: str, line: int, needle: str) -> int:
    """The 1-based column of ``needle`` on a 1-based line of ``text``."""
    return text.splitlines()[line - 1].index(needle) + 1


def validate(project: Path) -> tuple[int, list[str], float]:
    """Run ``dpo-docs validate``: exit code, output lines and seconds taken."""
    started = time.monotonic()
    result = run(project, "validate")
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()], elapsed


def in_a_process(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run dpo-docs as a user does; a run that would hang fails the test instead."""
    return subprocess.run([sys.executable, "-m", "dpo_docs", *args], cwd=project,
                          capture_output=True, text=True, timeout=60)


# --- Limits checked while loading, every check linear ------------------------------------

def test_a_long_chain_of_units_is_refused_at_the_first_unit_too_deep(tmp_path: Path) -> None:
    units = chain(3000)
    project = small_project(tmp_path, units)
    code, lines, elapsed = validate(project)
    assert code == 1
    line = MAX_TREE_DEPTH + 3  # units[0] is oma; u30 is units[31], the 31st level
    assert lines == [
        f"data/units.yaml:{line}:{column(units, line, 'parent')}: units[{MAX_TREE_DEPTH + 1}].parent: "
        f"unit 'u{MAX_TREE_DEPTH}' is {MAX_TREE_DEPTH + 1} levels below the department; "
        f"the unit tree may be at most {MAX_TREE_DEPTH} levels deep",
        LAST.format("1 problem"),
    ]
    # Reading the 3,000 units takes most of it; the tree check itself is a few milliseconds.
    assert elapsed < 10


def test_a_tree_at_the_maximum_depth_is_valid(tmp_path: Path) -> None:
    project = small_project(tmp_path, chain(MAX_TREE_DEPTH))
    code, lines, _ = validate(project)
    assert code == 0, lines
    assert lines == [f"data is valid: {MAX_TREE_DEPTH + 1} units, 1 operations, 1 figures, 1 sources"]


def test_a_tree_at_the_maximum_depth_renders(tmp_path: Path) -> None:
    # The limit is there for the renderers: the org chart's outline nests a list a level.
    project = small_project(tmp_path, chain(MAX_TREE_DEPTH), templates=True)
    result = run(project, "build", "--only", "orgchart", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (project / "output/fr/orgchart.pdf").stat().st_size > 0


def test_a_long_cycle_is_reported_once_in_a_short_line(tmp_path: Path) -> None:
    units = chain(1000, cycle=True)
    project = small_project(tmp_path, units)
    code, lines, elapsed = validate(project)
    assert code == 1
    assert lines == [
        f"data/units.yaml:3:{column(units, 3, 'parent')}: units[1].parent: cycle in the unit tree: "
        "u0 -> u999 -> u998 -> u997 -> … -> u0 (1,000 units)",
        LAST.format("1 problem"),
    ]
    assert elapsed < 5


def test_a_short_cycle_names_every_unit(tmp_path: Path) -> None:
    units = chain(3, cycle=True)
    project = small_project(tmp_path, units)
    code, lines, _ = validate(project)
    assert code == 1
    assert lines == [
        f"data/units.yaml:3:{column(units, 3, 'parent')}: units[1].parent: cycle in the unit tree: u0 -> u2 -> u1 -> u0",
        LAST.format("1 problem"),
    ]


def test_many_unknown_parents_are_each_reported_and_the_first_get_a_hint(tmp_path: Path) -> None:
    # Each hint compares a word with every known id: thousands of them took minutes.
    body = "".join(f"  - {{id: u{i}, parent: u{i}x, kind: unit, name: {{fr: U}}}}\n" for i in range(3000))
    units = "units:\n  - {id: oma, parent: dpo, kind: office, name: {fr: B}}\n" + body
    project = small_project(tmp_path, units)
    code, lines, elapsed = validate(project)
    assert code == 1
    assert lines[0] == f"data/units.yaml:3:{column(units, 3, 'parent')}: units[1].parent: unknown unit 'u0x' " \
        "(did you mean 'u0'?)"
    assert lines[-2:] == ["… and 2800 more problems", LAST.format("3000 problems")]
    assert sum("(did you mean" in line for line in lines) == 20
    assert elapsed < 10


def test_a_flood_of_tiny_items_stops_at_the_longest_list_allowed(tmp_path: Path) -> None:
    # Two million items in 8 MB took two minutes and 3.9 GB; reading now stops at the limit.
    project = small_project(tmp_path)
    (project / "data/extra.yaml").write_text("history:\n" + "- a\n" * 2_000_000, encoding="utf-8")
    code, lines, elapsed = validate(project)
    assert code == 1
    assert lines == [
        f"data/extra.yaml:{loader.MAX_LIST_ITEMS + 2}:3: history: too many entries (more than "
        f"{loader.MAX_LIST_ITEMS:,}); the rest of the file was not read",
        LAST.format("1 problem"),
    ]
    assert elapsed < 10


def test_too_many_units_are_counted_while_loading(tmp_path: Path) -> None:
    count = loader.MAX_LIST_ITEMS + 50
    body = "".join(f"  - {{id: u{i}, parent: dpo, kind: unit, name: {{fr: U}}}}\n" for i in range(count))
    project = small_project(tmp_path, "units:\n" + body)
    code, lines, _ = validate(project)
    assert code == 1
    assert lines == [
        f"data/units.yaml:{loader.MAX_LIST_ITEMS + 2}:5: units: too many entries (more than "
        f"{loader.MAX_LIST_ITEMS:,}); the rest of the file was not read",
        LAST.format("1 problem"),
    ]


def test_the_number_of_values_is_bounded_across_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real bound (500,000) takes seconds to reach; a small one shows the same behaviour.
    monkeypatch.setattr(loader, "MAX_NODES", 1_000)
    project = small_project(tmp_path)
    rows = "".join("  - [" + ", ".join(["a"] * 100) + "]\n" for _ in range(20))
    (project / "data/extra.yaml").write_text("history:\n" + rows, encoding="utf-8")
    (project / "data/more.yaml").write_text("operations:\n" + rows, encoding="utf-8")
    code, lines, _ = validate(project)
    assert code == 1
    assert len(lines) == 2
    assert lines[0].startswith("data/extra.yaml:")
    assert lines[0].endswith(": the data holds more than 1,000 values (keys, texts, numbers) in all; "
                             "the rest was not read")
    assert lines[1] == LAST.format("1 problem")  # more.yaml is not read at all


# --- Only plain files inside the data folder ----------------------------------------------

def test_a_named_pipe_is_refused_without_being_opened(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    os.mkfifo(project / "data/x.yaml")
    os.mkfifo(project / "data/pipe")
    (project / "data/y.yaml").symlink_to("pipe")  # a link inside the folder, to a pipe
    result = in_a_process(project, "validate")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "data/x.yaml: this is a named pipe, not a file; remove it, or rename it without .yaml",
        "data/y.yaml: this is a named pipe, not a file; remove it, or rename it without .yaml",
        LAST.format("2 problems"),
    ]


def test_a_folder_named_like_a_data_file_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    (project / "data/old.yaml").mkdir()
    code, lines, _ = validate(project)
    assert code == 1
    assert lines == ["data/old.yaml: this is a folder, not a file; remove it, or rename it without .yaml",
                     LAST.format("1 problem")]


def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    (project / "data/zero.yaml").symlink_to("/dev/zero")
    result = in_a_process(project, "validate")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "data/zero.yaml: this is a link to a file outside the data folder; copy the file into the folder instead",
        LAST.format("1 problem"),
    ]


def test_a_link_out_of_the_data_folder_is_refused_and_not_echoed(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("units: [the-password-is-swordfish]\n", encoding="utf-8")
    (project / "data/extra.yaml").symlink_to(secret)
    (project / "data/up.yaml").symlink_to("../../secret.txt")
    code, lines, _ = validate(project)
    assert code == 1
    assert lines == [
        "data/extra.yaml: this is a link to a file outside the data folder; copy the file into the folder instead",
        "data/up.yaml: this is a link to a file outside the data folder; copy the file into the folder instead",
        LAST.format("2 problems"),
    ]
    assert "swordfish" not in "\n".join(lines)


def test_a_link_to_another_file_of_the_data_folder_is_read(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    (project / "data/sources.yaml").rename(project / "data/sources.txt")
    (project / "data/sources.yaml").symlink_to("sources.txt")
    code, lines, _ = validate(project)
    assert code == 0, lines


def test_a_link_to_nothing_is_skipped_and_a_link_that_loops_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    (project / "data/.#units.yaml").symlink_to("editor@host.1234:1700000000")  # Emacs's lock file
    code, lines, _ = validate(project)
    assert code == 0, lines
    assert lines[-1].startswith("data is valid")
    (project / "data/loop.yaml").symlink_to("loop.yaml")
    code, lines, _ = validate(project)
    assert code == 1
    assert lines[-2:] == ["data/loop.yaml: cannot read file: Too many levels of symbolic links",
                          LAST.format("1 problem")]


def test_a_file_name_that_is_not_utf8_is_named_readably(tmp_path: Path) -> None:
    project = small_project(tmp_path, templates=True)
    fd = os.open(os.fsencode(project / "data") + b"/bad\xff.yaml", os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"history: []\n")
    os.close(fd)
    for command in ("validate", "build"):
        result = in_a_process(project, command)
        assert result.returncode == 1, command
        assert result.stderr.splitlines() == [
            "data/bad\\xff.yaml: file name is not valid UTF-8; rename the file",
            LAST.format("1 problem"),
        ], command


# --- Bidirectional controls ---------------------------------------------------------------

UNIT = "units:\n  - id: oma\n    parent: dpo\n    kind: office\n    name:\n      fr: {}\n"


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069"])
def test_an_escaped_bidi_control_in_a_text_is_refused(tmp_path: Path, char: str) -> None:
    project = small_project(tmp_path, UNIT.format(f'"Bureau \\u{ord(char):04x}des affaires"'))
    code, lines, _ = validate(project)
    assert code == 1
    assert lines == [
        f"data/units.yaml:6:7: units[0].name.fr: bidirectional control character U+{ord(char):04X} "
        "is not allowed in text; remove it",
        LAST.format("1 problem"),
    ]


def test_a_raw_bidi_control_is_refused_where_it_stands_even_in_a_comment(tmp_path: Path) -> None:
    project = small_project(tmp_path, UNIT.format("Bureau des affaires") + "    # note \u202e: xyz\n")
    code, lines, _ = validate(project)
    assert code == 1
    assert lines == [
        "data/units.yaml:7:12: bidirectional control character U+202E is not allowed; remove it",
        LAST.format("1 problem"),
    ]


def test_a_bidi_control_in_a_key_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path, UNIT.format("Bureau") + '    "note\\u2067": {fr: x}\n')
    code, lines, _ = validate(project)
    assert code == 1
    assert lines == ["data/units.yaml:7:5: units[0]: key contains bidirectional control character U+2067",
                     LAST.format("1 problem")]


def test_direction_marks_stay_allowed(tmp_path: Path) -> None:
    # Arabic text quoting a Latin name needs the marks to keep its punctuation in place.
    project = small_project(tmp_path, UNIT.format("\"Bureau\u200e (BAM)\u200f \u061c\""))
    code, lines, _ = validate(project)
    assert code == 0, lines
