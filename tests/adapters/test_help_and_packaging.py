"""`kbgen --help` reads as plain text, and the package metadata uses today's forms."""

from __future__ import annotations

import tomllib

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from kbgen.adapters.cli import parser

from ..conftest import ROOT


@pytest.mark.parametrize("command", [[], ["validate"], ["schema"], ["new"], ["build"]])
def test_help_has_no_restructuredtext_markup(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args([*command, "--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("usage: kbgen")
    assert "`" not in shown and "::" not in shown, shown


def test_license_is_an_spdx_expression_with_a_setuptools_that_reads_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"  # PEP 639; the table form is deprecated
    (setuptools,) = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    spec = SpecifierSet(setuptools.removeprefix("setuptools"))
    assert not spec.contains(Version("76.9")) and spec.contains(Version("77.0"))
