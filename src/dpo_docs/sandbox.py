"""The sandbox every template renders in, HTML and Word alike: what it may reach.

Templates are edited by users. Jinja's immutable sandbox keeps them from Python's
internals and from changing the objects documents share: the labels, the data, the
``doc`` and ``build`` dicts (a template calling ``labels.update(...)`` would change
the documents rendered after it in the same process, so their bytes would depend on
the number of workers).
"""

from __future__ import annotations

from jinja2.sandbox import ImmutableSandboxedEnvironment


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox: no Python internals, no change to a list, dict or set."""
