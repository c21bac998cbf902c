"""JSON Schemas (draft 2020-12) of the data files, generated from the models so that they follow them.

An editor given a schema (the YAML language server's modeline, or VS Code's
``yaml.schemas``) completes field names and shows each field's description from the
models' docstrings. The schemas check the shape of each file; ``dpo-docs validate``
also checks what no schema can say (ids that refer to other records, dates in the future).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from dpo_docs.model import Data
from dpo_docs.write import atomic_write

DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMBINED = "data.schema.json"  # the schema of a file holding any of the sections
_GENERATED = "Generated from the models in dpo_docs/model.py by `dpo-docs schema --out DIR`; regenerate it, do not edit it."


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, refusing the keys a mapping's key pattern leaves out, as the models do."""

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        """A ``{fr: …, en: …}`` mapping: a key that is not a language code is an error, not ignored."""
        result = super().dict_schema(schema)
        if "patternProperties" in result and "additionalProperties" not in result:
            result["additionalProperties"] = False
        return result


def _refs(value: Any) -> Iterator[str]:
    """The names of the ``$defs`` a schema fragment refers to."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            yield ref.removeprefix("#/$defs/")
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _with_defs(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the definitions it reaches, directly or through others, in the models' order."""
    reached: set[str] = set()
    todo = list(_refs(schema))
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(_refs(defs[name]))
    if reached:
        schema["$defs"] = {name: value for name, value in defs.items() if name in reached}
    return schema


def _generated() -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON Schema of every section (by name) and the shared definitions."""
    full = Data.model_json_schema(mode="validation", schema_generator=_Generator)
    return full["properties"], full.get("$defs", {})


def section_files() -> list[str]:
    """The data files of a project split one section a file, as the default data is: ``units.yaml``…"""
    return [f"{section}.yaml" for section in Data.model_fields]


def combined_schema() -> dict[str, Any]:
    """The schema of a data file holding any of the sections (none of them required)."""
    sections, defs = _generated()
    schema = {
        "$schema": DIALECT,
        "$comment": _GENERATED,
        "title": "dpo-docs data file",
        "description": "A mapping of sections; each section appears in one file of the data folder.",
        "type": "object",
        "properties": sections,
        "additionalProperties": False,
    }
    return _with_defs(schema, defs)


def file_schemas() -> dict[str, dict[str, Any]]:
    """One schema per data file, ``units.schema.json`` for ``units.yaml``, requiring its own section."""
    sections, defs = _generated()
    schemas = {}
    for section, value in sections.items():
        schema = {
            "$schema": DIALECT,
            "$comment": _GENERATED,
            "title": f"{section}.yaml",
            "description": Data.model_fields[section].description or section,
            "type": "object",
            "properties": {section: value},
            "required": [section],
            "additionalProperties": False,
        }
        schemas[f"{section}.schema.json"] = _with_defs(schema, defs)
    return schemas


def dumps(schema: dict[str, Any]) -> str:
    """A schema as the files hold it: indented, UTF-8 text, one final newline, the same bytes every time."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_files() -> dict[str, bytes]:
    """Every file's schema and the combined one, as the files hold them, by file name, sorted."""
    files = {**file_schemas(), COMBINED: combined_schema()}
    return {name: dumps(files[name]).encode("utf-8") for name in sorted(files)}


def write_schemas(folder: Path) -> list[Path]:
    """Write every file's schema and the combined one into ``folder``; the paths written, sorted."""
    written = []
    for name, data in schema_files().items():
        path = folder / name
        atomic_write(path, data)
        written.append(path)
    return written
