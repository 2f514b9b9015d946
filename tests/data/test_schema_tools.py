"""The committed schemas as strict tools read them: check-jsonschema (ECMA-262 regexes, the
2020-12 metaschema) accepts every schema and every data file, and refuses a broken one."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from kbgen.data.kb import FOLDERS, SINGLE_FILES

from ..conftest import ROOT


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *args], capture_output=True,
                          text=True, check=False, timeout=300)


def _files_by_kind() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    data = ROOT / "data"
    for path in sorted(data.rglob("*.yml")):
        rel = path.relative_to(data)
        if rel.parts[0] == "translations":  # tests/data/test_translations_schema.py
            continue
        target = SINGLE_FILES.get(rel.as_posix()) if len(rel.parts) == 1 else FOLDERS.get(rel.parts[0])
        assert target is not None, rel
        found[target[0]].append(str(path))
    return found


def test_every_schema_passes_the_metaschema_with_ecma_regexes() -> None:
    schemas = sorted(str(p) for p in (ROOT / "schemas").glob("*.schema.json"))
    assert schemas
    result = _check_jsonschema("--check-metaschema", "--regex-variant", "default", *schemas)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("kind", "files"), sorted(_files_by_kind().items()))
def test_every_data_file_passes_its_schema_in_check_jsonschema(kind: str, files: list[str]) -> None:
    schema = ROOT / "schemas" / f"{kind}.schema.json"
    result = _check_jsonschema("--schemafile", str(schema), "--regex-variant", "default", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_refuses_a_broken_file(tmp_path: Path) -> None:
    text = (ROOT / "data" / "provider.yml").read_text(encoding="utf-8")
    broken = tmp_path / "provider.yml"
    assert "\nwebmail: https://webmail.example.com/\n" in text
    broken.write_text(text.replace("\nwebmail: https://webmail.example.com/\n",
                                   "\nwebmail: 'https://webmail.example.com/\"'\n"), encoding="utf-8")
    result = _check_jsonschema("--schemafile", str(ROOT / "schemas" / "provider.schema.json"),
                               str(broken))
    assert result.returncode == 1, result.stdout
    assert "webmail" in result.stdout
