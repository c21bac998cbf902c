"""Load the YAML data files into plain values, remembering where each value stands."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dpo_docs.errors import DataError, Location, Problem

log = logging.getLogger(__name__)

# Tags a data file may use, explicitly or implicitly; anything else (Python objects,
# binary blobs, sets) is refused so a data file can never construct code.
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
MAX_FILE_BYTES = 5 * 1024 * 1024

PathKey = tuple[str | int, ...]


@dataclass
class LoadedData:
    """Every data file merged into one mapping, plus the location of every value."""

    values: dict[str, Any] = field(default_factory=dict)
    locations: dict[PathKey, Location] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    def where(self, path: PathKey) -> Location:
        """The location of ``path``, or of its nearest located ancestor."""
        for end in range(len(path), -1, -1):
            loc = self.locations.get(tuple(path[:end]))
            if loc is not None:
                return loc
        return Location(self.files[0].name if self.files else "data")


def format_path(path: PathKey) -> str:
    """Render a path tuple as ``units[3].parent``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def data_files(data_dir: Path) -> list[Path]:
    """The YAML files of a data folder, in sorted order so builds are reproducible."""
    return sorted(p for p in data_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


class _Builder:
    """Turns a composed YAML node tree into plain values with locations."""

    def __init__(self, label: str, out: LoadedData, problems: list[Problem]):
        self.label = label
        self.out = out
        self.problems = problems
        self.constructor = yaml.constructor.SafeConstructor()
        self.seen: set[int] = set()

    def loc(self, node: yaml.Node) -> Location:
        """Location of a node, 1-based."""
        mark = node.start_mark
        return Location(self.label, mark.line + 1, mark.column + 1)

    def problem(self, node: yaml.Node, path: PathKey, message: str) -> None:
        """Record a problem at a node."""
        self.problems.append(Problem(self.loc(node), format_path(path), message))

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        """Build the value of ``node`` found at ``path``."""
        if id(node) in self.seen:
            # PyYAML hands back the same node object for an alias: refusing aliases
            # keeps files plain and stops "billion laughs" expansion.
            self.problem(node, path, "YAML aliases (*name) are not supported; write the value out")
            return None
        self.seen.add(id(node))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            self.problem(node, path, f"unsupported YAML tag '{node.tag}'")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self._item(child, path + (i,)) for i, child in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            self.problem(node, path, f"unsupported YAML tag '{node.tag}'")
            return None
        try:
            return self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            self.problem(node, path, f"invalid {node.tag.rsplit(':', 1)[-1]} value {node.value!r} ({exc})")
            return None

    def _item(self, node: yaml.Node, path: PathKey) -> Any:
        """Build one sequence item, remembering where it stands."""
        self.out.locations[path] = self.loc(node)
        return self.build(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        """Build a mapping, refusing duplicate, merge and non-text keys."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, path, "YAML merge keys (<<) are not supported")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                self.problem(key_node, path, f"keys must be text, got {key_node.value!r}")
                continue
            key = key_node.value
            if key in result:
                first = self.out.locations[path + (key,)]
                self.problem(
                    key_node, path + (key,),
                    f"duplicate key '{key}' (first defined at line {first.line})",
                )
                continue
            self.out.locations[path + (key,)] = self.loc(key_node)
            result[key] = self.build(value_node, path + (key,))
        return result


def _read_text(path: Path, label: str, problems: list[Problem]) -> str | None:
    """Read a data file as UTF-8 (a byte-order mark is accepted), or record why not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(Location(label), "", f"cannot read file: {exc.strerror}"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(Location(label), "", f"file is larger than {MAX_FILE_BYTES // 1048576} MB"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Problem(Location(label, line, column), "",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")
        )
        return None


def load_file(path: Path, label: str, out: LoadedData, problems: list[Problem]) -> bool:
    """Load one data file into ``out``; False when the file could not be read as YAML."""
    text = _read_text(path, label, problems)
    if text is None:
        return False
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(label, mark.line + 1, mark.column + 1) if mark else Location(label)
        what = exc.problem or str(exc)
        if "\t" in what or "'\\t'" in what:
            what += " (use spaces, not tabs, to indent)"
        problems.append(Problem(where, "", f"YAML syntax error: {what}"))
        return False
    except yaml.YAMLError as exc:
        problems.append(Problem(Location(label), "", f"YAML error: {exc}"))
        return False
    if node is None:
        problems.append(Problem(Location(label), "", "file is empty"))
        return True
    builder = _Builder(label, out, problems)
    if not isinstance(node, yaml.MappingNode):
        builder.problem(node, (), "the file must be a mapping of sections (e.g. 'units:')")
        return False
    sections = builder.build(node, ())
    for key, value in sections.items():
        if key in out.values:
            builder.problems.append(
                Problem(out.locations[(key,)], key, f"section '{key}' is defined in two files")
            )
        out.values.setdefault(key, value)
    return True


def load(data_dir: Path, root: Path | None = None) -> LoadedData:
    """Load every data file of ``data_dir``, recording (not raising) problems in values.

    Raises DataError only when there is nothing to load; validation reports the rest
    together with its own findings.
    """
    if not data_dir.is_dir():
        raise DataError([Problem(Location(str(data_dir)), "", "data folder not found")])
    files = data_files(data_dir)
    if not files:
        raise DataError([Problem(Location(str(data_dir)), "", "no .yaml files in the data folder")])
    out = LoadedData(files=tuple(files))
    problems = out.problems
    base = root or data_dir.parent
    for path in files:
        try:
            label = str(path.relative_to(base))
        except ValueError:
            label = str(path)
        log.debug("loading %s", label)
        before = len(out.values)
        if not load_file(path, label, out, problems) and len(out.values) == before:
            out.unreadable = True
    return out
