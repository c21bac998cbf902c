"""The one Jinja environment: strict about undefined names, escaping HTML and XML."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from dpo_docs import i18n
from dpo_docs.errors import TemplateError

log = logging.getLogger(__name__)


def css_string(value: object) -> Markup:
    """A quoted CSS string: quotes, backslashes and line breaks escaped."""
    text = str(value)
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')


def make_environment(templates_dir: Path, lang: str) -> jinja2.Environment:
    """An environment for one language: filters localise texts, dates and figures."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(("html", "xml", "svg"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["t"] = partial(i18n.markup, lang=lang)
    env.filters["plain"] = partial(i18n.plain, lang=lang)
    env.filters["date"] = partial(i18n.format_date, lang=lang)
    env.filters["number"] = partial(i18n.format_number, lang=lang)
    env.filters["figure"] = partial(i18n.format_figure, lang=lang)
    env.filters["css_string"] = css_string
    return env


def _template_line(exc: BaseException, name: str) -> int | None:
    """The template line an exception was raised at, from Jinja's rewritten traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render ``name`` with a namespaced context, turning Jinja failures into TemplateError."""
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"templates/{name}: template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"templates/{exc.name or name}:{exc.lineno}: syntax error: {exc.message}") from None
    try:
        return template.render(**context)
    except jinja2.UndefinedError as exc:
        line = _template_line(exc, name)
        where = f"templates/{name}:{line}" if line else f"templates/{name}"
        available = ", ".join(sorted(context))
        raise TemplateError(f"{where}: {exc.message} (available at top level: {available})") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"templates/{name}: {exc}") from None
