"""Read one YAML text into plain values with their locations, within bounds, refusing what builds more than it shows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from dpo_docs.errors import Location, Problem
from dpo_docs.model import MAX_UNITS
from dpo_docs.yamlhints import cut_by_comment, is_text_field, quote_advice

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
# Deeper than any real data (five levels): stops "[[[[…" from exhausting the stack.
MAX_DEPTH = 50
MAX_KEY_CHARS = 100
# No list of the model is longer than the unit list; past it, reading stops at once.
MAX_LIST_ITEMS = MAX_UNITS
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) make
# a text display in another order than it is stored. The marks U+200E, U+200F and
# U+061C stay allowed: they only settle the direction of neutral characters, which
# Arabic text mixed with Latin names needs.
_BIDI = "\u202a-\u202e\u2066-\u2069"
BIDI_CHARS = re.compile(f"[{_BIDI}]")
# Characters that XML 1.0 forbids or that only control a terminal: a text holding one
# cannot become a Word file and would print as garbage, and the bidirectional controls
# above. \t, \n and \r stay allowed.
FORBIDDEN_CHARS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{_BIDI}]")

_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_ALIAS_TAG = "dpo-docs:alias"
# An alias to no anchor: most likely a text starting with "*", which quotes would keep.
_STRAY_ALIAS_TAG = "dpo-docs:stray-alias"

PathKey = tuple[str | int, ...]


def char_name(char: str) -> str:
    """How a message names a forbidden character: ``control character U+0007``."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"lone surrogate U+{code:04X}"
    if code in (0xFFFE, 0xFFFF):
        return f"non-character U+{code:04X}"
    if BIDI_CHARS.match(char):
        return f"bidirectional control character U+{code:04X}"
    return f"control character U+{code:04X}"


def join_surrogates(text: str) -> str:
    """Join escaped surrogate pairs ("\\ud83c\\udf0d", as JSON writes 🌍) into one character.

    YAML decodes each \\u escape on its own, leaving two halves that no output can encode.
    """
    return _SURROGATE_PAIR.sub(
        lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10) + ord(m.group()[1]) - 0xDC00), text)


