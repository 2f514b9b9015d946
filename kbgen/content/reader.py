"""What a reader sees around an article's body: its id and dates, Also Read, the
"Was this answer helpful?" form and the print header.

The values are computed once per build and handed to the theme templates in
``overrides/`` (``main.html`` and ``partials/kbgen/``) as ``context["kbgen"]``;
no HTML is written here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any
from urllib.parse import urljoin

from ..data.kb import KB, Entry
from ..data.model import Client, Provider
from ..data.urls import OG_IMAGE_PATH, OG_IMAGE_SIZE, category_uri, entry_uri
from ..data.urls import page_url as published_url
from .relations import also_read_all


@dataclass(frozen=True)
class Feedback:
    """The form as the templates draw it."""

    form_name: str
    netlify: bool
    action: str  # where the form posts without JavaScript
    post_to: str  # where JavaScript posts it
    thanks_url: str
    labels: dict[str, str]
    reasons: list[str]
    comment_max: int


def feedback_view(cfg: Any) -> Feedback | None:
    """The form to draw from the plugin's ``feedback`` settings (``adapters.plugin_config``)."""
    if not cfg.enabled:
        return None
    netlify = not cfg.endpoint
    labels = {key: getattr(cfg, key) for key in (
        "title", "yes_label", "no_label", "reason_label", "comment_label", "send_label",
        "thanks", "no_thanks", "support_hint", "error")}
    return Feedback(
        form_name=cfg.form_name,
        netlify=netlify,
        # Netlify accepts the POST on any path and then serves that path: the thank-you page.
        action=cfg.thanks_url if netlify else cfg.endpoint,
        post_to="/" if netlify else cfg.endpoint,
        thanks_url=cfg.thanks_url,
        labels=labels,
        reasons=list(cfg.reasons),
        comment_max=max(1, cfg.comment_max),
    )


def support_view(provider: Provider) -> dict[str, str | None]:
    """The "Still need help?" block and the footer: who to contact and how, from
    ``data/provider.yml`` (``support``). ``tel`` is the phone number as a ``tel:``
    link needs it (digits and a leading +, whatever spacing the author used), or
    None when the number cannot be dialled as written."""
    support = provider.support
    tel = None
    phone = (support.phone or "").strip()
    # Only a number made of digits and the usual punctuation becomes a link; a
    # vanity number (0800 FLOWERS) is shown as written. "+44 (0)20…" drops the
    # (0): it is dialled only from inside the country.
    if phone and re.fullmatch(r"\+?[0-9\s().-]+", phone):
        if phone.startswith("+"):
            phone = phone.replace("(0)", "")
        digits = re.sub(r"[^0-9]", "", phone)
        tel = ("+" if phone.startswith("+") else "") + digits if digits else None
    return {
        "name": provider.name,
        "email": support.email,
        "url": support.url,
        "hours": support.hours,
        "phone": support.phone,
        "tel": tel,
        "ticket_url": support.ticket_url,
    }


# ---------------------------------------------------------------- dates


def git_dates(root: Path, paths: Iterable[str], memo: DateMemo | None = None) -> dict[str, dt.date]:
    """The last commit date of each path (relative to ``root``), in one ``git log``.

    Paths git does not know, or a ``root`` outside any repository, are left out.
    A shallow clone only knows its newest commit, so every file gets that date.
    ``memo``: the preview's, so that ``git log`` runs again only after a commit.
    """
    wanted = set(paths)
    if not wanted:
        return {}
    key: tuple[object, ...] | None = None
    if memo is not None:
        head = _head(root)
        if head is None:  # not a repository (or no commit yet): git knows no dates
            return {}
        # Commit dates change only with a new commit: same HEAD, same files, same dates.
        key = (root, head, frozenset(wanted))
        if memo.git is not None and memo.git[0] == key:
            return dict(memo.git[1])
    try:
        out = subprocess.run(
            ["git", "log", "--format=%x00%cs", "--name-only", "--relative", "--", *sorted(wanted)],
            cwd=root, capture_output=True, text=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, dt.date] = {}
    current: dt.date | None = None
    for line in out.splitlines():
        if line.startswith("\x00"):
            try:
                current = dt.date.fromisoformat(line[1:].strip())
            except ValueError:
                current = None
        elif line and current is not None and line in wanted:
            dates.setdefault(line, current)  # newest first: keep the first date seen
    if memo is not None and key is not None:
        memo.git = (key, dict(dates))
    return dates


