"""The one Jinja environment: strict about undefined names, escaping HTML and XML."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import logging
import os
import stat
from collections.abc import Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.utils import missing
from markupsafe import Markup
from pydantic import BaseModel

from dpo_docs import i18n, typography
from dpo_docs.deps import record_file
from dpo_docs.errors import TemplateError
from dpo_docs.model import EDITOR_NOTE
from dpo_docs.sandbox import Sandbox, allowance
from dpo_docs.templates import layers

log = logging.getLogger(__name__)

MAX_LISTED = 30  # names listed after "available on it:"; labels alone has about 60
MAX_TEMPLATE_BYTES = 4 * 1024 * 1024  # a template is a few kilobytes; past this it is not one


class RecordingLoader(jinja2.BaseLoader):
    """Loads templates from the project's folder, else the package's theme, never from
    outside them, and records each file it loads.

    Every load is recorded for the render in progress (``deps.recording``): includes,
    imports and extends too, and a name looked for but not found, so that creating
    it later makes the document stale. A name the project's folder lacks (or a folder
    that is not there) is served by the theme (``templates.layers``).
    """

    def __init__(self, folder: Path):
        """Serve the templates of ``folder``, then the theme's."""
        self.folder = Path(folder)
        self.layers = layers(self.folder)
        self.searchpath = [str(root) for _, root in self.layers]  # as FileSystemLoader names it, for messages

    def get_source(self, environment: jinja2.Environment, template: str):
        """The template's text and file name; TemplateNotFound, or TemplateError when refused."""
        from jinja2.loaders import split_template_path

        pieces = split_template_path(template)  # refuses '..' itself
        for key, folder in self.layers:
            found = self._read(folder, f"{key}/" + "/".join(pieces), pieces)
            if found is not None:
                return found
        raise jinja2.TemplateNotFound(template)

    def _read(self, folder: Path, key: str, pieces: list[str]):
        """The template's text and file name in ``folder``, or None when it is not there."""
        path = folder.joinpath(*pieces)
        shown = f"{folder.name}/{'/'.join(pieces)}"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            record_file(key, None)
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise TemplateError(f"{shown}: not a regular file")
            root = folder.resolve()
            if not path.resolve().is_relative_to(root):
                raise TemplateError(f"{shown}: a link to a file outside the templates folder; "
                                    "copy the file into the templates folder instead")
            if info.st_size > MAX_TEMPLATE_BYTES:
                raise TemplateError(f"{shown}: larger than {MAX_TEMPLATE_BYTES // 1048576} MB; not a template")
            raw = b""
            while chunk := os.read(fd, 1 << 20):
                raw += chunk
                if len(raw) > MAX_TEMPLATE_BYTES:
                    raise TemplateError(f"{shown}: larger than {MAX_TEMPLATE_BYTES // 1048576} MB; not a template")
        finally:
            os.close(fd)
        record_file(key, hashlib.sha256(raw).hexdigest())
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError(f"{shown}: not UTF-8 text; save it as UTF-8") from None
        return source, str(path), lambda: False


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory by source checksum.

    The environment keeps no template objects (every load goes through the loader, so
    every load is recorded); this keeps a reload from compiling the source again.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        """Fill ``bucket`` when the same source was compiled before."""
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # ignored by Jinja if the checksum differs

    def dump_bytecode(self, bucket) -> None:
        """Keep ``bucket``'s code."""
        self._store[bucket.key] = bucket.bytecode_to_string()


class MissingValue(jinja2.UndefinedError):
    """An undefined name or attribute was used; carries the Undefined that failed."""

    def __init__(self, message: str | None = None, undefined: jinja2.Undefined | None = None):
        """Jinja's message, and the Undefined it came from."""
        super().__init__(message)
        self.undefined = undefined


class ReportingUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose error remembers what was looked up, and on which object."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None,
                 exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError):
        """Create as usual; a plain undefined raises MissingValue pointing back here."""
        super().__init__(hint, obj, name, exc)
        if exc is jinja2.UndefinedError:  # the sandbox passes SecurityError: keep it
            self._undefined_exception = partial(MissingValue, undefined=self)  # type: ignore[assignment]  # Jinja only calls it


