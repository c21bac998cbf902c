"""Messages that lead to the fix: YAML's surprises told as the line to write, located as the user finds the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run

OMA_EN = "      en: Office of Military Affairs\n"
HEAD_NAME = "    name: Jean-Pierre Lacroix\n"


def edit(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in ``path`` with ``new``; returns the 1-based line where it stood."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def warnings(output: str) -> list[str]:
    """The warning lines of a run."""
    return [line for line in output.splitlines() if line.startswith("WARNING: ")]


# The value as written, why YAML does not read it as text, and the line that fixes it.
QUOTING = [
    ("{{ unit.name }}", "'{{' starts a YAML mapping, not a text", 'en: "{{ unit.name }}"'),
    ("&Office of Military Affairs", "'&' starts a YAML anchor", 'en: "&Office of Military Affairs"'),
    ("*Office", "'*' starts a YAML alias", 'en: "*Office"'),
    ("!Office", "'!' starts a YAML tag", 'en: "!Office"'),
    ("@Office", "'@' cannot start a plain YAML value", 'en: "@Office"'),
    ("%Office", "'%' cannot start a plain YAML value", 'en: "%Office"'),
    ("[Office] of Military Affairs", "'[' starts a YAML list", 'en: "[Office] of Military Affairs"'),
    ("[Office]", "'[' starts a YAML list", 'en: "[Office]"'),
    ("{Office} of Military Affairs", "'{' starts a YAML mapping", 'en: "{Office} of Military Affairs"'),
    ("| Office", "'|' starts a YAML block of text on the next lines", 'en: "| Office"'),
    ("> Office", "'>' starts a YAML block of text on the next lines", 'en: "> Office"'),
    ("Office: Military Affairs", "': ' inside a value starts a YAML mapping", 'en: "Office: Military Affairs"'),
    ('Office "Military": Affairs', "': ' inside a value starts a YAML mapping", "en: 'Office \"Military\": Affairs'"),
]


@pytest.mark.parametrize(("value", "reason", "fix"), QUOTING, ids=[q[0] for q in QUOTING])
def test_a_value_yaml_reads_as_syntax_is_answered_with_the_quoted_line(
        project: Path, value: str, reason: str, fix: str) -> None:
    line = edit(project / "data/units.yaml", OMA_EN, f"      en: {value}\n")
    result = run(project, "validate")
    assert result.exit_code == 1
    problems = [p for p in result.output.splitlines() if p.startswith("data/")]
    assert len(problems) == 1, result.output
    assert problems[0].startswith(f"data/units.yaml:{line}:")
    assert f"{reason}; to write it as text, put the value in quotes: {fix}" in problems[0]
    assert "indentation" not in result.output and "<block end>" not in result.output


def test_a_template_expression_as_a_name_is_answered_in_build_too(project: Path) -> None:
    line = edit(project / "data/department.yaml", HEAD_NAME, "    name: {{ x }}\n")
    for command in (("validate",), ("build", "--only", "factsheets")):
        result = run(project, *command)
        assert result.exit_code == 1
        assert (f"data/department.yaml:{line}:12: department.head.name: '{{{{' starts a YAML mapping, not a text; "
                "to write it as text, put the value in quotes: name: \"{{ x }}\"") in result.output
        assert "keys must be text" not in result.output
    assert not (project / "output/fr").exists()


def test_a_list_or_tag_meant_as_yaml_keeps_the_parsers_words(project: Path) -> None:
    # "sources: [seed" lacks its bracket and "units: !include" means a tag: quotes would not help.
    edit(project / "data/units.yaml", "    sources: [seed, oma-fr]\n", "    sources: [seed, oma-fr\n")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert "put the value in quotes" not in result.output
    assert "YAML syntax error: expected ',' or ']'" in result.output


def test_a_comment_that_cuts_a_text_short_is_reported(project: Path) -> None:
    line = edit(project / "data/units.yaml", OMA_EN, "      en: Fiduciary #1 Donor Unit\n")
    expected = (f"WARNING: data/units.yaml:{line}:11: unit 'oma' name.en: the text stops at ' #', which starts "
                "a YAML comment, so it reads 'Fiduciary'; if '#1 Donor Unit' belongs to the text, put the value "
                'in quotes: en: "Fiduciary #1 Donor Unit"')
    result = run(project, "validate")
    assert result.exit_code == 0
    assert warnings(result.output) == [expected]
    built = run(project, "build", "--only", "factsheets")
    assert built.exit_code == 0
    assert expected in built.output


def test_an_ordinary_trailing_comment_is_not_reported(project: Path) -> None:
    edit(project / "data/units.yaml", OMA_EN, "      en: Office of Military Affairs  # as on its page\n")
    edit(project / "data/units.yaml", "    created: 2007\n", "    created: 2007 #2007 per the seed\n")
    result = run(project, "validate")
    assert result.exit_code == 0
    assert warnings(result.output) == []


def test_the_default_project_validates_without_warnings(project: Path) -> None:
    result = run(project, "validate")
    assert result.exit_code == 0
    assert warnings(result.output) == []
    assert result.output.strip().startswith("data is valid:")


def test_a_file_that_fails_to_parse_is_the_only_problem_reported(project: Path) -> None:
    # An event naming the department: with department.yaml unreadable, its id is unknown.
    edit(project / "data/history.yaml", "    units: [orolsi]\n", "    units: [dpo, orolsi]\n")
    edit(project / "data/department.yaml", "  created: 1992\n", "  created: [1992\n")
    result = run(project, "validate")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("data/department.yaml:") and "YAML syntax error" in lines[0]
    assert lines[1:] == [
        "note: unit references in the other files were not checked, as data/department.yaml could not be read",
        "error: 1 problem in the data; nothing was written",
    ]


def test_a_department_id_the_model_refuses_adds_no_unknown_units(project: Path) -> None:
    edit(project / "data/history.yaml", "    units: [orolsi]\n", "    units: [dpo, orolsi]\n")
    line = edit(project / "data/department.yaml", "  id: dpo\n", "  id: DPO\n")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"data/department.yaml:{line}:3: department.id: 'DPO' is not a valid id (lower-case letters, digits and '-')",
        "error: 1 problem in the data; nothing was written",
    ]


def test_a_data_folder_elsewhere_is_named_as_given(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / "data", elsewhere / "data")
    line = edit(elsewhere / "data/operations.yaml", "  - id: untso\n", "  - id: UNTSO\n")
    result = run(project, "validate", "--data", str(elsewhere / "data"))
    assert result.exit_code == 1
    problem = result.output.splitlines()[0]
    assert problem.startswith(f"{elsewhere}/data/operations.yaml:{line}:5: operations[0].id: 'UNTSO'")
    assert not any(line.startswith("data/") for line in result.output.splitlines())
    missing = run(project, "validate", "--data", str(elsewhere / "nothing"))
    assert missing.output.splitlines()[0] == f"{elsewhere}/nothing: data folder not found"


def test_translation_warnings_name_the_record_and_its_line(project: Path) -> None:
    line = edit(project / "data/units.yaml", "    name:\n      fr: Bureau des affaires militaires\n" + OMA_EN,
                "    name:\n      fr: Bureau des affaires militaires\n")
    result = run(project, "build", "--lang", "en", "--only", "factsheets")
    assert result.exit_code == 0
    assert warnings(result.output)[:2] == [
        "WARNING: en: 1 data text(s) and 0 label(s) have no translation and fall back to another language",
        f"WARNING: data/units.yaml:{line}:5: unit 'oma' name has no 'en' text",
    ]
    assert "units[6]" not in result.output


@pytest.mark.parametrize(("code", "meant"), [("zh-hans", "zh"), ("ZH", "zh"), ("en_GB", "en"), ("zh-Hans", "zh")])
def test_a_language_code_in_the_wrong_form_is_named(project: Path, code: str, meant: str) -> None:
    rule = f"language codes are lower-case ISO 639-1 (did you mean '{meant}'?)"
    result = run(project, "build", "--lang", code)
    assert result.exit_code == 2
    assert f"Invalid value for '--lang': unsupported language '{code}'; {rule}" in result.output
    (project / "dpo-docs.toml").write_text(f'[build]\nlangs = ["fr", "{code}"]\n', encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert f"dpo-docs.toml:2: build.langs: unsupported language '{code}'; {rule}" in result.output


def test_an_unknown_language_keeps_the_list(project: Path) -> None:
    result = run(project, "build", "--lang", "de")
    assert result.exit_code == 2
    assert "unsupported language 'de'; available: fr, ar, en, es, ru, zh (or 'all')" in result.output
    assert "did you mean" not in result.output


def test_a_data_language_key_in_the_wrong_form_is_named(project: Path) -> None:
    line = edit(project / "data/units.yaml", OMA_EN, "      zh-hans: Office of Military Affairs\n")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert (f"data/units.yaml:{line}:7: units[6].name.zh-hans: 'zh-hans' is not a valid language code "
            "(e.g. 'fr', 'en'); language codes are lower-case ISO 639-1 (did you mean 'zh'?)") in result.output


def test_an_acronym_warning_names_the_unit(project: Path) -> None:
    line = edit(project / "data/units.yaml", "      - fr: >-\n          Le Bureau des affaires militaires veille",
                "      - fr: >-\n          Le Bureau (BXQ) des affaires militaires veille")
    result = run(project, "validate")
    assert result.exit_code == 0
    assert warnings(result.output) == [
        f"WARNING: data/units.yaml:{line}:9: unit 'oma' description[0]: acronym 'BXQ' is printed in the 'fr' "
        "documents without an expansion; add it to a 'glossary:' list with its expansion and sources"]


def _shape(node):
    """A node tree as comparable values: tag, style, value and where each node stands."""
    import yaml

    where = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.style, node.value, where)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [_shape(item) for item in node.value], where)
    return (node.tag, [(_shape(k), _shape(v)) for k, v in node.value], where)


def test_libyaml_and_the_pure_python_parser_read_every_data_file_alike() -> None:
    """The fast parser (libyaml) reads valid files; its trees must be the pure-Python
    parser's, down to each node's place and style, or the messages would move."""
    import yaml

    from dpo_docs import yamlread

    if yamlread.CParser is None:
        pytest.skip("PyYAML has no libyaml here: the pure-Python parser reads everything")
    files = sorted(p for p in ROOT.rglob("*.y*ml") if ".venv" not in p.parts and "output" not in p.parts)
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            slow = yamlread._Loader(text, 0, 10**7).get_single_node()
        except yaml.YAMLError:
            continue  # a broken file: compose() reads it with the pure-Python parser only
        fast = yamlread._FastLoader(text, 0, 10**7).get_single_node()
        assert (slow is None) == (fast is None), path
        if slow is not None:
            assert _shape(fast) == _shape(slow), path
            compared += 1
    assert compared >= 20
