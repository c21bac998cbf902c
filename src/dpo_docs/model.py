"""Typed, frozen models of the department's data; unknown fields are refused."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
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

    # A field's docstring is its description in the JSON Schema (schema.py): the help an editor shows.
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    def __iter__(self):
        """The (field, value) pairs but the editor note: a template looping over a record must not print it."""
        return ((name, value) for name, value in super().__iter__() if name != EDITOR_NOTE)


class Head(Model):
    """Who leads a unit: a title, and a name when the sources give one."""

    title: Name
    """Title of the post: "Conseiller militaire"."""
    name: ShortStr | None = None
    """Name of the person, when the sources give one (plain text, not per language)."""
    appointed: dt.date | None = None
    """Date of appointment (YYYY-MM-DD)."""
    in_office_since: dt.date | None = None
    """Date of taking office (YYYY-MM-DD)."""
    note: Text | None = None
    """Shown under the head in the briefing's "Direction" section."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    sources: SourceRefs = ()
    """Ids of the sources of the head's facts."""


class Contact(Model):
    """Who issues the documents and how to reach them; every part is optional."""

    name: Name | None = None
    """Who issues the documents."""
    address: Text | None = None
    """Postal address."""
    url: Url | None = None
    """An http:// or https:// address, no spaces."""
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=MAX_NAME)] | None = None
    """An e-mail address."""
    sources: SourceRefs = ()
    """Ids of the sources of the contact's facts."""


class Department(Model):
    """The department itself: identity, mandate and role, head."""

    id: Id
    """The department's id: units directly under it name it as their parent."""
    name: Name
    """Full name, per language: cover title and running header."""
    acronym: Acronym
    """Acronym, per language."""
    created: Year | None = None
    """Year of creation."""
    renamed: dt.date | None = None
    """Date of the last renaming (YYYY-MM-DD)."""
    mandate: Annotated[tuple[Text, ...], Field(min_length=1, max_length=MAX_ITEMS)]
    """Paragraphs of the mandate (at least one)."""
    role: Paragraphs = ()
    """Paragraphs of the role."""
    head: Head | None = None
    """Who leads the department."""
    notes: Paragraphs = ()
    """Notes shown at the end of the briefing's "Mission et rôle" section."""
    # Who issues the documents, and a line saying what kind of document they are: the
    # disclaimer is the documents' maker speaking, not a fact about the UN, so it needs
    # no source.
    contact: Contact | None = None
    """Who issues the documents and how to reach them."""
    disclaimer: Text | None = None
    """What kind of document this is; printed on the cover and in the footers. Needs no source."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    sources: SourceRefs = ()
    """Ids of the sources of the department's facts."""


class Unit(Model):
    """One unit of the organisation tree; ``parent`` names another unit's id."""

    id: Id
    """Unique among units and different from the department's id."""
    parent: Id
    """Id of the unit above: the department's id or another unit's id."""
    kind: UnitKind
    """Kind of unit: sets the box colours in the charts; an office gets its own fact sheet."""
    name: Name
    """Name of the unit, per language."""
    acronym: Acronym | None = None
    """Acronym, shown after the name."""
    description: Paragraphs = ()
    """Paragraphs describing the unit."""
    created: Year | None = None
    """Year of creation."""
    head: Head | None = None
    """Who leads the unit."""
    shared_with: Annotated[tuple[ShortStr, ...], Field(max_length=MAX_ITEMS)] = ()
    """Other bodies sharing the unit ([DPPA]); its chart box gets a dashed border."""
    count: Annotated[int, Field(strict=True, ge=1, le=100_000)] | None = None
    """For an entry standing for several units: how many ("Divisions régionales (8)")."""
    note: Text | None = None
    """A remark shown with the unit."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    sources: SourceRefs = ()
    """Ids of the sources of the unit's facts."""


class Relationship(Model):
    """A body the department works with, and how."""

    id: Id
    """Unique among relationships."""
    name: Name
    """The body the department works with."""
    acronym: Acronym | None = None
    """Acronym, shown after the name."""
    description: Text
    """How the department works with it."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    sources: SourceRefs = ()
    """Ids of the sources."""


class Event(Model):
    """A dated point of the department's history."""

    year: Year
    """Year of the event: places it on the briefing's timeline."""
    date: dt.date | None = None
    """Full date (YYYY-MM-DD); must fall in the year."""
    label: Name | None = None
    """Shown instead of the year where the sources give a period."""
    text: Text
    """What happened."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    units: Annotated[tuple[Id, ...], Field(max_length=MAX_ITEMS)] = ()
    """Ids of the units (or the department) the event concerns: it appears on their fact sheets."""
    sources: SourceRefs = ()
    """Ids of the sources."""

    @model_validator(mode="after")
    def _date_matches_year(self) -> Event:
        """A full date must fall in the stated year."""
        if self.date is not None and self.date.year != self.year:
            raise ValueError(f"date {self.date.isoformat()} is not in year {self.year}")
        return self


class Operation(Model):
    """An operation the organisation runs now (``wording.operations`` names them all)."""

    id: Id
    """Unique among operations."""
    acronym: Acronym
    """Acronym, per language: {fr: ONUST, en: UNTSO}."""
    name: Name
    """Full name."""
    location: Name
    """Where it operates."""
    start: Year
    """Year it started."""
    resolutions: Annotated[tuple[Annotated[int, Field(strict=True, ge=1, le=100_000)], ...],
                           Field(max_length=MAX_ITEMS)] = ()
    """Numbers of the founding Security Council resolutions: [50]."""
    note: Text | None = None
    """Shown under the name."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    sources: SourceRefs = ()
    """Ids of the sources."""


