"""The preview's dates: git is asked again only after a commit, and then gives the new dates."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kbgen.content import reader
from kbgen.content.reader import DateMemo, git_dates

ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"}


def _git(repo: Path, *args: str, when: str = "2024-01-01T12:00:00Z") -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})


@pytest.fixture()
def logs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every `git log` kbgen runs."""
    seen: list[list[str]] = []
    real = subprocess.run

    def run(args: list[str], **kwargs: Any) -> Any:
        if args[:2] == ["git", "log"]:
            seen.append(args)
        return real(args, **kwargs)

    monkeypatch.setattr(reader.subprocess, "run", run)
    return seen


def test_git_log_runs_once_per_commit(tmp_path: Path, logs: list[list[str]]) -> None:
    repo = tmp_path / "r"
    (repo / "data").mkdir(parents=True)
    (repo / "data/a.yml").write_text("a: 1\n")
    (repo / "data/b.yml").write_text("b: 1\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    memo = DateMemo()
    files = ["data/a.yml", "data/b.yml"]
    first = {"data/a.yml": dt.date(2024, 1, 1), "data/b.yml": dt.date(2024, 1, 1)}
    assert git_dates(repo, files, memo) == first
    # An author saving a file without committing it: the commit dates are the same.
    (repo / "data/b.yml").write_text("b: 2\n")
    assert git_dates(repo, files, memo) == first
    assert len(logs) == 1
    # A commit: git is asked again and the new date shows.
    _git(repo, "commit", "-qam", "two", when="2024-06-30T12:00:00Z")
    assert git_dates(repo, files, memo) == {"data/a.yml": dt.date(2024, 1, 1),
                                            "data/b.yml": dt.date(2024, 6, 30)}
    assert len(logs) == 2
    # Another set of files is another question.
    assert git_dates(repo, ["data/a.yml"], memo) == {"data/a.yml": dt.date(2024, 1, 1)}
    assert len(logs) == 3


def test_outside_a_repository_git_knows_no_dates(tmp_path: Path, logs: list[list[str]]) -> None:
    (tmp_path / "a.yml").write_text("a: 1\n")
    memo = DateMemo()
    assert git_dates(tmp_path, ["a.yml"], memo) == {}
    assert git_dates(tmp_path, ["a.yml"], memo) == {}
    assert logs == []  # `git rev-parse` found no commit: no log to read


def test_without_a_memo_every_call_asks_git(tmp_path: Path, logs: list[list[str]]) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "a.yml").write_text("a: 1\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    assert git_dates(repo, ["a.yml"]) == git_dates(repo, ["a.yml"]) == {"a.yml": dt.date(2024, 1, 1)}
    assert len(logs) == 2
