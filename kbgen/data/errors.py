"""One problem type for everything an author can get wrong, reported together.

Every problem knows where it is (``file:line:col``), which field it concerns
(a dotted data path), what is wrong and how to fix it. Validation collects all
problems before anyone fails, so an author fixes a file in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    # The site still builds; `mkdocs build --strict` turns these into failures.
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A single mistake in the data, with its position and a fix."""

    file: str
    line: int
    col: int
    path: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        field = f" {self.path}:" if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        label = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}:{field} {label}{self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File order, then position: the order an author reads the files in."""
    return sorted(problems, key=lambda p: (p.file, p.line, p.col, p.path, p.message))


class DataError(Exception):
    """Raised with every error found; the CLI and plugin print them, never a traceback."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sort_problems(problems)
        super().__init__(format_text(self.problems))


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def warnings_only(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.WARNING]


def format_text(problems: Iterable[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def _github_escape(text: str, *, prop: bool = False) -> str:
    # GitHub workflow commands need %, CR and LF escaped; property values also ':' and ','.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands: one annotation on the exact line of the diff."""
    lines = []
    for p in problems:
        kind = "warning" if p.severity is Severity.WARNING else "error"
        title = _github_escape(p.path or "kbgen", prop=True)
        body = p.message + (f" ({p.hint})" if p.hint else "")
        lines.append(
            f"::{kind} file={_github_escape(p.file, prop=True)},line={p.line},col={p.col},"
            f"title={title}::{_github_escape(body)}"
        )
    return "\n".join(lines)


def format_json(problems: Iterable[Problem]) -> str:
    return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False)
