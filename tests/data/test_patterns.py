"""A pattern that guards a value matches all of it, line breaks included.

In Python's ``re``, ``$`` also matches just before a final newline, so
``re.match(r"^[a-z]+$", "abc\\n")`` succeeds: an SPF record with a line break passed
the checks and broke the zone file (issue 26). kbgen's own patterns therefore use
``fullmatch`` or ``\\Z``. The patterns of the data models are pydantic's, run by
Rust's regex crate, and are also the JSON Schemas' patterns (ECMA-262) that
editors run: in both, ``$`` is the end of the text, which the last test checks.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Annotated

import pytest
from mkdocs.config.base import ValidationError
from pydantic import Field, TypeAdapter
from pydantic import ValidationError as PydanticError

from kbgen.adapters.plugin_config import FormName

from ..conftest import ROOT

PACKAGE = ROOT / "kbgen"
_RE_CALLS = {"compile", "match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def _end_anchor(pattern: str) -> bool:
    """Whether ``pattern`` has a ``$`` that is an anchor (not escaped, not in a [class])."""
    bare = re.sub(r"\\.", "", pattern)  # escapes, \$ among them
    bare = re.sub(r"\[\^?\]?[^\]]*\]", "", bare)  # character classes
    return "$" in bare


def _multiline(call: ast.Call) -> bool:
    flags = [*call.args[1:], *(k.value for k in call.keywords if k.arg == "flags")]
    return any(isinstance(n, ast.Attribute) and n.attr in {"M", "MULTILINE"}
               for flag in flags for n in ast.walk(flag))


def _text(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _loose_anchors(path: Path, shown: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {t.id: text for node in tree.body if isinstance(node, ast.Assign)
                 for t in node.targets if isinstance(t, ast.Name)
                 if (text := _text(node.value, {})) is not None}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.func.attr in _RE_CALLS and node.args):
            continue
        pattern = _text(node.args[0], constants)
        if (pattern is not None and node.func.attr != "fullmatch" and _end_anchor(pattern)
                and not _multiline(node)):
            found.append(f"{shown}:{node.lineno}: re.{node.func.attr}({pattern!r})")
    return found


def test_no_python_pattern_ends_with_a_dollar() -> None:
    found = [hit for path in sorted(PACKAGE.rglob("*.py"))
             for hit in _loose_anchors(path, path.relative_to(ROOT).as_posix())]
    assert found == [], "use fullmatch (or \\Z): '$' also matches before a final newline"


def test_the_lint_sees_a_loose_anchor(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('import re\nX = r"^[a-z]+$"\nre.compile(X)\nre.match(r"^a$", "a")\n'
                      're.fullmatch(X, "a")\nre.search(r"^a$", "a", re.M)\nre.match(r"[$]\\$", "$")\n')
    assert _loose_anchors(sample, "sample.py") == [
        "sample.py:3: re.compile('^[a-z]+$')", "sample.py:4: re.match('^a$')"]


@pytest.mark.parametrize("value", ["article-feedback\n", "contact\n"])
def test_a_form_name_with_a_line_break_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="use letters, digits"):
        FormName(default="article-feedback").run_validation(value)


_SAMPLES = ["pop-vs-imap", "mail", "mail.{domain}", "example.com", "https://example.com/a",
            "/knowledgebase/12/x.html", "main", "you@example.com", "_imaps._tcp",
            "images/a.png", "2026-11"]


def _schema_patterns() -> set[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("pattern", sorted(_schema_patterns()))
def test_data_patterns_end_at_the_end_of_the_text(pattern: str) -> None:
    samples = [s for s in _SAMPLES if re.fullmatch(pattern, s)]
    assert samples, f"add a value that {pattern!r} accepts to _SAMPLES"
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, Field(pattern=pattern)])
    for sample in samples:
        assert adapter.validate_python(sample) == sample
        with pytest.raises(PydanticError):
            adapter.validate_python(sample + "\n")
