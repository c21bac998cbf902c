"""Check loaded data against the models and the rules between records; report every problem."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeGuard

from pydantic import ValidationError

from dpo_docs.errors import DataError, Problem
from dpo_docs.loader import FORBIDDEN_CHARS, LoadedData, PathKey, char_name, format_path
from dpo_docs.model import MAX_TREE_DEPTH, Data, Id
from dpo_docs.modelerrors import describe, pydantic_problems, suggest

# The model's own pattern of ids: a department id it refuses names no unit.
_ID = re.compile(next(m.pattern for m in Id.__metadata__ if getattr(m, "pattern", None)))  # type: ignore[attr-defined]

# Unknown references that get a "did you mean" hint; past them the messages stay plain.
_MAX_HINTS = 20
# Units a cycle message names; a longer cycle is shortened, with its length.
_CYCLE_SHOWN = 5

def _records(values: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a section with their index; anything malformed is skipped."""
    items = values.get(section)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _text_id(value: Any) -> str | None:
    """``value`` when it is usable as an id, else None (the model reports it)."""
    return value if isinstance(value, str) else None


def _plain_date(value: Any) -> TypeGuard[dt.date]:
    """True for a date without a time of day."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


class _Rules:
    """Checks that span records: ids, parents, cycles, references, dates.

    They read the raw values, not the models, so they run even where some records
    failed the model checks, and every problem is reported in one pass.
    """

    def __init__(self, loaded: LoadedData, today: dt.date):
        """Check ``loaded`` as of ``today``."""
        self.values = loaded.values
        self.loaded = loaded
        self.today = today
        self.problems: list[Problem] = []
        self.hints_left = _MAX_HINTS
        dept = self.values.get("department")
        self.dept_id = _text_id(dept.get("id")) if isinstance(dept, dict) else None
        # Units name the department by its id: with none, or one the model refuses,
        # every reference to it would be reported as unknown.
        self.dept_known = self.dept_id is not None and bool(_ID.fullmatch(self.dept_id))

    def add(self, path: PathKey, message: str) -> None:
        """Record a problem at ``path``."""
        self.problems.append(Problem(self.loaded.where(path), format_path(path), message))

    def unique_ids(self, section: str, taken: dict[str, PathKey]) -> None:
        """Ids must be unique within a section (and units must not reuse the department's)."""
        for i, record in _records(self.values, section):
            record_id = _text_id(record.get("id"))
            if record_id is None:
                continue
            path = (section, i, "id")
            if record_id in taken:
                self.add(path, f"duplicate id {describe(record_id)} (already used at {format_path(taken[record_id])})")
            else:
                taken[record_id] = path

    def unit_ids(self) -> set[str]:
        """Every id a ``parent`` or an event may name."""
        ids = {_text_id(u.get("id")) for _, u in _records(self.values, "units")}
        return {i for i in ids | {self.dept_id} if i}

    def parents(self) -> None:
        """Every parent exists, and following parents reaches the department within MAX_TREE_DEPTH levels."""
        known = self.unit_ids()
        parent_of: dict[str, str] = {}
        index_of: dict[str, int] = {}
        for i, unit in _records(self.values, "units"):
            unit_id, parent = _text_id(unit.get("id")), _text_id(unit.get("parent"))
            if unit_id is None or parent is None or unit_id == self.dept_id:
                continue  # a unit reusing the department's id is reported as a duplicate
            if unit_id not in parent_of:
                parent_of[unit_id], index_of[unit_id] = parent, i
            if parent == unit_id:
                self.add(("units", i, "parent"), f"unit {describe(unit_id)} cannot be its own parent")
            elif not self.dept_known:
                continue  # without the department's id, the main offices' parent is unknown too
            elif parent not in known:
                self.add(("units", i, "parent"), f"unknown unit {describe(parent)}{self.hint(parent, known)}")
        self._ancestry(parent_of, index_of)

    def _ancestry(self, parent_of: dict[str, str], index_of: dict[str, int]) -> None:
        """Report cycles and units too deep, following each parent link once.

        Each walk goes up from a unit not yet seen until it meets a unit whose level is
        known (then every unit on the way gets its own), a unit that never reaches the
        department, or itself (a cycle). A chain of thousands of units costs one walk.
        """
        level: dict[str, int] = {self.dept_id: 0} if self.dept_id else {}
        seen: set[str] = set()
        for start in parent_of:
            if start in seen:
                continue
            chain: list[str] = []
            position: dict[str, int] = {}
            current = start
            while current in parent_of and current not in seen and current not in position:
                position[current] = len(chain)
                chain.append(current)
                current = parent_of[current]
            if current in position:
                self._cycle(chain[position[current]:], index_of)
            elif current in level:
                base = level[current]
                for steps, unit_id in enumerate(reversed(chain), 1):
                    level[unit_id] = base + steps
            seen.update(chain)
        for unit_id, i in index_of.items():
            # Only the first unit past the limit on each branch: the ones below it follow.
            if level.get(unit_id) == MAX_TREE_DEPTH + 1:
                self.add(("units", i, "parent"),
                         f"unit {describe(unit_id)} is {MAX_TREE_DEPTH + 1} levels below the department; "
                         f"the unit tree may be at most {MAX_TREE_DEPTH} levels deep")

    def _cycle(self, cycle: list[str], index_of: dict[str, int]) -> None:
        """Report a cycle once, at its first unit in data order, naming a few of its units."""
        if len(cycle) < 2:
            return  # a unit that is its own parent has its own, clearer message
        first = min(range(len(cycle)), key=lambda k: index_of[cycle[k]])
        cycle = cycle[first:] + cycle[:first]
        names = [u if u.isprintable() and len(u) <= 60 else describe(u) for u in cycle[:_CYCLE_SHOWN + 1]]
        if len(cycle) <= _CYCLE_SHOWN:
            shown = " -> ".join(names[:len(cycle)] + names[:1])
        else:
            shown = " -> ".join(names[:_CYCLE_SHOWN - 1]) + f" -> … -> {names[0]} ({len(cycle):,} units)"
        self.add(("units", index_of[cycle[0]], "parent"), f"cycle in the unit tree: {shown}")

    def hint(self, word: str, known: set[str]) -> str:
        """A "did you mean" hint for the first few unknown references only.

        Each hint compares the word with every known id; a file of ten thousand unknown
        references would otherwise cost a hundred million comparisons.
        """
        if self.hints_left <= 0:
            return ""
        self.hints_left -= 1
        return suggest(word, known)

    def _lost(self, section: str) -> bool:
        """True when the ids of ``section`` are unknown: its file was unreadable or the section refused."""
        if self.loaded.lost_section(section):
            return True
        return any(p.path == section for p in self.loaded.problems)

    def references(self) -> None:
        """Every ``sources`` entry names a known source; events name known units."""
        sources = {s for s in (_text_id(r.get("id")) for _, r in _records(self.values, "sources")) if s is not None}
        units = self.unit_ids()
        if not self._lost("units") and self.dept_known:  # an event may name the department
            for i, event in _records(self.values, "history"):
                self._refs(("history", i, "units"), event.get("units"), units, "unit")
        if self._lost("sources"):
            return
        for section in ("units", "relationships", "history", "operations", "figures", "glossary"):
            for i, record in _records(self.values, section):
                self._cited((section, i), record, sources)
        dept = self.values.get("department")
        if isinstance(dept, dict):
            self._cited(("department",), dept, sources)
            contact = dept.get("contact")
            if isinstance(contact, dict):
                self._refs(("department", "contact", "sources"), contact.get("sources"), sources, "source")

    def _cited(self, path: PathKey, record: dict[str, Any], sources: set[str]) -> None:
        """Check the source references of a record and of its head."""
        self._refs(path + ("sources",), record.get("sources"), sources, "source")
        head = record.get("head")
        if isinstance(head, dict):
            self._refs(path + ("head", "sources"), head.get("sources"), sources, "source")

    def _refs(self, path: PathKey, refs: Any, known: set[str], what: str) -> None:
        """Each text in ``refs`` must be one of ``known``."""
        if not isinstance(refs, list):
            return
        for j, ref in enumerate(refs):
            if isinstance(ref, str) and ref not in known:
                self.add(path + (j,), f"unknown {what} {describe(ref)}{self.hint(ref, known)}")

    def dates(self) -> None:
        """Years and dates of the past cannot lie in the future."""
        year = self.today.year
        for section, key in (("units", "created"), ("history", "year"), ("operations", "start")):
            for i, record in _records(self.values, section):
                value = record.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and year < value <= 2100:
                    self.add((section, i, key), f"year {value} is in the future")
        dept = self.values.get("department")
        created = dept.get("created") if isinstance(dept, dict) else None
        if isinstance(created, int) and not isinstance(created, bool) and year < created <= 2100:
            self.add(("department", "created"), f"year {created} is in the future")
        if isinstance(dept, dict):
            self._past_date(("department", "renamed"), dept.get("renamed"))
        heads: list[tuple[PathKey, Any]] = [(("department", "head"), dept.get("head"))] if isinstance(dept, dict) else []
        heads += [(("units", i, "head"), u.get("head")) for i, u in _records(self.values, "units")]
        for path, head in heads:
            if isinstance(head, dict):
                for key in ("appointed", "in_office_since"):
                    self._past_date(path + (key,), head.get(key))
        for i, fig in _records(self.values, "figures"):
            as_of, start, end = fig.get("as_of"), fig.get("period_start"), fig.get("period_end")
            self._past_date(("figures", i, "as_of"), as_of)
            # A date with a time (YAML reads "2025-01-01 10:00" so) cannot be compared
            # with a plain date; the model reports it.
            if _plain_date(start) and _plain_date(end) and start > end:
                self.add(("figures", i, "period_end"), "period ends before it starts")

    def _past_date(self, path: PathKey, value: Any) -> None:
        """A date that records a fact cannot lie after today."""
        if _plain_date(value) and value > self.today:
            self.add(path, f"date {value.isoformat()} is in the future")

    def characters(self, value: Any, path: PathKey = ()) -> None:
        """No text may hold a character XML cannot carry (so no Word or SVG), nor be blank."""
        if isinstance(value, str):
            bad = FORBIDDEN_CHARS.search(value)
            if bad:
                self.add(path, f"{char_name(bad.group())} is not allowed in text; remove it")
            elif value and not value.strip():
                self.add(path, "text is blank (only spaces or line breaks); write it or leave the field out")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.characters(item, path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.characters(item, path + (index,))


def _follows(problem: Problem, earlier: set[str], unreadable: bool) -> bool:
    """True when a model problem only repeats a loading problem (at a path of ``earlier``) in other words."""
    path = problem.path
    if unreadable and "." not in path and "[" not in path:
        return True  # a section missing because its file could not be parsed
    # The path itself or one of its parents: a lookup per dot, not a pass over every problem.
    return path in earlier or any(path[:i] in earlier for i, char in enumerate(path) if char == ".")


# The checks that read other files' ids, by the section those ids come from.
_CROSS_CHECKS = (("department", "unit references"), ("units", "unit references"), ("sources", "source references"))


def _unchecked(loaded: LoadedData) -> tuple[str, ...]:
    """One line per unreadable file whose ids other files refer to: which references went unchecked."""
    skipped: dict[str, list[str]] = {}
    for section, checks in _CROSS_CHECKS:
        label = loaded.lost_section(section)
        if label and section not in loaded.lost[label]:
            continue  # a file lost to a limit or a character: its own message says the rest was not read
        if label and checks not in skipped.setdefault(label, []):
            skipped[label].append(checks)
    return tuple(f"{' and '.join(checks)} in the other files were not checked, as {label} could not be read"
                 for label, checks in sorted(skipped.items()) if checks)


def validate(loaded: LoadedData, today: dt.date | None = None) -> Data:
    """Validate loaded data into a ``Data`` model, or raise DataError with every problem."""
    problems = list(loaded.problems)
    rules = _Rules(loaded, today or dt.date.today())
    rules.unique_ids("units", {rules.dept_id: ("department", "id")} if rules.dept_id else {})
    for section in ("relationships", "operations", "figures", "sources"):
        rules.unique_ids(section, {})
    rules.parents()
    rules.references()
    rules.dates()
    rules.characters(loaded.values)
    problems += rules.problems
    try:
        data = Data.model_validate(loaded.values)
    except ValidationError as exc:
        found = pydantic_problems(loaded, exc)
        # A text with a lone surrogate also fails pydantic's string check: say it once.
        characters = {p.path for p in rules.problems if p.message.endswith("is not allowed in text; remove it")}
        earlier = {p.path for p in loaded.problems if p.path}
        problems += [p for p in found if not _follows(p, earlier, loaded.unreadable) and p.path not in characters]
        raise DataError(problems, _unchecked(loaded)) from None
    if problems:
        raise DataError(problems, _unchecked(loaded))
    return data
