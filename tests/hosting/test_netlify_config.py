"""netlify.toml and requirements.txt: the deploy builds what the tests test."""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from ..conftest import ROOT, copy_project

HEADER = """\
# The exact runtime packages of kbgen, for reproducible Netlify builds (netlify.toml)
# and the test runs (scripts/setup installs with `-c requirements.txt`).
# Regenerate after changing dependencies in pyproject.toml:
#   KBGEN_UPDATE_PINS=1 python3 -m pytest tests/hosting/test_netlify_config.py
"""


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure() -> dict[str, str]:
    """Every package kbgen needs at run time on Linux, with its installed version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = {**default_environment(), "extra": ""}
    stack = [Requirement(r).name for r in project["dependencies"]]
    found: dict[str, str] = {}
    while stack:
        name = _name(stack.pop())
        if name in found:
            continue
        dist = md.distribution(name)
        found[name] = dist.version
        for raw in dist.requires or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate(env):
                stack.append(req.name)
    return dict(sorted(found.items()))


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: {line!r} is not pinned with =="
            out[_name(name)] = version
    return out


def test_requirements_pin_exactly_the_runtime_closure() -> None:
    expected = runtime_closure()
    if os.environ.get("KBGEN_UPDATE_PINS") == "1":
        (ROOT / "requirements.txt").write_text(
            HEADER + "".join(f"{n}=={v}\n" for n, v in expected.items()), encoding="utf-8")
    assert pins() == expected, ("requirements.txt differs from the installed runtime packages; "
                                "regenerate it (see its header)")


def test_netlify_toml_builds_atomically_with_pinned_python() -> None:
    config = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    build = config["build"]
    assert build["publish"] == "site"
    command = build["command"]
    # dependencies from the pins, then the same validated atomic build as `make build`
    assert re.search(r"pip install (--\S+ )*-r requirements\.txt", command), command
    assert command.rstrip().endswith("kbgen build"), command
    assert "&&" in command and ";" not in command  # a failed step stops the build
    version = build["environment"]["PYTHON_VERSION"]
    assert version == f"{sys.version_info.major}.{sys.version_info.minor}"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={version}"
    # headers and redirects come from the generated files only: one source of truth
    assert "headers" not in config and "redirects" not in config


def test_netlify_publishes_nothing_else() -> None:
    """`publish` is the folder `kbgen build` swaps in; no base or functions to drift."""
    config = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    assert set(config) <= {"build", "context"}
    assert set(config["build"]) <= {"command", "publish", "environment"}


@pytest.mark.slow
def test_the_netlify_build_command_publishes_only_a_valid_site(tmp_path: Path) -> None:
    """`kbgen build` (the command's last step) writes the Netlify files into site/,
    and bad data leaves the published folder exactly as it was."""
    root = copy_project(tmp_path)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = [sys.executable, "-c", "import sys; from kbgen.adapters.cli import main; sys.exit(main())",
             "--root", str(root), "build"]
    first = subprocess.run(build, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    site = root / "site"
    assert (site / "_headers").is_file() and (site / "_redirects").is_file()
    assert (site / "404.html").is_file()
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    headers = (site / "_headers").read_bytes()

    article = root / "data" / "articles" / "server-settings.yml"
    article.write_text(article.read_text(encoding="utf-8") + "legacy:\n  ids: [12]\n",
                       encoding="utf-8")  # id 12 belongs to pop-vs-imap
    second = subprocess.run(build, capture_output=True, text=True, env=env, check=False)
    assert second.returncode == 1
    assert "the old id 12 is already claimed by pop-vs-imap" in second.stderr
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    assert (site / "_headers").read_bytes() == headers