class Figure(Model):
    """A key figure, always dated and sourced."""

    id: Id
    """Unique among figures."""
    label: Name
    """What is counted."""
    value: Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
    """The value, in units (dollars for usd, not billions)."""
    unit: Literal["count", "usd"] = "count"
    """count prints the number; usd prints US dollars, in billions or millions."""
    qualifier: Literal["exact", "about", "more_than"] = "exact"
    """How exact the value is: about prefixes "environ", more_than "plus de"."""
    as_of: dt.date
    """The date the value holds for (YYYY-MM-DD)."""
    period_start: dt.date | None = None
    """Start of the period the value covers (YYYY-MM-DD)."""
    period_end: dt.date | None = None
    """End of that period (YYYY-MM-DD)."""
    note: Text | None = None
    """A remark shown with the figure."""
    # Shown "at a glance" on the briefing's first page; without any flag, the first few.
    key: Annotated[bool, Field(strict=True)] = False
    """Shown "at a glance" on the briefing's cover."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    sources: Annotated[tuple[Id, ...], Field(min_length=1, max_length=MAX_ITEMS)]
    """Ids of the sources (at least one): every figure is sourced."""


class Source(Model):
    """Where facts come from."""

    id: Id
    """Unique among sources; cited by the sources lists of other records."""
    title: Name
    """How the documents name the source."""
    url: Url | None = None
    """An http:// or https:// address, no spaces."""


class GlossaryEntry(Model):
    """An acronym the texts use that no record names, with its expansion."""

    acronym: Acronym
    """The acronym in each language (DOMP / DPKO)."""
    expansion: Name
    """What it stands for."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""
    sources: Annotated[tuple[Id, ...], Field(min_length=1, max_length=MAX_ITEMS)]
    """Ids of the sources of the expansion (at least one)."""


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
    """The kind's name in the charts' legends, per language."""
    # The count by CLDR plural category of the document's language: "{n} bureau" (one),
    # "{n} bureaux" (other); few and many serve the languages that have them (Russian,
    # Arabic). A language a category leaves out takes its ``other`` text.
    one: Name | None = None
    """The count for CLDR's 'one' category: '{n} bureau'."""
    few: Name | None = None
    """The count for 'few', in the languages that have it (Russian, Arabic)."""
    many: Name | None = None
    """The count for 'many', in the languages that have it (Russian, Arabic)."""
    other: Name | None = None
    """The count for every other number: '{n} bureaux'; required with any other count."""

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
    """The legend's name for the organisation's own box, per language."""


class KindsWording(_WordingModel):
    """The names of the unit kinds (``UnitKind``), and of the organisation's own box."""

    department: RootWording | None = None
    """How the legend names the organisation's own box."""
    office: KindWording | None = None
    """How the documents name units of kind office."""
    division: KindWording | None = None
    """How the documents name units of kind division."""
    service: KindWording | None = None
    """How the documents name units of kind service."""
    section: KindWording | None = None
    """How the documents name units of kind section."""
    unit: KindWording | None = None
    """How the documents name units of kind unit."""
    shared: KindWording | None = None
    """How the documents name units of kind shared."""
    portfolio: KindWording | None = None
    """How the documents name units of kind portfolio."""


class Wording(_WordingModel):
    """The words that name the kinds of things the organisation has; a key left out keeps its label."""

    # The heading of the operations section, its contents line and the fact sheet's row.
    operations: Name | None = None
    """The heading of the operations section, its contents line and the fact sheet's row."""
    # The at-a-glance sentence that counts the units: "Le département compte {units}."
    structure: Text | None = None
    """The at-a-glance sentence that counts the units; holds {units}."""
    # The legend's note on dashed boxes: "… unité partagée avec un autre département".
    shared: Text | None = None
    """The legend's note on dashed boxes (units shared with another body)."""
    kinds: KindsWording | None = None
    """The names of the unit kinds, and of the organisation's own box."""
    editor_note: EditorNote = None
    """For the data's maintainers; never printed."""

    @field_validator("structure")
    @classmethod
    def _units(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        """The structure sentence says where the counts go."""
        return _holds(value, UNITS_PLACEHOLDER)


class Data(Model):
    """All of the department's data, as the templates see it under ``org``."""

    department: Department
    """The department itself: identity, mandate and role, head."""
    units: Annotated[tuple[Unit, ...], Field(max_length=MAX_UNITS)] = ()
    """The organisation tree under the department, in the order the documents show it."""
    relationships: Annotated[tuple[Relationship, ...], Field(max_length=MAX_RECORDS)] = ()
    """Bodies the department works with, and how."""
    history: Annotated[tuple[Event, ...], Field(max_length=MAX_RECORDS)] = ()
    """The department's history, in date order."""
    operations: Annotated[tuple[Operation, ...], Field(max_length=MAX_RECORDS)] = ()
    """Current operations."""
    figures: Annotated[tuple[Figure, ...], Field(max_length=MAX_RECORDS)] = ()
    """Key figures, each dated and sourced."""
    sources: Annotated[tuple[Source, ...], Field(max_length=MAX_RECORDS)] = ()
    """Where the facts come from; other records cite them by id."""
    glossary: Annotated[tuple[GlossaryEntry, ...], Field(max_length=MAX_RECORDS)] = ()
    """Acronyms the texts use that no record names, with their expansions."""
    wording: Wording = Wording()
    """The words that name the kinds of things the organisation has; a key left out keeps its label."""

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id."""
        return self._units_by_id[unit_id]

    @cached_property
    def _units_by_id(self) -> dict[str, Unit]:
        """Every unit by id, made once: views look units up thousands of times in a large tree."""
        return {unit.id: unit for unit in self.units}

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
