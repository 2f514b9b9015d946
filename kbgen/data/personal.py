"""Values that depend on the reader's own address, and how pages mark them.

A reader who types their address (``docs/assets/kbgen-me.js``) sees it in
every username and example address, and their domain in every host written as
``mail.{domain}``. The browser changes only elements the build marked with
``data-kb-me="<pattern>"``: ``{address}``, ``{local}`` (the part before the
@) or a host pattern from ``data/provider.yml``. A host without ``{domain}`` is
never marked, so it never changes.

Templates mark what they print themselves. In Markdown fields a placeholder
such as ``{{ imap.host }}`` is filled with a *mark*: control characters the
loader refuses in every data file (so no data can forge one) around the
pattern and the value shown without JavaScript. ``kbgen.content.text`` turns
marks into ``<span data-kb-me>`` elements while it renders the field.

The same mark says what a value is when the reader may copy it into an app (a
host name, a port, the example username): the page gives it the copy button
the settings table gives the same value. The fill knows which placeholder a
value came from; the text around it is never searched for host names.
"""

from __future__ import annotations

import re

from . import facts
from .kb import KB
from .markup import FIELD_ESCAPES, as_text
from .model import PlainText, Provider

_START, _SEP, _END = "\x0e", "\x1f", "\x0f"
_FIELD = f"([^{_START}{_SEP}{_END}]*)"
MARK_RE = re.compile(f"{_START}{_FIELD}{_SEP}{_FIELD}{_SEP}{_FIELD}{_END}")
"""A mark's groups: the pattern ("" for a value that is the same for every reader),
the copy kind ("" for a value not to copy) and the value shown."""
COPY_KINDS = ("host", "port", "username")
PATTERN_RE = re.compile(r"\{address\}|\{local\}|[a-z0-9.-]*\{domain\}[a-z0-9.-]*")
"""The patterns a page may carry: what kbgen-me.js knows how to fill (use with fullmatch)."""


def username_pattern(provider: Provider) -> str:
    """What a username is made of, by the provider's format."""
    return "{address}" if provider.username.format == "email" else "{local}"


def host_pattern(provider: Provider, protocol_id: str) -> str | None:
    """The host's pattern when it holds the customer's domain (mail.{domain}), else None."""
    srv = facts.server(provider, protocol_id)
    return srv.host if srv is not None and "{domain}" in srv.host else None


def patterns(kb: KB) -> dict[str, str]:
    """Placeholder name → pattern, for the placeholders whose value is the reader's."""
    p = kb.provider
    out = {"address.example": "{address}", "username.example": username_pattern(p)}
    for pid in facts.offered(p):
        host = host_pattern(p, pid)
        if host is not None:
            out[f"{pid}.host"] = host
    way_in = facts.incoming(p)
    if way_in and (host := host_pattern(p, way_in[0])) is not None:
        out["incoming.host"] = host
    return out


def copy_kinds(kb: KB) -> dict[str, str]:
    """Placeholder name → what the value is ("host", "port", "username"), for the
    placeholders whose value a reader types into a mail app as it stands."""
    p = kb.provider
    out = {"username.example": "username", "incoming.host": "host", "incoming.port": "port"}
    for pid in facts.offered(p):
        out[f"{pid}.host"] = "host"
        for name in ("port", "tls", "starttls", "none"):
            out[f"{pid}.{name}"] = "port"
    return out


def mark(pattern: str, shown: str, copy: str = "") -> str:
    return f"{_START}{pattern}{_SEP}{copy}{_SEP}{shown}{_END}"


def unmark(text: str) -> str:
    """The text as it reads without JavaScript: every mark replaced by its value."""
    return MARK_RE.sub(r"\3", text)


def markdown_values(kb: KB) -> dict[str, str]:
    """Placeholder values for Markdown fields: the reader's values and the values to
    copy marked."""
    values = facts.placeholders(kb)
    for name, value in values.items():
        if isinstance(value, PlainText):  # a name from data (provider.name): text, not Markdown
            values[name] = as_text(value, FIELD_ESCAPES)
    reader, copy = patterns(kb), copy_kinds(kb)
    for name in reader.keys() | copy.keys():
        if name in values:
            values[name] = mark(reader.get(name, ""), values[name], copy.get(name, ""))
    return values
