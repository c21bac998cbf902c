"""The pre-commit hooks the repository offers run the real commands, in a project's folder."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, copy_project


def hooks() -> dict[str, dict]:
    """The hooks of .pre-commit-hooks.yaml, by id."""
    listed = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in listed}


def run_hook(hook: dict, project: Path) -> subprocess.CompletedProcess[str]:
    """Run a hook's entry as pre-commit does: no file names, in the project's folder."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env = {k: v for k, v in env.items() if not k.startswith("DPO_DOCS_")}
    return subprocess.run(shlex.split(hook["entry"]), cwd=project, env=env, capture_output=True, text=True)


def test_hooks_are_declared_for_the_project_files() -> None:
    found = hooks()
    assert sorted(found) == ["dpo-docs-check", "dpo-docs-validate"]
    for hook in found.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False, hook
        files = re.compile(hook["files"])
        assert files.search("data/units.yaml") and files.search("templates/briefing.css"), hook
        assert not files.search("README.md") and not files.search("output/fr/briefing.pdf"), hook
    assert found["dpo-docs-validate"]["entry"] == "dpo-docs validate"
    assert found["dpo-docs-check"]["entry"] == "dpo-docs check"


def test_validate_hook_passes_the_data_and_fails_a_wrong_parent(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    hook = hooks()["dpo-docs-validate"]
    result = run_hook(hook, project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("data is valid:")
    units = project / "data/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("parent: oma", "parent: omaa", 1), encoding="utf-8")
    result = run_hook(hook, project)
    assert result.returncode == 1
    assert re.search(r"^data/units\.yaml:\d+:\d+: units\[\d+\]\.parent: unknown unit 'omaa'", result.stderr, re.M)


def test_check_hook_fails_until_the_documents_are_built(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    # The cheapest document keeps the test short; check follows the same settings.
    (project / "dpo-docs.toml").write_text('[build]\nonly = ["orgchart"]\n', encoding="utf-8")
    hook = hooks()["dpo-docs-check"]
    result = run_hook(hook, project)
    assert result.returncode == 1
    assert "fr/orgchart.pdf: new" in result.stdout
    built = subprocess.run([sys.executable, "-m", "dpo_docs", "-q", "build"], cwd=project,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert run_hook(hook, project).returncode == 0
    units = project / "data/units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("kind: division", "kind: service", 1), encoding="utf-8")
    result = run_hook(hook, project)
    assert result.returncode == 1 and "fr/orgchart.pdf" in result.stdout
