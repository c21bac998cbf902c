"""The package on its own: the wheel installed outside the repository, the theme inside it,
a project's templates overriding it file by file, and `dpo-docs init`."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import docx
import pytest
import yaml

from dpo_docs.scaffold import STARTER_DIR
from dpo_docs.templates import THEME_DIR
from tests.conftest import ROOT, copy_project, pdf_text, run

FONT_DIR = ROOT / "src/dpo_docs/fonts"
MARK = "THEME-OVERRIDDEN-HERE"


def _clean_env() -> dict[str, str]:
    """The environment without what would let the repository's code in."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def _uv() -> str | None:
    """The uv beside this Python, or on the PATH; None when there is none."""
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


def _pip() -> list[str] | None:
    """This environment's pip, or None when it has none (the set-up installs with uv)."""
    return [sys.executable, "-m", "pip"] if importlib.util.find_spec("pip") is not None or _uv() is None else None


def _wheel_command(sources: Path, dist: Path) -> list[str]:
    """The command building the wheel of ``sources`` into ``dist``."""
    pip = _pip()
    if pip:
        return [*pip, "wheel", "--no-deps", "-q", "-w", str(dist), str(sources)]
    return [_uv(), "build", "--wheel", "-q", "--out-dir", str(dist), str(sources)]


