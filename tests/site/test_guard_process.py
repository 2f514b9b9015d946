"""The CSP guard in a worker process finds exactly what it finds in process, and a
worker that fails fails the build with a message instead of passing pages unchecked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kbgen.adapters.guard_process import QUEUED_PAGES, GuardFailed, GuardProcess
from kbgen.hosting.guard import Guard, material_templates, template_scripts

from ..conftest import copy_project
from ..hosting.test_csp_guard import HOSTILE

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _pages(example_site: Path) -> list[tuple[str, str]]:
    pages = [(p.relative_to(example_site).as_posix(), p.read_text(encoding="utf-8"))
             for p in sorted(example_site.rglob("*.html"))]
    pages += [(f"hostile-{n}.html", f"<!doctype html><html><body>\n{body}\n</body></html>")
              for n, (body, _) in enumerate(HOSTILE)]
    return pages


def test_the_worker_finds_what_the_guard_finds_in_process(example_site: Path) -> None:
    allowed = template_scripts(material_templates())
    pages = _pages(example_site)
    here = Guard(allowed, ["https://feedback.example.net"])
    for page, text in pages:
        here.check(page, text)
    worker = GuardProcess(Guard(allowed, ["https://feedback.example.net"]))
    for page, text in pages:
        worker.check(page, text)
    there = worker.finish()
    assert there.checked == here.checked == {page for page, _ in pages}
    assert there.policy.hashes == here.policy.hashes and here.policy.hashes
    assert there.policy.problems == here.policy.problems
    assert len(here.policy.problems) == len(HOSTILE)


def test_a_worker_that_dies_fails_the_check_with_a_message() -> None:
    worker = GuardProcess(Guard(template_scripts(material_templates())))
    worker.check("index.html", "<p>fine</p>")
    worker._process.kill()  # as the kernel's out-of-memory killer would
    worker._process.join()
    with pytest.raises(GuardFailed, match=r"the CSP guard's worker process ended early \(exit code -9\)"):
        worker.check("index.html", "<p>fine</p>")
    with pytest.raises(GuardFailed, match=r"ended early \(exit code -9\)"):
        worker.finish()


def test_a_worker_that_dies_with_a_full_queue_does_not_hang_the_build() -> None:
    """The queue holds QUEUED_PAGES pages; a worker that stops reading and then dies
    must end the wait with an error, not leave the build waiting forever."""
    import signal
    import threading

    worker = GuardProcess(Guard(template_scripts(material_templates())))
    pid = worker._process.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # alive, but reading nothing: the queue fills up
    threading.Timer(2.0, os.kill, (pid, signal.SIGKILL)).start()
    page = "<p>fine</p>" * 5000  # 55 KB: the pipe's buffer holds one
    with pytest.raises(GuardFailed, match=r"ended early \(exit code -9\)"):
        for _ in range(QUEUED_PAGES * 4):
            worker.check("index.html", page)


@pytest.mark.slow
def test_a_build_checks_pages_in_the_worker_and_fails_on_a_hostile_one(tmp_path: Path) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the guard runs in process")
    root = copy_project(tmp_path)
    (root / "docs" / "hostile.md").write_text("# Hostile\n\n<div>\n<svg/onload=alert(1)></svg>\n</div>\n",
                                              encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--verbose", "-f",
                             str(root / "mkdocs.yml"), "-d", str(root / "site")],
                            cwd=root, capture_output=True, text=True, check=False,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert "the CSP guard checks pages in a second process" in result.stderr
    assert result.returncode != 0
    assert re.search(r"hostile/index\.html:\d+: onload on <svg>", result.stderr), result.stderr[-2000:]
    assert not (root / "site" / "_headers").exists()
