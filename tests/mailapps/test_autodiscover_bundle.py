"""The Autodiscover function as Netlify deploys it, for a provider who installs kbgen from PyPI.

Such a project has no package.json and no node_modules: whatever the function
imports, Netlify's bundler (@netlify/zip-it-and-ship-it) silently leaves out, and
every Outlook request then fails. So: a wheel of kbgen, installed into a new
virtual environment; a project without package.json; `kbgen build`; the
bundler's zip; the zip's entry point called under Node as Lambda calls it, with
Outlook's request.

The new environment sees the machine's packages (--system-site-packages) and
gets only the wheel (--no-deps): installing kbgen's dependencies from the
registry as well takes 40-60 s more and tests pip, not kbgen. The test checks
that kbgen itself is imported from the wheel. KBGEN_FRESH_VENV=1 installs
everything into an isolated environment instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kbgen.data.data_folder import load_kb
from kbgen.data.urls import AUTODISCOVER_FUNCTION_PATH, AUTODISCOVER_ROUTES

from ..conftest import ROOT, copy_project
from .test_autodiscover import DOCUMENTED, expected, post, pox, protocols, refusal, run

pytestmark = pytest.mark.slow

BUNDLER = ROOT / ".tools/node_modules/.bin/zip-it-and-ship-it"
LAMBDA = Path(__file__).with_name("netlify_lambda_run.mjs")
PACKAGE_SOURCES = ["pyproject.toml", "README.md", "kbgen"]


def call(cmd: list[str | Path], cwd: Path, timeout: int = 300) -> str:
    # Nothing of this checkout may leak in: no PYTHONPATH, no virtual environment of its own.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env={**env, "NO_MKDOCS_2_WARNING": "1"},
                            capture_output=True, text=True, check=False, timeout=timeout)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wheel(tmp: Path) -> Path:
    """A wheel built from a copy of the package sources (the build writes into its source)."""
    src = tmp / "src"
    src.mkdir()
    for name in PACKAGE_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    call([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
          "--no-deps", str(src), "-w", str(tmp / "dist")], tmp)
    (found,) = (tmp / "dist").glob("kbgen-*.whl")
    return found


def install(built: Path, venv: Path) -> Path:
    """The environment's python, with the wheel installed."""
    if os.environ.get("KBGEN_FRESH_VENV") == "1":
        call([sys.executable, "-m", "venv", venv], venv.parent)
        call([venv / "bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "-c", ROOT / "requirements.txt", built], venv.parent, timeout=600)
    else:
        call([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", venv], venv.parent)
        call([sys.executable, "-m", "pip", "--python", venv / "bin/python", "install", "--quiet",
              "--disable-pip-version-check", "--no-deps", "--no-index", built], venv.parent)
    return venv / "bin/python"


def bundler() -> Path:
    if not BUNDLER.is_file():
        pytest.fail(f"{BUNDLER.relative_to(ROOT)} is missing: run scripts/setup")
    return BUNDLER


def test_the_bundled_function_answers_outlook_in_a_project_without_package_json(tmp_path: Path) -> None:
    assert not any((d / "node_modules").exists() for d in [tmp_path, *tmp_path.parents])
    python = install(wheel(tmp_path), tmp_path / "venv")
    where = call([python, "-c", "import kbgen, sys; print(kbgen.__file__)"], tmp_path).strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), f"kbgen came from {where}, not the wheel"

    project = copy_project(tmp_path / "project")
    assert not (project / "package.json").exists()
    call([python.parent / "kbgen", "build"], project)
    function = project / AUTODISCOVER_FUNCTION_PATH
    assert function.is_file()

    # As Netlify's build does after the build command: bundle netlify/functions/.
    out = json.loads(call([bundler(), "netlify/functions", tmp_path / "zipped"], project))
    (bundled,) = out
    assert bundled["name"] == "autodiscover" and bundled["config"]["path"] == list(AUTODISCOVER_ROUTES)
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(tmp_path / "zipped/autodiscover.zip") as archive:
        archive.extractall(unzipped)

    kb = load_kb(project)
    # Lambda's call into the zip: Netlify's bootstrap, then the handler as bundled,
    # with nothing but what the zip holds.
    entry = unzipped / bundled["entryFilename"]
    result = run(entry, [post(pox("O'Brien@Example.com")), post(DOCUMENTED), post("<x/>")], LAMBDA)
    ours, documented, bad = result["responses"]
    assert ours["status"] == 200, ours
    assert ours["headers"]["content-type"] == "application/xml; charset=utf-8"
    assert protocols(ours["body"]) == expected(kb, "O'Brien@example.com")
    assert documented["status"] == 200, documented
    assert protocols(documented["body"]) == expected(kb, "user@contoso.com")
    assert refusal(bad).startswith("bad request: ")
