"""Bad input, one file per case under tests/cases/, each with the exact output expected.

A case file starts with header comments:
  # case: what it shows
  # file: data/...        the case file itself is written there in a project copy
  # edit: data/...        or: an existing file is edited, replacing one line:
  # replace: <old line>
  # with: <new line>
  # pad-to: N             pad the written file with comment lines to N bytes
The expected `kbgen validate` output is in <case>.expected; regenerate with
KBGEN_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kbgen.adapters.cli import main

from ..conftest import copy_project

CASES = Path(__file__).parent.parent / "cases"
HEADER = re.compile(rb"^# (case|file|edit|replace|with|pad-to): ?(.*)$")


def _header(raw: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in raw.split(b"\n"):
        match = HEADER.match(line)
        if not match:
            break
        found[match.group(1).decode()] = match.group(2).decode()
    return found


def apply_case(case: Path, root: Path) -> None:
    raw = case.read_bytes()
    head = _header(raw)
    if "file" in head:
        target = root / head["file"]
        if "pad-to" in head:
            raw += b"# padding\n" * (int(head["pad-to"]) // 10)
        target.write_bytes(raw)
    else:
        target = root / head["edit"]
        text = target.read_text(encoding="utf-8")
        assert head["replace"] in text, f"{case.name}: '{head['replace']}' not in {head['edit']}"
        target.write_text(text.replace(head["replace"], head["with"], 1), encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yml")), ids=lambda p: p.stem)
def test_bad_input(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
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


def test_every_case_has_a_header() -> None:
    for case in CASES.glob("*.yml"):
        head = _header(case.read_bytes())
        assert "case" in head and ("file" in head or "edit" in head), case.name
