"""Synthetic organisations of any size, shaped like a UN department, for tests and benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from dpo_docs.chart.model import ChartNode

KIND_BY_DEPTH = ("department", "office", "division", "service", "section", "unit")
_KIND_WORD = {
    "office": "Bureau", "division": "Division", "service": "Service", "section": "Section",
    "unit": "Groupe", "shared": "Structure commune", "portfolio": "Portefeuille",
}  # fmt: skip
_TOPICS = (
    "des affaires politiques", "de la planification stratégique", "de l’appui aux missions",
    "des affaires civiles", "de la police", "de la justice et de l’administration pénitentiaire",
    "de la lutte antimines", "du désarmement, de la démobilisation et de la réintégration",
    "de la réforme du secteur de la sécurité", "des partenariats", "de la formation",
    "de l’évaluation", "de la logistique", "des communications stratégiques",
    "de la protection des civils", "des droits de l’homme", "de la constitution des forces",
    "des opérations en cours", "de la gestion de l’information", "du budget et des finances",
)
_REGIONS = (
    "Afrique de l’Ouest", "Afrique centrale", "Afrique de l’Est", "Moyen-Orient",
    "Asie et Pacifique", "Europe", "Amériques", "Sahel", "Grands Lacs", "Corne de l’Afrique",
)


@dataclass(frozen=True)
class SampleUnit:
    """One generated unit: the fields the data files and the chart need."""

    id: str
    parent: str
    kind: str
    name: str
    acronym: str | None
    head: str | None
    shared: bool


def sample_units(count: int, seed: int = 0, *, offices: int = 8, max_depth: int = 5,
                 root_id: str = "dpo") -> list[SampleUnit]:
    """``count`` units under ``root_id``, in data order (parents before children).

    Parents are drawn uniformly among earlier units (a random recursive tree, so a
    few units get many sub-units), capped at ``max_depth``; now and then a run of
    siblings shares one parent, as the sections of a big service do.
    """
    rng = random.Random(seed)
    depth = {root_id: 0}
    open_ids: list[str] = []  # units that may still take sub-units
    units: list[SampleUnit] = []
    previous = root_id
    for i in range(1, count + 1):
        if i <= offices:
            parent = root_id
        elif rng.random() < 0.15 and depth[previous] > 1:
            parent = units[-1].parent
        else:
            parent = rng.choice(open_ids)
        level = depth[parent] + 1
        uid = f"u{i}"
        kind = KIND_BY_DEPTH[min(level, len(KIND_BY_DEPTH) - 1)]
        shared = False
        if level == 2 and rng.random() < 0.12:
            kind, shared = rng.choice((("shared", True), ("portfolio", False)))
        words = [_KIND_WORD[kind], rng.choice(_TOPICS)]
        if rng.random() < 0.3:
            words.append(f"({rng.choice(_REGIONS)})")
        head = None
        if level <= 2 or rng.random() < 0.1:
            head = rng.choice(("Directeur ou directrice", "Chef ou cheffe", "Coordonnateur"))
        acronym = f"U{i}" if level <= 3 or rng.random() < 0.3 else None
        units.append(SampleUnit(uid, parent, kind, " ".join(words), acronym, head, shared))
        depth[uid] = level
        previous = uid
        if level < max_depth:
            open_ids.append(uid)
    return units


def sample_tree(count: int, seed: int = 0, **options: Any) -> ChartNode:
    """A chart tree of ``count`` boxes (the department and ``count - 1`` units)."""
    units = sample_units(count - 1, seed, **options)
    children: dict[str, list[SampleUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent, []).append(unit)
    built: dict[str, ChartNode] = {}
    for unit in reversed(units):  # children come after parents, so build them first
        built[unit.id] = ChartNode(
            unit.id, unit.name, acronym=unit.acronym, detail=unit.head, kind=unit.kind,
            shared=unit.shared,
            children=tuple(built.pop(c.id) for c in children.get(unit.id, ())),
        )  # fmt: skip
    return ChartNode(
        "dpo", "Département des opérations de paix", acronym="DPO",
        detail="Secrétaire général adjoint", kind="department",
        children=tuple(built.pop(c.id) for c in children.get("dpo", ())),
    )  # fmt: skip
