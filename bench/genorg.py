"""Generate a larger organisation for benchmarks: the default data plus N units in total."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("division", "service", "section", "unit")
WORDS = ("appui", "coordination", "planification", "évaluation", "partenariats", "sécurité",
         "justice", "police", "formation", "logistique", "communication", "analyse", "budget",
         "déminage", "protection", "terrain", "politiques", "doctrine", "ressources", "médiation")


def _name(rng: random.Random, kind: str, index: int) -> str:
    """A plausible French unit name of varied length."""
    words = rng.sample(WORDS, rng.randint(1, 4))
    head = {"division": "Division", "service": "Service", "section": "Section", "unit": "Groupe"}[kind]
    return f"{head} {index} de l’{words[0]}" + "".join(f" et de la {w}" for w in words[1:])


def units_yaml(total: int, seed: int = 7) -> str:
    """The default units plus generated ones, ``total`` units in all, as YAML text."""
    default = (ROOT / "data/units.yaml").read_text(encoding="utf-8")
    rng = random.Random(seed)
    parents = [("orolsi", 1), ("oma", 1), ("strategic-partnership", 1)]
    lines = [default.rstrip(), ""]
    existing = default.count("\n  - id: ")
    for index in range(1, total - existing + 1):
        parent, depth = rng.choice(parents)
        kind = KINDS[min(depth - 1, len(KINDS) - 1)]
        unit_id = f"gen-{index}"
        lines += [f"  - id: {unit_id}", f"    parent: {parent}", f"    kind: {kind}",
                  "    name:", f"      fr: \"{_name(rng, kind, index)}\"",
                  "    description:", f"      - fr: \"Unité générée {index} pour les mesures de performance.\"", ""]
        if depth < 4:
            parents.append((unit_id, depth + 1))
    return "\n".join(lines) + "\n"


def make_project(dest: Path, total: int, every_unit_sheet: bool = True) -> Path:
    """A project folder with the default data, ``total`` units and their fact sheets."""
    shutil.copytree(ROOT / "data", dest / "data")
    (dest / "data/units.yaml").write_text(units_yaml(total), encoding="utf-8")
    if every_unit_sheet:
        kinds = ", ".join(f'"{k}"' for k in ("office", *KINDS, "shared", "portfolio"))
        (dest / "dpo-docs.toml").write_text(f"[build]\nfactsheet_kinds = [{kinds}]\n", encoding="utf-8")
    return dest
