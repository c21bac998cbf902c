"""Typed, frozen models of the department's data; unknown fields are refused."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

# Bounds on sizes. They sit well above what the department's data needs (the longest
# paragraph is about 350 characters, the longest name about 100) and keep a pasted
# megabyte or a runaway generated list from reaching the layout engines.
MAX_PARAGRAPH = 5_000  # characters in one paragraph of one language
MAX_NAME = 300  # characters in a name, title, label or place
MAX_ACRONYM = 20  # acronyms print unbroken in table cells
MAX_URL = 2_000
MAX_LANGS = 10  # languages of one text
MAX_ITEMS = 50  # paragraphs, sources cited, resolutions… in one record
MAX_UNITS = 10_000  # the chart engine lays out and paginates ten thousand units
# Levels of units below the department. The real tree has five; the org chart's text
# outline (nested lists in WeasyPrint) still renders at 85 and fails near 100.
MAX_TREE_DEPTH = 30
MAX_RECORDS = 500  # events, operations, figures, relationships, sources

Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PARAGRAPH), Field(strict=True)]
ShortStr = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME), Field(strict=True)]
AcronymStr = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ACRONYM), Field(strict=True)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]
Year = Annotated[int, Field(strict=True, ge=1900, le=2100)]
# A text in one or more languages, keyed by language code: {fr: "…", en: "…"}.
Text = Annotated[dict[Lang, NonEmpty], Field(min_length=1, max_length=MAX_LANGS)]
# The same for names, titles and labels, which print in headings, table cells and boxes.
Name = Annotated[dict[Lang, ShortStr], Field(min_length=1, max_length=MAX_LANGS)]
Acronym = Annotated[dict[Lang, AcronymStr], Field(min_length=1, max_length=MAX_LANGS)]
SourceRefs = Annotated[tuple[Id, ...], Field(max_length=MAX_ITEMS)]
Paragraphs = Annotated[tuple[Text, ...], Field(max_length=MAX_ITEMS)]
# A remark for the data's maintainers (where a fact comes from, what is not confirmed):
# never printed. Templates cannot read it (sandbox.py) and it is left out of dumps, so
# the hash of a document's context ignores it and editing one rebuilds nothing.
EDITOR_NOTE = "editor_note"
EditorNote = Annotated[Text | None, Field(exclude=True, repr=False)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=MAX_URL)]
UnitKind = Literal["office", "division", "service", "section", "unit", "shared", "portfolio"]


class Model(BaseModel):
    """Base of every data model: frozen, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __iter__(self):
        """The (field, value) pairs but the editor note: a template looping over a record must not print it."""
        return ((name, value) for name, value in super().__iter__() if name != EDITOR_NOTE)


class Head(Model):
    """Who leads a unit: a title, and a name when the sources give one."""

    title: Name
    name: ShortStr | None = None
    appointed: dt.date | None = None
    in_office_since: dt.date | None = None
    note: Text | None = None
    editor_note: EditorNote = None
    sources: SourceRefs = ()


class Contact(Model):
    """Who issues the documents and how to reach them; every part is optional."""

    name: Name | None = None
    address: Text | None = None
    url: Url | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=MAX_NAME)] | None = None
    sources: SourceRefs = ()


class Department(Model):
    """The department itself: identity, mandate and role, head."""

    id: Id
    name: Name
    acronym: Acronym
    created: Year | None = None
    renamed: dt.date | None = None
    mandate: Annotated[tuple[Text, ...], Field(min_length=1, max_length=MAX_ITEMS)]
    role: Paragraphs = ()
    head: Head | None = None
    notes: Paragraphs = ()
    # Who issues the documents, and a line saying what kind of document they are: the
    # disclaimer is the documents' maker speaking, not a fact about the UN, so it needs
    # no source.
    contact: Contact | None = None
    disclaimer: Text | None = None
    editor_note: EditorNote = None
    sources: SourceRefs = ()


class Unit(Model):
    """One unit of the organisation tree; ``parent`` names another unit's id."""

    id: Id
    parent: Id
    kind: UnitKind
    name: Name
    acronym: Acronym | None = None
    description: Paragraphs = ()
    created: Year | None = None
    head: Head | None = None
    shared_with: Annotated[tuple[ShortStr, ...], Field(max_length=MAX_ITEMS)] = ()
    count: Annotated[int, Field(strict=True, ge=1, le=100_000)] | None = None
    note: Text | None = None
    editor_note: EditorNote = None
    sources: SourceRefs = ()


class Relationship(Model):
    """A body the department works with, and how."""

    id: Id
    name: Name
    acronym: Acronym | None = None
    description: Text
    editor_note: EditorNote = None
    sources: SourceRefs = ()


class Event(Model):
    """A dated point of the department's history."""

    year: Year
    date: dt.date | None = None
    label: Name | None = None
    text: Text
    editor_note: EditorNote = None
    units: Annotated[tuple[Id, ...], Field(max_length=MAX_ITEMS)] = ()
    sources: SourceRefs = ()

    @model_validator(mode="after")
    def _date_matches_year(self) -> Event:
        """A full date must fall in the stated year."""
        if self.date is not None and self.date.year != self.year:
            raise ValueError(f"date {self.date.isoformat()} is not in year {self.year}")
        return self


class Operation(Model):
    """An operation the organisation runs now (``wording.operations`` names them all)."""

    id: Id
    acronym: Acronym
    name: Name
    location: Name
    start: Year
    resolutions: Annotated[tuple[Annotated[int, Field(strict=True, ge=1, le=100_000)], ...],
                           Field(max_length=MAX_ITEMS)] = ()
    note: Text | None = None
    editor_note: EditorNote = None
    sources: SourceRefs = ()


