"""`kbgen import whmcs` on hostile or extreme input: it stops with a message naming the row, or
imports with a warning; never a traceback, a hang, a half-written data/ or a broken build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbgen.adapters.cli import main
from kbgen.content.text import markdown_html
from kbgen.data.load import load_kb
from kbgen.importers.html_markdown import convert

from .conftest import ROOT, copy_project

FIXTURE = ROOT / "tests" / "fixtures" / "whmcs" / "kb.sql"
CARD = "'<p>Open the invoice and click <strong>Pay Now</strong>."  # article 33's body starts so
CARD_FILE = "data/articles/paying-an-invoice-by-card.yml"


def _import(root: Path, dump: Path, *args: str) -> int:
    return main(["--root", str(root), "import", "whmcs", "--dump", str(dump), *args])


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "variant.sql"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# ------------------------------------------------------------ deep nesting


@pytest.mark.parametrize("tags", [("div",), ("blockquote",), ("ul", "li"), ("table", "tr", "td"),
                                  ("b", "i")])
def test_html_nested_10000_deep_converts_and_renders(tags: tuple[str, ...]) -> None:
    opening = "".join(f"<{t}>" for t in tags) * 10_000
    closing = "".join(f"</{t}>" for t in reversed(tags)) * 10_000
    result = convert(f"<p>Intro.</p>{opening}deep <b>words</b> here{closing}", lambda h: h)
    assert result.flattened == 1
    assert "deep words here" in markdown_html(result.markdown, {})


def test_an_article_nested_10000_deep_is_imported_with_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = "<div>" * 10_000 + "Deep text." + "</div>" * 10_000
    dump = _variant(tmp_path, CARD, CARD + deep)
    root = copy_project(tmp_path / "project")
    assert _import(root, dump) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (f"kbgen: warning: {CARD_FILE}: WHMCS article 33's HTML nests more than 40 elements deep; "
            "1 element(s) below that were kept as plain text") in err, err
    assert "Deep text." in (root / CARD_FILE).read_text(encoding="utf-8")
    assert "nests more than 40 elements" in (root / "imports/whmcs/import-report.md").read_text()
    load_kb(root)


# ------------------------------------------------------- INSERTs: literal rows only

TAGS_INSERT = "INSERT INTO `tblknowledgebasetags` VALUES "


def _kbgen(root: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a hang is a failed test, not a stuck suite."""
    return subprocess.run([sys.executable, "-m", "kbgen.adapters.cli", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})


def _line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(("insert", "found"), [
    ("INSERT INTO `tblknowledgebasetags` WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
     "FROM c) SELECT x, 'tag' FROM c;", "takes its rows from SELECT, not from VALUES"),
    ("INSERT INTO `tblknowledgebasetags` SELECT id, title FROM tblknowledgebase;",
     "takes its rows from SELECT, not from VALUES"),
    ("INSERT INTO `tblknowledgebasetags` VALUES ((SELECT 1), 'x');", "has the value '(SELECT 1)'"),
    ("INSERT INTO `tblknowledgebasetags` VALUES (1 + 2, lower('X'));", "has the value '1 + 2'"),
    ("INSERT INTO `tblknowledgebasetags` VALUES (1, 'x') ON DUPLICATE KEY UPDATE tag = 'y';",
     "has more than VALUES: \"ON DUPLICATE KEY UPDATE tag = 'y'\""),
])
def test_an_insert_that_is_not_literal_values_is_refused_at_its_line(
        tmp_path: Path, insert: str, found: str) -> None:
    dump = _variant(tmp_path, TAGS_INSERT, insert + "\n" + TAGS_INSERT)
    root = copy_project(tmp_path / "project")
    before = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    result = _kbgen(root, "import", "whmcs", "--dump", str(dump))
    line = _line_of(dump, insert)
    assert result.returncode == 1, result.stderr
    assert f"variant.sql:{line}: the INSERT into tblknowledgebasetags {found}" in result.stderr, \
        result.stderr
    assert "kbgen reads rows only as mysqldump writes them: INSERT INTO table [(columns)] VALUES " \
        "(literal, …)" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()} == before


def test_inserts_with_column_names_and_mysqldump_literals_are_read(tmp_path: Path) -> None:
    from kbgen.importers.whmcs_source import read_dump

    dump = _variant(tmp_path, TAGS_INSERT, "INSERT IGNORE INTO `tblknowledgebasetags` (`tag`, `articleid`) "
                    "VALUES (_utf8mb4'from-columns', 33), (X'6865782D746167', 33);\n" + TAGS_INSERT)
    tags = {r["tag"]: r["articleid"] for r in read_dump(dump).tables["tblknowledgebasetags"]}
    assert tags["from-columns"] == 33 and tags["hex-tag"] == 33


# ---------------------------------------------------------------- NUL characters


def test_a_nul_in_a_row_is_removed_with_a_warning_naming_table_row_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = _variant(tmp_path, "(33,'Paying an invoice by card'", "(33,'Paying an\\0 invoice by card'")
    dump.write_text(dump.read_text(encoding="utf-8").replace("Pay Now", "Pay\\0\\0 Now", 1), encoding="utf-8")
    root = copy_project(tmp_path / "project")
    assert _import(root, dump) == 0
    err = capsys.readouterr().err
    assert ("variant.sql: tblknowledgebase id 33, column title: removed 1 NUL "
            "character(s) (\\0)") in err, err
    assert "tblknowledgebase id 33, column article: removed 2 NUL character(s)" in err, err
    text = (root / CARD_FILE).read_text(encoding="utf-8")
    assert "title: Paying an invoice by card\n" in text and "**Pay Now**" in text
    assert "column article: removed 2 NUL" in (root / "imports/whmcs/import-report.md").read_text()
    load_kb(root)
