"""`kbgen import whmcs`: reading a dump, converting WYSIWYG HTML, and every bad input's message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbgen.adapters.cli import main
from kbgen.content.text import markdown_html
from kbgen.data.data_folder import load_kb
from kbgen.importers.html_markdown import convert
from kbgen.importers.whmcs_plan import kb_slug
from kbgen.importers.whmcs_source import read_dump

from ..conftest import ROOT, copy_project

FIXTURE = ROOT / "tests" / "fixtures" / "whmcs" / "kb.sql"


def _import(root: Path, *args: str) -> int:
    return main(["--root", str(root), "import", "whmcs", *args])


def _dump_variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path = tmp_path / "variant.sql"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the dump


def test_the_fixture_dump_is_read_through_sqlglot_and_sqlite() -> None:
    source = read_dump(FIXTURE)
    tables = source.tables
    assert [len(tables[t]) for t in ("tblknowledgebase", "tblknowledgebasecats",
                                     "tblknowledgebaselinks", "tblknowledgebasetags")] == [33, 13, 33, 19]
    article = next(r for r in tables["tblknowledgebase"] if r["id"] == 26)
    assert article["title"] == "I can't send email: 'Relay access denied'"  # \' unescaped
    assert article["views"] == 5400 and isinstance(article["views"], int)
    assert "\r\n" in next(r for r in tables["tblknowledgebase"] if r["id"] == 20)["article"]
    assert next(r for r in tables["tblknowledgebasecats"] if r["id"] == 13)["name"] == "E-Mail"


def test_a_latin1_dump_is_read_in_its_own_character_set(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("SET NAMES utf8mb4", "SET NAMES latin1")
    path = tmp_path / "latin1.sql"
    path.write_bytes(text.replace("Café Wi‑Fi", "Café WiFi").encode("cp1252"))
    titles = {r["id"]: r["title"] for r in read_dump(path).tables["tblknowledgebase"]}
    assert titles[44] == "Café WiFi: is my email safe?"


# ------------------------------------------------------------ HTML → Markdown


WYSIWYG = """<h1>Setup</h1><p style="color:red">Use <b>IMAP</b> &amp; more
&lt;script&gt;alert(1)&lt;/script&gt;
{{ imap.host }}.<br />Next line a_b</p><script>alert("x")</script>
<ul><li>One<ul><li>Nested</li></ul></li><li>Two</li></ul>
<table style="width:100%"><tr><td>Setting</td><td>Value</td></tr>
<tr><td>Port | x</td><td>993<br>or 143</td></tr></table>
<p onclick="alert(1)"><a href="javascript:alert(1)">bad</a> <img src="/i/shot.png" alt="The window"></p>"""


def test_wysiwyg_html_becomes_markdown_that_renders_the_same_without_scripts() -> None:
    result = convert(WYSIWYG, lambda href: None if href.startswith("javascript") else "https://old" + href)
    # The body's top heading starts a section (a text block's own heading): kbgen's sanitiser
    # keeps no heading tags inside Markdown, and the page title stays the only h1.
    ((heading, markdown),) = result.sections
    assert heading == "Setup"
    html = markdown_html(markdown, {})
    assert "&amp; more\n&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, as before
    assert "{{ imap.host }}" in html  # not a placeholder
    assert "<br>\nNext line a_b" in html
    assert re.search(r"<li>One<ul>\s*<li>Nested</li>\s*</ul>\s*</li>\s*<li>Two</li>", html)
    assert "<td>Port | x</td>" in html and "<td>993<br>or 143</td>" in html
    assert "<th>Setting</th>" in html
    assert "alert" not in html.replace("alert(1)&lt;", "")  # no script, handler or js: link survived
    assert '<a href="https://old/i/shot.png" rel="noopener">Picture: The window</a>' in html
    assert [(p.src, p.alt) for p in result.pictures] == [("/i/shot.png", "The window")]
    assert result.removed == ["script"] and result.dropped_links == ["javascript:alert(1)"]
    assert result.summary == "Use IMAP & more <script>alert(1)</script> {{ imap.host }}."


def test_broken_html_is_converted_and_its_repairs_are_named() -> None:
    result = convert("<div><p>Sign <strong>out</span> now.<div><table><tr><td>x", lambda h: h)
    assert result.markdown.startswith("Sign **out now.")
    assert result.sections[0][1] == result.markdown
    assert result.repairs == ["</span> without <span>", "<div> never closed", "<strong> never closed",
                              "<table> never closed"]


def test_ids_are_made_from_titles() -> None:
    assert kb_slug("Café Wi‑Fi: is my email safe?") == "cafe-wifi-is-my-email-safe"
    assert kb_slug("I can't send email: 'Relay access denied'") == "i-can-t-send-email-relay-access-denied"
    assert kb_slug("???") == ""
    assert len(kb_slug("word " * 40)) <= 64 and not kb_slug("word " * 40).endswith("-")


# ---------------------------------------------------- bad input: clear errors


BAD = {
    "not-whmcs": ("CREATE TABLE `tblclients` (`id` int);\nINSERT INTO `tblclients` VALUES (1);\n",
                  "variant.sql: this dump holds no WHMCS knowledge base (no tblknowledgebase table)"),
    "not-sql": ("\x00\x01PNG garbage ((( '", "variant.sql: the dump is not valid MySQL"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_file_that_is_not_a_whmcs_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         case: str) -> None:
    text, expected = BAD[case]
    (tmp_path / "variant.sql").write_text(text, encoding="utf-8")
    root = copy_project(tmp_path / "project")
    assert _import(root, "--dump", str(tmp_path / "variant.sql")) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err and "nothing was imported; data/ was left as it was" in err


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("CREATE TABLE `tblknowledgebasetags`", "CREATE TABLE `tblknowledgebasetagz`",
     "variant.sql: the dump inserts rows into tblknowledgebasetags before creating it"),
    ("SET NAMES utf8mb4", "SET NAMES swe7",
     "variant.sql: the dump is in the character set 'swe7', which kbgen cannot read (known: "),
    ("INSERT INTO `tblknowledgebasecats` VALUES (", "INSERT INTO `tblknowledgebasecats` VALUES "
     "(5,0,'Email again','','',0,''),(", "tblknowledgebasecats has two rows with id 5"),
    ("INSERT INTO `tblknowledgebasecats` VALUES (", "INSERT INTO `tblknowledgebasecats` VALUES "
     "(50,0,'Short row'),(", "cannot read the rows of tblknowledgebasecats: all VALUES must have the "
     "same number of terms"),
    ("(26,'I can\\'t send email", "(26,'I can\\'t send email", ""),
])
def test_damaged_dumps_get_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str,
                                         new: str, expected: str) -> None:
    if not expected:  # an unterminated string: the SQL itself is broken
        text = FIXTURE.read_text(encoding="utf-8")
        cut = text.index(old) + len(old)
        (tmp_path / "variant.sql").write_text(text[:cut], encoding="utf-8")
        path, expected = tmp_path / "variant.sql", "variant.sql: the dump is not valid MySQL"
    else:
        path = _dump_variant(tmp_path, old, new)
    root = copy_project(tmp_path / "project")
    assert _import(root, "--dump", str(path)) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err


def test_missing_tables_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    start = text.index("--\n-- Table structure for table `tblknowledgebasetags`")
    end = text.index("UNLOCK TABLES;", start) + len("UNLOCK TABLES;")
    path = tmp_path / "variant.sql"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    root = copy_project(tmp_path / "project")
    assert _import(root, "--dump", str(path)) == 1
    assert "variant.sql: the dump is missing the table(s) tblknowledgebasetags (dump the " \
        "knowledge-base tables with: mysqldump" in capsys.readouterr().err


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("(9,5,20)", "(9,99,20)",
     "article 20 'How to create an email account in cPanel' is linked to category 99, which is not "
     "in tblknowledgebasecats (move the article to a category in WHMCS, or delete that row of "
     "tblknowledgebaselinks)"),
    ("(21,'How to change your email password'", "(20,'How to change your email password'",
     "tblknowledgebase has two rows with id 20 (ids must be unique; remove the duplicate row in WHMCS)"),
    ("(33,'Paying an invoice by card'", "(33,'???'",
     "tblknowledgebase id 33: the title '???' has no letters or digits to make an id from (give the "
     "article a title in WHMCS)"),
    ("(8,7,'DNS'", "(8,7,'***'",
     "tblknowledgebasecats id 8: the name '***' has no letters or digits to make a category id from"),
    ("(3,2,'Mobile Devices'", "(3,77,'Mobile Devices'",
     "category 3 'Mobile Devices' has the parent 77, which is not in tblknowledgebasecats"),
    ("(2,1,'Email Clients'", "(2,3,'Email Clients'", "the parents of category"),
])
def test_bad_rows_get_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str,
                                    new: str, expected: str) -> None:
    path = _dump_variant(tmp_path, old, new)
    root = copy_project(tmp_path / "project")
    before = {p: p.read_bytes() for p in (root / "data").rglob("*.yml")}
    assert _import(root, "--dump", str(path)) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert {p: p.read_bytes() for p in (root / "data").rglob("*.yml")} == before
    assert not (root / "imports").exists()


def test_bytes_that_are_not_the_declared_character_set(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    raw = FIXTURE.read_bytes().replace("Café Wi‑Fi".encode(), b"Caf\xe9 WiFi")
    (tmp_path / "variant.sql").write_bytes(raw)
    root = copy_project(tmp_path / "project")
    assert _import(root, "--dump", str(tmp_path / "variant.sql")) == 1
    err = capsys.readouterr().err
    line = raw[: raw.index(b"Caf\xe9")].count(b"\n") + 1
    assert re.search(rf"variant\.sql:{line}:\d+: byte 0xe9 is not valid utf8mb4, the character set "
                     "the dump declares", err), err


def test_a_missing_dump_and_a_bad_database_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    assert _import(root, "--dump", str(tmp_path / "nope.sql")) == 1
    assert "nope.sql: cannot read the dump: No such file or directory" in capsys.readouterr().err
    assert _import(root, "--db", "postgres://u@h/db") == 1
    assert "'postgres://u@h/db' is not a database URL" in capsys.readouterr().err
    assert _import(root, "--db", "mysql://u:p/w@h/db") == 1  # an unescaped '/' in the password
    assert "has an invalid port (write a number after the ':')" in capsys.readouterr().err
    socket = tmp_path / "no.sock"
    assert _import(root, "--db", f"mysql://kb:secret@localhost/whmcs?unix_socket={socket}") == 1
    err = capsys.readouterr().err
    assert "cannot connect to mysql://kb@localhost/whmcs:" in err and "secret" not in err


def test_invalid_project_data_stops_the_import_first(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    (root / "data" / "articles" / "broken.yml").write_text("id: [\n", encoding="utf-8")
    assert _import(root, "--dump", str(FIXTURE)) == 1
    err = capsys.readouterr().err
    assert "data/articles/broken.yml:" in err and "nothing was imported" in err


def test_an_import_that_would_not_validate_leaves_data_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing article already claims WHMCS category 2's old address: the imported category
    would claim it too. Validation of the staged result catches it; data/ is left as it was."""
    root = copy_project(tmp_path / "project")
    path = root / "data" / "articles" / "server-settings.yml"
    text = path.read_text(encoding="utf-8")
    claim = "legacy:\n  urls: [/knowledgebase/2/Email-Clients]\n"
    path.write_text(text.replace("related: [pop-vs-imap]\n", "related: [pop-vs-imap]\n" + claim),
                    encoding="utf-8")
    load_kb(root)  # valid before the import
    before = {p: p.read_bytes() for p in (root / "data").rglob("*.yml")}
    assert _import(root, "--dump", str(FIXTURE)) == 1
    err = capsys.readouterr().err
    assert re.search(r"data/categories\.yml:\d+:\d+: categories\[\d+\]\.legacy_urls\[0\]: the old URL "
                     r"/knowledgebase/2/Email-Clients is already claimed by server-settings", err), err
    assert "the data would not be valid after the import; nothing was imported" in err
    assert {p: p.read_bytes() for p in (root / "data").rglob("*.yml")} == before
    assert not (root / "imports").exists()
    assert not list(root.glob(".kbgen-import-*"))