def _install_command(python: Path, wheel: Path) -> list[str]:
    """The command installing ``wheel`` alone into the environment of ``python``."""
    pip = _pip()
    if pip:
        return [*pip, "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)]
    return [_uv(), "pip", "install", "--python", str(python), "--no-deps", "--no-index", "-q", str(wheel)]


def _sha(path: Path) -> str:
    """A file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources (the repository is left untouched)."""
    base = tmp_path_factory.mktemp("wheel")
    sources = base / "sources"
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, sources / name)
    shutil.copytree(ROOT / "src", sources / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.mo"))
    # Build isolation fetches setuptools from the configured index (a local one works offline).
    result = subprocess.run(_wheel_command(sources, base / "dist"), capture_output=True, text=True, env=_clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    (found,) = (base / "dist").glob("dpo_docs-*.whl")
    return found


def test_the_wheel_ships_every_font_the_theme_the_catalogs_the_starter_and_the_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    fonts = sorted(p.name for p in FONT_DIR.iterdir() if p.suffix in (".ttf", ".otf"))
    assert "NotoSansCJKsc-Regular.otf" in fonts
    assert {f"dpo_docs/fonts/{name}" for name in fonts} <= names
    theme = {f"dpo_docs/theme/{p.relative_to(THEME_DIR).as_posix()}" for p in THEME_DIR.rglob("[!.]*") if p.is_file()}
    assert "dpo_docs/theme/site/base.html" in theme and theme <= names  # the web edition's theme too
    assert "dpo_docs/theme/factsheet.docx" in names
    catalogs = {p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src/dpo_docs/locale").rglob("*.po")}
    assert catalogs and catalogs <= names
    starter = {p.relative_to(ROOT / "src").as_posix() for p in STARTER_DIR.rglob("*") if p.is_file()}
    assert "dpo_docs/starter/data/units.yaml" in starter and starter <= names
    licences = {n.rsplit("/", 1)[-1] for n in names if ".dist-info/licenses/" in n}
    assert licences == {"LICENSE", "OFL.txt"}
    licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert "MIT License" in zipfile.ZipFile(wheel).read(licence).decode()
    assert "dpo_docs/fonts/OFL.txt" in names


def test_an_installed_wheel_inits_a_project_and_builds_every_document(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin/python"
    target = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            check=True, capture_output=True, text=True).stdout.strip()
    # The wheel alone goes into the new environment; its dependencies are borrowed from the
    # test run's (a .pth line), so the test needs no download. The borrowed folder's own
    # .pth files are not read: an editable dpo-docs there stays out.
    result = subprocess.run(_install_command(python, wheel), capture_output=True, text=True, env=_clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(target) / "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n", encoding="utf-8")
    env = _clean_env()
    where = subprocess.run([str(python), "-c", "import dpo_docs; print(dpo_docs.__file__)"], cwd=tmp_path,
                           check=True, capture_output=True, text=True, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the installed copy, not the repository's

    dpo_docs = str(venv / "bin/dpo-docs")
    init = subprocess.run([dpo_docs, "init", "project"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert init.returncode == 0, init.stderr
    project = tmp_path / "project"
    assert not (project / "templates").exists()
    assert {"README.md", "dpo-docs.toml", "data"} <= set(os.listdir(project))
    built = subprocess.run([dpo_docs, "build", "--lang", "fr,ar"], cwd=project, capture_output=True, text=True,
                           env=env)
    assert built.returncode == 0, built.stderr

    name = yaml.safe_load((project / "data/department.yaml").read_text(encoding="utf-8"))["department"]["name"]
    out = project / "output"
    for lang in ("fr", "ar"):
        briefing = " ".join(pdf_text(out / lang / "briefing.pdf").split())
        assert name[lang] in briefing
        assert name[lang] in " ".join(pdf_text(out / lang / "orgchart.pdf").split())
        assert (out / lang / "orgchart.svg").stat().st_size > 0
        assert (out / lang / "orgchart.png").read_bytes().startswith(b"\x89PNG")
        sheets = sorted((out / lang / "factsheets").glob("*.docx"))
        assert len(sheets) >= 2
        document = docx.Document(str(out / lang / "factsheets/dpo.docx"))
        assert next(p.text for p in document.paragraphs if p.style.name == "Title") == name[lang]
    check = subprocess.run([dpo_docs, "check", "--lang", "fr,ar"], cwd=project, capture_output=True, text=True,
                           env=env)
    assert check.returncode == 0, check.stdout + check.stderr

    # A change to the installed theme (an upgrade, say) makes stale what read the file, only that.
    theme_css = Path(where).parent / "theme/orgchart.css"
    theme_css.write_text(theme_css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    check = subprocess.run([dpo_docs, "check", "--lang", "fr,ar"], cwd=project, capture_output=True, text=True,
                           env=env)
    assert check.returncode == 1
    assert sorted(check.stdout.splitlines()) == ["ar/orgchart.pdf: changed: templates",
                                                 "fr/orgchart.pdf: changed: templates"]


def test_a_project_stylesheet_overrides_the_theme_s_alone(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", templates=False)
    assert run(project, "build", "--only", "briefing", "--only", "factsheets").exit_code == 0
    out = project / "output/fr"
    themed, sheet = _sha(out / "briefing.pdf"), _sha(out / "factsheets/dpo.docx")
    assert MARK not in pdf_text(out / "briefing.pdf")

    css = project / "templates/briefing.css"
    css.parent.mkdir()
    css.write_text((THEME_DIR / "briefing.css").read_text(encoding="utf-8")
                   + f'\nh1::after {{ content: " {MARK}"; }}\n', encoding="utf-8")
    check = run(project, "check", "--only", "briefing", "--only", "factsheets")
    assert check.exit_code == 1
    assert check.output.splitlines()[0] == "fr/briefing.pdf: changed: templates"  # the sheets are current
    assert run(project, "build", "--only", "briefing", "--only", "factsheets").exit_code == 0
    assert MARK in pdf_text(out / "briefing.pdf")
    assert _sha(out / "factsheets/dpo.docx") == sheet  # the Word template is still the theme's

    css.unlink()
    check = run(project, "check", "--only", "briefing", "--only", "factsheets")
    assert check.exit_code == 1
    assert check.output.splitlines()[0] == "fr/briefing.pdf: changed: templates"
    assert run(project, "build", "--only", "briefing", "--only", "factsheets").exit_code == 0
    assert _sha(out / "briefing.pdf") == themed  # back to the theme's bytes


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "dpo_docs", "init", "mine"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: mine: the folder is not empty (it holds notes.txt); "
                                     "dpo-docs init writes a new project into an empty or new folder only")
    assert os.listdir(folder) == ["notes.txt"]


def test_init_writes_a_project_that_validates_and_has_no_templates_folder(tmp_path: Path) -> None:
    result = run(tmp_path, "init", "new")
    assert result.exit_code == 0, result.output
    project = tmp_path / "new"
    assert sorted(os.listdir(project)) == ["README.md", "data", "dpo-docs.toml", "schemas"]
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "dpo-docs build" in readme and "templates/" in readme and "briefing.css" in readme
    validated = run(project, "validate")
    assert validated.exit_code == 0, validated.output


def test_the_starter_data_is_the_repository_s_data() -> None:
    # The starter ships in the package; the repository's data/ is where the facts are kept.
    ours = {p.name: p.read_bytes() for p in sorted((ROOT / "data").glob("*.yaml"))}
    shipped = {p.name: p.read_bytes() for p in sorted((STARTER_DIR / "data").glob("*.yaml"))}
    assert shipped == ours, "copy data/*.yaml into src/dpo_docs/starter/data/"
