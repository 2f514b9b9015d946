"""`kbgen import whmcs` on hostile or extreme input: it stops with a message naming the row, or
imports with a warning; never a traceback, a hang, a half-written data/ or a broken build."""

from __future__ import annotations

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
