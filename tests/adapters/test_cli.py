"""`kbgen validate` in each output format, against golden files.

The broken data lives in tests/golden/several-errors/ (copied over a copy of the
example project). Regenerate the expected output after a deliberate change with

    KBGEN_UPDATE_GOLDEN=1 python3 -m pytest tests/adapters/test_cli.py

and review the diff before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbgen.adapters.cli import main

from ..conftest import copy_project

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
BROKEN = GOLDEN / "several-errors"
UPDATE = os.environ.get("KBGEN_UPDATE_GOLDEN") == "1"


def _broken_project(dest: Path) -> Path:
    root = copy_project(dest)
    # Client guides are written by other people and change often; the golden
    # output must depend on the files in tests/golden/ only.
    shutil.rmtree(root / "data" / "clients")
    shutil.copytree(BROKEN / "data", root / "data", dirs_exist_ok=True)
    return root


def _check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with KBGEN_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), (
        f"output differs from tests/golden/{name}; if the change is intended, "
        "rerun with KBGEN_UPDATE_GOLDEN=1 and review the diff")


def _run(root: Path, *args: str, summary: Path | None = None) -> subprocess.CompletedProcess[str]:
    # A real process: exit status, stdout and stderr exactly as CI sees them.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    if summary is not None:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    return subprocess.run([sys.executable, "-m", "kbgen.adapters.cli", "--root", str(root), "validate",
                           *args], capture_output=True, text=True, env=env, check=False, timeout=120)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _broken_project(tmp_path_factory.mktemp("broken"))


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_validate_golden(broken: Path, fmt: str) -> None:
    result = _run(broken, "--format", fmt)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    if fmt == "text":
        assert result.stdout == ""
        _check_golden("several-errors.text", result.stderr)
    elif fmt == "github":
        _check_golden("several-errors.github", result.stdout)
        assert result.stderr == "kbgen: 11 error(s) in the data\n"
    else:
        _check_golden("several-errors.json", result.stdout)
        assert result.stderr == ""


def test_errors_are_in_file_order_with_exact_positions(broken: Path) -> None:
    problems = json.loads(_run(broken, "--format", "json").stdout)
    keys = [(p["file"], p["line"], p["col"]) for p in problems]
    assert keys == sorted(keys)
    assert {p["file"] for p in problems} == {
        "data/articles/broken-article.yml", "data/clients/broken-client.yml",
        "data/notes.yaml", "data/provider.yml"}
    assert all(p["severity"] == "error" for p in problems)

    def at(file: str, path: str) -> tuple[int, int]:
        found = [(p["line"], p["col"]) for p in problems if p["file"] == file and p["path"] == path]
        assert len(found) == 1, (file, path, problems)
        return found[0]

    # Each position is where the author has to put the cursor, checked by hand
    # against the files in tests/golden/several-errors/data/.
    assert at("data/articles/broken-article.yml", "titel") == (5, 1)        # the unknown key
    assert at("data/articles/broken-article.yml", "order") == (8, 8)        # the quoted value
    assert at("data/articles/broken-article.yml", "body[1].type") == (12, 11)  # the unknown type
    assert at("data/clients/broken-client.yml", "protocols[1]") == (6, 19)
    assert at("data/clients/broken-client.yml", "platform") == (9, 11)
    assert at("data/clients/broken-client.yml", "steps[0].settings") == (12, 15)
    assert at("data/provider.yml", "servers.imap.endpoints[0].port") == (17, 15)
    assert at("data/provider.yml", "servers.smtp.endpoints[1].port") == (27, 15)


def test_github_annotations_are_workflow_commands(broken: Path) -> None:
    lines = _run(broken, "--format", "github").stdout.splitlines()
    assert lines and all(line.startswith("::error file=data/") for line in lines)
    assert ("::error file=data/provider.yml,line=17,col=15,title=servers.imap.endpoints[0].port::"
            in "\n".join(lines))


def test_github_step_summary_lists_every_problem(broken: Path, tmp_path: Path) -> None:
    # GitHub shows ten annotations of each kind on the diff; the summary page has them all.
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps\n", encoding="utf-8")
    assert _run(broken, "--format", "github", summary=summary).returncode == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier steps\n### kbgen validate\n")
    _check_golden("several-errors.summary.md", text.removeprefix("earlier steps\n"))


def test_valid_data_exits_0_in_every_format(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    text = _run(root, "--format", "text")
    assert text.returncode == 0, text.stderr
    assert "kbgen: data is valid:" in text.stdout
    github = _run(root, "--format", "github")
    assert github.returncode == 0
    # Warnings (if the example data has any) are annotations too, never errors.
    assert all(line.startswith("::warning ") for line in github.stdout.splitlines())
    assert "kbgen: data is valid:" in github.stderr
    problems = json.loads(_run(root, "--format", "json").stdout)
    assert [p for p in problems if p["severity"] == "error"] == []


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    article = root / "data" / "articles" / "server-settings.yml"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "Use these settings in any mail app.", "Use these settings (IMAP on port 993) in any mail app."),
        encoding="utf-8")
    github = _run(root, "--format", "github")
    assert github.returncode == 0
    ours = [line for line in github.stdout.splitlines() if "server-settings.yml" in line]
    assert len(ours) == 1 and ours[0].startswith("::warning file=data/articles/server-settings.yml,")
    assert "the port 993 is typed into the text" in ours[0]
    assert _run(root, "--format", "github", "--strict").returncode == 1
    strict = _run(root, "--strict")
    assert strict.returncode == 1
    assert "--strict fails on warnings" in strict.stderr
    problems = json.loads(_run(root, "--format", "json").stdout)
    assert any(p["severity"] == "warning" and p["file"].endswith("server-settings.yml") for p in problems)


def test_missing_data_folder_is_a_problem_not_a_traceback(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path), "validate", "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert problems[0]["message"] == "the data folder does not exist"


def test_an_endpoint_without_a_port_and_no_standard_one_is_an_error_not_a_traceback(
        tmp_path: Path) -> None:
    # data/protocols/pop3.yml names standard ports for tls and starttls only
    root = copy_project(tmp_path / "project")
    provider = root / "data" / "provider.yml"
    text = provider.read_text(encoding="utf-8")
    pop3 = ("  pop3:\n    host: mail.example.com\n    endpoints:\n"
            "      - security: tls\n      - security: starttls\n")
    assert pop3 in text
    provider.write_text(text.replace(pop3, pop3.split("      - ")[0] + "      - security: none\n"),
                        encoding="utf-8")
    result = _run(root)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "data/provider.yml:29:19: servers.pop3.endpoints[0].security: POP3 has no standard port "
        "for security 'none' (add the server's port to this endpoint: unencrypted POP3 usually "
        "shares 'port: 110' with STARTTLS)",
        "kbgen: 1 error(s) in the data"]
    # with the port as the hint says (and TLS offered too, which the clients' guides name),
    # the data is valid, with the one warning every clear-text port gets
    provider.write_text(provider.read_text(encoding="utf-8").replace(
        "      - security: none\n", "      - security: tls\n      - security: none\n        port: 110\n"),
        encoding="utf-8")
    result = _run(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line for line in (result.stdout + result.stderr).splitlines() if "pop3" in line] == [
        "data/provider.yml:30:19: servers.pop3.endpoints[1].security: warning: POP3 on port "
        "110 without encryption sends passwords in the clear (offer tls or starttls instead)"]
