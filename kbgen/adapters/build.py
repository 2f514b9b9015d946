"""An atomic site build: validate, build into a temporary folder, switch on success.

A failing MkDocs build empties or half-fills its output folder. Readers (and
Netlify) must never get that, so we build next to ``site/`` and put the new
build in its place with one system call that exchanges the two folders
(``renameat2(RENAME_EXCHANGE)``): at every instant ``site/`` is the old build or
the new one, even if the process is killed. A lock next to ``site/`` makes a
second build wait for the first, and temporary folders that killed builds left
behind are swept when the next build starts. A file-system failure (a read-only
folder, a full disk) ends in one line naming it, never a traceback.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


class BuildError(Exception):
    """The build could not be published; the message is one line for the person who ran it."""


def _oserror_line(err: OSError, doing: str) -> str:
    where = f" ({err.filename})" if err.filename else ""
    return f"kbgen: could not {doing}: {err.strerror or err}{where}"


# ------------------------------------------------------------------- switch

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system cannot (not Linux, old kernel,
    a file system without exchange support)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def publish(staging: Path, target: Path) -> None:
    """Put the finished build ``staging`` at ``target``; the old build is removed after."""
    if not os.path.lexists(target):
        os.rename(staging, target)  # one rename: there was no site to lose
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now the old build
        return
    # No exchange on this system: two renames, with a window in which site/ is missing.
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------- lock and sweep


@contextlib.contextmanager
def build_lock(target: Path, say: TextIO | None = None, what: str = "build") -> Iterator[None]:
    """Hold the lock of ``target`` (one build, or import, at a time); wait, saying so, if
    another has it.

    The lock is an ``flock`` on ``.<name>.lock`` beside the site: the system releases it
    when its holder exits, so a killed build never leaves it locked."""
    path = target.with_name(f".{target.name}.lock")
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"kbgen: another {what} of {target.name}/ is running; waiting for it to finish",
                  file=say or sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _temporary_prefixes(target: Path) -> tuple[str, ...]:
    return (f".{target.name}-build-", f".{target.name}-old-")


def sweep(target: Path) -> list[Path]:
    """Remove temporary folders killed builds left beside ``target``; call with the lock held."""
    removed = []
    for path in target.parent.iterdir():
        if path.name.startswith(_temporary_prefixes(target)) and path.is_dir() \
                and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


# -------------------------------------------------------------------- build


def _run_mkdocs(root: Path, config_file: str, staging: Path, strict: bool) -> int:
    command = [sys.executable, "-m", "kbgen.adapters.build", "-f", str(root / config_file),
               "-d", str(staging)]
    if strict:
        command.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=root, env=env, check=False).returncode


def build_site(root: Path, site_dir: str = "site", *, strict: bool = True,
               config_file: str = "mkdocs.yml") -> int:
    """Build ``root/config_file`` into ``root/site_dir``; return MkDocs' exit status.

    Raises BuildError (one line) when the file system refuses a step."""
    target = Path(os.path.abspath(root / site_dir))
    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with build_lock(target):
            sweep(target)
            staging = Path(tempfile.mkdtemp(prefix=_temporary_prefixes(target)[0],
                                            dir=target.parent))
            status = _run_mkdocs(root, config_file, staging, strict)
            if status != 0:
                return status
            publish(staging, target)
            staging = None
            return 0
    except OSError as err:
        raise BuildError(_oserror_line(err, f"publish {target.name}/") + "; the published site "
                         "was left as it was") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _mkdocs_main(argv: list[str]) -> int:
    """``mkdocs build`` as a child process, with a file-system failure told in one line."""
    from mkdocs.__main__ import cli

    try:
        cli.main(["build", *argv], prog_name="mkdocs", standalone_mode=False)
    except OSError as err:
        print(_oserror_line(err, "write the built site"), file=sys.stderr)
        return 1
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    except Exception as err:  # click's own errors (bad options) and MkDocs' aborts
        from click import ClickException

        if isinstance(err, ClickException):
            err.show()
            return err.exit_code
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover - run by build_site in a child process
    sys.exit(_mkdocs_main(sys.argv[1:]))
