"""``import-report.md``: every WHMCS row and what became of it, for the person who moves.

No dates or timings: the report of a second run on the same source is the same
file, so a repeated import changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..data.errors import Problem
from .whmcs_plan import Plan


@dataclass
class Outcome:
    """What an import did (or, on invalid data, would have done)."""

    plan: Plan
    actions: dict[str, str] = field(default_factory=dict)  # path → created/updated/unchanged/kept
    warnings: list[Problem] = field(default_factory=list)
    redirects: int = 0
    report_path: str = ""

    def summary(self) -> str:
        p = self.plan
        kept = sum(1 for a in self.actions.values() if a == "kept")
        changed = sum(1 for a in self.actions.values() if a in {"created", "updated"})
        parts = [f"{p.count('article', 'published')} articles",
                 f"{p.count('category', 'published')} categories",
                 f"{self.redirects} redirects", f"{len(p.pictures)} images",
                 f"{p.translations} translations", f"{len(p.skipped)} skipped",
                 f"{p.count('article', 'duplicate')} duplicates of generated pages"]
        tail = f"; {kept} file(s) kept as edited (--force replaces them)" if kept else ""
        return (f"kbgen: imported from WHMCS: {', '.join(parts)}; {changed} file(s) written{tail}; "
                f"report: {self.report_path}")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    if not rows:
        return ["None.", ""]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def render_report(outcome: Outcome, source: str) -> str:
    plan = outcome.plan
    actions = outcome.actions
    kept = sorted(path for path, action in actions.items() if action == "kept")
    lines = ["# WHMCS import report", "", f"Source: `{source}`", ""]
    counts = [
        ["articles published", plan.count("article", "published")],
        ["articles that duplicate a generated page (old id given to it)",
         plan.count("article", "duplicate")],
        ["articles already in the data (old id claimed there)", plan.count("article", "already there")],
        ["categories published", plan.count("category", "published")],
        ["redirects from old addresses (whole site)", outcome.redirects],
        ["images to copy by hand", len(plan.pictures)],
        ["translations kept, not published", plan.translations],
        ["rows skipped or not published", len(plan.skipped)],
        ["warnings in the imported text", len(outcome.warnings)],
        ["files kept because they differ from the import", len(kept)],
    ]
    lines += ["## Summary", "", *_table(["", "count"], counts)]
    if kept:
        lines += ["## Files kept as they are", "",
                  "These differ from what the import would write (edited since the last import?). "
                  "Run again with `--force` to replace them.", ""]
        lines += [f"- `{path}`" for path in kept] + [""]
    rows = [[line.whmcs_id, line.title, line.outcome, f"`{line.where}`" if line.where else "",
             line.detail] for line in plan.lines if line.kind == "category"]
    lines += ["## Categories", "", *_table(["WHMCS id", "name", "outcome", "where", "note"], rows)]
    rows = [[line.whmcs_id, line.title, line.outcome, f"`{line.where}`" if line.where else "",
             line.detail] for line in plan.lines if line.kind == "article"]
    lines += ["## Articles", "", *_table(["WHMCS id", "title", "outcome", "where", "note"], rows)]
    lines += ["## Skipped rows and pages not published", "",
              "WHMCS shows private articles and hidden categories only to logged-in clients; a "
              "public help center cannot, so they are not imported.", ""]
    lines += [f"- {item}" for item in plan.skipped] or ["None."]
    lines += ["", "## Images", "",
              "Pictures are not copied (the site allows no image from another address): each "
              "became a link to where it is now. Copy the file under `docs/images/` and use it "
              "in the article, or remove the link.", ""]
    lines += _table(["file", "source", "alt text"],
                    [[f"`{f}`", s, a or "(none: write one)"] for f, s, a in plan.pictures])
    lines += ["## Settings typed into the text", "",
              "Ports, host names and security modes written by hand do not follow the data; "
              "replace them with placeholders such as `{{ imap.port }}` (`kbgen validate` "
              "lists the same warnings).", ""]
    lines += [f"- `{p.file}:{p.line}:{p.col}`: {p.message}" for p in outcome.warnings] or ["None."]
    lines += ["", "## Notes on the conversion", ""]
    lines += [f"- {note}" for note in plan.notes] or ["None."]
    return "\n".join(lines).rstrip("\n") + "\n"
