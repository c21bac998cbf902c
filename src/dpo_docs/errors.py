"""The one exception tree of dpo-docs; the CLI maps each branch to an exit code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a value stands in a data file (line and column start at 1)."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        """``file:line:column``, as far as it is known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, which field, what."""

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        """``file:line:column: path: message``."""
        field = f" {self.path}:" if self.path else ""
        return f"{self.location}:{field} {self.message}"


class DpoDocsError(Exception):
    """Base of every error the library raises on purpose."""


# A broken file can yield thousands of problems (one per alias, say); past this many
# the rest would only scroll the useful first ones out of sight.
MAX_REPORTED = 200


class DataError(DpoDocsError):
    """The data is invalid; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem], notes: tuple[str, ...] = ()):
        """Keep the problems in file and line order, and ``notes`` on what could not be checked."""
        self.problems = sorted(
            problems,
            key=lambda p: (p.location.file, p.location.line or 0, p.location.column or 0, p.path),
        )
        self.notes = tuple(notes)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the data")

    def report(self, limit: int = MAX_REPORTED) -> str:
        """The problems, one a line, in file and line order (at most ``limit`` of them)."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"… and {len(self.problems) - limit} more problems")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


class TemplateError(DpoDocsError):
    """A template cannot be read or rendered (syntax error, unknown variable)."""


class OutputError(DpoDocsError):
    """An output could not be written (permissions, disk full, engine failure)."""


class SetupError(DpoDocsError):
    """The machine lacks something the build needs (a system library, a font)."""
