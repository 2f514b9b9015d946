"""Safe text: escaping plain fields and sanitising Markdown fields.

Python-Markdown passes raw HTML and ``javascript:`` links straight through,
and Material prints page titles unescaped, so every author-written string is
made safe here before it reaches a template's output.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from ..data import markup
from ..data.facts import fill
from ..data.markup import MARKDOWN_EXTENSIONS, one_line
from ..data.personal import COPY_KINDS, MARK_RE, PATTERN_RE, unmark

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "kbd", "a", "ul", "ol", "li",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "del", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                      "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


class _Marks(Treeprocessor):  # type: ignore[misc]  # markdown has no type stubs
    """Turns the marks of personalisable values (``kbgen.data.personal``) into
    ``<span data-kb-me="pattern">value</span>``, in text and code alike, or into the
    attribute of a ``<code>`` that holds the value alone (`` `{{ imap.host }}` ``);
    in an attribute (a link's address) the value stays plain text.

    A value to copy (a host, a port, the example username) becomes a copy token
    (``copy_token``), which ``copy_buttons`` turns into the settings table's markup
    once the HTML is sanitised. Inside a code that holds more than the value
    (`` `{{ imap.host }}:{{ imap.tls }}` ``) it stays text: a button there would copy
    only part of what the reader is told to type."""

    patterns: set[str]

    def run(self, root: etree.Element) -> None:
        self.patterns = set()
        # No button inside a link (a button in a link is not valid HTML) or inside a code
        # that holds more than the value.
        in_link = {el for link in root.iter("a") for el in link.iter()}
        for parent in list(root.iter()):
            for name, value in parent.attrib.items():
                if MARK_RE.search(value):
                    parent.set(name, unmark(value))
            no_copy = parent in in_link or parent.tag == "code"
            whole = MARK_RE.fullmatch(parent.text or "")
            if parent.tag == "code" and whole and not len(parent):
                pattern, copy, shown = whole.groups()
                if PATTERN_RE.fullmatch(pattern):
                    parent.set("data-kb-me", pattern)
                    self.patterns.add(pattern)
                copyable = copy in COPY_KINDS and parent not in in_link
                parent.text = copy_token(copy, shown) if copyable else shown
            elif parent.text and MARK_RE.search(parent.text):
                parent.text, spans = self._split(parent.text, no_copy)
                for i, span in enumerate(spans):
                    parent.insert(i, span)
            for child in list(parent):
                if child.tail and MARK_RE.search(child.tail):
                    child.tail, spans = self._split(child.tail, no_copy)
                    at = list(parent).index(child) + 1
                    for i, span in enumerate(spans):
                        parent.insert(at + i, span)

    def _split(self, text: str, no_copy: bool) -> tuple[str, list[etree.Element]]:
        """The text before the first mark, and a span for each personalisable value;
        every other value joins the text around it (the last span's tail, or the head)."""
        pieces = MARK_RE.split(text)  # text, pattern, copy, shown, text, pattern, copy, shown, text …
        head, spans = pieces[0], []
        for i in range(1, len(pieces), 4):
            pattern, copy, shown, after = pieces[i:i + 4]
            if copy in COPY_KINDS and not no_copy:
                shown = copy_token(copy, shown)
            if PATTERN_RE.fullmatch(pattern):
                span = etree.Element("span", {"data-kb-me": pattern})
                span.text, span.tail = shown, after
                self.patterns.add(pattern)
                spans.append(span)
            elif spans:
                spans[-1].tail = (spans[-1].tail or "") + shown + after
            else:
                head += shown + after
        return head, spans


# A value to copy, between the renderer's two steps (_Marks, then copy_buttons). Two
# starts make it no mark (MARK_RE); the loader refuses these characters in every data
# file and nh3 keeps them, so only a placeholder's fill can make one.
_COPY_START = "\x0e\x0e"
_TOKEN = "\x0e\x0e(" + "|".join(COPY_KINDS) + ")\x1f([^\x0e\x1f\x0f<]*)\x0f"
_COPY_CODE_RE = re.compile(f'<code(?: data-kb-me="([^"<>]*)")?>{_TOKEN}</code>')
_COPY_RE = re.compile(_TOKEN)


def copy_token(kind: str, shown: str) -> str:
    return f"{_COPY_START}{kind}\x1f{shown}\x0f"


CopyMarkup = Callable[[str, str, "str | None", bool], str]
"""(kind, value, pattern or None, in a code of its own) → the value's markup with its copy button."""


def copy_buttons(html_text: str, markup: CopyMarkup) -> Markup:
    """Sanitised HTML with each copy token replaced by ``markup``'s HTML for it; a token
    that is a code's whole text takes the code's place, as in the settings table."""

    def code(m: re.Match[str]) -> str:
        me, kind, shown = m.groups()
        return markup(kind, html.unescape(shown), html.unescape(me) if me else None, True)

    def text(m: re.Match[str]) -> str:
        return markup(m.group(1), html.unescape(m.group(2)), None, False)

    return Markup(_COPY_RE.sub(text, _COPY_CODE_RE.sub(code, html_text)))


class _MarksExtension(Extension):  # type: ignore[misc]
    def extendMarkdown(self, md_: md.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        self.marks = _Marks(md_)
        md_.treeprocessors.register(self.marks, "kbgen-marks", 5)  # after inline (20)


_MARKS = _MarksExtension()
# One converter for the whole build: building a Markdown instance (and loading its
# extensions) for every field was a tenth of the build time of a large site.
_MARKDOWN = md.Markdown(extensions=[*MARKDOWN_EXTENSIONS, _MARKS], output_format="html")


def markdown_escapes(extensions: Sequence[Any] = (),
                     configs: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The characters a backslash escapes in Python-Markdown with these extensions.

    Escaping any other character leaves the backslash on the page (``\\~`` shows
    as ``\\~`` unless an extension such as pymdownx.tilde makes ``~`` special).
    An escaped space means a no-break space to pymdownx, so whitespace is left out."""
    converter = md.Markdown(extensions=list(extensions), extension_configs=dict(configs or {}))
    return frozenset(c for c in converter.ESCAPED_CHARS if not c.isspace())


DEFAULT_ESCAPES = markdown_escapes()
"""Python-Markdown's own escapes; the MkDocs plugin passes those of mkdocs.yml's extensions."""


def plain(text: object, escapes: frozenset[str] = DEFAULT_ESCAPES) -> Markup:
    """Plain text for a Markdown line (a heading, a link's text, a list item): one line,
    HTML-escaped, Markdown syntax neutralised; the page shows the text as written.

    Every character the Markdown instance treats as an escape is escaped, which also
    stops a line-start list marker (``1.``, ``-``, ``+``, ``*``) or heading (``#``)."""
    # Quotes stay as they are: headings are not attributes, and Python-Markdown's
    # table of contents would show an entity such as &#39; literally.
    escaped = html.escape(one_line(text), quote=False)
    return Markup("".join("\\" + c if c in escapes else c for c in escaped))


def as_text(text: object, escapes: frozenset[str] = DEFAULT_ESCAPES) -> Markup:
    """A plain-text field for any place in a page's Markdown: shown as written there.

    The Jinja environment applies it to every plain-text value a template prints
    (``PlainText``, kbgen.data.model), so no template, a site's own included, can
    hand one to Markdown as syntax; see ``kbgen.data.markup.as_text``."""
    return Markup(markup.as_text(text, escapes))


def _shown(mark: re.Match[str]) -> str:
    return html.escape(mark.group(3))


def _plain(kind: str, value: str, pattern: str | None, code: bool) -> str:
    shown = html.escape(value)
    if not code:
        return shown
    return f'<code data-kb-me="{html.escape(pattern)}">{shown}</code>' if pattern else f"<code>{shown}</code>"


def markdown_html(text: str, values: Mapping[str, str], *, inline: bool = False,
                  copy: CopyMarkup = _plain) -> Markup:
    """Render a Markdown field to sanitised HTML (no scripts, handlers or odd URLs).

    ``copy`` gives a value to copy its markup (the renderer's: the settings table's
    copy button); without it the value is plain text."""
    return copy_buttons(_sanitised_html(fill(text, values), inline), copy)


# The same text gives the same HTML: shared texts (troubleshooting.yml's causes and
# fixes, on every client guide) are converted once per build. The marks of a reader's
# values come from the text itself, so the text is the whole key. Small on purpose: most
# texts are converted once, and holding them all would add ~1 KB per text to the peak.
@functools.lru_cache(maxsize=4096)
def _sanitised_html(text: str, inline: bool) -> str:
    html = _MARKDOWN.reset().convert(text)
    # A mark left in raw HTML, which Python-Markdown passes by without a tree: plain text.
    html = MARK_RE.sub(_shown, html)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    patterns = _MARKS.marks.patterns
    clean: str = nh3.clean(html, tags=ALLOWED_TAGS | ({"span"} if patterns else set()),
                           attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener",
                           # only the marks this field was given: an author's own data-kb-me is dropped
                           tag_attribute_values={tag: {"data-kb-me": patterns} for tag in ("span", "code")}
                           if patterns else None)
    return clean


# A code element may carry the mark of a reader's value (data-kb-me, _Marks above): kept.
_CODE = re.compile(r'<code((?: data-kb-me="[^"<>]*")?)>([^<]*)</code>')


def keep_whole(html_text: str, whole: Mapping[str, str]) -> Markup:
    """Inside ``<code>`` of sanitised HTML, replace each value of ``whole`` (a host
    name, the example username) by its markup from the templates (``whole`` in
    _copy.html.j2), so that a long host wraps only after a dot, never at a hyphen
    inside a label. The values are validated host names and addresses (letters,
    digits, dots, hyphens, @): the same escaped or not. A value inside a longer
    name (mail.example.com in webmail.example.com) is left alone."""
    if not whole:
        return Markup(html_text)
    alternatives = "|".join(re.escape(v) for v in sorted(whole, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.@-])(?:{alternatives})(?![\w-]|\.\w)")

    def code(match: re.Match[str]) -> str:
        inner = pattern.sub(lambda m: whole[m.group(0)], match.group(2))
        return match.group(0) if inner == match.group(2) else f"<code{match.group(1)}>{inner}</code>"

    return Markup(_CODE.sub(code, html_text))