def _head(root: Path) -> str | None:
    """The commit HEAD names, or None outside a repository or before its first commit."""
    try:
        out = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=root,
                             capture_output=True, text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip() or None


@dataclass
class DateMemo:
    """What the last ``git log`` gave, for the preview server: at 10,000 data files in
    a repository, asking git again on every saved file would take seconds."""

    git: tuple[tuple[object, ...], dict[str, dt.date]] | None = None


def last_updated(kb: KB, memo: DateMemo | None = None) -> dict[str, dt.date]:
    """Per entry: ``updated`` from the data, else the data file's last commit, else its mtime."""
    sources = {eid: src for eid, src in kb.sources.items() if eid in kb.entries}
    from_git = git_dates(kb.root, sources.values(), memo)
    dates: dict[str, dt.date] = {}
    for eid, entry in kb.entries.items():
        src = sources.get(eid)
        if entry.updated is not None:
            dates[eid] = entry.updated
        elif src is not None and src in from_git:
            dates[eid] = from_git[src]
        elif src is not None:
            # Not committed yet (or no git at all): the file's own time is the best we know.
            try:
                stat = os.stat(kb.root / src)
            except OSError:
                continue
            if S_ISREG(stat.st_mode):
                dates[eid] = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC).date()
    return dates


def page_dates(kb: KB, updated: Mapping[str, dt.date]) -> dict[str, dt.date]:
    """The sitemap's ``lastmod`` of each generated page, by docs URI: an article's own date;
    a category's newest article below it; the home page's newest article anywhere."""
    dates: dict[str, dt.date] = {}
    newest: dict[str, dt.date] = {}  # category id -> its newest article's date, any depth
    for entry in kb.published():
        if entry.id in updated:
            day = dates[entry_uri(kb, entry)] = updated[entry.id]
            # Each article raises its categories' dates: one pass over the articles, not one
            # per category (at 10,000 articles, 4 million ancestor walks per build).
            for cat in kb.ancestors(entry.category):
                if cat.id not in newest or day > newest[cat.id]:
                    newest[cat.id] = day
    for cat_id in kb.categories:
        if cat_id in newest:
            dates[category_uri(kb, cat_id)] = newest[cat_id]
    if updated:
        dates["index.md"] = max(updated[e.id] for e in kb.published() if e.id in updated)
    return dates


