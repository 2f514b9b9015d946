"""Run a WHMCS import safely: stage, validate, then move; never overwrite an author's edit.

The plan's files are written into a copy of ``data/`` in a temporary folder
inside the project. The copy is loaded and validated exactly as ``kbgen
validate`` would; only if it is valid are the new and changed files moved into
place, one atomic rename each. A file the import writes whole that already
exists with other content is kept as it is (an author may have edited it since
the last import) unless ``force``; a file that would not change is not
touched, so a second run on the same source changes nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..data.errors import DataError, Problem, Severity
from ..data.legacy import redirect_rules
from ..data.load import load_kb
from .whmcs_plan import Options, Planned, build_plan
from .whmcs_report import Outcome, render_report
from .whmcs_source import Source

REPORT_NAME = "import-report.md"


def run_import(root: Path, source: Source, options: Options) -> Outcome:
    """Import ``source`` into ``root``; raises DataError (nothing written) if the result is invalid."""
    root = root.resolve()
    kb = load_kb(root, options.data_dir)  # a broken project is reported before anything else
    plan = build_plan(source, kb, options)
    outcome = Outcome(plan)
    staging = Path(tempfile.mkdtemp(prefix=".kbgen-import-", dir=root))
    try:
        shutil.copytree(root / options.data_dir, staging / options.data_dir, symlinks=True)
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
        for path, action in outcome.actions.items():
            if action in {"created", "updated"}:
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / path, target)
        return outcome
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
