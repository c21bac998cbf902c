"""Load the YAML data files into plain values, remembering where each value stands.

Reading one file's YAML is ``yamlread``'s; telling its surprises as fixes, ``yamlhints``'s.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dpo_docs.errors import DataError, Location, Problem
from dpo_docs.yamlhints import anchor_message, cut_message, syntax_problem
from dpo_docs.yamlread import (  # noqa: F401  (MAX_DEPTH, MAX_LIST_ITEMS, join_surrogates: the loader's bounds and helpers)
    BIDI_CHARS,
    FORBIDDEN_CHARS,
    MAX_DEPTH,
    MAX_LIST_ITEMS,
    Builder,
    PathKey,
    Refused,
    char_name,
    compose,
    format_path,
    join_surrogates,
)

log = logging.getLogger(__name__)

# The data files are a few kilobytes each, and ten thousand units take about 2 MB; the
# bound keeps a stray dump from tying up the build (PyYAML reads about 1 MB a second).
MAX_FILE_BYTES = 8 * 1024 * 1024
# Values (keys, texts, numbers, lists, mappings) in all the data files together. Ten
# thousand units written as fully as the default data's (about 25 values each) and full
# other sections stay well under it; a file of one-character items reaches it within
# 2 MB, instead of building millions of values before any limit is checked.
MAX_NODES = 500_000
# The top-level keys of a file that could not be parsed: the sections it was meant to hold.
_SECTION_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)


@dataclass
class LoadedData:
    """Every data file merged into one mapping, plus the location of every value."""

    values: dict[str, Any] = field(default_factory=dict)
    locations: dict[PathKey, Location] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False
    folder: str = "data"  # how messages name the data folder itself
    nodes: int = 0  # values read so far, against MAX_NODES
    # Files that could not be read, with the sections they seem to hold (empty: unknown),
    # so that checks needing those sections are skipped rather than wrong.
    lost: dict[str, frozenset[str]] = field(default_factory=dict)
    # How to write as text a list or mapping written where text may be expected.
    as_text: dict[PathKey, str] = field(default_factory=dict)
    # What is valid but probably not meant: texts a comment cut short.
    warnings: list[Problem] = field(default_factory=list)

    def where(self, path: PathKey) -> Location:
        """The location of ``path``, or of its nearest located ancestor (else the folder)."""
        for end in range(len(path), -1, -1):
            loc = self.locations.get(tuple(path[:end]))
            if loc is not None:
                return loc
        return Location(self.folder)

    def lost_section(self, section: str) -> str | None:
        """The file that could not be read and may have held ``section`` (absent from the values), else None."""
        if section in self.values:
            return None
        return next((label for label, held in sorted(self.lost.items()) if not held or section in held), None)


# What a record of each section is called in a message, and how it is named.
_RECORDS = {"units": "unit", "relationships": "relationship", "operations": "operation",
            "figures": "figure", "sources": "source", "history": "event", "glossary": "glossary entry"}


def describe(values: dict[str, Any], path: PathKey) -> str:
    """``units[95].name`` as a reader finds it: ``unit 'orolsi' name``."""
    if len(path) >= 2 and path[0] in _RECORDS and isinstance(path[1], int):
        items = values.get(path[0])
        record = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        name = _record_name(record) if isinstance(record, dict) else None
        if name:
            rest = format_path(path[2:])
            return f"{_RECORDS[path[0]]} {name}" + (f" {rest}" if rest else "")
    if len(path) >= 2 and path[0] == "department":
        return f"department {format_path(path[1:])}"
    return format_path(path)


def _record_name(record: dict[str, Any]) -> str | None:
    """A record's id, else its year (events) or acronym (glossary entries), as a message names it."""
    for key in ("id", "year", "acronym"):
        value = record.get(key)
        if isinstance(value, dict):
            value = next((v for v in value.values() if isinstance(v, str)), None)
        if isinstance(value, str) and value.isprintable() and len(value) <= 64:
            return repr(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def data_files(data_dir: Path) -> list[Path]:
    """The YAML entries of a data folder, whatever they are, in sorted order so builds are reproducible.

    A pipe, a folder or a link named ``*.yaml`` is listed too, so that it is refused by
    name rather than silently left out.
    """
    return sorted(p for p in data_dir.iterdir() if p.suffix in (".yaml", ".yml"))


def shown_path(path: Path | str) -> str:
    """A path as a message prints it, on one line: bytes that are not UTF-8 and unprintable characters escaped."""
    text = os.fsencode(path).decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of the character at ``index``."""
    start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - start + 1


# How a message names what stands in the data folder where a file should be.
_NOT_FILES = {
    stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
}


def _read_bytes(path: Path, label: str, problems: list[Problem]) -> bytes | None:
    """At most MAX_FILE_BYTES of a plain file, or None with the reason recorded.

    A named pipe would block the read and a device such as /dev/zero would never end,
    so the file is checked before it is opened, and again once open, in case it was
    swapped meanwhile; the read itself stops one byte past the limit.
    """
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
            with open(fd, "rb") as file:
                mode = os.fstat(fd).st_mode
                raw = file.read(MAX_FILE_BYTES + 1) if stat.S_ISREG(mode) else b""
    except OSError as exc:
        problems.append(Problem(Location(label), "", f"cannot read file: {exc.strerror}"))
        return None
    if not stat.S_ISREG(mode):
        kind = _NOT_FILES.get(stat.S_IFMT(mode), "not a plain file")
        problems.append(Problem(Location(label), "", f"this is {kind}, not a file; "
                                "remove it, or rename it without .yaml"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(Location(label), "", f"file is larger than {MAX_FILE_BYTES // 1048576} MB"))
        return None
    return raw


def _read_text(path: Path, label: str, problems: list[Problem]) -> str | None:
    """Read a data file as UTF-8 (a byte-order mark is accepted), or record why not."""
    raw = _read_bytes(path, label, problems)
    if raw is None:
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem(Location(label, 1, 1), "", "file is UTF-16; save it as UTF-8"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        # The column counts characters, as an editor does, not bytes.
        column = len(raw[start: exc.start].decode("utf-8", errors="replace")) + 1
        problems.append(
            Problem(Location(label, line, column), "",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")
        )
        return None
    # Raw bidirectional controls are refused anywhere, comments included: an editor
    # shows the line reordered, so a reviewer would read other data than the build does.
    bidi = BIDI_CHARS.search(text)
    if bidi:
        line, column = _line_column(text, bidi.start())
        problems.append(Problem(Location(label, line, column), "",
                                f"{char_name(bidi.group())} is not allowed; remove it"))
        return None
    return text


def load_file(
    path: Path, label: str, out: LoadedData, problems: list[Problem]
) -> bool:
    """Load one data file into ``out``; False when the file could not be read as YAML."""
    text = _read_text(path, label, problems)
    if text is None:
        return False
    lines = text.splitlines()
    try:
        node, out.nodes, anchors = compose(text, out.nodes, MAX_NODES)
    except yaml.YAMLError as exc:
        out.nodes = getattr(exc, "nodes", out.nodes)
        problems.append(_refusal(exc, text, label, lines))
        # A syntax error leaves the sections the file meant to hold known by their lines;
        # a file stopped by a limit or a character is only known to be lost.
        syntax = isinstance(exc, yaml.MarkedYAMLError) and not isinstance(exc, Refused)
        out.lost[label] = frozenset(_SECTION_LINE.findall(text)) if syntax else frozenset()
        return False
    if node is None:
        problems.append(Problem(Location(label), "", "file is empty"))
        return True
    locations: dict[PathKey, Location] = {}
    builder = Builder(label, lines, locations, problems)
    if not isinstance(node, yaml.MappingNode):
        builder.problem(node, (), "the file must be a mapping of sections (e.g. 'units:')")
        return False
    sections = builder.build(node, ())
    for mark, at in anchors:
        problems.append(Problem(Location(label, mark.line + 1, mark.column + 1), format_path(at),
                                anchor_message(lines[mark.line] if mark.line < len(lines) else "", at)))
    if not isinstance(sections, dict):
        return False  # a tagged top level (!thing), refused by the builder
    for value_node, at, comment in builder.cut:
        out.warnings.append(Problem(builder.loc(value_node), describe(sections, at),
                                    cut_message(lines[value_node.start_mark.line], value_node.value, comment)))
    out.as_text.update(builder.as_text)
    for key, value in sections.items():
        if key in out.values:
            first = out.locations[(key,)]
            problems.append(Problem(
                locations[(key,)], key,
                f"section '{key}' is defined in two files (first in {first}); keep one",
            ))
            continue
        out.values[key] = value
        # Only the kept section's locations go in, so errors in it point at its own file.
        out.locations.update((p, loc) for p, loc in locations.items() if p[0] == key)
    return True


def _refusal(exc: yaml.YAMLError, text: str, label: str, lines: list[str]) -> Problem:
    """The problem a file that stopped reading gives: a character, a limit or a syntax error."""
    if isinstance(exc, yaml.reader.ReaderError):
        # PyYAML refuses control characters before parsing; say where and which.
        index = exc.position if isinstance(exc.position, int) else 0
        line, column = _line_column(text, index)
        char = chr(exc.character) if isinstance(exc.character, int) else "?"
        return Problem(Location(label, line, column), "", f"{char_name(char)} is not allowed; remove it")
    if isinstance(exc, Refused):
        mark = exc.mark
        return Problem(Location(label, mark.line + 1, mark.column + 1), format_path(exc.path), exc.message)
    if isinstance(exc, yaml.MarkedYAMLError):
        return syntax_problem(exc, label, lines)
    return Problem(Location(label), "", "YAML error: " + " ".join(str(exc).split()))


def _utf8(name: str) -> bool:
    """True when a file name is valid UTF-8 (Python holds the other bytes as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _outside(path: Path, real_dir: str) -> bool:
    """True when ``path`` is a link leading out of the data folder (real path ``real_dir``)."""
    return os.path.commonpath([os.path.realpath(path), real_dir]) != real_dir


def load(data_dir: Path, root: Path | None = None) -> LoadedData:
    """Load every data file of ``data_dir``, recording (not raising) problems in values.

    Messages name the files as the user finds them: relative to ``root`` (by default the
    current folder) when they are under it, else by their full path. Raises DataError
    only when there is nothing to load; validation reports the rest together with its
    own findings. Texts a comment cut short are logged as warnings.
    """
    base = root if root is not None else Path.cwd()
    folder = _shown_under(data_dir, base)
    if not data_dir.is_dir():
        raise DataError([Problem(Location(folder), "", "data folder not found")])
    try:
        files = data_files(data_dir)
    except OSError as exc:
        raise DataError([Problem(Location(folder), "", f"cannot read the data folder: {exc.strerror}")]) from None
    if not files:
        raise DataError([Problem(Location(folder), "", "no .yaml files in the data folder")])
    out = LoadedData(files=tuple(files), folder=folder)
    problems = out.problems
    real_dir = os.path.realpath(data_dir)
    for path in files:
        label = _shown_under(path, base)
        refusal = None
        if not _utf8(path.name):
            refusal = "file name is not valid UTF-8; rename the file"
        elif _outside(path, real_dir):
            # Refused before it is opened: its text never reaches a message.
            refusal = "this is a link to a file outside the data folder; copy the file into the folder instead"
        elif path.is_symlink() and not os.path.lexists(os.path.realpath(path)):
            # An editor's lock file (Emacs writes .#units.yaml so) while a file is being
            # edited; a link that loops is not skipped, reading it says so.
            log.warning("%s: skipped, a link to a missing file", label)
            continue
        if refusal:
            problems.append(Problem(Location(label), "", refusal))
            out.unreadable = True
            out.lost[label] = frozenset()
            continue
        if out.nodes > MAX_NODES:
            out.unreadable = True  # the file that reached the limit says so; the rest is not read
            out.lost[label] = frozenset()
            continue
        log.debug("loading %s", label)
        before = len(out.values)
        if not load_file(path, label, out, problems) and len(out.values) == before:
            out.unreadable = True
            out.lost.setdefault(label, frozenset())
    for warning in out.warnings:
        log.warning("%s", warning)
    return out


def _shown_under(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when it is under it, else in full, as a message prints it."""
    try:
        return shown_path(path.relative_to(base))
    except ValueError:
        return shown_path(path)
