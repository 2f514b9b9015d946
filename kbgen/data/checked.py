"""When each client guide was last checked against its app: never in the future, never stale.

Apps move their settings screens every year; a guide's ``checked:`` month says when
someone last followed its steps on a real device. The age is counted against the build
date, which ``SOURCE_DATE_EPOCH`` fixes (reproducible-builds.org), so a build of an old
commit, and every test, gives the same warnings on any day.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping

from .errors import Problem, Severity
from .model import Client, Provider, Strict
from .yaml_reader import Document


def build_date(environ: Mapping[str, str] | None = None) -> dt.date:
    """The day the site is built: ``SOURCE_DATE_EPOCH`` (seconds, UTC) if set, else today (UTC)."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


def months_between(month: str, today: dt.date) -> int:
    """Whole calendar months from ``month`` (YYYY-MM) to ``today``'s month; negative if later."""
    year, mon = (int(part) for part in month.split("-"))
    return (today.year * 12 + today.month) - (year * 12 + mon)


def check_checked(provider: Provider, items: Iterable[tuple[Strict, Document]],
                  today: dt.date) -> list[Problem]:
    """A ``checked:`` month after the build date is an error (nobody checked it yet); one more
    than ``recheck_after_months`` before it is a warning (the app has likely moved on)."""
    problems = []
    limit = provider.recheck_after_months
    for model, doc in items:
        if not isinstance(model, Client) or model.checked is None:
            continue
        age = months_between(model.checked.month, today)
        path = ("checked", "month")
        if age < 0:
            problems.append(doc.problem(
                path, f"the check month {model.checked.month} is after the build date "
                f"({today.isoformat()})", "write the month the steps were actually followed, "
                "as YYYY-MM"))
        elif age > limit:
            problems.append(doc.problem(
                path, f"this guide was last checked in {model.checked.month}, {age} months before "
                f"the build date ({today.isoformat()}); the limit is {limit} "
                "(recheck_after_months in data/provider.yml)",
                "follow the steps on the current app version, correct them, then update "
                "'checked:' with the month and the versions you used", severity=Severity.WARNING))
    return problems
