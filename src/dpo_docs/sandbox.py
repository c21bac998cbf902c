"""The sandbox every template renders in, HTML and Word alike: what it may reach, and how much.

Templates are edited by users. Jinja's immutable sandbox keeps them from Python's
internals and from changing the objects documents share: the labels, the data, the
``doc`` and ``build`` dicts (a template calling ``labels.update(...)`` would change
the documents rendered after it in the same process, so their bytes would depend on
the number of workers). On top of it, limits on what one expression, and one render,
may make: a template asking for a string of a billion characters, a range of a
billion numbers or lipsum(n=10**8) stops at once with a located error instead of
taking minutes and gigabytes. The largest real document prints under a megabyte of
HTML; the limits are tens of times that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import update_wrapper
from string import Formatter
from typing import Any, NoReturn

from jinja2 import filters as jinja_filters
from jinja2 import pass_environment, pass_eval_context
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup, escape
from pydantic import BaseModel

from dpo_docs.model import EDITOR_NOTE

MAX_ITEMS = 10_000_000  # characters of a string, or items of a list, one expression may make
MAX_OUTPUT = 50_000_000  # characters one render may print (a 1,000-unit handout: 0.7 million)
MAX_RANGE = 100_000  # numbers in one range(), as Jinja's sandbox allows
MAX_RANGES = 1_000_000  # numbers in all the ranges of one render (loops in loops)
MAX_INT_BITS = 10_000  # a number's size: about 3,000 digits, under Python's 4,300 for printing
MAX_WORDS = 100_000  # words of lipsum()
MAX_INDENT = 100  # the indent of tojson
MAX_SUM_WORK = 100_000_000  # items copied by sum() of lists, which copies the total once per term

# %-format specs, with their width and precision (a number, or * for one taken from the args).
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _refuse(what: str, size: int, unit: str, limit: int) -> NoReturn:
    """Raise the error a template gets for asking too much."""
    raise SecurityError(f"{what} would make {size:,} {unit}; a template may make at most {limit:,}")


def _unit(value: Any) -> str:
    """What a sequence is counted in."""
    return "characters" if isinstance(value, str) else "bytes" if isinstance(value, bytes) else "items"


def _check(what: str, size: int, unit: str = "characters", limit: int = MAX_ITEMS) -> None:
    """Refuse ``size`` past ``limit``."""
    if size > limit:
        _refuse(what, size, unit, limit)


# --- One render's allowance, shared by its includes, macros and imports ----------------

@dataclass
class _Allowance:
    """What is left to one render: characters to print and range() numbers."""

    output: int = MAX_OUTPUT
    ranges: int = MAX_RANGES


_ALLOWANCE: ContextVar[_Allowance | None] = ContextVar("dpo_docs_render_allowance", default=None)


@contextmanager
def allowance() -> Iterator[None]:
    """Count the output and the ranges of the render made inside, against the limits of one render."""
    token = _ALLOWANCE.set(_Allowance())
    try:
        yield
    finally:
        _ALLOWANCE.reset(token)


def _count_output(value: Any) -> Any:
    """Jinja's finalize: count what each {{ expression }} prints; return it unchanged.

    Only strings and plain containers are measured: printing any other object may
    have effects (docxtpl's pictures add themselves to the document when printed).
    """
    left = _ALLOWANCE.get()
    if left is not None:
        if isinstance(value, str):
            left.output -= len(value)
        elif isinstance(value, (list, tuple, dict, set, frozenset)):
            left.output -= len(str(value))
        if left.output < 0:
            raise SecurityError(f"the template prints more than {MAX_OUTPUT:,} characters, "
                                "more than any document needs (a loop that does not end?)")
    return value


# --- Globals -------------------------------------------------------------------------

def _range(*args: int) -> range:
    """range() with at most MAX_RANGE numbers, and MAX_RANGES in all in one render."""
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:  # more than fits in a machine word
        size = (numbers.stop - numbers.start) // numbers.step
    _check("range()", size, "numbers", MAX_RANGE)
    left = _ALLOWANCE.get()
    if left is not None:
        left.ranges -= size
        if left.ranges < 0:
            raise SecurityError(f"the template's ranges add up to more than {MAX_RANGES:,} numbers "
                                "(range() in a loop?)")
    return numbers


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002 - Jinja's names
    """Jinja's lipsum(), refusing more than MAX_WORDS words."""
    _check("lipsum()", n * max, "words", MAX_WORDS)
    return generate_lorem_ipsum(n, html, min, max)


# --- Operators and formats -------------------------------------------------------------

def _percent_format(text: str, args: Any) -> None:
    """Refuse a %-format whose widths or precisions, given or taken from ``args``, are too big."""
    star = False
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*":
                star = True
            elif number:
                _check("a format width", int(number))
    if star:
        for value in args if isinstance(args, tuple) else (args,):
            if isinstance(value, int):
                _check("a format width", value)


def _brace_format(text: str, args: tuple, kwargs: dict) -> None:
    """Refuse a str.format whose widths or precisions, given or taken from the arguments, are too big."""
    try:
        specs = [spec for _, _, spec, _ in Formatter().parse(text) if spec]
    except ValueError:  # a malformed format: str.format says what is wrong
        return
    for spec in specs:
        for number in _DIGITS.findall(spec):
            _check("a format width", int(number))
    if any("{" in spec for spec in specs):  # widths taken from the arguments
        for value in (*args, *kwargs.values()):
            if isinstance(value, int):
                _check("a format width", value)


def _sequence(value: Any) -> bool:
    """True for the values * and + repeat or join: strings, bytes, lists, tuples."""
    return isinstance(value, (str, bytes, list, tuple))


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would pass the limits, before it is computed."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if _sequence(seq) and isinstance(times, int):
                _check("'*'", len(seq) * times, _unit(seq))
        if isinstance(left, int) and isinstance(right, int):
            _check("'*'", abs(left).bit_length() + abs(right).bit_length(), "bits", MAX_INT_BITS)
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            _check("'**'", right * abs(left).bit_length(), "bits", MAX_INT_BITS)
    elif operator == "+":
        if _sequence(left) and _sequence(right):
            _check("'+'", len(left) + len(right), _unit(left))
    elif operator == "%" and isinstance(left, str):
        _percent_format(left, right)


def _check_method(owner: str | bytes | int, name: str, args: tuple, kwargs: dict) -> tuple:
    """Refuse a call of a string's (or number's) method that would pass the limits; return its args.

    ``join`` gets its items as a list, counted here and then joined.
    """
    what = f"'.{name}()'"
    if isinstance(owner, int):
        if name == "to_bytes":
            for value in (*args, *kwargs.values()):
                if isinstance(value, int):
                    _check(what, value, "bytes")
        return args
    for value in (*args, *kwargs.values()):
        if isinstance(value, int):
            _check(what, value, _unit(owner))  # a width or a count: center, ljust, zfill...
    if name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            _check(what, len(owner) + tabs * size, _unit(owner))
    elif name == "replace" and len(args) >= 2:
        _check(what, _replaced_size(owner, args[0], args[1], args[2] if len(args) > 2 else -1), _unit(owner))
    elif name == "join" and args:
        items = list(args[0])
        _check(what, sum(len(i) for i in items if _sequence(i)) + len(owner) * max(len(items) - 1, 0),
               _unit(owner))
        args = (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if _sequence(v)), default=1)
        _check(what, len(owner) * longest, _unit(owner))
    return args


