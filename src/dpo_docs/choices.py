"""The closed sets of values some settings take: field types of the settings model and
choices of the command line, kept where ``--help`` can read them without loading pydantic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

from dpo_docs.kinds import DEFAULT_NAMES, NAMES

if TYPE_CHECKING:
    Kind = str  # a checker cannot read the registry: a name, checked at run time
else:
    Kind = Literal[NAMES]  # the registry of document kinds
Paper = Literal["A2", "A3", "A4"]
Orientation = Literal["landscape", "portrait"]
# Accessible by default; the PDF/A-3 flavours are for archiving.
PdfVariant = Literal["pdf/ua-1", "pdf/a-3b", "pdf/a-3u", "none"]

TARGET_KINDS: tuple[str, ...] = get_args(Kind)
DEFAULT_KINDS: tuple[str, ...] = DEFAULT_NAMES  # what a build makes when not told
PAPER_SIZES: tuple[str, ...] = get_args(Paper)
ORIENTATIONS: tuple[str, ...] = get_args(Orientation)
PDF_VARIANTS: tuple[str, ...] = get_args(PdfVariant)
