"""Settings: the layers (files, environment, command line), their order, and every
wrong value of every key reported with its file, line and key, never as an internal error."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Literal, get_args, get_origin

import pytest

from dpo_docs.cli import cli
from dpo_docs.i18n import available_languages
from dpo_docs.settings import (
    FOLDERS,
    KEYS,
    ORIENTATIONS,
    PAPER_SIZES,
    PDF_VARIANTS,
    RUN_ONLY,
    TARGET_KINDS,
    Whole,
    load_settings,
)
from dpo_docs.settings_model import FIELDS, SettingsModel
from tests.conftest import ROOT, run


def _bounds(name: str) -> tuple[int, int | None]:
    """The bounds of a whole-number field."""
    whole = next(m for m in FIELDS[name].metadata if isinstance(m, Whole))
    return whole.low, whole.high


def bad_toml_values(name: str) -> list[str]:
    """Wrong values for a field, as TOML text: wrong types first, then values out of range."""
    kind = FIELDS[name].annotation
    if name in FOLDERS:
        return ["3", "true", '["data"]', '"da\\u0000ta"']
    if kind is bool:
        return ['"maybe"', "1", '"true"']
    if kind is int:
        ge, le = _bounds(name)
        return ['"soon"', "true", "1.5", str(ge - 1)] + ([str(le + 1)] if le is not None else [])
    if get_origin(kind) is Literal:
        return ["3", "[]", '"zz"', f'"{get_args(kind)[0].swapcase()}"']
    if get_origin(kind) is tuple:
        return ["3", "[1]", "{ a = 1 }", '["zz"]', '"zz, yy"']
    if name == "fallbacks":  # languages to lists of languages
        return ["3", '{ ar = ["zz"] }', '{ zz = ["en"] }', "{ ar = 3 }", '["en"]']
    raise AssertionError(f"no wrong values known for the setting {name!r}: add some here")


def bad_env_values(name: str) -> list[str]:
    """Wrong texts for a field's environment variable (a folder takes any text)."""
    kind = FIELDS[name].annotation
    if name in FOLDERS:
        return []
    if kind is bool:
        return ["maybe"]
    if kind is int:
        ge, le = _bounds(name)
        return ["soon", "1.5", str(ge - 1)] + ([str(le + 1)] if le is not None else [])
    return ["zz", ""] if name in ("langs", "only") else ["zz"]


def toml_with(entries: list[tuple[str, str]], header: str = "[build]") -> tuple[str, dict[str, int]]:
    """A settings file, and the line each key is on."""
    lines = ["# settings of the test project", "", header]
    where = {}
    for key, value in entries:
        lines.append(f"{key} = {value}")
        where[key] = len(lines)
    return "\n".join(lines) + "\n", where


def rounds(bad_values) -> list[list[tuple[str, str]]]:
    """Every wrong value of every key, spread over files that hold each key at most once."""
    cases = {key: bad_values(name) for key, name in KEYS.items()}
    return [[(key, values[i]) for key, values in cases.items() if i < len(values)]
            for i in range(max(map(len, cases.values())))]


def test_every_key_has_wrong_values_to_try():
    assert set(KEYS.values()) == set(FIELDS)
    for name in FIELDS:
        assert bad_toml_values(name)


