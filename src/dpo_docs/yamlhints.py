"""What to do about YAML's surprises: the parser's complaints and silent misreadings told as fixes.

YAML reads a value starting with ``{ [ & * ! % @ | >`` or holding ``: `` as syntax,
and ends a plain text at `` #``. The raw parser names its states ("expected <block
end>") and points at indentation; these messages quote the line and show it quoted.
"""

from __future__ import annotations

import re

import yaml

from dpo_docs.errors import Location, Problem

# "key: value" or "- key: value" (keys of the data are plain words), else "- value".
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][\w-]*):[ \t]+(?P<value>\S.*?)\s*$")
_ITEM = re.compile(r"^\s*-[ \t]+(?P<value>\S.*?)\s*$")
# A block text's header, "|" or ">-" alone on its line (with a comment), is YAML as meant.
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*(\s+#.*)?")
# Why a value starting with each character is not read as text.
_STARTS = {
    "{": "'{' starts a YAML mapping",
    "[": "'[' starts a YAML list",
    "&": "'&' starts a YAML anchor",
    "*": "'*' starts a YAML alias",
    "!": "'!' starts a YAML tag",
    "|": "'|' starts a YAML block of text on the next lines",
    ">": "'>' starts a YAML block of text on the next lines",
    "%": "'%' cannot start a plain YAML value",
    "@": "'@' cannot start a plain YAML value",
    "`": "'`' cannot start a plain YAML value",
}
_FIX = "to write it as text, put the value in quotes: "
# Keys whose value is a text a reader sees: a language of a text ({fr: …}), a head's name.
_LANG_KEY = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_TEXT_KEYS = {"name"}


def quoted(value: str) -> str:
    """``value`` as a quoted YAML scalar: double quotes, or single ones when it holds ``"``."""
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _split(line: str) -> tuple[str, str] | None:
    """The ``key: `` (or ``- ``) part of a line and its unquoted value, or None."""
    match = _KEY_VALUE.match(line)
    prefix = f"{match['key']}: " if match else "- "
    match = match or _ITEM.match(line)
    if not match or match["value"][0] in "'\"":
        return None
    return prefix, match["value"]


def quote_advice(line: str, first: str | None = None) -> str | None:
    """Why YAML does not read the value on ``line`` as the text it shows, and the line that does.

    ``first`` limits the advice to a value starting with that character; None takes any
    reason: a leading indicator or a ``: `` inside.
    """
    split = _split(line)
    if split is None:
        return None
    prefix, value = split
    if _BLOCK_HEADER.fullmatch(value):
        return None
    if first is not None and not value.startswith(first):
        return None
    if value[0] in "[{" and not value.startswith("{{"):
        # Left open, the bracket is missing, not quotes; in a syntax error, one list or
        # mapping closing at the end of the line went wrong inside.
        end = _closing(value)
        if end is None or (first is None and end == len(value) - 1):
            return None
    reason = _STARTS.get(value[0])
    if reason is None and (": " in value or value.endswith(":")):
        reason = "': ' inside a value starts a YAML mapping"
    if reason is None:
        return None
    if value.startswith("{{"):
        reason = "'{{' starts a YAML mapping, not a text"
    return f"{reason}; {_FIX}{prefix}{quoted(value)}"


def _closing(value: str) -> int | None:
    """The index of the bracket that closes the one ``value`` opens with, or None when it stays open."""
    depth = 0
    for index, char in enumerate(value):
        depth += char in "[{"
        depth -= char in "]}"
        if depth == 0:
            return index
    return None


def syntax_problem(exc: yaml.MarkedYAMLError, label: str, lines: list[str]) -> Problem:
    """A located sentence for a YAML syntax error: a fix where the line shows one, else the parser's words."""
    mark = exc.problem_mark or exc.context_mark
    for candidate in (exc.problem_mark, exc.context_mark):
        if candidate is not None and candidate.line < len(lines):
            advice = quote_advice(lines[candidate.line])
            if advice:
                column = candidate.column if candidate is mark else _value_column(lines[candidate.line])
                return Problem(Location(label, candidate.line + 1, column + 1), "", f"YAML syntax error: {advice}")
    where = Location(label, mark.line + 1, mark.column + 1) if mark else Location(label)
    return Problem(where, "", f"YAML syntax error: {_parser_words(exc)}")


def _value_column(line: str) -> int:
    """The 0-based column where the value of a ``key: value`` line starts."""
    match = _KEY_VALUE.match(line) or _ITEM.match(line)
    return match.start("value") if match else 0


# What to do about PyYAML's commonest complaints, which name parser states, not fixes.
_HINTS = (
    ("'\\t'", "use spaces, not tabs, to indent"),
    ("expected <block end>", "check the indentation of this line"),
    ("mapping values are not allowed here", "check the indentation, or put a value holding ': ' in quotes"),
    ("could not find expected ':'", "a key needs ': ' after it, or the value quotes"),
    ("found undefined alias", "'*' starts an alias: put the value in quotes"),
)


def _parser_words(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's own account of a syntax error, with a hint for the common ones."""
    mark = exc.problem_mark or exc.context_mark
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
    return what


def anchor_message(line: str, path: tuple) -> str:
    """Why an anchor no alias uses is refused, and how to write the text it was probably meant to be."""
    advice = quote_advice(line, "&") if path and is_text_field(path) else None
    return advice or "YAML anchors (&name) are not supported; remove it"


def cut_by_comment(line: str, end: int, path: tuple) -> str | None:
    """The comment after a plain text ending at column ``end`` of ``line``, when it looks like the text's own end.

    YAML ends a plain value at `` #``: "Fiduciary #1 Donor Unit" reads "Fiduciary". A
    comment after a text field is taken for the text's end when only one space parts
    them, or when the ``#`` is not followed by a space (``#1``); ``name: X  # note`` is
    an ordinary comment.
    """
    if not path or not is_text_field(path):
        return None
    match = re.match(r"( +)#(.*)$", line[end:])
    if not match:
        return None
    spaces, comment = match.groups()
    if len(spaces) == 1 or (comment and not comment[0].isspace()):
        return comment.rstrip()
    return None


def is_text_field(path: tuple) -> bool:
    """True for a value a reader sees as text: a language of a text, a head's name, a shared unit's name."""
    last = path[-1]
    if isinstance(last, int):
        return len(path) > 1 and path[-2] == "shared_with"
    return bool(_LANG_KEY.match(last)) or last in _TEXT_KEYS


def cut_message(line: str, value: str, comment: str) -> str:
    """The warning for a text a comment cut short, with the line that keeps it whole."""
    split = _split(line)
    prefix, whole = split if split else ("", f"{value} #{comment}")
    return (f"the text stops at ' #', which starts a YAML comment, so it reads {value!r}; "
            f"if '#{comment}' belongs to the text, put the value in quotes: {prefix}{quoted(whole)}")