def _replaced_size(text: Any, old: Any, new: Any, count: Any) -> int:
    """At most how long ``text`` gets when ``old`` is replaced by ``new`` (escaped, in Markup, up to 6 times longer)."""
    text, old, new_len = str(text), str(old), len(str(new)) * (6 if isinstance(text, Markup) else 1)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(new_len - len(old), 0)


# --- Filters -------------------------------------------------------------------------

def _center(value: Any, width: int = 80) -> str:
    """Jinja's center, refusing too wide a line."""
    if isinstance(width, int):
        _check("filter 'center'", width)
    return jinja_filters.do_center(value, width)


def _indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """Jinja's indent, refusing too much indentation for the lines there are."""
    text = str(s)
    step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    _check("filter 'indent'", len(text) + (text.count("\n") + 1) * step)
    return jinja_filters.do_indent(s, width, first, blank)


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    """Jinja's format (``%``), refusing too wide a field."""
    _percent_format(str(value), kwargs or args)
    return jinja_filters.do_format(value, *args, **kwargs)


@pass_environment
def _wordwrap(environment, s: Any, width: int = 79, break_long_words: bool = True,
              wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    """Jinja's wordwrap, refusing a wrapstring repeated past the limit."""
    text = str(s)
    if isinstance(width, int):
        lines = len(text) // max(width, 1) + sum(ch.isspace() for ch in text) + 1
        _check("filter 'wordwrap'", len(text) + lines * len(str(wrapstring or environment.newline_sequence)))
    return jinja_filters.do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


@pass_eval_context
def _replace(eval_ctx, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    """Jinja's replace, refusing a result past the limit."""
    # As Jinja does: with autoescape, an unsafe string is escaped first when old or new is markup.
    text = s
    if eval_ctx.autoescape and (hasattr(old, "__html__") or hasattr(new, "__html__") and not hasattr(s, "__html__")):
        text = escape(s)
    _check("filter 'replace'", _replaced_size(text, old, new, count))
    return jinja_filters.do_replace(eval_ctx, s, old, new, count)


@pass_eval_context
def _join(eval_ctx, value: Any, d: str = "", attribute: str | int | None = None) -> str:
    """Jinja's join, refusing a result past the limit."""
    items = list(value)
    if attribute is not None:
        items = list(map(jinja_filters.make_attrgetter(eval_ctx.environment, attribute), items))
    sizes = sum(len(i) if _sequence(i) else 0 for i in items)
    _check("filter 'join'", sizes + len(str(d)) * max(len(items) - 1, 0))
    return jinja_filters.sync_do_join(eval_ctx, items, d)


def _batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
    """Jinja's batch, refusing to fill a batch past the limit."""
    if fill_with is not None and isinstance(linecount, int):
        _check("filter 'batch'", linecount, "items")
    return jinja_filters.do_batch(value, linecount, fill_with)


def _slice(value: Any, slices: int, fill_with: Any = None) -> Any:
    """Jinja's slice, refusing more slices than a range may have numbers."""
    if isinstance(slices, int):
        _check("filter 'slice'", slices, "slices", MAX_RANGE)
    return jinja_filters.sync_do_slice(value, slices, fill_with)


@pass_environment
def _sum(environment, iterable: Any, attribute: str | int | None = None, start: Any = 0) -> Any:
    """Jinja's sum, refusing to add up lists or strings past the limit."""
    if not _sequence(start):
        return jinja_filters.sync_do_sum(environment, iterable, attribute, start)
    items = list(iterable)
    if attribute is not None:
        items = list(map(jinja_filters.make_attrgetter(environment, attribute), items))
    total = len(start) + sum(len(i) if _sequence(i) else 0 for i in items)
    _check("filter 'sum'", total, _unit(start))
    _check("filter 'sum'", total * len(items), "items copied", MAX_SUM_WORK)
    return jinja_filters.sync_do_sum(environment, items, None, start)


@pass_eval_context
def _tojson(eval_ctx, value: Any, indent: int | None = None) -> Markup:
    """Jinja's tojson, refusing an indent past MAX_INDENT (it is repeated on every line)."""
    if isinstance(indent, int):
        _check("filter 'tojson'", indent, "characters of indent", MAX_INDENT)
    return jinja_filters.do_tojson(eval_ctx, value, indent)


LIMITED_FILTERS = {
    "center": _center, "indent": _indent, "format": _format, "wordwrap": _wordwrap,
    "replace": _replace, "join": _join, "batch": _batch, "slice": _slice, "sum": _sum,
    "tojson": _tojson,
}


# --- The environment -----------------------------------------------------------------

class _Compiler(CodeGenerator):
    """Jinja's code generator, with ``~`` (string concatenation) checked by the environment."""

    def visit_Concat(self, node, frame) -> None:
        """Wrap the concatenation in a size check."""
        self.write("environment.checked_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with limits on what an expression and a render may make."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Compiler

    def __init__(self, **options: Any) -> None:
        """An environment with the limited globals and filters, counting what templates print."""
        super().__init__(finalize=_count_output, **options)
        self.globals["range"] = _range
        self.globals["lipsum"] = _lipsum
        self.filters.update(LIMITED_FILTERS)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Refuse the data's editor notes too: they are for maintainers, and no document may print one."""
        if attr == EDITOR_NOTE and isinstance(obj, BaseModel):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str):
        """The error a refused attribute gives; an editor note's says why."""
        if attribute == EDITOR_NOTE and isinstance(obj, BaseModel):
            return self.undefined(f"'{EDITOR_NOTE}' is for the data's maintainers and is never printed",
                                  name=attribute, obj=obj, exc=SecurityError)
        return super().unsafe_undefined(obj, attribute)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        """Compute an intercepted operator once its result is known to fit."""
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def checked_concat(self, value: Any) -> Any:
        """A ``~`` result, once known to fit (at most twice the limit is ever made)."""
        _check("'~'", len(value))
        return value

    def call(__self, __context, __obj, /, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        """Call ``__obj`` from a template, refusing string methods asked for too much."""
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, bytes, int)) and not isinstance(owner, bool):
            args = _check_method(owner, getattr(__obj, "__name__", ""), args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any):
        """The sandbox's str.format, refusing too wide a field."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        text = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            """Check the widths, then format."""
            if value.__name__ == "format_map" and args and isinstance(args[0], dict):
                _brace_format(text, (), args[0])
            else:
                _brace_format(text, args, kwargs)
            return wrapper(*args, **kwargs)

        return update_wrapper(checked, value)
