"""The web edition's index: every document of every language, with its size and data date.

It lists the other outputs with their sizes, so it cannot be a target planned before
them: the build writes it with the change report, from the manifest's entries after this
build, whenever they hold a page of the web edition.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

NAME = "index.html"
FORMATS = {".pdf": "PDF", ".docx": "Word", ".svg": "SVG", ".png": "PNG", ".html": "HTML"}


def _size(rel: str, made: dict[str, bytes], out_dir: Path) -> int | None:
    """The file's size: the bytes just made, else the file on disk; None when it is not there."""
    if rel in made:
        return len(made[rel])
    try:
        return os.stat(out_dir / rel).st_size
    except OSError:
        return None


def _document_name(entry, labels: dict, names: dict[str, str]) -> str:
    """How the index names a document: its kind, and the unit of a fact sheet."""
    key = entry.key.removeprefix("sheet-")
    if entry.kind == "factsheets" or entry.key.startswith("sheet-"):
        return f"{labels['factsheet']} — {names.get(key, key)}"
    return labels.get(entry.key, entry.key)


def _group(lang: str, entries: list, made: dict[str, bytes], out_dir: Path, data, settings) -> dict | None:
    """One language's documents, in the registry's order of kinds, then data order."""
    from dpo_docs.i18n import direction, format_date, format_number, plain
    from dpo_docs.kinds import NAMES
    from dpo_docs.outputs import Job

    job = Job(data, settings, lang)
    labels = job.labels
    names = {node.id: plain(node.name, lang) for node in job.tree.walk()}
    order = {node_id: i for i, node_id in enumerate(names)}
    rows = []
    for entry in entries:
        if entry.kind == "site" and entry.key == "assets":
            continue  # the pages' stylesheet and fonts: not documents
        for rel in sorted(entry.outputs):
            size = _size(rel, made, out_dir)
            if size is None:
                continue  # a link must lead to a file
            suffix = PurePosixPath(rel).suffix
            kb = format_number(max(1, round(size / 1024)), lang)
            unit = order.get(entry.key.removeprefix("sheet-"), -1)
            rows.append(((NAMES.index(entry.kind) if entry.kind in NAMES else len(NAMES), unit, rel),
                         {"href": rel, "name": _document_name(entry, labels, names),
                          "format": FORMATS.get(suffix, suffix.lstrip(".").upper()),
                          "size": labels["site_size_kb"].format(size=kb)}))
    if not rows:
        return None
    from babel import Locale

    from dpo_docs.i18n import _locale

    title = Locale.parse(_locale(lang)).get_display_name(_locale(lang)) or lang
    return {"lang": lang, "dir": direction(lang), "title": title[:1].upper() + title[1:], "labels": labels,
            "data_label": f"{labels['data_as_of']} {format_date(job.build['date'], lang)}",
            "documents": [row for _, row in sorted(rows, key=lambda r: r[0])]}


def page(settings, data, entries: dict, made: dict[str, bytes]) -> bytes | None:
    """The index's bytes, or None when the entries hold no page of the web edition."""
    from dpo_docs.i18n import available_languages, direction
    from dpo_docs.outputs import Job
    from dpo_docs.render import environment, render_template

    if not any(e.kind == "site" for e in entries.values()):
        return None
    known = available_languages()
    langs = sorted({e.lang for e in entries.values()},
                   key=lambda lang: (known.index(lang) if lang in known else len(known), lang))
    groups = []
    for lang in langs:
        group = _group(lang, [e for e in entries.values() if e.lang == lang], made, settings.out_dir, data,
                       settings)
        if group is not None:
            groups.append(group)
    # The page's own language: the first built with the web edition, whose stylesheet it uses.
    styled = [lang for lang in langs if any(e.kind == "site" and e.lang == lang for e in entries.values())]
    lang = next((g for g in settings.langs if g in styled), styled[0])
    job = Job(data, settings, lang)
    labels = job.labels
    context = {"lang": lang, "dir": direction(lang), "title": labels["site_documents"], "labels": labels,
               "build": {**job.build, "revision": ""}, "groups": groups,
               "page": {"root": f"{lang}/", "site": "",
                        "nav": [{"href": NAME, "text": labels["site_index"], "current": True}]}}
    html = render_template(environment(settings.templates_dir, lang), "site/index.html", context)
    return html.encode("utf-8")
