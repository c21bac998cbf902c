"""Bad data gets located messages, exit code 1, and leaves outputs untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a data file, failing loudly if it is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line where ``needle`` first appears."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not found")


def validate(project: Path) -> tuple[int, str]:
    """Run ``dpo-docs validate`` and return exit code and all output."""
    result = run(project, "validate")
    return result.exit_code, result.output


def test_default_data_is_valid(project: Path) -> None:
    code, out = validate(project)
    assert code == 0
    assert "data is valid: 13 units, 11 operations" in out


def test_unknown_parent_is_located_with_suggestion(project: Path) -> None:
    units = project / "data/units.yaml"
    edit(units, "    parent: oma\n", "    parent: omaa\n")
    line = line_of(units, "parent: omaa")
    code, out = validate(project)
    assert code == 1
    assert f"data/units.yaml:{line}:5: units[7].parent: unknown unit 'omaa' (did you mean 'oma'?)" in out


def test_unknown_field_suggests_the_right_one(project: Path) -> None:
    units = project / "data/units.yaml"
    edit(units, "    parent: oma\n", "    parnet: oma\n")
    line = line_of(units, "parnet: oma")
    code, out = validate(project)
    assert code == 1
    assert f"data/units.yaml:{line}:5: units[7].parnet: unknown field 'parnet' (did you mean 'parent'?)" in out
    assert "units[7].parent: missing required field 'parent'" in out


def test_duplicate_yaml_key_is_refused(project: Path) -> None:
    units = project / "data/units.yaml"
    edit(units, "    kind: section\n", "    kind: section\n    kind: unit\n")
    line = line_of(units, "    kind: section") + 1
    code, out = validate(project)
    assert code == 1
    assert f"data/units.yaml:{line}:5: units[4].kind: duplicate key 'kind' (first defined at line {line - 1})" in out


def test_duplicate_ids_cycles_and_self_parents(project: Path) -> None:
    units = project / "data/units.yaml"
    edit(units, "  - id: ssr-unit\n", "  - id: ddr-section\n")
    edit(units, "  - id: force-generation\n    parent: oma\n", "  - id: force-generation\n    parent: force-generation\n")
    edit(units, "  - id: oma\n    parent: dpo\n", "  - id: oma\n    parent: unmas\n")
    edit(units, "  - id: orolsi\n    parent: dpo\n", "  - id: orolsi\n    parent: oma\n")
    edit(units, "  - id: unmas\n    parent: orolsi\n", "  - id: unmas\n    parent: orolsi\n")
    code, out = validate(project)
    assert code == 1
    assert "units[5].id: duplicate id 'ddr-section' (already used at units[4].id)" in out
    assert "units[7].parent: unit 'force-generation' cannot be its own parent" in out
    assert re.search(r"cycle in the unit tree: (\w+ -> )+\w+", out)
    assert out.count("cycle in the unit tree") == 1


def test_every_problem_is_reported_not_only_the_first(project: Path) -> None:
    edit(project / "data/units.yaml", "    created: 2007\n", "    created: 1850\n")
    edit(project / "data/figures.yaml", "    value: 119\n", "    value: lots\n")
    edit(project / "data/history.yaml", "    sources: [un-org]\n", "    sources: [un-orgg]\n")
    code, out = validate(project)
    assert code == 1
    assert "units[0].created: 1850 is out of range (input should be greater than or equal to 1900)" in out
    assert "figures[2].value: expected a number, got 'lots'" in out
    assert "history[4].sources[0]: unknown source 'un-orgg' (did you mean 'un-org'?)" in out
    assert "3 problems in the data; nothing was written" in out


def test_dates_are_checked(project: Path) -> None:
    figures = project / "data/figures.yaml"
    edit(figures, "    as_of: 2025-06-30\n", "    as_of: 2025-02-30\n")
    edit(project / "data/history.yaml", "  - year: 2021\n", "  - year: 2091\n")
    edit(project / "data/department.yaml", "  created: 1992\n", "  created: 2099\n")
    code, out = validate(project)
    assert code == 1
    line = line_of(figures, "2025-02-30")
    assert f"data/figures.yaml:{line}:12: figures[4].as_of: invalid timestamp value '2025-02-30'" in out
    assert "history[9].year: year 2091 is in the future" in out
    assert "department.created: year 2099 is in the future" in out


def test_tabs_give_a_located_syntax_error(project: Path) -> None:
    edit(project / "data/figures.yaml", "    value: 71\n", "\tvalue: 71\n")
    code, out = validate(project)
    assert code == 1
    line = line_of(project / "data/figures.yaml", "\tvalue: 71")
    assert f"data/figures.yaml:{line}:1: YAML syntax error" in out
    assert "use spaces, not tabs" in out


def test_aliases_and_python_tags_are_refused(project: Path) -> None:
    edit(project / "data/figures.yaml", "    value: 71\n", "    value: !!python/object/apply:os.system [echo hi]\n")
    code, out = validate(project)
    assert code == 1
    assert "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'" in out


def test_section_in_two_files_and_empty_file(project: Path) -> None:
    (project / "data/extra.yaml").write_text("figures: []\n", encoding="utf-8")
    (project / "data/empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    code, out = validate(project)
    assert code == 1
    assert "data/empty.yaml: file is empty" in out
    assert "figures: section 'figures' is defined in two files" in out


@pytest.mark.parametrize("command", ["build", "validate", "list"])
def test_invalid_data_writes_nothing(project: Path, command: str) -> None:
    out_dir = project / "output" / "fr"
    out_dir.mkdir(parents=True)
    good = out_dir / "briefing.pdf"
    good.write_bytes(b"%PDF- previous good output")
    before = good.stat().st_mtime_ns
    edit(project / "data/units.yaml", "    parent: oma\n", "    parent: omaa\n")
    result = run(project, command)
    assert result.exit_code == 1
    assert "unknown unit 'omaa'" in result.output
    assert good.read_bytes() == b"%PDF- previous good output"
    assert good.stat().st_mtime_ns == before
    assert sorted(p.name for p in out_dir.iterdir()) == ["briefing.pdf"]


def test_a_redefined_section_keeps_its_own_locations(project: Path) -> None:
    # The second definition is refused; errors in the first still point into its own file.
    (project / "data/zz-extra.yaml").write_text("\n\nfigures:\n  - id: other\n", encoding="utf-8")
    edit(project / "data/figures.yaml", "    value: 119\n", "    value: lots\n")
    code, out = validate(project)
    assert code == 1
    line = line_of(project / "data/figures.yaml", "value: lots")
    assert f"data/figures.yaml:{line}:5: figures[2].value: expected a number, got 'lots'" in out
    first = line_of(project / "data/figures.yaml", "figures:")
    assert ("data/zz-extra.yaml:3:1: figures: section 'figures' is defined in two files "
            f"(first in data/figures.yaml:{first}:1); keep one") in out
