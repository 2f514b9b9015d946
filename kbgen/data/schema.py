"""JSON Schemas for editors, generated from the same models the validator uses.

Each kind of data file gets ``schemas/<kind>.schema.json``. The data files name
theirs on their first line (``# yaml-language-server: $schema=…``), so VS Code's
YAML extension (and any editor using the YAML language server) offers
completion, hover help and red squiggles while an author types.

The schemas are committed; ``kbgen schema --check`` and a test fail when they
drift from the models. Output is deterministic (sorted keys, two-space indent,
trailing newline) so that a regenerated file only differs when the model does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from . import model
from .model import KINDS
from .translations_models import WORDS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = "schemas"

# Where each kind lives and what it is, for the schema's title and description
# (an editor shows them when hovering over the top of the file).
ABOUT: dict[str, tuple[str, str]] = {
    "provider": ("data/provider.yml",
                 "The provider: brand, support contacts, and every server host, port and "
                 "security mode shown anywhere in the help center."),
    "protocol": ("data/protocols/<id>.yml",
                 "One mail protocol (imap, pop3 or smtp): what it does, its standard ports, "
                 "strengths, limits and traits compared side by side."),
    "categories": ("data/categories.yml",
                   "The help center's sections; a category without a parent is a top-level section."),
    "article": ("data/articles/<id>.yml",
                "A help article built from blocks: text, protocol overviews, comparisons, "
                "port tables, the settings table and troubleshooting lists."),
    "client": ("data/clients/<id>.yml",
               "A step-by-step setup guide for one mail app; one step shows the settings table."),
    "troubleshooting": ("data/troubleshooting.yml",
                        "The problems customers run into, with their causes and fixes."),
}


class _EditorSchema(GenerateJsonSchema):
    """Pydantic's generator, taught the two things the validator accepts beyond the types."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        inner = super().function_before_schema(schema)
        function = schema.get("function", {}).get("function")
        # Text and Markdown fields accept a bare number ("written_for: 2021") as text;
        # an editor that squiggled those would cry wolf on valid data.
        if function is model._number_as_text and inner.get("type") == "string":
            inner = {**inner, "type": ["string", "number"]}
        return inner

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        out = super().dict_schema(schema)
        # Keys with a pattern (trait ids) come out as patternProperties, which on their
        # own let any other key through; the validator refuses those keys, so must we.
        if "patternProperties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out


TRANSLATION = "translation-"
"""Prefix of a translation kind's schema: schemas/translation-client.schema.json is for
data/translations/<lang>/clients/<id>.yml (kbgen.data.translations_models)."""


def _translation_about(kind: str) -> tuple[str, str]:
    where = ABOUT[kind][0].removeprefix("data/")
    return (f"data/translations/<lang>/{where}",
            f"The words of data/{where} in one language: only its texts, in the same shape; "
            "lists of steps, blocks, categories and problems are matched by their key or id. "
            "Every fact (ports, hosts, ids, order, relations) comes from the source file.")


def schema_names() -> list[str]:
    """Every schema kbgen writes: one per kind of data file, one per kind of translation."""
    return [*KINDS, *(f"{TRANSLATION}{kind}" for kind in WORDS)]


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one kind of data file (or of translation file:
    ``translation-<kind>``)."""
    source = kind.removeprefix(TRANSLATION)
    cls = KINDS[kind] if kind == source else WORDS[source]
    schema = cls.model_json_schema(mode="validation", schema_generator=_EditorSchema)
    where, what = ABOUT[kind] if kind == source else _translation_about(source)
    schema["$schema"] = DRAFT
    schema["title"] = f"kbgen {kind} file ({where})"
    schema["description"] = what
    return schema


def render(kind: str) -> str:
    """The exact text of ``schemas/<kind>.schema.json``."""
    return json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_path(root: Path, kind: str) -> Path:
    return root / SCHEMA_DIR / f"{kind}.schema.json"


def write_schemas(root: Path) -> list[Path]:
    """Write every schema under ``root/schemas``; return the files that changed."""
    changed = []
    for kind in schema_names():
        path = schema_path(root, kind)
        text = render(kind)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def stale_schemas(root: Path) -> list[Path]:
    """Schema files that are missing or differ from what the models generate."""
    return [schema_path(root, kind) for kind in schema_names()
            if not schema_path(root, kind).is_file()
            or schema_path(root, kind).read_bytes() != render(kind).encode("utf-8")]


def modeline(kind: str, data_file: str) -> str:
    """The first line that points a data file (relative to the project) at its schema."""
    depth = data_file.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_DIR}/{kind}.schema.json"