def test_keep_duplicates_imports_them_as_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    samsung = (root / "data/clients/samsung-email.yml").read_bytes()
    assert _import(root, "--dump", str(FIXTURE), "--keep-duplicates") == 0
    assert (root / "data/clients/samsung-email.yml").read_bytes() == samsung
    copy = (root / "data/articles/setting-up-samsung-email-on-galaxy-phones.yml").read_text(encoding="utf-8")
    assert "legacy:\n  ids: [18]\n" in copy and "category: mobile-devices\n" in copy
    assert (root / "data/articles/mail-server-settings.yml").is_file()
    assert "20 articles" not in capsys.readouterr().out
    load_kb(root)


def test_the_summary_is_the_first_sentence_and_the_body_does_not_repeat_it() -> None:
    result = convert("<h2>Steps</h2><p>In cPanel, open <b>Email Accounts</b>, then <i>Manage</i>.</p>",
                     lambda h: h)
    assert result.summary == "In cPanel, open Email Accounts, then Manage."  # no space before ','
    result = convert("<p>You can create mailboxes.&nbsp;Log in to cPanel first.</p><ol><li>Open it</li></ol>",
                     lambda h: h)
    assert result.summary == "You can create mailboxes."
    assert result.sections == [(None, "Log in to cPanel first.\n\n1. Open it\n")]  # shown once, as the lead
    assert convert("<p>Only this.</p>", lambda h: h).sections == [(None, "Only this.\n")]
    # A paragraph that introduces a list or table: the summary stops with it.
    result = convert("<p>Set these\nnameservers:</p><ul><li>ns1.example.net</li></ul><p>Wait. Then.</p>",
                     lambda h: h)
    assert result.summary == "Set these nameservers."