class Figure(Model):
    """A key figure, always dated and sourced."""

    id: Id
    label: Name
    value: Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
    unit: Literal["count", "usd"] = "count"
    qualifier: Literal["exact", "about", "more_than"] = "exact"
    as_of: dt.date
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    note: Text | None = None
    # Shown "at a glance" on the briefing's first page; without any flag, the first few.
    key: Annotated[bool, Field(strict=True)] = False
    editor_note: EditorNote = None
    sources: Annotated[tuple[Id, ...], Field(min_length=1, max_length=MAX_ITEMS)]


class Source(Model):
    """Where facts come from."""

    id: Id
    title: Name
    url: Url | None = None


class GlossaryEntry(Model):
    """An acronym the texts use that no record names, with its expansion."""

    acronym: Acronym
    expansion: Name
    editor_note: EditorNote = None
    sources: Annotated[tuple[Id, ...], Field(min_length=1, max_length=MAX_ITEMS)]


# Placeholders a wording text must hold: where the count goes, where the list of counts goes.
COUNT_PLACEHOLDER = "{n}"
UNITS_PLACEHOLDER = "{units}"


def _not_empty(value: object) -> object:
    """Refuse a key written with no text (``operations:``): leave the key out to keep the label."""
    if value is None:
        raise ValueError("empty: write the text, or leave the key out to keep the default wording")
    return value


def _holds(text: dict[str, str] | None, placeholder: str) -> dict[str, str] | None:
    """Refuse a text that lacks ``placeholder`` in some language."""
    for lang, value in (text or {}).items():
        if placeholder not in value:
            raise ValueError(f"the '{lang}' text must hold {placeholder}, where the "
                             f"{'number goes' if placeholder == COUNT_PLACEHOLDER else 'counts go'}")
    return text


class _WordingModel(Model):
    """Base of the wording models: a key written without a text is an error, not a default."""

    @field_validator("*", mode="before")
    @classmethod
    def _given(cls, value: object) -> object:
        """A key is either left out or given a text."""
        return _not_empty(value)


class KindWording(_WordingModel):
    """How the documents name one kind of unit: in legends (``name``) and counted (one, few, many, other)."""

    name: Name | None = None
    # The count by CLDR plural category of the document's language: "{n} bureau" (one),
    # "{n} bureaux" (other); few and many serve the languages that have them (Russian,
    # Arabic). A language a category leaves out takes its ``other`` text.
    one: Name | None = None
    few: Name | None = None
    many: Name | None = None
    other: Name | None = None

    @field_validator("one", "few", "many", "other")
    @classmethod
    def _count(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        """Every count text says where the number goes."""
        return _holds(value, COUNT_PLACEHOLDER)

    @model_validator(mode="after")
    def _other(self) -> KindWording:
        """A count given in some category needs ``other``, the form of every other number."""
        if self.other is None and (self.one or self.few or self.many):
            raise ValueError("'other' is missing: the count of every number the other forms leave out")
        return self


class RootWording(_WordingModel):
    """How the chart's legend names the organisation's own box."""

    name: Name | None = None


class KindsWording(_WordingModel):
    """The names of the unit kinds (``UnitKind``), and of the organisation's own box."""

    department: RootWording | None = None
    office: KindWording | None = None
    division: KindWording | None = None
    service: KindWording | None = None
    section: KindWording | None = None
    unit: KindWording | None = None
    shared: KindWording | None = None
    portfolio: KindWording | None = None


class Wording(_WordingModel):
    """The words that name the kinds of things the organisation has; a key left out keeps its label."""

    # The heading of the operations section, its contents line and the fact sheet's row.
    operations: Name | None = None
    # The at-a-glance sentence that counts the units: "Le département compte {units}."
    structure: Text | None = None
    # The legend's note on dashed boxes: "… unité partagée avec un autre département".
    shared: Text | None = None
    kinds: KindsWording | None = None
    editor_note: EditorNote = None

    @field_validator("structure")
    @classmethod
    def _units(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        """The structure sentence says where the counts go."""
        return _holds(value, UNITS_PLACEHOLDER)


class Data(Model):
    """All of the department's data, as the templates see it under ``org``."""

    department: Department
    units: Annotated[tuple[Unit, ...], Field(max_length=MAX_UNITS)] = ()
    relationships: Annotated[tuple[Relationship, ...], Field(max_length=MAX_RECORDS)] = ()
    history: Annotated[tuple[Event, ...], Field(max_length=MAX_RECORDS)] = ()
    operations: Annotated[tuple[Operation, ...], Field(max_length=MAX_RECORDS)] = ()
    figures: Annotated[tuple[Figure, ...], Field(max_length=MAX_RECORDS)] = ()
    sources: Annotated[tuple[Source, ...], Field(max_length=MAX_RECORDS)] = ()
    glossary: Annotated[tuple[GlossaryEntry, ...], Field(max_length=MAX_RECORDS)] = ()
    wording: Wording = Wording()

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id."""
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(unit_id)

    def children(self, parent_id: str) -> tuple[Unit, ...]:
        """The units directly under ``parent_id``, in data order."""
        return tuple(u for u in self.units if u.parent == parent_id)

    def source(self, source_id: str) -> Source:
        """The source with this id."""
        for src in self.sources:
            if src.id == source_id:
                return src
        raise KeyError(source_id)

    @property
    def data_date(self) -> dt.date | None:
        """The date of the data: the newest as-of date of its figures."""
        dates = [f.as_of for f in self.figures]
        return max(dates) if dates else None
