"""TOML files read with the line of each key, as tomllib keeps no positions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from dpo_docs.errors import DataError, Location, Problem

Lines = dict[tuple[str, ...], int]


def read(path: Path, name: str) -> tuple[dict[str, Any], Lines]:
    """The document in a TOML file and the line of each key; DataError at its fault if it has one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError([Problem(Location(name), "", f"cannot be read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is no error
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataError([Problem(Location(name, line), "", f"not UTF-8 text (byte {raw[exc.start]:#04x})")]) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError([_syntax_problem(name, text, str(exc))]) from None
    except RecursionError:  # tomllib reads nested arrays by recursion, without a limit
        raise DataError([Problem(Location(name), "", "invalid TOML: values nested too deeply")]) from None
    return document, key_lines(text)


_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


def _syntax_problem(name: str, text: str, message: str) -> Problem:
    """tomllib's error at the line and column it names."""
    match = _TOML_POSITION.search(message)
    if not match:
        return Problem(Location(name), "", f"invalid TOML: {message}")
    line = int(match[1]) if match[1] else text.count("\n") + 1
    column = int(match[2]) if match[2] else None
    return Problem(Location(name, line, column), "", f"invalid TOML: {message[:match.start()]}")


# The line of each key is found by scanning the text.
_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _parts(dotted: str) -> tuple[str, ...]:
    """``a."b.c".d`` as ``("a", "b.c", "d")``."""
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in _PART.findall(dotted))


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each table header and key, by full dotted path (the first one wins)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    depth, quote = 0, ""  # open brackets and the open multi-line string of a value
    for number, line in enumerate(text.splitlines(), start=1):
        start = 0
        if not depth and not quote:
            stripped = line.lstrip()
            header, assign = _HEADER.match(stripped), _ASSIGN.match(stripped)
            if header:
                table = _parts(header[1])
                lines.setdefault(table, number)
                continue
            if assign:
                lines.setdefault((*table, *_parts(assign[1])), number)
                start = len(line) - len(stripped) + assign.end()
        depth, quote = _scan(line, start, depth, quote)
    return lines


def _scan(line: str, i: int, depth: int, quote: str) -> tuple[int, str]:
    """Bracket depth and open multi-line string after a line of a value."""
    while i < len(line):
        if quote:
            end = line.find(quote, i)
            if end < 0:
                return depth, quote
            i, quote = end + len(quote), ""
            continue
        char = line[i]
        if char == "#":
            break
        if line.startswith(('"""', "'''"), i):
            quote, i = line[i:i + 3], i + 3
        elif char in "\"'":
            end = i + 1
            while end < len(line) and line[end] != char:
                end += 2 if char == '"' and line[end] == "\\" else 1
            i = end + 1
        else:
            depth += (char in "[{") - (char in "]}")
            i += 1
    return max(depth, 0), quote
