"""The plugin's settings in mkdocs.yml (``plugins: - kbgen: …``), typed as MkDocs config."""

from __future__ import annotations

import re

from mkdocs.config import base
from mkdocs.config import config_options as c

DEFAULT_REASONS = [
    "The steps didn't match my screen",
    "The settings didn't work",
    "It was hard to understand",
    "Something else",
]
FORM_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class FormName(c.Type[str]):
    """A Netlify form name; ``feedback`` belongs to Material's own widget."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        name = super().run_validation(value)
        if not FORM_NAME_RE.fullmatch(name):
            raise base.ValidationError(f"form name {name!r}: use letters, digits, '-' or '_'")
        if name == "feedback":
            raise base.ValidationError("the form name 'feedback' is Material's own widget; "
                                       "pick another, e.g. 'article-feedback'")
        return name


class Endpoint(c.Type[str]):
    """Empty for Netlify Forms, else where the answers are posted (https://… or /path)."""

    def __init__(self) -> None:
        super().__init__(str, default="")

    def run_validation(self, value: object) -> str:
        url = super().run_validation(value).strip()
        if url and not re.fullmatch(r"https://[^\s\"'<>]+|/[^\s\"'<>]*", url):
            raise base.ValidationError(f"endpoint {url!r}: give an https:// URL or a path "
                                       "starting with /, or leave it empty for Netlify Forms")
        return url


class FeedbackConfig(base.Config):  # type: ignore[no-untyped-call]
    """``plugins: - kbgen: feedback: …`` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Show "Was this answer helpful?" under every article."""
    form_name = FormName(default="article-feedback")
    """The form's name; Netlify lists submissions under it."""
    endpoint = Endpoint()
    """Empty: Netlify Forms. Else a URL (or /path) that accepts URL-encoded POSTs."""
    thanks_url = c.Type(str, default="/thanks/")
    """Where a reader without JavaScript lands after sending (docs/thanks.md)."""
    title = c.Type(str, default="Was this answer helpful?")
    yes_label = c.Type(str, default="Yes")
    no_label = c.Type(str, default="No")
    reason_label = c.Type(str, default="What went wrong? (optional)")
    reasons = c.ListOfItems(c.Type(str), default=list(DEFAULT_REASONS))
    """The fixed choices offered after "No"; the chosen text is sent as ``reason``."""
    comment_label = c.Type(str, default="Anything else we should know? (optional)")
    comment_max = c.Type(int, default=500)
    """Longest comment, in characters."""
    send_label = c.Type(str, default="Send feedback")
    thanks = c.Type(str, default="Thank you! Your feedback helps us improve this article.")
    no_thanks = c.Type(
        str, default="Thank you, your answer is recorded. If you like, tell us what went wrong.")
    """Shown as soon as "No" is recorded, above the optional reasons."""
    support_hint = c.Type(str, default="Still need help? Contact our support team")
    """After "No": a link to the "Still need help?" block at the end of the page."""
    error = c.Type(str, default="Sorry, your feedback could not be sent. Please try again later.")


class KbgenConfig(base.Config):  # type: ignore[no-untyped-call]
    enabled = c.Type(bool, default=True)
    """Turn the generator off (the site then holds only docs/)."""
    data_dir = c.Type(str, default="data")
    """Folder with the YAML data, relative to mkdocs.yml."""
    templates_dir = c.Type(str, default="overrides/kbgen")
    """Folder whose templates replace kbgen's own page templates, relative to mkdocs.yml."""
    feedback = c.SubConfig(FeedbackConfig)
    """"Was this answer helpful?": form name, labels, thanks text, endpoint (README)."""
    concurrency = c.Choice((1, 2), default=2)
    """Processes a one-off build uses. 1: all of kbgen's work in MkDocs' own process.
    2: the pages' Markdown and the CSP guard in two forked workers on a second core,
    which on two cores makes a build as quick as plain Material's (README, "Where
    kbgen's own work runs"). The site is the same byte for byte either way. Where a
    process cannot fork safely (no fork, one core, threads running) the build uses 1
    and says why."""
    cache = c.Type(bool, default=True)
    """`kbgen serve` and `mkdocs serve`: keep what unchanged data files gave from one
    save to the next and render again only the pages a save changes. false: every save
    loads and builds the whole site again (slower; the same site)."""