def script_json(data: object) -> str:
    """JSON for a ``<script type="application/ld+json">`` element: nothing in it can close
    the element or start markup (``<``, ``>``, ``&`` and the JavaScript line breaks escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


# The page's language names the months, not the build machine's locale: strftime's %B
# follows LC_TIME, so a build in a German shell would print "Dezember" on an English page.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def date_text(day: dt.date) -> str:
    """2 November 2026: unambiguous for every English reader."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_text(month: str) -> str:
    """November 2026, for a YYYY-MM month (a guide's ``checked:``), named as date_text names it."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {int(year)}"


# ---------------------------------------------------------------- pages


@dataclass
class Reader:
    """Everything the article templates need, computed once per build."""

    kb: KB
    url_of: Callable[[str], str | None]  # entry id -> site-relative page URL, if built
    feedback: Feedback | None
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    updated: dict[str, dt.date] = field(default_factory=dict)
    site_url: str = ""  # absolute, ending in "/": for Open Graph and JSON-LD addresses

    @classmethod
    def build(cls, kb: KB, url_of: Callable[[str], str | None],
              feedback: Feedback | None, site_url: str = "", *, also_read: bool = True,
              updated: dict[str, dt.date] | None = None, dates: DateMemo | None = None) -> Reader:
        """``also_read=False``: without Also Read (whoever renders the pages has it);
        ``updated``: the dates, when they are known already; ``dates``: the preview's memo."""
        base = site_url if not site_url or site_url.endswith("/") else site_url + "/"
        return cls(kb, url_of, feedback, also_read_all(kb.entries) if also_read else {},
                   last_updated(kb, dates) if updated is None else updated, base)

    def _absolute(self, uri: str) -> str:
        return urljoin(self.site_url, published_url(uri).lstrip("/"))

    def structured_data(self, entry: Entry, url: str, day: dt.date | None) -> str:
        """schema.org JSON-LD: the article (a TechArticle) and where it sits (a BreadcrumbList)."""
        provider = self.kb.provider
        publisher = {"@type": "Organization", "name": provider.name}
        article: dict[str, Any] = {
            "@type": "TechArticle", "@id": url + "#article", "headline": entry.title,
            "description": entry.summary, "url": url, "mainEntityOfPage": url,
            "author": publisher, "publisher": publisher,
        }
        if day is not None:
            article["dateModified"] = day.isoformat()
        if isinstance(entry, Client):
            article["about"] = {"@type": "SoftwareApplication", "name": entry.app}
        crumbs = [("Home", self._absolute("index.md"))]
        crumbs += [(c.title, self._absolute(category_uri(self.kb, c.id)))
                   for c in self.kb.ancestors(entry.category)]
        crumbs.append((entry.title, url))
        trail = {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": item}
            for i, (name, item) in enumerate(crumbs, 1)]}
        return script_json({"@context": "https://schema.org", "@graph": [article, trail]})

    def article(self, entry: Entry, canonical_url: str | None, page_url: str) -> dict[str, Any]:
        day = self.updated.get(entry.id)
        url = canonical_url or urljoin(self.site_url, page_url.lstrip("/"))
        return {
            "id": entry.id,
            "title": entry.title,
            # The address printed at the top of a printout and sent with feedback.
            "url": canonical_url or "/" + page_url.lstrip("/"),
            "updated": day.isoformat() if day else None,
            "updated_text": date_text(day) if day else None,
            "written_for": entry.written_for if isinstance(entry, Client) else None,
            "app": entry.app if isinstance(entry, Client) else None,
            "summary": entry.summary,
            # Open Graph and JSON-LD need absolute addresses; without a site URL they are left out.
            "absolute_url": url if url.startswith(("https://", "http://")) else None,
            "og_image": {"url": urljoin(self.site_url, OG_IMAGE_PATH), "width": OG_IMAGE_SIZE[0],
                         "height": OG_IMAGE_SIZE[1], "alt": self.kb.provider.name},
            "json_ld": self.structured_data(entry, url, day)
            if url.startswith(("https://", "http://")) else None,
        }

    def also_read(self, entry_id: str) -> list[dict[str, str]]:
        items = []
        for rid in self.related.get(entry_id, ()):
            url = self.url_of(rid)
            if url is None:
                continue
            other = self.kb.entries[rid]
            items.append({"id": rid, "title": other.title, "summary": other.summary, "url": url})
        return items

    def back_links(self) -> list[dict[str, str]]:
        """Every built article, for the thank-you page's "Back to …" links: a reader
        without JavaScript lands there from an article's form (``#kb-back-<id>``)."""
        links = []
        for entry in self.kb.published():
            url = self.url_of(entry.id)
            if url is not None:
                links.append({"id": entry.id, "title": entry.title, "url": url})
        return links

    def page_context(self, entry_id: str | None, canonical_url: str | None,
                     page_url: str) -> dict[str, Any]:
        """The keys added to ``context["kbgen"]``; ``article`` is None off article pages."""
        entry = self.kb.entries.get(entry_id) if entry_id else None
        if entry is None:
            return {"article": None, "also_read": [], "feedback": None}
        return {
            "article": self.article(entry, canonical_url, page_url),
            "also_read": self.also_read(entry.id),
            "feedback": self.feedback,
        }


def url_lookup(pages: Mapping[str, str], file_url: Callable[[str], str | None]
               ) -> Callable[[str], str | None]:
    """entry id -> page URL, from entry id -> src_uri and MkDocs' src_uri -> URL."""
    def lookup(entry_id: str) -> str | None:
        uri = pages.get(entry_id)
        return file_url(uri) if uri else None
    return lookup
