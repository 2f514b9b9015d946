"""The editor's JSON Schemas: committed, in step with the model, and as strict as the validator."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kbgen.adapters.cli import main
from kbgen.data.kb import FOLDERS, SINGLE_FILES
from kbgen.data.model import KINDS
from kbgen.data.schema import DRAFT, modeline, render, schema_for
from kbgen.data.validation import validate
from kbgen.data.yaml_reader import Document, load_text

ROOT = Path(__file__).resolve().parents[2]


def _kind_of(rel: str) -> str:
    parts = rel.split("/")
    if len(parts) == 1:
        return SINGLE_FILES[parts[0]][0]
    return FOLDERS[parts[0]][0]


def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = schema_for(kind)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _load(text: str, name: str = "test.yml") -> Document:
    doc = load_text(text, name)
    assert isinstance(doc, Document), doc
    return doc


def _data_files() -> list[str]:
    data = ROOT / "data"
    return sorted(p.relative_to(data).as_posix() for p in data.rglob("*.yml")
                  if p.relative_to(data).parts[0] != "translations")  # test_translations_schema


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_committed_schema_matches_the_model(kind: str) -> None:
    committed = ROOT / "schemas" / f"{kind}.schema.json"
    assert committed.is_file(), "run `kbgen schema` and commit schemas/"
    assert committed.read_bytes() == render(kind).encode("utf-8"), (
        f"schemas/{kind}.schema.json is out of date with kbgen/model.py: "
        "run `kbgen schema` and commit the result")


def test_schema_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path), "schema", "--check"]) == 1
    assert "schemas/client.schema.json is out of date" in capsys.readouterr().err
    assert main(["--root", str(tmp_path), "schema"]) == 0
    assert main(["--root", str(tmp_path), "schema", "--check"]) == 0
    path = tmp_path / "schemas" / "article.schema.json"
    path.write_text(path.read_text().replace('"minItems": 1', '"minItems": 2', 1))
    assert main(["--root", str(tmp_path), "schema", "--check"]) == 1
    assert main(["--root", str(tmp_path), "schema"]) == 0
    assert "wrote schemas/article.schema.json" in capsys.readouterr().out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_is_valid_2020_12_and_describes_itself(kind: str) -> None:
    text = render(kind)
    assert text.endswith("}\n") and render(kind) == text  # deterministic
    schema = json.loads(text)
    assert schema["$schema"] == DRAFT
    assert schema["title"].startswith(f"kbgen {kind} file")
    assert schema["description"]
    assert schema["additionalProperties"] is False
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("rel", _data_files())
def test_every_data_file_names_its_schema_and_passes_it(rel: str) -> None:
    kind = _kind_of(rel)
    text = (ROOT / "data" / rel).read_text(encoding="utf-8")
    first = text.splitlines()[0]
    expected = modeline(kind, f"data/{rel}")
    assert first == expected, f"data/{rel} must start with {expected}"
    schema_file = (ROOT / "data" / rel).parent / first.split("$schema=", 1)[1]
    assert schema_file.resolve() == (ROOT / "schemas" / f"{kind}.schema.json").resolve()
    errors = list(_validator(kind).iter_errors(_load(text).data))
    assert not errors, [e.message for e in errors]


# What the validator rejects, the editor must squiggle too. Each case changes a
# valid file the way an author might break it.
def _provider(data: dict[str, Any]) -> None:
    data["colour"] = "blue"  # unknown key


def _provider_port(data: dict[str, Any]) -> None:
    data["servers"]["smtp"]["endpoints"][0]["port"] = 99999  # out of range


def _provider_quoted_port(data: dict[str, Any]) -> None:
    data["servers"]["imap"]["endpoints"][0]["port"] = "993"  # wrong type (quoted)


def _protocol_port_zero(data: dict[str, Any]) -> None:
    data["standard_ports"][0]["port"] = 0


def _protocol_rfc_text(data: dict[str, Any]) -> None:
    data["rfc"] = "RFC 9051"


def _protocol_trait_key(data: dict[str, Any]) -> None:
    data["traits"]["Not A Slug"] = "text"


def _protocol_security(data: dict[str, Any]) -> None:
    data["standard_ports"][0]["security"] = "ssl"


def _article_unknown_block(data: dict[str, Any]) -> None:
    data["body"][0]["type"] = "video"


def _article_block_key(data: dict[str, Any]) -> None:
    data["body"][0]["heading_level"] = 2


def _article_tags_not_list(data: dict[str, Any]) -> None:
    data["tags"] = "ports"


def _article_empty_title(data: dict[str, Any]) -> None:
    data["title"] = ""


def _article_missing_body(data: dict[str, Any]) -> None:
    del data["body"]


def _categories_bad_id(data: dict[str, Any]) -> None:
    data["categories"][0]["id"] = "Email Setup"


def _categories_order_bool(data: dict[str, Any]) -> None:
    data["categories"][0]["order"] = True


def _troubleshooting_unknown(data: dict[str, Any]) -> None:
    data["problems"][0]["solution"] = "text"


def _client_smtp(data: dict[str, Any]) -> None:
    data["protocols"] = ["imap", "smtp"]


def _client_platform(data: dict[str, Any]) -> None:
    data["platform"] = "amiga"


def _client_no_steps(data: dict[str, Any]) -> None:
    data["steps"] = []


REJECTED = [
    ("provider.yml", _provider),
    ("provider.yml", _provider_port),
    ("provider.yml", _provider_quoted_port),
    ("protocols/imap.yml", _protocol_port_zero),
    ("protocols/imap.yml", _protocol_rfc_text),
    ("protocols/imap.yml", _protocol_trait_key),
    ("protocols/imap.yml", _protocol_security),
    ("articles/pop-vs-imap.yml", _article_unknown_block),
    ("articles/pop-vs-imap.yml", _article_block_key),
    ("articles/pop-vs-imap.yml", _article_tags_not_list),
    ("articles/pop-vs-imap.yml", _article_empty_title),
    ("articles/pop-vs-imap.yml", _article_missing_body),
    ("categories.yml", _categories_bad_id),
    ("categories.yml", _categories_order_bool),
    ("troubleshooting.yml", _troubleshooting_unknown),
    ("client", _client_smtp),
    ("client", _client_platform),
    ("client", _client_no_steps),
]


def _starting_point(rel: str) -> tuple[str, Document]:
    if rel == "client":
        # data/clients/ is someone else's; the scaffold's starter is a valid client of our own.
        from kbgen.adapters.scaffold import template

        text = template("client")
        for token, value in {"SCHEMA": "#", "ID": "my-app", "TITLE": "Set up My App",
                             "SUMMARY": "How to.", "CATEGORY": "desktop-clients",
                             "APP": "My App"}.items():
            text = text.replace(f"__{token}__", value)
        return "client", _load(text)
    return _kind_of(rel), _load((ROOT / "data" / rel).read_text(encoding="utf-8"), f"data/{rel}")


@pytest.mark.parametrize(("rel", "breaks"), REJECTED, ids=[b.__name__.lstrip("_") for _, b in REJECTED])
def test_schema_rejects_what_the_validator_rejects(rel: str, breaks: Any) -> None:
    kind, doc = _starting_point(rel)
    cls = KINDS[kind]
    assert validate(doc, cls)[1] == [], "the starting point must be valid"
    assert not list(_validator(kind).iter_errors(doc.data))
    broken = Document(doc.file, copy.deepcopy(doc.data), doc.values, doc.keys)
    breaks(broken.data)
    model, problems = validate(broken, cls)
    assert model is None and problems, "the validator should reject this"
    errors = list(_validator(kind).iter_errors(broken.data))
    assert errors, f"the schema accepts what the validator rejects: {problems}"


def test_schema_accepts_numbers_as_text_like_the_validator() -> None:
    # `written_for: 2021` is text to an author and to kbgen; the editor must not squiggle it.
    kind, doc = _starting_point("client")
    data = copy.deepcopy(doc.data)
    data["written_for"] = 2021
    assert validate(Document("x.yml", data), KINDS[kind])[1] == []
    assert not list(_validator(kind).iter_errors(data))