def css_string(value: object) -> Markup:
    """A quoted CSS string: quotes, backslashes and line breaks escaped."""
    text = str(value)
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')


def make_environment(templates_dir: Path, lang: str) -> jinja2.Environment:
    """An environment for one language: filters localise texts, dates and figures."""
    # Sandboxed: a template is edited by users, and must not reach Python internals
    # ({{ cycler.__init__.__globals__ }}) to read files or run programs, change what
    # other documents share, or ask for a billion characters (see sandbox.py).
    env = Sandbox(
        loader=RecordingLoader(templates_dir),
        cache_size=0,
        bytecode_cache=_CompiledTemplates(),
        undefined=ReportingUndefined,
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["t"] = partial(i18n.markup, lang=lang)
    env.filters["plain"] = partial(i18n.plain, lang=lang)
    env.filters["date"] = partial(i18n.html_date, lang=lang)
    env.filters["number"] = partial(i18n.format_number, lang=lang)
    env.filters["listed"] = partial(i18n.format_list, lang=lang)
    env.filters["figure"] = partial(i18n.format_figure, lang=lang)
    env.filters["css_string"] = css_string
    env.filters["islands"] = partial(typography.islands, lang=lang)
    return env


@lru_cache(maxsize=16)
def environment(templates_dir: Path, lang: str) -> jinja2.Environment:
    """The environment for ``templates_dir`` and ``lang``, made once per process."""
    return make_environment(templates_dir, lang)


def template_frame(exc: BaseException) -> tuple[str, int] | None:
    """(file name, line) of the innermost template frame in Jinja's rewritten traceback."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        # Jinja replaces compiled template frames by fake ones that raise this name.
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def attributes(obj: Any) -> list[str] | None:
    """The names a template can look up on ``obj``, or None for plain values."""
    if isinstance(obj, Mapping):
        return sorted(str(k) for k in obj)
    if isinstance(obj, BaseModel):
        extra = {n for n in dir(type(obj)) if not n.startswith("_")} - set(dir(BaseModel))
        return sorted((set(type(obj).model_fields) | extra) - {EDITOR_NOTE})  # the sandbox refuses it
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        extra = {n for n in dir(type(obj)) if not n.startswith("_")} - set(dir(object))
        return sorted({f.name for f in dataclasses.fields(obj)} | extra)
    return None


def _listed(names: list[str]) -> str:
    """Names joined by commas, cut after MAX_LISTED."""
    shown = ", ".join(names[:MAX_LISTED])
    if len(names) > MAX_LISTED:
        shown += f", … ({len(names) - MAX_LISTED} more)"
    return shown


def _suggest(word: str, choices: list[str]) -> str:
    """A " (did you mean 'x'?)" hint, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _expression(node: nodes.Node) -> str | None:
    """A template expression written back as text (names, attributes, constant items)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        inner = _expression(node.node)
        return f"{inner}.{node.attr}" if inner else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _expression(node.node)
        return f"{inner}[{node.arg.value!r}]" if inner else None
    return None


def _written_as(source: str | None, env: jinja2.Environment, line: int | None, name: str) -> str | None:
    """How the template writes the object on which ``name`` was looked up, at ``line``."""
    if not source or not line:
        return None
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return None
    found = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, (nodes.Getattr, nodes.Getitem))  # what find_all was asked for
        if node.lineno != line:
            continue
        looked_up = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if looked_up == name:
            text = _expression(node.node)
            if text:
                found.add(text)
    return found.pop() if len(found) == 1 else None


def _path_to(target: Any, context: Mapping[str, Any], depth: int = 3) -> str | None:
    """Where ``target`` sits in the context (``doc.head``), searched a few levels deep."""
    level: list[tuple[str, Any]] = list(context.items())
    for _ in range(depth):
        deeper: list[tuple[str, Any]] = []
        for path, value in level:
            if value is target:
                return path
            if isinstance(value, Mapping):
                deeper += [(f"{path}.{k}", v) for k, v in value.items() if isinstance(k, str)]
            elif isinstance(value, (list, tuple)):
                deeper += [(f"{path}[{i}]", v) for i, v in enumerate(value[:50])]
            elif isinstance(value, BaseModel):
                deeper += [(f"{path}.{k}", getattr(value, k)) for k in type(value).model_fields]
        level = deeper
    return None


def describe_missing(
    exc: jinja2.UndefinedError,
    context: Mapping[str, Any],
    env: jinja2.Environment | None = None,
    source: str | None = None,
    line: int | None = None,
) -> str:
    """Say which name is missing, where it was looked up, what is there, and the near miss."""
    undefined = getattr(exc, "undefined", None)
    if undefined is None or undefined._undefined_hint:
        return exc.message or str(exc)
    name, obj = undefined._undefined_name, undefined._undefined_obj
    top = sorted(context)
    if obj is missing:
        return (f"'{name}' is undefined{_suggest(str(name), top)} "
                f"(available at top level: {', '.join(top)})")
    written = (env and _written_as(source, env, line, name)) or _path_to(obj, context)
    what = f"'{written}'" if written else f"this {type(obj).__name__}"
    names = attributes(obj)
    if names is None:
        return f"{what} ({type(obj).__name__}) has no '{name}'"
    if not names:
        return f"{what} has no '{name}'; it is empty"
    return f"{what} has no '{name}'{_suggest(str(name), names)}; available on it: {_listed(names)}"


def _shown(env: jinja2.Environment, filename: str | None, fallback: str) -> str:
    """A template's file as messages name it: ``templates/briefing.html`` (``theme/…`` for the theme's)."""
    searchpath = getattr(env.loader, "searchpath", None)
    if filename and searchpath:
        for root in map(Path, searchpath):
            try:
                return f"{root.name}/{Path(filename).relative_to(root).as_posix()}"
            except ValueError:
                continue
    prefix = Path(searchpath[0]).name if searchpath else "templates"
    return f"{prefix}/{fallback}"


def _source(filename: str | None) -> str | None:
    """The text of a template file, for pointing at the failing expression."""
    if not filename:
        return None
    try:
        return Path(filename).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render ``name`` with a namespaced context, turning Jinja failures into TemplateError."""
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{_shown(env, None, name)}: template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        where = _shown(env, exc.filename, exc.name or name)
        raise TemplateError(f"{where}:{exc.lineno}: syntax error: {exc.message}") from None
    except UnicodeDecodeError:
        raise TemplateError(f"{_shown(env, None, name)}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise TemplateError(f"{_shown(env, None, name)}: cannot read: {exc.strerror}") from None
    try:
        with allowance():
            return template.render(**context)
    except jinja2.TemplateError as exc:
        frame = template_frame(exc)
        filename, line = frame if frame else (template.filename, None)
        where = _shown(env, filename, name) + (f":{line}" if line else "")
        if isinstance(exc, jinja2.UndefinedError):
            message = describe_missing(exc, context, env, _source(filename), line)
        elif isinstance(exc, jinja2.TemplateSyntaxError):  # in an included template
            where = _shown(env, exc.filename, exc.name or name) + f":{exc.lineno}"
            message = f"syntax error: {exc.message}"
        elif isinstance(exc, jinja2.TemplateNotFound):
            message = f"template '{exc.name}' not found (templates are read from the templates folder and the theme only)"
        else:
            message = exc.message or type(exc).__name__
        raise TemplateError(f"{where}: {message}") from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError,
            OverflowError, MemoryError, RecursionError) as exc:
        # A filter or a call given the wrong kind of value, e.g. {{ org.units|date }}; or
        # a number too big for a float, or a macro calling itself without end.
        frame = template_frame(exc)
        where = _shown(env, frame[0] if frame else template.filename, name)
        where += f":{frame[1]}" if frame else ""
        detail = str(exc) or ("out of memory" if isinstance(exc, MemoryError) else "")
        raise TemplateError(f"{where}: {type(exc).__name__}" + (f": {detail}" if detail else "")) from None
