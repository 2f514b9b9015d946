"""Every provider data set (tests/providers/) builds with --strict and publishes what its data says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kbgen.data.load import load_kb

from .conftest import PROVIDERS, ROOT, provider_names

pytestmark = pytest.mark.slow

NOT_YET = {"imap-only": "protocols other than SMTP are not optional yet (issue 10)"}


def _param(name: str) -> object:
    marks = [pytest.mark.xfail(reason=NOT_YET[name], strict=True)] if name in NOT_YET else []
    return pytest.param(name, marks=marks, id=name)


SETS = [_param(name) for name in provider_names()]


def test_the_three_data_sets_exist() -> None:
    assert provider_names()[:1] == ["example"]
    assert {"imap-only", "cpanel"} <= set(provider_names())


@pytest.mark.parametrize("name", SETS)
def test_data_set_validates_without_warnings(name: str) -> None:
    root = ROOT if name == "example" else PROVIDERS / name
    kb = load_kb(root)
    assert [str(w) for w in kb.warnings] == []


@pytest.mark.parametrize("name", SETS)
def test_data_set_builds_strict(name: str, provider_site: Callable[[str], Path]) -> None:
    site = provider_site(name)
    assert (site / "index.html").is_file()
    assert (site / "mail" / "config-v1.1.xml").is_file()
