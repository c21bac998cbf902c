"""The JSON Schemas of the data files: current, valid, explained, and checking what the models check."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import ROOT, run

SCHEMAS = ROOT / "schemas"
CHECK_JSONSCHEMA = str(Path(sys.executable).with_name("check-jsonschema"))
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


def check(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    """Run check-jsonschema, as an editor's or pre-commit's checker would, on data files."""
    return subprocess.run([CHECK_JSONSCHEMA, "--schemafile", str(schema), *map(str, files)],
                          capture_output=True, text=True)


def test_committed_schemas_are_what_the_models_generate(tmp_path: Path) -> None:
    result = run(tmp_path, "schema", "--out", "fresh")
    assert result.exit_code == 0, result.output
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "fresh").iterdir()}
    committed = {p.name: p.read_bytes() for p in SCHEMAS.glob("*.json")}
    assert sorted(fresh) == sorted(committed), "run: dpo-docs schema --out schemas"
    for name, data in fresh.items():
        assert committed[name] == data, f"schemas/{name} is out of date; run: dpo-docs schema --out schemas"


def test_printed_schema_is_the_combined_one_and_accepts_sections_together(tmp_path: Path) -> None:
    result = run(tmp_path, "schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema == json.loads((SCHEMAS / "data.schema.json").read_text(encoding="utf-8"))
    both = tmp_path / "both.yaml"
    both.write_text((ROOT / "data/sources.yaml").read_text(encoding="utf-8")
                    + (ROOT / "data/operations.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert check(SCHEMAS / "data.schema.json", both).returncode == 0


def test_every_schema_is_draft_2020_12_and_explains_every_field() -> None:
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path.name
        Draft202012Validator.check_schema(schema)
        assert schema["description"], path.name
        # What an editor shows on hover: every record and every field has a description.
        for name, record in schema.get("$defs", {}).items():
            assert record.get("description"), f"{path.name}: {name} has no docstring"
            for field, spec in record["properties"].items():
                assert spec.get("description"), f"{path.name}: {name}.{field} has no docstring in model.py"


def test_every_default_data_file_names_its_schema_and_passes_it() -> None:
    files = sorted((ROOT / "data").glob("*.yaml"))
    assert files
    for path in files:
        modeline = MODELINE.search(path.read_text(encoding="utf-8"))
        assert modeline, f"{path.name} has no yaml-language-server modeline"
        schema = (path.parent / modeline.group(1)).resolve()
        assert schema == SCHEMAS / f"{path.stem}.schema.json", path.name
        result = check(schema, path)
        assert result.returncode == 0, result.stdout + result.stderr


BAD_UNITS = """\
units:
  - id: oma
    parnet: dpo
    kind: bureau
    name: {FR: Bureau des affaires militaires}
    created: "1993"
    head:
      title: {fr: Conseiller militaire}
      appointed: 2024-02-30
"""


def test_a_file_the_models_refuse_fails_its_schema(tmp_path: Path) -> None:
    units = tmp_path / "units.yaml"
    units.write_text(BAD_UNITS, encoding="utf-8")
    result = check(SCHEMAS / "units.schema.json", units)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "'parent' is a required property" in out
    assert "'parnet' was unexpected" in out
    assert "'bureau' is not one of ['office'" in out
    assert "'FR' does not match any of the regexes" in out  # a language code is lower-case
    assert "'1993' is not of type 'integer'" in out
    assert "'2024-02-30' is not a 'date'" in out
    # A section the file's schema does not hold, and a file without its section.
    other = tmp_path / "other.yaml"
    other.write_text("department:\n  id: dpo\n", encoding="utf-8")
    result = check(SCHEMAS / "units.schema.json", other)
    assert result.returncode == 1
    assert "'units' is a required property" in result.stdout


@pytest.mark.parametrize("where", ["file", "folder"])
def test_schema_out_reports_a_folder_it_cannot_write(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder")
    target = "blocked" if where == "file" else "blocked/schemas"
    result = run(tmp_path, "schema", "--out", target)
    assert result.exit_code in (1, 2)
    assert "blocked" in result.output and "Traceback" not in result.output


def test_a_new_project_gets_the_schemas_its_data_files_name(tmp_path: Path) -> None:
    result = run(tmp_path, "init", "new")
    assert result.exit_code == 0, result.output
    project = tmp_path / "new"
    assert sorted(p.name for p in (project / "schemas").iterdir()) == sorted(p.name for p in SCHEMAS.glob("*.json"))
    for path in sorted((project / "data").glob("*.yaml")):
        modeline = MODELINE.search(path.read_text(encoding="utf-8"))
        assert modeline, path.name
        schema = path.parent / modeline.group(1)
        assert schema.is_file(), f"{path.name} names {modeline.group(1)}, which init did not write"
        assert schema.read_bytes() == (SCHEMAS / schema.name).read_bytes()
        assert check(schema, path).returncode == 0, path.name
