"""`kbgen new`: every starter file validates and builds as it is, and nothing is overwritten."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from kbgen.adapters.cli import main
from kbgen.adapters.scaffold import yaml_text
from kbgen.data.schema import schema_for
from kbgen.data.yaml_reader import Document, load_file

from ..conftest import copy_project, mkdocs_build

NEW_ENTRIES = [
    ["client", "foo"],
    ["article", "bar"],
    ["category", "baz"],
    ["category", "qux", "--parent", "email", "--title", "Qux: the sequel"],
    ["client", "mobile-foo", "--category", "mobile-clients", "--title", "Foo on your phone"],
]


def kbgen(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def _problems(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    capsys.readouterr()
    status = kbgen(root, "validate", "--format", "json")
    return status, json.loads(capsys.readouterr().out)


def _assert_matches_schema(path: Path, kind: str) -> None:
    doc = load_file(path, path.name)
    assert isinstance(doc, Document), doc
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first.split("=", 1)[1]).name == f"{kind}.schema.json"
    errors = list(jsonschema.Draft202012Validator(schema_for(kind)).iter_errors(doc.data))
    assert not errors, [e.message for e in errors]


@pytest.mark.slow
def test_new_entries_validate_and_build_in_the_example(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    for args in NEW_ENTRIES:
        assert kbgen(root, "new", *args) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "wrote data/clients/foo.yml" in out
    assert "added 'baz' at the end of data/categories.yml" in out

    status, problems = _problems(root, capsys)
    assert status == 0
    ours = {"data/clients/foo.yml", "data/clients/mobile-foo.yml", "data/articles/bar.yml",
            "data/categories.yml"}
    assert [p for p in problems if p["file"] in ours] == [], "starter files must not warn"
    _assert_matches_schema(root / "data/clients/foo.yml", "client")
    _assert_matches_schema(root / "data/articles/bar.yml", "article")
    _assert_matches_schema(root / "data/categories.yml", "categories")

    result = mkdocs_build(root, root / "site")
    assert result.returncode == 0, result.stderr
    foo = next((root / "site").rglob("foo/index.html")).read_text(encoding="utf-8")
    assert "Set up email in Foo" in foo
    assert "{{" not in foo, "every placeholder in the starter must resolve"
    assert not re.search(r"__[A-Z_]+__", foo), "every template token must be filled"
    assert any((root / "site").rglob("bar/index.html"))
    assert any((root / "site").rglob("baz/index.html"))
    assert "Qux: the sequel" in next((root / "site").rglob("qux/index.html")).read_text("utf-8")


@pytest.mark.slow
def test_a_whole_project_from_starters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    shutil.rmtree(root / "data")
    for args in (["provider"], ["categories"], ["troubleshooting"], ["protocol", "imap"],
                 ["protocol", "pop3"], ["protocol", "smtp"], ["article", "first-steps"],
                 ["client", "my-app"], ["category", "extra", "--parent", "email"]):
        assert kbgen(root, "new", *args) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert kbgen(root, "validate", "--strict") == 0, capsys.readouterr().err
    for rel, kind in (("provider.yml", "provider"), ("categories.yml", "categories"),
                      ("troubleshooting.yml", "troubleshooting"), ("protocols/smtp.yml", "protocol"),
                      ("articles/first-steps.yml", "article"), ("clients/my-app.yml", "client")):
        _assert_matches_schema(root / "data" / rel, kind)
    result = mkdocs_build(root, root / "site")
    assert result.returncode == 0, result.stderr


def test_a_new_protocol_gets_the_traits_comparisons_need(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    (root / "data/protocols/pop3.yml").unlink()
    assert kbgen(root, "new", "protocol", "pop3") == 0
    text = (root / "data/protocols/pop3.yml").read_text(encoding="utf-8")
    assert "  devices: Describe how POP3 handles this." in text
    status, problems = _problems(root, capsys)
    assert status == 0
    assert [p for p in problems if p["file"] == "data/protocols/pop3.yml"] == []


@pytest.mark.parametrize("args", [
    ["client", "thunderbird-new"], ["article", "pop-vs-imap"], ["protocol", "imap"],
    ["provider"], ["categories"], ["troubleshooting"],
])
def test_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    root = copy_project(tmp_path / "project")
    if args[0] == "client":
        assert kbgen(root, "new", *args) == 0
    paths = sorted((root / "data").rglob("*.yml"))
    before = {p: p.read_bytes() for p in paths}
    capsys.readouterr()
    assert kbgen(root, "new", *args) == 1
    err = capsys.readouterr().err
    assert "already exists; kbgen new never overwrites" in err
    assert {p: p.read_bytes() for p in sorted((root / "data").rglob("*.yml"))} == before


@pytest.mark.parametrize(("args", "message"), [
    (["client", "Thunder_Bird"], "'Thunder_Bird' cannot be an id: use lowercase letters"),
    (["article"], "say which article to create: kbgen new article <id>"),
    (["protocol", "jmap"], "'jmap' is not a protocol kbgen knows; use one of imap, pop3, smtp"),
    (["provider", "acme"], "there is only one provider.yml; run `kbgen new provider` without an id"),
    (["client", "email"], "'email' is already a category id"),
    (["category", "protocols"], "'protocols' is already a category id"),
    (["article", "server-settings-2", "--category", "nowhere"], "there is no category 'nowhere'"),
    (["category", "sub", "--parent", "nowhere"], "there is no category 'nowhere' to put 'sub' under"),
])
def test_refuses_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      args: list[str], message: str) -> None:
    root = copy_project(tmp_path / "project")
    before = {p: p.read_bytes() for p in (root / "data").rglob("*.yml")}
    assert kbgen(root, "new", *args) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert {p: p.read_bytes() for p in (root / "data").rglob("*.yml")} == before


def test_article_and_client_ids_are_one_namespace(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    assert kbgen(root, "new", "client", "pop-vs-imap") == 1
    assert "data/articles/pop-vs-imap.yml already uses the id 'pop-vs-imap'" in capsys.readouterr().err


def test_category_is_not_appended_when_the_list_is_not_last(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    original = "categories:\n    - id: email\n      title: Email\n      description: Mail.\n"
    (data / "categories.yml").write_text(original)
    assert kbgen(tmp_path, "new", "category", "web") == 0
    doc = load_file(data / "categories.yml", "categories.yml")
    assert isinstance(doc, Document)
    assert [c["id"] for c in doc.data["categories"]] == ["email", "web"]

    odd = "categories: [{id: email, title: Email, description: Mail.}]\n"
    (data / "categories.yml").write_text(odd)
    assert kbgen(tmp_path, "new", "category", "web") == 1
    assert "add these lines at the end of its list by hand" in capsys.readouterr().err
    assert (data / "categories.yml").read_text() == odd


@pytest.mark.parametrize(("text", "expected"), [
    ("Set up email in Foo", "Set up email in Foo"),
    ("Qux: the sequel", '"Qux: the sequel"'),
    ("yes", '"yes"'),
    ("2021", '"2021"'),
    ("1and1", "1and1"),
    ("# not a comment", '"# not a comment"'),
])
def test_yaml_text_quotes_only_when_needed(text: str, expected: str) -> None:
    assert yaml_text(text) == expected


ROUND_TRIP = ["0x1F", "0o17", "0b101", "1_000", "007", "2021", "1.5", "yes", "NO", "~",
              "Line\u2028separator", "Para\u2029graph", "Tab\there", 'Quote " and \\ backslash',
              "Qux: the sequel", "# hash", "- dash", "é ü 中文 🙂", "trailing space ", "@at", "`tick`",
              "%percent", "!bang", "&amp", "*star", "{brace}", "[bracket]", "a: b", "a #b"]


@pytest.mark.parametrize("title", ROUND_TRIP)
def test_any_title_reads_back_through_kbgens_own_loader(title: str, tmp_path: Path) -> None:
    from kbgen.data.yaml_reader import Document, load_text

    loaded = load_text(f"title: {yaml_text(title)}\n", "x.yml")
    assert isinstance(loaded, Document), loaded
    assert loaded.data["title"] == title


@pytest.mark.parametrize("title", ["Next\x85line", "Bell\x07", "Rtl\u202eoverride", "Zero\u200bwidth",
                                   "\ufffe"])
def test_a_title_no_page_can_show_is_refused_before_writing(
        title: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kbgen(tmp_path, "new", "article", "odd", "--title", title) == 1
    err = capsys.readouterr().err
    assert "the title holds the character U+" in err and "Traceback" not in err
    assert not (tmp_path / "data" / "articles" / "odd.yml").exists()