@pytest.mark.parametrize("entries", rounds(bad_toml_values))
def test_every_wrong_value_of_every_key_is_located_in_the_file(project: Path, entries):
    text, where = toml_with(entries)
    (project / "dpo-docs.toml").write_text(text, encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1, (text, result.output)
    assert "internal error" not in result.output
    for key, line in where.items():  # all of them at once, not only the first
        assert f"dpo-docs.toml:{line}: build.{key}: " in result.output, (text, result.output)
    assert result.output.count("\ndpo-docs.toml:") + 1 >= len(where)  # a list may have several


@pytest.mark.parametrize("entries", rounds(bad_toml_values)[:2])
def test_wrong_values_in_pyproject_are_located_there(project: Path, entries):
    text, where = toml_with(entries, header="[tool.dpo-docs]")
    (project / "pyproject.toml").write_text('[project]\nname = "briefing"\n\n' + text, encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1
    for key, line in where.items():
        assert f"pyproject.toml:{line + 3}: tool.dpo-docs.{key}: " in result.output, result.output


@pytest.mark.parametrize("entries", rounds(bad_env_values))
def test_every_wrong_variable_is_named(project: Path, monkeypatch: pytest.MonkeyPatch, entries):
    for key, value in entries:
        monkeypatch.setenv(f"DPO_DOCS_{key.upper()}", value)
    result = run(project, "validate")
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    for key, _ in entries:
        assert f"environment: DPO_DOCS_{key.upper()}: " in result.output, result.output


def test_every_misspelt_key_is_refused_with_a_suggestion(project: Path, monkeypatch: pytest.MonkeyPatch):
    misspelt = {key: key[:-1] if len(key) > 3 else key + "s" for key in KEYS}
    text, where = toml_with([(wrong, "1") for wrong in misspelt.values()])
    (project / "dpo-docs.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("DPO_DOCS_OUT_DIR", "elsewhere")
    result = run(project, "validate")
    assert result.exit_code == 1
    for key, wrong in misspelt.items():
        assert (f"dpo-docs.toml:{where[wrong]}: build.{wrong}: unknown setting (did you mean '{key}'?)"
                in result.output), result.output
    assert "environment: DPO_DOCS_OUT_DIR: unknown setting (did you mean 'DPO_DOCS_OUT'?)" in result.output


def test_the_variables_that_are_not_settings_are_not_refused(project: Path, monkeypatch: pytest.MonkeyPatch):
    """Where cut web fonts are kept and the browser the tests drive are read elsewhere."""
    monkeypatch.setenv("DPO_DOCS_CACHE_DIR", str(project / "cache"))
    monkeypatch.setenv("DPO_DOCS_CHROMIUM", "/usr/bin/chromium")
    result = run(project, "validate")
    assert result.exit_code == 0, result.output
    assert "DPO_DOCS_CACHE_DIR" not in result.output and "DPO_DOCS_CHROMIUM" not in result.output


def test_the_reported_cases_of_the_old_hand_check(project: Path):
    config = project / "dpo-docs.toml"
    config.write_text('[build]\nonly = ["posters"]\n\nlangs = ["xx"]\nstale_after_months = "soon"\n'
                      'workers = -2\n', encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert result.output.splitlines()[:4] == [
        "dpo-docs.toml:2: build.only: must be one of briefing, factsheets, orgchart, site, not 'posters'",
        "dpo-docs.toml:4: build.langs: unsupported language 'xx'; available: fr, ar, en, es, ru, zh (or 'all')",
        "dpo-docs.toml:5: build.stale_after_months: must be a whole number, not 'soon'",
        "dpo-docs.toml:6: build.workers: must be at least 0, not -2",
    ]
    assert "error: 4 problems in the settings; nothing was written" in result.output


def test_a_list_given_as_text_is_split_on_commas(project: Path):
    config = project / "dpo-docs.toml"
    config.write_text('[build]\nlangs = "fr"\nfactsheet_kinds = "office"\n', encoding="utf-8")
    settings = load_settings(project, environ={})
    assert settings.langs == ("fr",) and settings.factsheet_kinds == ("office",)
    config.write_text('[build]\nlangs = "en, fr,en"\nonly = "orgchart"\n', encoding="utf-8")
    settings = load_settings(project, environ={})
    assert settings.langs == ("en", "fr") and settings.only == ("orgchart",)
    config.write_text('[build]\nlangs = "all"\n', encoding="utf-8")
    assert load_settings(project, environ={}).langs == available_languages()


def test_a_value_in_the_wrong_case_is_named(project: Path):
    (project / "dpo-docs.toml").write_text('[build]\nlangs = ["fr", "EN"]\norgchart_paper = "a4"\n', encoding="utf-8")
    result = run(project, "validate")
    assert ("dpo-docs.toml:2: build.langs: unsupported language 'EN'; language codes are lower-case ISO 639-1 "
            "(did you mean 'en'?); available: fr, ar, en, es, ru, zh (or 'all')") in result.output
    assert ("dpo-docs.toml:3: build.orgchart_paper: must be one of A2, A3, A4, not 'a4' (did you mean 'A4'?)"
            in result.output)


def test_toml_syntax_errors_and_stray_tables_are_located(project: Path):
    config = project / "dpo-docs.toml"
    config.write_text('[build]\nlangs = ["fr"\nworkers = 2\n', encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1
    assert "dpo-docs.toml:3:1: invalid TOML: " in result.output
    config.write_text('langs = ["en"]\n[biuld]\nworkers = 2\n', encoding="utf-8")
    result = run(project, "validate")
    assert "dpo-docs.toml:1: langs: a setting outside its table; settings go under [build]" in result.output
    assert "dpo-docs.toml:2: biuld: unknown table; settings go under [build]" in result.output
    config.write_bytes(b"[build]\nlangs = ['fr']\nout = 'sortie-\xe9t\xe9'\n")
    result = run(project, "validate")
    assert "dpo-docs.toml:3: not UTF-8 text (byte 0xe9)" in result.output
    config.write_text("[build]\nlangs = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = run(project, "validate")
    assert result.exit_code == 1 and "internal error" not in result.output


def test_lines_are_found_for_dotted_and_quoted_keys_and_after_multiline_values(project: Path):
    (project / "dpo-docs.toml").write_text(
        '[build]\nlangs = [\n  "fr",\n  "xx",\n]\nnotes = """\nworkers = 3\n"""\n"workers" = -1\n'
        '\n[other]\nbuild.only = "posters"\n', encoding="utf-8")
    result = run(project, "validate")
    assert "dpo-docs.toml:2: build.langs: unsupported language 'xx'" in result.output
    assert "dpo-docs.toml:6: build.notes: unknown setting" in result.output
    assert "dpo-docs.toml:9: build.workers: must be at least 0, not -1" in result.output
    assert "dpo-docs.toml:11: other: unknown table" in result.output


def test_layers_override_key_by_key(project: Path, monkeypatch: pytest.MonkeyPatch):
    """pyproject.toml < dpo-docs.toml < DPO_DOCS_* < options, each for the keys it sets."""
    (project / "pyproject.toml").write_text('[tool.dpo-docs]\nlangs = "ar"\nout = "from-pyproject"\n',
                                            encoding="utf-8")

    def listed() -> set[str]:
        result = run(project, "list", *options)
        assert result.exit_code == 0, result.output
        return {line.split()[-1].split("/")[0] + "/" + line.split()[1] for line in result.output.splitlines()}

    options: list[str] = []
    assert listed() == {"from-pyproject/ar"}
    (project / "dpo-docs.toml").write_text('[build]\nlangs = "en"\n', encoding="utf-8")
    assert listed() == {"from-pyproject/en"}  # the file wins, and leaves out to pyproject
    monkeypatch.setenv("DPO_DOCS_LANGS", "ar,en")
    monkeypatch.setenv("DPO_DOCS_OUT", "from-env")
    assert listed() == {"from-env/ar", "from-env/en"}
    options = ["--lang", "fr"]
    assert listed() == {"from-env/fr"}
    options = ["--lang", "fr", "--out", "from-options"]
    assert listed() == {"from-options/fr"}


def test_environment_texts_are_read_as_their_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DPO_DOCS_WORKERS", "2")
    monkeypatch.setenv("DPO_DOCS_CHART_HEADS", "false")
    monkeypatch.setenv("DPO_DOCS_STRICT", "yes")
    monkeypatch.setenv("DPO_DOCS_LANGS", "fr,en")
    monkeypatch.setenv("DPO_DOCS_STALE_AFTER_MONTHS", "6")
    settings = load_settings(tmp_path)
    assert (settings.workers, settings.chart_heads, settings.strict) == (2, False, True)
    assert (settings.langs, settings.stale_after_months) == (("fr", "en"), 6)


def test_folders_are_read_from_the_project_in_files_and_from_the_working_folder_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    (elsewhere / "tpl").mkdir()  # a templates folder named on purpose must exist
    (project / "dpo-docs.toml").write_text('[build]\ndata = "facts"\nout = "built"\n', encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    settings = load_settings(project, options={"templates_dir": Path("tpl")}, environ={"DPO_DOCS_OUT": "out"})
    assert settings.data_dir == project / "facts"
    assert settings.templates_dir == elsewhere / "tpl"
    assert settings.out_dir == elsewhere / "out"


def test_a_wrong_option_is_a_usage_error_and_the_files_are_still_reported(project: Path):
    for args, message in [
        (("--lang", "xx"), "Invalid value for '--lang': unsupported language 'xx'"),
        (("--stale-after", "0"), "Invalid value for '--stale-after': must be at least 1, not 0"),
        (("-j", "-1"), "Invalid value for '-j' / '--jobs': must be at least 0, not -1"),
        (("--paper", "B5"), "Invalid value for '--paper'"),
        (("--only", "posters"), "Invalid value for '--only'"),
    ]:
        result = run(project, "build", *args)
        assert result.exit_code == 2, result.output
        assert message in result.output
    (project / "dpo-docs.toml").write_text("[build]\nworkers = -2\n", encoding="utf-8")
    result = run(project, "check", "--lang", "xx")
    assert result.exit_code == 2
    assert "dpo-docs.toml:2: build.workers: must be at least 0, not -2" in result.output
    assert "Invalid value for '--lang'" in result.output


def test_the_command_line_choices_and_defaults_are_the_models():
    assert TARGET_KINDS == get_args(get_args(FIELDS["only"].annotation)[0])
    assert (PAPER_SIZES, ORIENTATIONS, PDF_VARIANTS) == tuple(
        get_args(FIELDS[name].annotation) for name in ("orgchart_paper", "orgchart_orientation", "pdf_variant"))
    choices = {p.name: tuple(p.type.choices) for p in cli.commands["build"].params if hasattr(p.type, "choices")}
    assert choices == {"only": TARGET_KINDS, "orgchart_paper": PAPER_SIZES,
                       "orgchart_orientation": ORIENTATIONS, "pdf_variant": PDF_VARIANTS}
    settable = {p.name for p in cli.commands["build"].params} - {"force", "force_out", "help"}
    assert settable <= set(FIELDS)  # every option is a setting the model knows
    result = run(Path.cwd(), "build", "--help")
    shown = " ".join(result.output.split())
    assert "[default: A3]" in shown and "[default: ./output]" in shown


def test_settings_are_frozen_hashable_and_their_defaults_pass_the_model(tmp_path: Path):
    settings = load_settings(tmp_path, environ={})
    assert hash(settings) == hash(load_settings(tmp_path, environ={}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.workers = 3  # type: ignore[misc]
    # Defaults are taken without a check (and without loading pydantic): hold them to it here.
    assert SettingsModel(**vars(settings)) == SettingsModel(**vars(settings))
    assert vars(SettingsModel(**vars(settings))) == vars(settings)
    with pytest.raises(ValueError, match="colour"):
        SettingsModel(tmp_path, tmp_path, tmp_path, colour="red")  # type: ignore[call-arg]
    assert RUN_ONLY == {"workers"}


PROBE = """
import sys
from pathlib import Path
from dpo_docs.cli import main
from dpo_docs.settings import load_settings
load_settings(Path(sys.argv[1]), environ={})
print("pydantic" in sys.modules)
"""


def test_pydantic_is_loaded_only_when_there_are_settings_to_check(tmp_path: Path):
    def loads_pydantic() -> bool:
        result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True)
        return {"True\n": True, "False\n": False}[result.stdout]

    assert not loads_pydantic()
    (tmp_path / "dpo-docs.toml").write_text("[build]\nworkers = 1\n", encoding="utf-8")
    assert loads_pydantic()
    # --help shows the model's defaults without loading the model.
    probe = "import sys\nfrom dpo_docs.cli import cli\ncli.main(['build', '--help'], standalone_mode=False)\n" \
            "print('pydantic' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "[default: A3]" in " ".join(result.stdout.split()), result.stdout + result.stderr
    assert result.stdout.endswith("False\n"), result.stdout + result.stderr


def test_a_templates_folder_named_on_purpose_must_exist(tmp_path: Path) -> None:
    """The default folder may be missing (the theme serves); a named one that is not there is a typo."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "data").mkdir()
    for source in (ROOT / "data").glob("*.yaml"):
        (project / "data" / source.name).write_bytes(source.read_bytes())
    assert run(project, "validate").exit_code == 0  # no templates folder, none named: the theme
    result = run(project, "build", "--templates", "templtes")
    assert result.exit_code == 2 and "no folder 'templtes'" in result.output, result.output
    (project / "dpo-docs.toml").write_text('[build]\ntemplates = "mine"\n', encoding="utf-8")
    result = run(project, "check")
    assert result.exit_code == 1 and "dpo-docs.toml:2" in result.output and "no folder 'mine'" in result.output, \
        result.output
    (project / "mine").mkdir()
    assert "no folder" not in run(project, "check").output
