"""The strict YAML loader: what it reads as what, and where everything is."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.data.errors import Problem
from kbgen.data.yaml_reader import Document, load_file, load_text


def load(text: str) -> Document:
    doc = load_text(text, "x.yml")
    assert isinstance(doc, Document), doc
    return doc


@pytest.mark.parametrize("word", ["NO", "no", "yes", "Yes", "on", "OFF", "y", "n"])
def test_yaml11_booleans_stay_text(word: str) -> None:
    assert load(f"country: {word}\n").data == {"country": word}


def test_plain_scalars_are_read_the_yaml_12_way() -> None:
    doc = load("a: 993\nb: -1\nc: true\nd: false\ne: ~\nf:\ng: 1.5\nh: 2026-11-20\ni: '993'\n")
    assert doc.data == {"a": 993, "b": -1, "c": True, "d": False, "e": None, "f": None,
                        "g": "1.5", "h": "2026-11-20", "i": "993"}


@pytest.mark.parametrize("number", ["010", "0x1F", "0o17", "1_000"])
def test_ambiguous_numbers_are_refused(number: str) -> None:
    problem = load_text(f"order: {number}\n", "x.yml")
    assert isinstance(problem, Problem)
    assert problem.message == f"ambiguous number {number}"
    assert (problem.line, problem.col) == (1, 8)


def test_positions_of_keys_and_values() -> None:
    doc = load("servers:\n  imap:\n    endpoints:\n      - port: 993\n        security: tls\n")
    assert doc.where(("servers", "imap", "endpoints", 0, "port")) == (4, 15)
    assert doc.where(("servers", "imap", "endpoints", 0, "port"), key=True) == (4, 9)
    assert doc.where(("servers", "imap", "endpoints", 0, "security")) == (5, 19)
    # a path that does not exist falls back to its nearest ancestor
    assert doc.where(("servers", "imap", "endpoints", 0, "nope")) == (4, 9)


def test_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    problem = load_text(bomb, "x.yml")
    assert isinstance(problem, Problem)
    assert problem.message == "anchors (&a) are not allowed"


def test_merge_keys_are_refused() -> None:
    problem = load_text("a:\n  <<: {b: 1}\n", "x.yml")
    assert isinstance(problem, Problem) and problem.message.startswith("merge keys")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yml"
    path.write_bytes(b"\xef\xbb\xbftitle: Caf\xc3\xa9\n")
    doc = load_file(path, "bom.yml")
    assert isinstance(doc, Document) and doc.data == {"title": "Café"}


def test_syntax_error_points_at_the_line() -> None:
    problem = load_text("title: a\n  b: c\n", "x.yml")
    assert isinstance(problem, Problem)
    assert problem.message == "not valid YAML: mapping values are not allowed in this context"
    assert (problem.line, problem.col) == (2, 4)


def test_the_c_parser_reads_the_data() -> None:
    """libyaml is what keeps `kbgen validate` fast; the installed PyYAML must have it."""
    import yaml

    from kbgen.data import yaml_reader

    assert yaml_reader._Parser is yaml.CSafeLoader
    assert yaml_reader.PARSER_NOTE == ""


def test_without_libyaml_validate_says_so(tmp_path: Path) -> None:
    import subprocess
    import sys

    from ..conftest import ROOT, copy_project

    root = copy_project(tmp_path / "p")
    hide = ("import sys, yaml; yaml.__with_libyaml__ = False; del yaml.CSafeLoader; "
            "from kbgen.adapters.cli import main; sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", hide, "--root", str(root), "validate"],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert "kbgen: note: PyYAML was installed without libyaml" in result.stderr
    assert "kbgen: data is valid" in result.stdout
