"""How messages answer a language code that names no language the tool has: the form codes take, and the nearest one."""

from __future__ import annotations

from collections.abc import Iterable

RULE = "language codes are lower-case ISO 639-1"


def nearest(code: str, known: Iterable[str]) -> str | None:
    """The known code ``code`` most likely means: the same in lower case, or without its script or region (``zh-Hans``)."""
    known = set(known)
    lowered = code.strip().lower().replace("_", "-")
    for candidate in (lowered, lowered.split("-")[0]):
        if candidate in known and candidate != code:
            return candidate
    return None


def hint(codes: Iterable[str], known: Iterable[str]) -> str:
    """``; language codes are lower-case ISO 639-1 (did you mean 'zh'?)`` when a code is a near miss, else nothing."""
    known = tuple(known)
    meant = [f"'{match}'" for match in dict.fromkeys(nearest(code, known) for code in codes) if match]
    return f"; {RULE} (did you mean {' or '.join(meant)}?)" if meant else ""
