"""Bad translations, one file per case under tests/cases/translations/, as tests/cases/ are.

Each case is written into a copy of the example project (``# file: data/translations/…``)
and `kbgen validate --strict` must print exactly <case>.expected; regenerate with
KBGEN_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbgen.adapters.cli import main

from ..conftest import copy_project
from .test_cases import _header, apply_case

CASES = Path(__file__).parent.parent / "cases" / "translations"


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yml")), ids=lambda p: p.stem)
def test_bad_translation(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    head = _header(case.read_bytes())
    (root / head["file"]).parent.mkdir(parents=True, exist_ok=True)
    apply_case(case, root)
    status = main(["--root", str(root), "validate", "--strict"])
    out = capsys.readouterr()
    shown = out.err + out.out
    expected = case.with_suffix(".expected")
    if os.environ.get("KBGEN_UPDATE_GOLDEN"):
        expected.write_text(shown, encoding="utf-8")
    assert "Traceback" not in shown
    assert status == 1
    assert shown == expected.read_text(encoding="utf-8")


def test_every_case_writes_a_translation() -> None:
    cases = sorted(CASES.glob("*.yml"))
    assert cases
    for case in cases:
        head = _header(case.read_bytes())
        assert "case" in head and head["file"].startswith("data/translations/"), case.name
