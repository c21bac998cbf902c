"""Load the YAML data files into plain values, remembering where each value stands."""

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
from dpo_docs.model import MAX_UNITS

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
# The data files are a few kilobytes each, and ten thousand units take about 2 MB; the
# bound keeps a stray dump from tying up the build (PyYAML reads about 1 MB a second).
MAX_FILE_BYTES = 8 * 1024 * 1024
# Deeper than any real data (five levels): stops "[[[[…" from exhausting the stack.
MAX_DEPTH = 50
MAX_KEY_CHARS = 100
# Values (keys, texts, numbers, lists, mappings) in all the data files together. Ten
# thousand units written as fully as the default data's (about 25 values each) and full
# other sections stay well under it; a file of one-character items reaches it within
# 2 MB, instead of building millions of values before any limit is checked.
MAX_NODES = 500_000
# No list of the model is longer than the unit list; past it, reading stops at once.
MAX_LIST_ITEMS = MAX_UNITS
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) make
# a text display in another order than it is stored. The marks U+200E, U+200F and
# U+061C stay allowed: they only settle the direction of neutral characters, which
# Arabic text mixed with Latin names needs.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_BIDI_CHARS = re.compile(f"[{_BIDI}]")
# Characters that XML 1.0 forbids or that only control a terminal: a text holding one
# cannot become a Word file and would print as garbage, and the bidirectional controls
# above. \t, \n and \r stay allowed.
FORBIDDEN_CHARS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{_BIDI}]")

_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")

PathKey = tuple[str | int, ...]


