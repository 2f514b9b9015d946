"""Run a WHMCS import safely: stage, validate, then swap in; never overwrite an author's edit.

The whole result is written into a staging folder inside the project: a copy of
``data/`` and of ``imports/whmcs/`` with the plan's files written into them. The
copy is loaded and validated exactly as ``kbgen validate`` would; only if it is
valid is each folder put in place with one exchange (``publish``, the same step
that publishes ``kbgen build``'s site), ``data/`` first: it is the commit point,
and the report beside it is rewritten the same by a second run. A killed import
leaves ``data/`` as it was or as the import made it, never half of each, and its
staging folder is swept by the next import. A file the import writes whole that
already exists with other content is kept as it is (an author may have edited it
since the last import) unless ``force``; when nothing would change, nothing is
touched, so a second run on the same source changes nothing.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..data.data_folder import load_kb
from ..data.errors import DataError, Problem, Severity
from ..data.legacy import redirect_rules
from .whmcs_plan import Options, Planned, build_plan
from .whmcs_report import Outcome, render_report
from .whmcs_source import Source

REPORT_NAME = "import-report.md"
STAGING_PREFIX = ".kbgen-import-"
Publish = Callable[[Path, Path], None]
"""``publish(staging, target)``: put the folder ``staging`` at ``target`` in one step."""


def run_import(root: Path, source: Source, options: Options, *, publish: Publish) -> Outcome:
    """Import ``source`` into ``root``; raises DataError (nothing written) if the result is invalid.

    Call it holding the lock of the data folder: it sweeps the staging folders that
    killed imports left, which a running import would still be using."""
    root = root.resolve()
    sweep_staging(root)
    kb = load_kb(root, options.data_dir)  # a broken project is reported before anything else
    plan = build_plan(source, kb, options)
    outcome = Outcome(plan)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    try:
        folders = (options.data_dir, options.out_dir)
        for folder in folders:
            if (root / folder).is_dir():
                shutil.copytree(root / folder, staging / folder, symlinks=True)
        if (root / "docs").is_dir():
            (staging / "docs").symlink_to(root / "docs", target_is_directory=True)
        for planned in plan.files:
            action = _action(root, planned, options.force)
            outcome.actions[planned.path] = action
            if action in {"created", "updated"}:
                _write(staging / planned.path, planned.text)
        try:
            staged = load_kb(staging, options.data_dir)
        except DataError as err:
            raise DataError([_rehome(p, staging, root) for p in err.problems]) from None
        outcome.redirects = len(redirect_rules(staged))
        outcome.warnings = [p for p in staged.warnings if p.severity is Severity.WARNING
                            and p.file in plan.imported_files]
        report = Planned(f"{options.out_dir}/{REPORT_NAME}",
                         render_report(outcome, source.label),
                         owned=False)
        outcome.report_path = report.path
        outcome.actions[report.path] = _action(root, report, True)
        if outcome.actions[report.path] != "unchanged":
            _write(staging / report.path, report.text)
        changed = [path for path, action in outcome.actions.items() if action in {"created", "updated"}]
        for folder in folders:  # data/ first: see the module's docstring
            if any(path.startswith(folder.rstrip("/") + "/") for path in changed):
                (root / folder).parent.mkdir(parents=True, exist_ok=True)
                publish(staging / folder, root / folder)
        return outcome
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def sweep_staging(root: Path) -> list[Path]:
    """Remove the staging folders of imports that were killed; returns them."""
    stale = [p for p in root.glob(STAGING_PREFIX + "*") if p.is_dir() and not p.is_symlink()]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def _action(root: Path, planned: Planned, force: bool) -> str:
    target = root / planned.path
    if not target.exists():
        return "created"
    current = target.read_text(encoding="utf-8", errors="replace")
    if current == planned.text:
        return "unchanged"
    if planned.owned and not force:
        return "kept"
    return "updated"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _rehome(problem: Problem, staging: Path, root: Path) -> Problem:
    """Problems name files as the project has them, not as the staging copy does."""
    file = problem.file.replace(staging.as_posix() + "/", "")
    return Problem(file, problem.line, problem.col, problem.path, problem.message, problem.hint,
                   problem.severity)
