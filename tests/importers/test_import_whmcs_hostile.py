"""`kbgen import whmcs` on hostile or extreme input: it stops with a message naming the row, or
imports with a warning; never a traceback, a hang, a half-written data/ or a broken build."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbgen.adapters.cli import main
from kbgen.content.text import markdown_html
from kbgen.data.data_folder import load_kb
from kbgen.importers.html_markdown import convert

from ..conftest import ROOT, copy_project

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


# ------------------------------------------------------------- links and text

HOSTILE = ("<p>Read <a href=\"https://ok.example/&quot;t&quot;)<img src=x onerror=alert(1)>\">this</a>, "
           "<a href=\"https://wiki.example/Port_(computer)\">ports [1]</a>, "
           "<a href=\"https://ok.example/a b\">a space</a> and <a href=\"javascript:alert(2)\">that</a>.</p>"
           "<p>[x](javascript:alert(3)) ![y](https://img.example/y.png) &lt;https://auto.example/&gt; "
           "`code` *not em*<br># not a heading<br>1. not a list<br>&gt; not a quote</p>")


def _hostile_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    dump = _variant(tmp_path, CARD, "'<p>Intro.</p>" + HOSTILE.replace("'", "\\'"))
    root = copy_project(tmp_path / "project")
    assert _import(root, dump) == 0
    return root, capsys.readouterr().err


def test_link_targets_and_text_are_written_escaped(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root, err = _hostile_import(tmp_path, capsys)
    text = (root / CARD_FILE).read_text(encoding="utf-8")
    assert "<img" not in text and "onerror=alert(1)>" not in text
    assert "[this](<https://ok.example/%22t%22)%3Cimg%20src=x%20onerror=alert(1)%3E>)" in text
    assert "[ports \\[1\\]](<https://wiki.example/Port_(computer)>)" in text
    assert "[a space](<https://ok.example/a%20b>)" in text
    assert "and that." in text and "alert(2)" not in text
    assert ("\\[x\\](javascript:alert(3)) !\\[y\\](https://img.example/y.png) "
            "&lt;https://auto.example/>") in text
    assert " \\`code\\` \\*not em\\*<br>\n" in text
    for line in ("\\# not a heading<br>", "1\\. not a list<br>", "\\> not a quote"):
        assert f"\n      {line}\n" in text, line  # each at the start of a line of the block
    assert (f"kbgen: warning: {CARD_FILE}: WHMCS article 33 links to 'javascript:alert(2)'; only http, "
            "https, mailto and relative links are kept, so it is text only") in err, err


def test_imported_links_and_text_render_as_the_old_page_showed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, _err = _hostile_import(tmp_path, capsys)
    kb = load_kb(root)
    entry = kb.entries["paying-an-invoice-by-card"]
    html = "".join(markdown_html(block.markdown, {}) for block in entry.body)  # type: ignore[union-attr]
    links = re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', html)
    assert links == [("https://ok.example/%22t%22)%3Cimg%20src=x%20onerror=alert(1)%3E", "this"),
                     ("https://wiki.example/Port_(computer)", "ports [1]"),
                     ("https://ok.example/a%20b", "a space")]
    assert "<img" not in html and "<code>" not in html and "<em>" not in html and "<h" not in html
    assert "<ol>" not in html and "<blockquote>" not in html
    assert ("[x](javascript:alert(3)) ![y](https://img.example/y.png) &lt;https://auto.example/&gt; "
            "`code` *not em*<br>\n# not a heading<br>\n1. not a list<br>\n&gt; not a quote") in html


# ------------------------------------------------------------- a killed import


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_killed_import_leaves_data_old_or_new_and_the_next_run_sweeps_it(tmp_path: Path) -> None:
    reference = copy_project(tmp_path / "reference")
    assert _kbgen(reference, "import", "whmcs", "--dump", str(FIXTURE)).returncode == 0
    after = _tree(reference / "data")
    root = copy_project(tmp_path / "project")
    before = _tree(root / "data")
    assert before != after
    command = [sys.executable, "-m", "kbgen.adapters.cli", "--root", str(root), "import", "whmcs",
               "--dump", str(FIXTURE)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed_while_staging = 0
    for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while process.poll() is None and not list(root.glob(".kbgen-import-*")):
            assert time.monotonic() < deadline, "the import never started staging"
            time.sleep(0.002)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_while_staging += 1
        process.wait()
        assert _tree(root / "data") in (before, after), f"data/ is half imported after a kill at +{delay}s"
    assert killed_while_staging
    result = _kbgen(root, "import", "whmcs", "--dump", str(FIXTURE))
    assert result.returncode == 0, result.stderr
    assert not list(root.glob(".kbgen-import-*")), "the staging folders of killed imports were not swept"
    assert _tree(root / "data") == after
    report = "imports/whmcs/import-report.md"
    assert (root / report).read_bytes() == (reference / report).read_bytes()


# ------------------------------------------------------------- a second run


def test_a_second_identical_import_leaves_the_report_and_data_byte_identical(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Not a setup guide, but about an app a generated guide is for: a "might be" line.
    dump = _variant(tmp_path, "(33,'Paying an invoice by card'",
                    "(33,'Thunderbird keeps asking for my password'")
    root = copy_project(tmp_path / "project")
    assert _import(root, dump) == 0
    first = (_tree(root / "data"), _tree(root / "imports"))
    assert "article 33 'Thunderbird keeps asking for my password' might be about the same as thunderbird" \
        in (root / "imports/whmcs/import-report.md").read_text()
    assert _import(root, dump) == 0
    assert (_tree(root / "data"), _tree(root / "imports")) == first
    assert "0 file(s) written" in capsys.readouterr().out.splitlines()[-1]


# ------------------------------------------------------- which generated guide


def test_a_title_that_names_an_app_as_the_data_knows_it_goes_to_that_guide(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"Windows Email" is not Outlook: data/clients/windows-mail.yml lists it in also_known_as."""
    dump = _variant(tmp_path, "(33,'Paying an invoice by card'", "(33,'How to Setup Windows Email on a PC?'")
    root = copy_project(tmp_path / "project")
    assert _import(root, dump) == 0
    report = (root / "imports/whmcs/import-report.md").read_text(encoding="utf-8")
    assert ("| 33 | How to Setup Windows Email on a PC? | duplicate | `data/clients/windows-mail.yml` | "
            "a setup guide for Mail and Calendar for Windows") in report, report
    assert "legacy:\n  ids: [16, 33]" in (root / "data/clients/windows-mail.yml").read_text(encoding="utf-8")