def format_path(path: PathKey) -> str:
    """Render a path tuple as ``units[3].parent``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class Refused(yaml.MarkedYAMLError):
    """A limit reached while composing; not a syntax error, so reported in its own words."""

    def __init__(self, message: str, mark: yaml.Mark, path: PathKey = ()):
        """Refuse at ``mark``, naming the value at ``path`` when it is known."""
        super().__init__(None, None, message, mark)
        self.mark, self.message, self.path = mark, message, path


# For the type checker, the loaders' composing methods; at run time a plain mixin.
_Composing: Any = yaml.SafeLoader if TYPE_CHECKING else object


class _Counting(_Composing):
    """Composing that counts as it goes and stops at the first limit.

    Every bound is checked before the node it bounds is composed, so a file of millions
    of one-character items costs no more than a file at the limit.
    """

    def _start(self, nodes: int, max_nodes: int) -> None:
        """Start counting; ``nodes`` values were already read from other files."""
        self.depth = 0
        self.nodes = nodes
        self.max_nodes = max_nodes
        self.path: list[str | int] = []
        # Anchors (&name) with where they stand, and the names aliases used: an anchor
        # no alias uses is refused on its own, as it would silently drop "&text".
        self.anchored: list[tuple[str, yaml.Mark, PathKey]] = []
        self.aliased: set[str] = set()

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node within the limits; an alias becomes a marker node."""
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise Refused(f"the data holds more than {self.max_nodes:,} values (keys, texts, numbers) "
                          "in all; the rest was not read", self.peek_event().start_mark)
        if isinstance(index, int) and index >= MAX_LIST_ITEMS:
            raise Refused(f"too many entries (more than {MAX_LIST_ITEMS:,}); the rest of the file was not read",
                          self.peek_event().start_mark, tuple(self.path[1:]))  # [0] is the document itself
        if self.check_event(yaml.AliasEvent):
            # PyYAML would hand back the anchored node itself, located at the anchor;
            # a marker keeps the alias's own place for the message.
            event = self.get_event()
            self.aliased.add(event.anchor or "")
            tag = _ALIAS_TAG if event.anchor in self.anchors else _STRAY_ALIAS_TAG
            return yaml.ScalarNode(tag, event.anchor or "", event.start_mark, event.end_mark)
        if self.depth >= MAX_DEPTH:
            raise Refused(f"values are nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        # Where the node stands, for messages: a list index, or the text of its key.
        part = index if isinstance(index, int) else index.value if isinstance(index, yaml.ScalarNode) else "?"
        self.depth += 1
        self.path.append(part)
        event = self.peek_event()
        # Only a text's anchor: "&x of y" reads "of y"; an anchored list or mapping loses nothing.
        if isinstance(event, yaml.ScalarEvent) and event.anchor:
            self.anchored.append((event.anchor, event.start_mark, tuple(self.path[1:])))  # type: ignore[arg-type]  # parsed events carry marks
        try:
            return super().compose_node(parent, index)  # a Composer's, in the loaders below
        finally:
            self.depth -= 1
            self.path.pop()


class _Loader(_Counting, yaml.SafeLoader):
    """PyYAML's safe loader in pure Python, counting: its messages are the ones reported."""

    def __init__(self, stream: str, nodes: int, max_nodes: int):
        """Start reading ``stream``."""
        yaml.SafeLoader.__init__(self, stream)
        self._start(nodes, max_nodes)


CParser: Any
try:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # PyYAML built without libyaml: the pure-Python loader does all the work
    CParser = None


if CParser is not None:
    class _FastLoader(_Counting, CParser, yaml.composer.Composer, yaml.constructor.SafeConstructor,
                      yaml.resolver.Resolver):
        """libyaml's parser under the same counting composer: several times faster on a large
        file (the live preview parses an edited file on every save). It is used for files
        that parse; a file that does not is read again by ``_Loader``, whose messages and
        marks the error reports are written for."""

        def __init__(self, stream: str, nodes: int, max_nodes: int):
            """Start reading ``stream``."""
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._start(nodes, max_nodes)

        get_single_node = yaml.composer.Composer.get_single_node  # the counting composer, not libyaml's

        def compose_scalar_node(self, anchor: Any) -> Any:
            """A text node as the pure-Python parser makes it: a plain text's style is None, not ""."""
            node = yaml.composer.Composer.compose_scalar_node(self, anchor)
            node.style = node.style or None
            return node


def compose(text: str, nodes: int, max_nodes: int) -> tuple[yaml.Node | None, int, list[tuple[yaml.Mark, PathKey]]]:
    """The node tree of one YAML document, the count of values read so far, and the anchors no alias uses.

    On an error, the count read until then is on the exception (``nodes``).
    """
    kept = _COMPOSED.get(text)
    if kept is not None and nodes + kept[1] <= max_nodes:
        return kept[0], nodes + kept[1], kept[2]
    if CParser is not None:
        fast = _FastLoader(text, nodes, max_nodes)
        try:
            node = fast.get_single_node()
        except yaml.YAMLError:
            pass  # read again below, for the messages and marks the reports are written for
        else:
            return _kept(text, node, nodes, fast)
        finally:
            fast.dispose()
    loader = _Loader(text, nodes, max_nodes)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        exc.nodes = loader.nodes  # type: ignore[attr-defined]  # counted even when the file stops at an error
        raise
    finally:
        loader.dispose()
    return _kept(text, node, nodes, loader)


def _kept(text: str, node: yaml.Node | None, nodes: int,
          loader: _Counting) -> tuple[yaml.Node | None, int, list[tuple[yaml.Mark, PathKey]]]:
    """What ``compose`` returns for a file read whole, kept for the next read of the same text."""
    unused = [(mark, path) for anchor, mark, path in loader.anchored if anchor not in loader.aliased]
    _COMPOSED[text] = (node, loader.nodes - nodes, unused)
    while len(_COMPOSED) > _KEPT:
        del _COMPOSED[next(iter(_COMPOSED))]
    return node, loader.nodes, unused


# The live preview loads the data again after each edit, mostly unchanged: the tree of
# a text read before is kept (nothing changes a node once composed), by the text itself.
_COMPOSED: dict[str, tuple[yaml.Node | None, int, list[tuple[yaml.Mark, PathKey]]]] = {}
_KEPT = 32


def _describe_key(node: yaml.Node) -> str:
    """A short rendering of a key that is not text."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    text = repr(node.value)
    return text if len(text) <= 40 else text[:37] + "…"


class Builder:
    """Turns a composed YAML node tree into plain values with locations.

    ``lines`` are the file's lines: where YAML read a value as something else than the
    text the line shows, the message quotes the line and how to write it.
    """

    def __init__(self, label: str, lines: list[str], locations: dict[PathKey, Location], problems: list[Problem]):
        """Build for the file ``label``, filling ``locations`` and ``problems``."""
        self.label = label
        self.lines = lines
        self.locations = locations
        self.problems = problems
        # Texts a comment cut short: (node, path, comment), told once the values are known.
        self.cut: list[tuple[yaml.Node, PathKey, str]] = []
        # Lists and mappings written on their key's line, and how to write them as text,
        # for the model's "expected text" message.
        self.as_text: dict[PathKey, str] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def loc(self, node: yaml.Node) -> Location:
        """Location of a node, 1-based."""
        mark = node.start_mark
        return Location(self.label, mark.line + 1, mark.column + 1)

    def problem(self, node: yaml.Node, path: PathKey, message: str) -> None:
        """Record a problem at a node."""
        self.problems.append(Problem(self.loc(node), format_path(path), message))

    def advice(self, node: yaml.Node, first: str, path: PathKey | None = None) -> str | None:
        """How to write the value starting with ``first`` at ``node``'s line as text, if it is one.

        Given a ``path``, only where a text is expected: ``units: !include x`` means a tag.
        """
        if path is not None and not (path and is_text_field(path)):
            return None
        line = self.lines[node.start_mark.line] if node.start_mark.line < len(self.lines) else ""
        return quote_advice(line, first)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        """Build the value of ``node`` found at ``path``."""
        if node.tag in (_ALIAS_TAG, _STRAY_ALIAS_TAG):
            # Refusing aliases keeps files plain and stops "billion laughs" expansion.
            self.problem(node, path, (self.advice(node, "*", path) if node.tag == _STRAY_ALIAS_TAG else None)
                         or "YAML aliases (*name) are not supported; write the value out")
            return None
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            self.problem(node, path, f"unsupported YAML tag '{node.tag}'")
            return None
        if isinstance(node, yaml.MappingNode):
            self._flow(node, path, "{")
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._flow(node, path, "[")
            return [self._item(child, path + (i,)) for i, child in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            local = node.tag.startswith("!") and not node.tag.startswith("!!")
            self.problem(node, path, (self.advice(node, "!", path) if local else None)
                         or f"unsupported YAML tag '{node.tag}'")
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
        if isinstance(value, str) and node.style is None and node.start_mark.line == node.end_mark.line:  # type: ignore[attr-defined]  # a scalar node
            comment = cut_by_comment(self.lines[node.end_mark.line], node.end_mark.column, path)
            if comment is not None:
                self.cut.append((node, path, comment))
        return join_surrogates(value) if isinstance(value, str) else value

    def _flow(self, node: yaml.CollectionNode, path: PathKey, opening: str) -> None:
        """Remember how to write a ``[…]`` or ``{…}`` value as text, should text be expected there."""
        if node.flow_style and path:
            advice = self.advice(node, opening)
            if advice:
                self.as_text[path] = advice

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
            # "name: {{ x }}" is a mapping whose key is a mapping: the line says what was meant.
            advice = self.advice(key_node, "{") if isinstance(key_node, yaml.MappingNode) else None
            self.problem(key_node, path, advice or f"keys must be text, got {_describe_key(key_node)}")
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