def char_name(char: str) -> str:
    """How a message names a forbidden character: ``control character U+0007``."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"lone surrogate U+{code:04X}"
    if code in (0xFFFE, 0xFFFF):
        return f"non-character U+{code:04X}"
    if _BIDI_CHARS.match(char):
        return f"bidirectional control character U+{code:04X}"
    return f"control character U+{code:04X}"


def join_surrogates(text: str) -> str:
    """Join escaped surrogate pairs ("\\ud83c\\udf0d", as JSON writes 🌍) into one character.

    YAML decodes each \\u escape on its own, leaving two halves that no output can encode.
    """
    return _SURROGATE_PAIR.sub(
        lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10) + ord(m.group()[1]) - 0xDC00), text)


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

    def where(self, path: PathKey) -> Location:
        """The location of ``path``, or of its nearest located ancestor (else the folder)."""
        for end in range(len(path), -1, -1):
            loc = self.locations.get(tuple(path[:end]))
            if loc is not None:
                return loc
        return Location(self.folder)


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
    """The YAML entries of a data folder, whatever they are, in sorted order so builds are reproducible.

    A pipe, a folder or a link named ``*.yaml`` is listed too, so that it is refused by
    name rather than silently left out.
    """
    return sorted(p for p in data_dir.iterdir() if p.suffix in (".yaml", ".yml"))


def shown_path(path: Path | str) -> str:
    """A path as a message prints it, on one line: bytes that are not UTF-8 and unprintable characters escaped."""
    text = os.fsencode(path).decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


_ALIAS_TAG = "dpo-docs:alias"


class _Refused(yaml.MarkedYAMLError):
    """A limit reached while composing; not a syntax error, so reported in its own words."""

    def __init__(self, message: str, mark: yaml.Mark, path: PathKey = ()):
        """Refuse at ``mark``, naming the value at ``path`` when it is known."""
        super().__init__(None, None, message, mark)
        self.mark, self.message, self.path = mark, message, path


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, counting while it composes and stopping at the first limit.

    Every bound is checked before the node it bounds is composed, so a file of millions
    of one-character items costs no more than a file at the limit.
    """

    def __init__(self, stream: str, nodes: int = 0):
        """Start reading ``stream``; ``nodes`` values were already read from other files."""
        super().__init__(stream)
        self.depth = 0
        self.nodes = nodes
        self.path: list[str | int] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node within the limits; an alias becomes a marker node."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(f"the data holds more than {MAX_NODES:,} values (keys, texts, numbers) "
                           "in all; the rest was not read", self.peek_event().start_mark)
        if isinstance(index, int) and index >= MAX_LIST_ITEMS:
            raise _Refused(f"too many entries (more than {MAX_LIST_ITEMS:,}); the rest of the file was not read",
                           self.peek_event().start_mark, tuple(self.path[1:]))  # [0] is the document itself
        if self.check_event(yaml.AliasEvent):
            # PyYAML would hand back the anchored node itself, located at the anchor;
            # a marker keeps the alias's own place for the message.
            event = self.get_event()
            return yaml.ScalarNode(_ALIAS_TAG, event.anchor or "", event.start_mark, event.end_mark)
        if self.depth >= MAX_DEPTH:
            raise _Refused(f"values are nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        # Where the node stands, for messages: a list index, or the text of its key.
        part = index if isinstance(index, int) else index.value if isinstance(index, yaml.ScalarNode) else "?"
        self.depth += 1
        self.path.append(part)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            self.path.pop()


def _compose(text: str, out: LoadedData) -> yaml.Node | None:
    """The node tree of one YAML document, adding its values to the count of ``out``."""
    loader = _Loader(text, out.nodes)
    try:
        return loader.get_single_node()
    finally:
        out.nodes = loader.nodes  # counted even when the file stops at an error
        loader.dispose()


def _describe_key(node: yaml.Node) -> str:
    """A short rendering of a key that is not text."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    text = repr(node.value)
    return text if len(text) <= 40 else text[:37] + "…"


class _Builder:
    """Turns a composed YAML node tree into plain values with locations."""

    def __init__(self, label: str, locations: dict[PathKey, Location], problems: list[Problem]):
        """Build for the file ``label``, filling ``locations`` and ``problems``."""
        self.label = label
        self.locations = locations
        self.problems = problems
        self.constructor = yaml.constructor.SafeConstructor()

    def loc(self, node: yaml.Node) -> Location:
        """Location of a node, 1-based."""
        mark = node.start_mark
        return Location(self.label, mark.line + 1, mark.column + 1)

    def problem(self, node: yaml.Node, path: PathKey, message: str) -> None:
        """Record a problem at a node."""
        self.problems.append(Problem(self.loc(node), format_path(path), message))

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        """Build the value of ``node`` found at ``path``."""
        if node.tag == _ALIAS_TAG:
            # Refusing aliases keeps files plain and stops "billion laughs" expansion.
            self.problem(node, path, "YAML aliases (*name) are not supported; write the value out")
            return None
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
            value = self.constructor.construct_object(node)
        except Exception as exc:  # explicit tags (!!bool maybe, !!timestamp x) fail in many ways
            kind = node.tag.rsplit(":", 1)[-1]
            value = node.value if len(node.value) <= 40 else node.value[:37] + "…"
            if kind == "int" and "limit" in str(exc):
                self.problem(node, path, "whole number is too large")
                return None
            reason = str(exc) if isinstance(exc, ValueError) else "not a valid " + kind
            self.problem(node, path, f"invalid {kind} value {value!r} ({reason})")
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 63:
            # 0xfff… with thousands of digits: no figure is that large, and printing
            # it would hit Python's limit on converting integers to text.
            self.problem(node, path, "whole number is too large")
            return None
        return join_surrogates(value) if isinstance(value, str) else value

    def _item(self, node: yaml.Node, path: PathKey) -> Any:
        """Build one sequence item, remembering where it stands."""
        self.locations[path] = self.loc(node)
        return self.build(node, path)

    def _key(self, key_node: yaml.Node, path: PathKey) -> str | None:
        """The text of a mapping key, or None (with a problem) when it cannot be one."""
        if key_node.tag == "tag:yaml.org,2002:merge":
            self.problem(key_node, path, "YAML merge keys (<<) are not supported")
            return None
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            self.problem(key_node, path, f"keys must be text, got {_describe_key(key_node)}")
            return None
        key = join_surrogates(key_node.value)
        bad = FORBIDDEN_CHARS.search(key)
        if bad:
            self.problem(key_node, path, f"key contains {char_name(bad.group())}")
            return None
        if len(key) > MAX_KEY_CHARS:
            self.problem(key_node, path, f"key is too long (max {MAX_KEY_CHARS} characters)")
            return None
        return key

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        """Build a mapping, refusing duplicate, merge and non-text keys."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in result:
                first = self.locations[path + (key,)]
                self.problem(
                    key_node, path + (key,),
                    f"duplicate key '{key}' (first defined at line {first.line})",
                )
                continue
            self.locations[path + (key,)] = self.loc(key_node)
            result[key] = self.build(value_node, path + (key,))
        return result


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
    bidi = _BIDI_CHARS.search(text)
    if bidi:
        line, column = _line_column(text, bidi.start())
        problems.append(Problem(Location(label, line, column), "",
                                f"{char_name(bidi.group())} is not allowed; remove it"))
        return None
    return text


# What to do about PyYAML's commonest complaints, which name parser states, not fixes.
_HINTS = (
    ("'\\t'", "use spaces, not tabs, to indent"),
    ("expected <block end>", "check the indentation of this line"),
    ("mapping values are not allowed here", "check the indentation, or put a value holding ': ' in quotes"),
    ("could not find expected ':'", "a key needs ': ' after it, or the value quotes"),
    ("found undefined alias", "'*' starts an alias: put the value in quotes"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, label: str) -> Problem:
    """A located sentence for a YAML syntax error."""
    mark = exc.problem_mark or exc.context_mark
    where = Location(label, mark.line + 1, mark.column + 1) if mark else Location(label)
    what = exc.problem or exc.context or "invalid YAML"
    context_mark = exc.context_mark
    if exc.context and exc.problem and exc.problem.startswith("but "):
        what = f"{exc.context}, {exc.problem}"  # "expected a single document…, but found another"
    elif exc.context and exc.problem:
        same = context_mark is None or (mark and (context_mark.line, context_mark.column) == (mark.line, mark.column))
        if not same and context_mark is not None:
            what += f" ({exc.context} started at line {context_mark.line + 1}, column {context_mark.column + 1})"
    for needle, hint in _HINTS:
        if needle in what:
            what += f" ({hint})"
            break
    return Problem(where, "", f"YAML syntax error: {what}")


def load_file(
    path: Path, label: str, out: LoadedData, problems: list[Problem]
) -> bool:
    """Load one data file into ``out``; False when the file could not be read as YAML."""
    text = _read_text(path, label, problems)
    if text is None:
        return False
    try:
        node = _compose(text, out)
    except yaml.reader.ReaderError as exc:
        # PyYAML refuses control characters before parsing; say where and which.
        index = exc.position if isinstance(exc.position, int) else 0
        line, column = _line_column(text, index)
        char = chr(exc.character) if isinstance(exc.character, int) else "?"
        problems.append(Problem(Location(label, line, column), "", f"{char_name(char)} is not allowed; remove it"))
        return False
    except _Refused as exc:
        mark = exc.mark
        problems.append(Problem(Location(label, mark.line + 1, mark.column + 1), format_path(exc.path), exc.message))
        return False
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(exc, label))
        return False
    except yaml.YAMLError as exc:
        problems.append(Problem(Location(label), "", "YAML error: " + " ".join(str(exc).split())))
        return False
    if node is None:
        problems.append(Problem(Location(label), "", "file is empty"))
        return True
    locations: dict[PathKey, Location] = {}
    builder = _Builder(label, locations, problems)
    if not isinstance(node, yaml.MappingNode):
        builder.problem(node, (), "the file must be a mapping of sections (e.g. 'units:')")
        return False
    sections = builder.build(node, ())
    if not isinstance(sections, dict):
        return False  # a tagged top level (!thing), refused by the builder
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

    Raises DataError only when there is nothing to load; validation reports the rest
    together with its own findings.
    """
    base = root or data_dir.parent
    try:
        folder = shown_path(data_dir.relative_to(base))
    except ValueError:
        folder = shown_path(data_dir)
    if not data_dir.is_dir():
        raise DataError([Problem(Location(shown_path(data_dir)), "", "data folder not found")])
    try:
        files = data_files(data_dir)
    except OSError as exc:
        raise DataError([Problem(Location(shown_path(data_dir)), "",
                                 f"cannot read the data folder: {exc.strerror}")]) from None
    if not files:
        raise DataError([Problem(Location(shown_path(data_dir)), "", "no .yaml files in the data folder")])
    out = LoadedData(files=tuple(files), folder=folder)
    problems = out.problems
    real_dir = os.path.realpath(data_dir)
    for path in files:
        try:
            label = shown_path(path.relative_to(base))
        except ValueError:
            label = shown_path(path)
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
            continue
        if out.nodes > MAX_NODES:
            out.unreadable = True  # the file that reached the limit says so; the rest is not read
            continue
        log.debug("loading %s", label)
        before = len(out.values)
        if not load_file(path, label, out, problems) and len(out.values) == before:
            out.unreadable = True
    return out
