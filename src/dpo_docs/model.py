"""Typed, frozen models of the department's data; unknown fields are refused."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=20_000), Field(strict=True)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]
Year = Annotated[int, Field(strict=True, ge=1900, le=2100)]
# A text in one or more languages, keyed by language code: {fr: "…", en: "…"}.
Text = Annotated[dict[Lang, NonEmpty], Field(min_length=1)]
SourceRefs = tuple[Id, ...]
UnitKind = Literal["office", "division", "service", "section", "unit", "shared", "portfolio"]


class Model(BaseModel):
    """Base of every data model: frozen, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Head(Model):
    """Who leads a unit: a title, and a name when the sources give one."""

    title: Text
    name: NonEmpty | None = None
    appointed: dt.date | None = None
    in_office_since: dt.date | None = None
    note: Text | None = None
    sources: SourceRefs = ()


class Department(Model):
    """The department itself: identity, mandate and role, head."""

    id: Id
    name: Text
    acronym: Text
    created: Year | None = None
    renamed: dt.date | None = None
    mandate: tuple[Text, ...] = Field(min_length=1)
    role: tuple[Text, ...] = ()
    head: Head | None = None
    notes: tuple[Text, ...] = ()
    sources: SourceRefs = ()


class Unit(Model):
    """One unit of the organisation tree; ``parent`` names another unit's id."""

    id: Id
    parent: Id
    kind: UnitKind
    name: Text
    acronym: Text | None = None
    description: tuple[Text, ...] = ()
    created: Year | None = None
    head: Head | None = None
    shared_with: tuple[NonEmpty, ...] = ()
    count: Annotated[int, Field(strict=True, ge=1)] | None = None
    note: Text | None = None
    sources: SourceRefs = ()


class Relationship(Model):
    """A body the department works with, and how."""

    id: Id
    name: Text
    acronym: Text | None = None
    description: Text
    sources: SourceRefs = ()


class Event(Model):
    """A dated point of the department's history."""

    year: Year
    date: dt.date | None = None
    label: Text | None = None
    text: Text
    units: tuple[Id, ...] = ()
    sources: SourceRefs = ()

    @model_validator(mode="after")
    def _date_matches_year(self) -> Event:
        """A full date must fall in the stated year."""
        if self.date is not None and self.date.year != self.year:
            raise ValueError(f"date {self.date.isoformat()} is not in year {self.year}")
        return self


class Operation(Model):
    """A current peacekeeping operation."""

    id: Id
    acronym: Text
    name: Text
    location: Text
    start: Year
    resolutions: tuple[Annotated[int, Field(strict=True, ge=1)], ...] = ()
    note: Text | None = None
    sources: SourceRefs = ()


class Figure(Model):
    """A key figure, always dated and sourced."""

    id: Id
    label: Text
    value: Annotated[float, Field(ge=0)]
    unit: Literal["count", "usd"] = "count"
    qualifier: Literal["exact", "about", "more_than"] = "exact"
    as_of: dt.date
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    note: Text | None = None
    sources: SourceRefs = Field(min_length=1)


class Source(Model):
    """Where facts come from."""

    id: Id
    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None


class Data(Model):
    """All of the department's data, as the templates see it under ``org``."""

    department: Department
    units: tuple[Unit, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    history: tuple[Event, ...] = ()
    operations: tuple[Operation, ...] = ()
    figures: tuple[Figure, ...] = ()
    sources: tuple[Source, ...] = ()

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
