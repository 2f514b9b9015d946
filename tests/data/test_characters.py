"""Characters no page or mail-app file can carry are refused at file:line, raw or escaped;
invisible look-alike characters are refused in plain-text fields. Whatever passes ends up in
autoconfig XML and an Apple profile that their own parsers read back."""

from __future__ import annotations

import plistlib
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from kbgen.adapters.cli import main
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError
from kbgen.mailapps.autoconfig import apple_profile, thunderbird_xml

from ..conftest import ROOT

CONTROL = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]
NONCHARACTERS = [0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF]
SPOOFING = [0x202A, 0x202E, 0x2066, 0x2069, 0x200B, 0x2060, 0xFEFF]
ALLOWED = [0x200C, 0x200D, 0x200E, 0x200F, 0x00E9, 0x1F600]  # ZWNJ, ZWJ, LRM, RLM, é, emoji


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    return tmp_path


def _set_name(root: Path, value_yaml: str) -> None:
    provider = root / "data" / "provider.yml"
    text = provider.read_text(encoding="utf-8")
    assert "\nname: Example Hosting\n" in text
    provider.write_text(text.replace("\nname: Example Hosting\n", f"\nname: {value_yaml}\n"),
                        encoding="utf-8")


def _line_of_name(root: Path) -> int:
    lines = (root / "data" / "provider.yml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("name:"))


def _validate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["--root", str(root), "validate"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return status, out.err


@pytest.mark.parametrize("code", CONTROL + NONCHARACTERS, ids=lambda c: f"U+{c:04X}")
def test_a_raw_character_no_file_can_carry_is_refused_where_it_stands(
        project: Path, capsys: pytest.CaptureFixture[str], code: int) -> None:
    _set_name(project, f"Example{chr(code)}Hosting")
    status, err = _validate(project, capsys)
    assert status == 1
    assert f"data/provider.yml:{_line_of_name(project)}:14: the file holds the character U+{code:04X}" \
        in err, err


@pytest.mark.parametrize("code", CONTROL + NONCHARACTERS + [0xD800], ids=lambda c: f"U+{c:04X}")
def test_an_escaped_character_no_file_can_carry_is_refused_at_its_value(
        project: Path, capsys: pytest.CaptureFixture[str], code: int) -> None:
    escape = f"\\U{code:08X}" if code > 0xFFFF else f"\\u{code:04X}"
    _set_name(project, f'"Example{escape}Hosting"')
    status, err = _validate(project, capsys)
    assert status == 1
    line = _line_of_name(project)
    if 0xD800 <= code <= 0xDFFF:  # the YAML parser itself refuses a lone surrogate escape
        assert f"data/provider.yml:{line}:" in err and "escape" in err, err
    else:
        assert f"data/provider.yml:{line}:7: name: the value holds the character U+{code:04X}" \
            in err, err


@pytest.mark.parametrize("code", SPOOFING, ids=lambda c: f"U+{c:04X}")
def test_invisible_look_alikes_are_refused_in_plain_text_at_the_character(
        project: Path, capsys: pytest.CaptureFixture[str], code: int) -> None:
    _set_name(project, f"Example {chr(code)}Hosting")
    status, err = _validate(project, capsys)
    assert status == 1
    assert (f"data/provider.yml:{_line_of_name(project)}:15: name: the text holds the invisible "
            f"character U+{code:04X}") in err, err


@pytest.mark.parametrize("code", [0x202E, 0x200B], ids=lambda c: f"U+{c:04X}")
def test_markdown_fields_keep_direction_and_joiner_characters(project: Path, code: int) -> None:
    article = project / "data" / "articles" / "pop-vs-imap.yml"
    text = article.read_text(encoding="utf-8")
    assert "your mail: **POP3**" in text
    article.write_text(text.replace("your mail: **POP3**", f"your mail: {chr(code)}**POP3**", 1),
                       encoding="utf-8")
    load_kb(project)  # no DataError


@pytest.mark.parametrize("code", ALLOWED + [0x2028], ids=lambda c: f"U+{c:04X}")
def test_what_passes_reaches_the_mail_app_files_intact(project: Path, code: int) -> None:
    escape = f"\\U{code:08X}" if code > 0xFFFF else f"\\u{code:04X}"
    _set_name(project, f'"Example{escape}Hosting"')
    try:
        kb = load_kb(project)
    except DataError as err:  # pragma: no cover - shown on failure
        pytest.fail(str(err))
    name = f"Example{chr(code)}Hosting"
    assert kb.provider.name == name
    xml = ET.fromstring(thunderbird_xml(kb, "https://help.example.com/"))
    assert name in [el.text for el in xml.iter()]
    profile = apple_profile(kb)
    assert profile is not None
    loaded = plistlib.loads(profile)
    assert loaded["PayloadOrganization"] == name
