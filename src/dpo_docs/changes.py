"""What changed since the previous build: units, heads, figures, rebuilt documents."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dpo_docs.i18n import SOURCE_LANG, plain

if TYPE_CHECKING:
    from dpo_docs.model import Data


def summary(data: Data) -> dict[str, Any]:
    """The facts a change report compares, in the source language."""
    dept = data.department
    heads = {}
    if dept.head:
        heads[dept.id] = _head(dept.head)
    for unit in data.units:
        if unit.head:
            heads[unit.id] = _head(unit.head)
    return {
        "units": {u.id: {"name": plain(u.name, SOURCE_LANG), "parent": u.parent} for u in data.units},
        "heads": heads,
        "figures": {f.id: {"label": plain(f.label, SOURCE_LANG), "value": f.value,
                           "as_of": f.as_of.isoformat()} for f in data.figures},
    }


def _head(head) -> str:
    """A head as one line: title and name."""
    title = plain(head.title, SOURCE_LANG)
    return f"{title} : {head.name}" if head.name else title


def git_commit(data_dir: Path) -> str | None:
    """The last commit that touched the data folder, when it is in a git work tree."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", "."], cwd=data_dir,
            capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


def reference_date() -> dt.date:
    """'Today' for staleness: SOURCE_DATE_EPOCH when set, so reports can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch.strip()), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        from dpo_docs.errors import SetupError

        raise SetupError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 "
                         f"(as `date +%s` prints), not {epoch[:40]!r}; nothing was written") from None


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later``."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def stale_figures(figures: dict[str, dict[str, Any]], max_months: int, today: dt.date) -> list[dict[str, Any]]:
    """Figures (as in a summary) whose as-of date is more than ``max_months`` old."""
    stale = []
    for fig_id, fig in figures.items():
        age = months_between(dt.date.fromisoformat(fig["as_of"]), today)
        if age > max_months:
            stale.append({"id": fig_id, "label": fig["label"], "as_of": fig["as_of"], "months": age})
    return stale


def compare(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """Units added, removed, renamed or moved; heads and figures changed."""
    if before is None:
        return {"first_build": True}
    old_units, new_units = before.get("units", {}), after["units"]
    diff: dict[str, Any] = {
        "units_added": [{"id": i, "name": new_units[i]["name"]} for i in new_units if i not in old_units],
        "units_removed": [{"id": i, "name": old_units[i]["name"]} for i in old_units if i not in new_units],
        "units_renamed": [{"id": i, "from": old_units[i]["name"], "to": new_units[i]["name"]}
                          for i in new_units if i in old_units and old_units[i]["name"] != new_units[i]["name"]],
        "units_moved": [{"id": i, "from": old_units[i]["parent"], "to": new_units[i]["parent"]}
                        for i in new_units if i in old_units and old_units[i]["parent"] != new_units[i]["parent"]],
    }
    old_heads, new_heads = before.get("heads", {}), after["heads"]
    diff["heads_changed"] = [
        {"unit": i, "from": old_heads.get(i), "to": new_heads.get(i)}
        for i in sorted(set(old_heads) | set(new_heads)) if old_heads.get(i) != new_heads.get(i)
    ]
    old_figs, new_figs = before.get("figures", {}), after["figures"]
    diff["figures_updated"] = [
        {"id": i, "label": new_figs[i]["label"], "from": old_figs.get(i), "to": new_figs[i]}
        for i in new_figs if old_figs.get(i) != new_figs[i]
    ] + [{"id": i, "label": old_figs[i]["label"], "from": old_figs[i], "to": None}
         for i in old_figs if i not in new_figs]
    return diff


def _figure(value: dict | None) -> str:
    """A figure as 'value (as of date)'."""
    if not value:
        return "—"
    number = int(value["value"]) if float(value["value"]).is_integer() else value["value"]
    return f"{number} (as of {value['as_of']})"


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown, for people and for a CI run's summary."""
    lines = ["# Changes in this build", ""]
    commit = f", commit {report['commit'][:10]}" if report.get("commit") else ""
    lines.append(f"Data revision {report['revision']}{commit}.")
    lines.append("")
    rebuilt = report["rebuilt"]
    if report.get("removed"):
        lines += [f"## Documents removed ({len(report['removed'])})", ""]
        lines += [f"- `{rel}` (no longer built)" for rel in report["removed"]] + [""]
    if rebuilt:
        lines += [f"## Documents rebuilt ({len(rebuilt)})", ""]
        lines += [f"- `{r['path']}` ({r['reason']})" for r in rebuilt]
    else:
        lines += ["## Documents rebuilt", "", "None: every document was up to date."]
    lines.append("")
    diff = report["data"]
    if diff.get("first_build"):
        lines += ["## Data", "", "First build in this folder: nothing to compare with.", ""]
    else:
        sections = [
            ("Units added", [f"{u['name']} (`{u['id']}`)" for u in diff["units_added"]]),
            ("Units removed", [f"{u['name']} (`{u['id']}`)" for u in diff["units_removed"]]),
            ("Units renamed", [f"`{u['id']}`: {u['from']} → {u['to']}" for u in diff["units_renamed"]]),
            ("Units moved", [f"`{u['id']}`: under `{u['from']}` → under `{u['to']}`" for u in diff["units_moved"]]),
            ("Heads changed", [f"`{h['unit']}`: {h['from'] or '—'} → {h['to'] or '—'}" for h in diff["heads_changed"]]),
            ("Figures updated", [f"{f['label']}: {_figure(f['from'])} → {_figure(f['to'])}" for f in diff["figures_updated"]]),
        ]
        changed = [(title, items) for title, items in sections if items]
        if not changed:
            lines += ["## Data", "", "No unit, head or figure changed.", ""]
        for title, items in changed:
            lines += [f"## {title}", ""] + [f"- {item}" for item in items] + [""]
    for lang, found in sorted(report.get("missing_translations", {}).items()):
        lines += [f"## Missing translations ({lang})", ""]
        # Located as a reader finds the text ("data/units.yaml:96:5: unit 'oma' name"); a
        # report kept from before texts were located gives its paths.
        lines += [f"- data: {where}" for where in found.get("where") or [f"`{p}`" for p in found["data"]]]
        lines += [f"- label: `{key}`" for key in found["labels"]] + [""]
    stale = report["stale_figures"]
    if stale:
        lines += [f"## Stale figures (older than {report['stale_after_months']} months on {report['today']})", ""]
        lines += [f"- {f['label']}: as of {f['as_of']} ({f['months']} months)" for f in stale] + [""]
    return "\n".join(lines).rstrip() + "\n"


def encode(report: dict[str, Any]) -> tuple[bytes, bytes]:
    """The report's Markdown and JSON files."""
    as_json = json.dumps(report, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    return markdown(report).encode("utf-8"), as_json.encode("utf-8")
