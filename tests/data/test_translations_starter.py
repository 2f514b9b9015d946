"""`kbgen new translation`: a starter that names every text, validates, and cannot be
published until each text is written; and the translation schemas editors read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from kbgen.adapters.cli import main
from kbgen.data.data_folder import load_kb
from kbgen.data.schema import TRANSLATION, render, schema_names
from kbgen.data.translations import load_translations, translatable_files, translated
from kbgen.data.yaml_reader import Document, load_text

from ..conftest import ROOT, copy_project

EMPTY = re.compile(r"( *)((?:- )?[a-z0-9_-]+:|-)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" -"))


def _fill_every_field(text: str) -> str:
    """What a translator does: a text after every empty key and list item (a key whose
    next line is indented further holds fields, not a text)."""
    lines = text.split("\n")
    code = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    for n, i in enumerate(code):
        if not EMPTY.fullmatch(lines[i]):
            continue
        after = code[n + 1] if n + 1 < len(code) else None
        if after is None or _indent(lines[after]) <= _indent(lines[i]) or lines[i].endswith("-"):
            lines[i] += " Übersetzt"
    return "\n".join(lines)


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("starter"))
    assert main(["--root", str(root), "new", "translation", "de"]) == 0
    return root


def test_a_starter_for_every_file_names_each_source_text_and_no_fact(started: Path) -> None:
    kb = load_kb(started)
    base = started / "data" / "translations" / "de"
    written = sorted(p.relative_to(base).as_posix() for p in base.rglob("*.yml"))
    assert written == sorted(translatable_files(kb))
    text = (base / "clients" / "thunderbird.yml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../../schemas/"
                           "translation-client.schema.json\n")
    assert "# en: Open the account setup\n  title:\n" in text
    assert "  - problem: port-blocked\n" not in text  # list items at the key's indent
    assert text.count("- problem: port-blocked\n") == 2
    # Facts stay in data/: no port, host, category, order or settings flag is written.
    for fact in ("category:", "order:", "settings:", "protocols:", "related:", "993", "image:",
                 "src:", "updated:", "app:"):
        assert f"\n{fact}" not in text and f" {fact}" not in text.replace("#", "\n#"), fact


def test_a_starter_validates_but_publishes_nothing(started: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    kb = load_kb(started)
    translations = load_translations(started, kb)
    assert translated(kb, translations, "de").translated_pages == frozenset()
    partial = [str(w) for w in translations.warnings if "partly translated" in str(w)]
    assert len(partial) == len(translatable_files(kb))
    assert main(["--root", str(started), "validate"]) == 0
    assert "kbgen: de: 0 of 19 pages translated" in capsys.readouterr().out


def test_a_starter_filled_in_is_complete(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    assert main(["--root", str(root), "new", "translation", "de"]) == 0
    for path in (root / "data" / "translations" / "de").rglob("*.yml"):
        path.write_text(_fill_every_field(path.read_text(encoding="utf-8")), encoding="utf-8")
    kb = load_kb(root)
    translations = load_translations(root, kb)
    # "Übersetzt" drops the source's placeholders, which is a warning of its own, not incompleteness.
    assert [w for w in translations.warnings if "leaves out" not in w.message] == []
    de = translated(kb, translations, "de")
    assert de.translated_pages == frozenset([*kb.categories, *kb.entries])
    assert {e.title for e in de.entries.values()} == {"Übersetzt"}


def test_new_translation_refuses_what_it_cannot_write(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path)
    assert main(["--root", str(root), "new", "translation", "de", "thunderbird"]) == 0
    assert capsys.readouterr().out.startswith(
        "kbgen: wrote data/translations/de/clients/thunderbird.yml\n")
    assert main(["--root", str(root), "new", "translation", "de", "clients/thunderbird"]) == 1
    assert "already exists; kbgen new never overwrites" in capsys.readouterr().err
    assert main(["--root", str(root), "new", "translation", "de", "thunderbrid"]) == 1
    assert "there is no 'thunderbrid' to translate in data/" in capsys.readouterr().err
    assert main(["--root", str(root), "new", "translation", "en", "provider"]) == 1
    assert capsys.readouterr().err == (
        "kbgen: 'en' is the default language, whose texts are data/ itself; move what is new "
        "here into data/, and remove the folder\n")


@pytest.mark.parametrize("name", [n for n in schema_names() if n.startswith(TRANSLATION)])
def test_translation_schemas_are_committed_and_current(name: str) -> None:
    committed = ROOT / "schemas" / f"{name}.schema.json"
    assert committed.is_file(), "run `kbgen schema` and commit schemas/"
    assert committed.read_text(encoding="utf-8") == render(name)
    jsonschema.Draft202012Validator.check_schema(json.loads(render(name)))


def _doc(path: Path) -> Document:
    doc = load_text(path.read_text(encoding="utf-8"), path.name)
    assert isinstance(doc, Document), doc
    return doc


def _schema_of(path: Path, root: Path) -> dict[str, object]:
    """The schema the file's first line names, read from the repository's schemas/."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    named = (path.parent / first.split("$schema=", 1)[1]).resolve()
    schema_file = ROOT / named.relative_to(root.resolve())
    assert schema_file.parent == ROOT / "schemas", first
    return json.loads(schema_file.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_starters_and_the_example_translations_pass_their_schemas(started: Path) -> None:
    """Editors check data/translations/ with the schema each file names: the project's own
    translations and every starter pass, and the validator's errors are squiggled too."""
    files = [*((ROOT, p) for p in sorted((ROOT / "data" / "translations").rglob("*.yml"))),
             *((started, p) for p in sorted((started / "data" / "translations").rglob("*.yml")))]
    assert len(files) >= 19
    for root, path in files:
        errors = list(jsonschema.Draft202012Validator(_schema_of(path, root)).iter_errors(
            _doc(path).data))
        assert not errors, (path, [e.message for e in errors])
    guide = started / "data" / "translations" / "de" / "clients" / "thunderbird.yml"
    data = _doc(guide).data
    data["steps"][0]["settings"] = True  # a fact: the validator refuses it, so must the editor
    assert list(jsonschema.Draft202012Validator(_schema_of(guide, started)).iter_errors(data))
