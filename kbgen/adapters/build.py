"""An atomic site build: validate, build into a temporary folder, swap on success.

A failing MkDocs build empties or half-fills its output folder. Readers (and
Netlify) must never get that, so we build next to ``site/`` and only replace
it with a rename once the build has finished cleanly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def build_site(root: Path, site_dir: str = "site", *, strict: bool = True,
               config_file: str = "mkdocs.yml") -> int:
    """Build ``root/config_file`` into ``root/site_dir``; return MkDocs' exit status."""
    target = (root / site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-build-", dir=target.parent))
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / config_file),
               "-d", str(staging)]
    if strict:
        command.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        status = subprocess.run(command, cwd=root, env=env, check=False).returncode
        if status != 0:
            return status
        _swap(staging, target)
        return 0
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, target: Path) -> None:
    # Two renames on one file system: readers see the old site or the new one, never half.
    old = target.with_name(f".site-old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
