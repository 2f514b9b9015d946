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
"""

from __future__ import annotations

import re

from . import facts
from .kb import KB
from .model import Provider

_START, _SEP, _END = "\x0e", "\x1f", "\x0f"
MARK_RE = re.compile(f"{_START}([^{_START}{_SEP}{_END}]*){_SEP}([^{_START}{_SEP}{_END}]*){_END}")
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


def mark(pattern: str, shown: str) -> str:
    return f"{_START}{pattern}{_SEP}{shown}{_END}"


def unmark(text: str) -> str:
    """The text as it reads without JavaScript: every mark replaced by its value."""
    return MARK_RE.sub(r"\2", text)


def markdown_values(kb: KB) -> dict[str, str]:
    """Placeholder values for Markdown fields: the reader's values marked."""
    values = facts.placeholders(kb)
    for name, pattern in patterns(kb).items():
        if name in values:
            values[name] = mark(pattern, values[name])
    return values
