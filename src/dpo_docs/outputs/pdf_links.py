"""Link annotations described in the document's language, for screen readers."""

from __future__ import annotations


def describe_links(document, pdf) -> None:
    """Give each link annotation the aria-label (or title) of its HTML element as /Contents.

    A WeasyPrint ``finisher``: WeasyPrint describes a tagged PDF's links by their target
    ("#source-3" gives "source-3"), an internal English id that a screen reader would
    read in a French document. Links whose element has no label keep that description.
    """
    import pydyf

    for page in document.pages:
        for _kind, _target, _rect, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            element = getattr(box, "element", None)
            if annotation is None or element is None:
                continue
            text = element.get("aria-label") or element.get("title")
            if text:
                annotation["Contents"] = pydyf.String(" ".join(text.split()))
