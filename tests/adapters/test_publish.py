"""Publishing never loses the site: one atomic switch, one build at a time, stale temporary
folders swept, and a file-system failure told in one line."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kbgen.adapters import build
from kbgen.adapters.cli import main

from ..conftest import ROOT, copy_project


def _fake_mkdocs(marker: str = "new") -> object:
    """Stands in for the MkDocs child process: writes a small site into the staging folder."""

    def run(root: Path, config_file: str, staging: Path, strict: bool) -> int:
        (staging / "index.html").write_text(marker, encoding="utf-8")
        (staging / "email").mkdir()
        (staging / "email" / "index.html").write_text(marker, encoding="utf-8")
        return 0

    return run


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".site-"))


def _old_site(root: Path) -> Path:
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    return site


def test_site_is_the_old_or_the_new_build_at_every_instant(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    site = _old_site(tmp_path)
    monkeypatch.setattr(build, "_run_mkdocs", _fake_mkdocs())
    missing: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (site / "index.html").is_file():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(150):
            assert build.build_site(tmp_path) == 0
    finally:
        stop.set()
        watcher.join()
    assert missing == [], f"site/ was missing {len(missing)} times during the switch"
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert _leftovers(tmp_path) == []


def test_stale_temporary_folders_of_killed_builds_are_swept(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _old_site(tmp_path)
    for name in (".site-build-abc123", ".site-old-4242"):
        (tmp_path / name / "assets").mkdir(parents=True)
        (tmp_path / name / "assets" / "x.js").write_text("stale")
    (tmp_path / ".site-notes.txt").write_text("not ours to delete")
    monkeypatch.setattr(build, "_run_mkdocs", _fake_mkdocs())
    assert build.build_site(tmp_path) == 0
    assert _leftovers(tmp_path) == [".site-notes.txt"]


def test_a_second_build_waits_for_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _old_site(tmp_path)
    monkeypatch.setattr(build, "_run_mkdocs", _fake_mkdocs())
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with build.build_lock(tmp_path / "site"):
            holding.set()
            release.wait(10)

    other = threading.Thread(target=first)
    other.start()
    assert holding.wait(10)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    assert build.build_site(tmp_path) == 0
    other.join()
    assert time.monotonic() - started >= 0.4
    assert "another build of site/ is running; waiting for it to finish" in capsys.readouterr().err


@pytest.mark.parametrize(("where", "code"), [("publish", errno.EROFS), ("publish", errno.ENOSPC),
                                              ("mkdtemp", errno.EACCES)])
def test_a_file_system_failure_is_one_line_and_the_site_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        where: str, code: int) -> None:
    root = copy_project(tmp_path / "project")
    site = _old_site(root)
    monkeypatch.setattr(build, "_run_mkdocs", _fake_mkdocs())

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code), str(site))

    monkeypatch.setattr(build, "publish", fail) if where == "publish" else \
        monkeypatch.setattr(build.tempfile, "mkdtemp", fail)
    assert main(["--root", str(root), "build"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        f"kbgen: could not publish site/: {os.strerror(code)} ({site}); the published site was "
        "left as it was"]
    assert (site / "index.html").read_text(encoding="utf-8") == "old"
    assert _leftovers(root) == []


@pytest.mark.slow
def test_a_write_that_fails_mid_build_is_one_line_and_the_site_stays(tmp_path: Path) -> None:
    # A real kbgen build whose writes fail past 64 KB, as on a nearly full disk: MkDocs
    # fails inside its own build, in the child process.
    root = copy_project(tmp_path / "project")
    site = _old_site(root)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "kbgen.adapters.cli", "--root", str(root),
                             "build"], capture_output=True, text=True, env=env, preexec_fn=limit,
                            check=False, timeout=600)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("kbgen:")]
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith("kbgen: could not write the built site: File too large ("), errors
    assert errors[1] == "kbgen: the build failed; the published site was left as it was"
    assert (site / "index.html").read_text(encoding="utf-8") == "old"
    assert _leftovers(root) == []


@pytest.mark.slow
def test_two_real_builds_at_once_both_succeed_one_after_the_other(tmp_path: Path) -> None:
    # Both start while a third holder (this test) has the lock, so they really overlap.
    root = copy_project(tmp_path / "project")
    _old_site(root)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "kbgen.adapters.cli", "--root", str(root), "build"]
    with build.build_lock(root / "site"):
        builds = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True) for _ in range(2)]
        for process in builds:  # each one says it waits, then waits
            assert process.stderr is not None
            line = process.stderr.readline()
            assert "another build of site/ is running; waiting for it to finish" in line, line
        assert all(process.poll() is None for process in builds)
    outputs = [p.communicate(timeout=600) for p in builds]
    assert [p.returncode for p in builds] == [0, 0], outputs
    assert all("Traceback" not in err for _, err in outputs)
    assert (root / "site" / "email" / "index.html").is_file()
    assert _leftovers(root) == []
