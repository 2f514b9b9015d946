"""Strict, typed models of every kind of data file.

Unknown keys are errors (``extra="forbid"``) and nothing is coerced silently
(``strict=True``): a quoted port is a mistake the author should hear about.
The same classes export the JSON Schemas that editors use, so the validator
and the editor can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_LABEL = r"(\{domain\}|[a-z0-9]([a-z0-9-]*[a-z0-9])?)"
HOST_RE = rf"^{_LABEL}(\.{_LABEL})*$"


def _number_as_text(value: Any) -> Any:
    # "version: 2021" is text to an author; booleans stay errors ("NO" is already text).
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_number_as_text), Field(min_length=1)]
"""Plain text: HTML-escaped wherever it is shown."""

Markdown = Annotated[str, BeforeValidator(_number_as_text), Field(min_length=1)]
"""Markdown: rendered, then sanitised; may use {{ placeholders }} for settings."""

Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=64)]
Port = Annotated[int, Field(ge=1, le=65535)]
Security = Literal["tls", "starttls", "none"]
ProtocolId = Literal["imap", "pop3", "smtp"]
Url = Annotated[str, Field(pattern=r"^https?://[^\s<>\"']+$")]
Date = Annotated[dt.date, Field(strict=False)]
Hostname = Annotated[str, Field(pattern=HOST_RE, max_length=253)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ---------------------------------------------------------------- provider


class Endpoint(Strict):
    """One way to reach a server: a port and its transport security."""

    port: Port = Field(description="TCP port, 1-65535. Unquoted: 993, not '993'.")
    security: Security = Field(
        description="tls = implicit TLS (often called SSL/TLS); starttls = plain "
        "connection upgraded with STARTTLS; none = unencrypted (not recommended)."
    )


class ServerEndpoint(Strict):
    """A way the provider's server is reached; the port defaults to the protocol's standard."""

    security: Security = Field(
        description="tls = implicit TLS (often called SSL/TLS); starttls = plain "
        "connection upgraded with STARTTLS; none = unencrypted (not recommended)."
    )
    port: Port | None = Field(
        default=None,
        description="Only for a non-standard port. Leave it out to use the protocol's "
        "standard port for this security (data/protocols/<id>.yml).",
    )


class Server(Strict):
    host: Hostname = Field(
        description="Server name, e.g. mail.example.com. Write {domain} where the "
        "customer's own domain goes, e.g. mail.{domain}."
    )
    endpoints: list[ServerEndpoint] = Field(
        min_length=1,
        description="Ways in, most recommended first (implicit TLS first, RFC 8314).",
    )


class Servers(Strict):
    imap: Server
    pop3: Server
    smtp: Server


class Support(Strict):
    """How readers reach a person: the "Still need help?" block on every article."""

    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    url: Url
    phone: Text | None = Field(default=None, description="As readers dial it, e.g. +1 555 0100.")
    hours: Text | None = None
    ticket_url: Url | None = Field(default=None, description="Where readers open a support ticket.")


class Username(Strict):
    format: Literal["email", "localpart"] = Field(
        description="email = the full address (you@example.com); localpart = the part before @."
    )
    note: Text | None = Field(default=None, description="Extra words shown under the username.")


class Provider(Strict):
    name: Text = Field(description="Brand shown on every page, e.g. Example Hosting.")
    domain: Hostname = Field(description="The domain used in examples, e.g. example.com.")
    site_url: Url = Field(description="Where the help center is published.")
    support: Support
    webmail: Url
    username: Username
    authentication: Literal["password", "encrypted-password", "oauth2"] = Field(
        description="How mail clients sign in: password = normal password sent over TLS."
    )
    servers: Servers
    smtp_auth_required: bool = Field(
        default=True, description="Outgoing mail needs the same username and password."
    )
    repo_url: Url | None = Field(default=None, description="Source repository, for 'Edit'.")
    edit_branch: Text = "main"


# ---------------------------------------------------------------- protocols


class Protocol(Strict):
    id: ProtocolId
    name: Text = Field(description="Short name: IMAP, POP3, SMTP.")
    full_name: Text
    rfc: Annotated[int, Field(ge=1, le=99999)] = Field(description="Defining RFC number.")
    direction: Literal["incoming", "outgoing"]
    summary: Text = Field(description="One sentence: what the protocol does.")
    how_it_works: Markdown
    standard_ports: list[Endpoint] = Field(min_length=1)
    srv: dict[Security, Annotated[str, Field(pattern=r"^_[a-z0-9]+\._tcp$")]] = Field(
        default_factory=dict, description="RFC 6186/8314 SRV service label per security mode."
    )
    strengths: list[Text] = Field(default_factory=list)
    limits: list[Text] = Field(default_factory=list)
    recommended_for: list[Text] = Field(default_factory=list)
    traits: dict[Slug, Text] = Field(
        default_factory=dict, description="Facts compared side by side, keyed by trait id."
    )


# ---------------------------------------------------------------- categories


class Category(Strict):
    id: Slug
    title: Text
    description: Text
    order: Annotated[int, Field(ge=0)] = 100
    parent: Slug | None = None
    legacy_urls: list[Annotated[str, Field(pattern=r"^/\S*$")]] = Field(default_factory=list)


class Categories(Strict):
    categories: list[Category] = Field(min_length=1)


# ---------------------------------------------------------------- articles


class Image(Strict):
    src: Annotated[str, Field(pattern=r"^[A-Za-z0-9_./-]+\.(png|jpg|jpeg|webp|svg|gif)$")] = Field(
        description="Path under docs/, e.g. images/thunderbird/account.png."
    )
    alt: Text = Field(description="What the picture shows, for screen readers.")


class TextBlock(Strict):
    type: Literal["text"]
    heading: Text | None = None
    markdown: Markdown


class OverviewBlock(Strict):
    """What each protocol is, how it works, strengths, limits, who it suits."""

    type: Literal["protocol-overview"]
    heading: Text | None = None
    protocols: list[ProtocolId] = Field(min_length=1)


class ComparisonRow(Strict):
    trait: Slug
    label: Text


class ComparisonBlock(Strict):
    type: Literal["comparison"]
    heading: Text | None = None
    protocols: list[ProtocolId] = Field(min_length=2)
    rows: list[ComparisonRow] = Field(min_length=1)


class PortsBlock(Strict):
    """Standard ports and the provider's servers, read from protocol and provider data."""

    type: Literal["ports"]
    heading: Text | None = None
    protocols: list[ProtocolId] = Field(min_length=1)


class SettingsBlock(Strict):
    """The provider's full incoming/outgoing settings table."""

    type: Literal["settings"]
    heading: Text | None = None
    incoming: list[Literal["imap", "pop3"]] = Field(default=["imap", "pop3"], min_length=1)


class TroublesBlock(Strict):
    """Problems from data/troubleshooting.yml with their causes and fixes."""

    type: Literal["troubleshooting"]
    heading: Text | None = None
    problems: list[Slug] = Field(default_factory=list, description="Ids; empty means all.")


Block = Annotated[
    TextBlock | OverviewBlock | ComparisonBlock | PortsBlock | SettingsBlock | TroublesBlock,
    Field(discriminator="type"),
]


class Legacy(Strict):
    """Where this article lived in the old knowledge base (for 301 redirects)."""

    ids: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    urls: list[Annotated[str, Field(pattern=r"^/\S*$")]] = Field(default_factory=list)


class Common(Strict):
    id: Slug = Field(description="Also the file name (<id>.yml) and the last part of the URL.")
    title: Text
    summary: Text = Field(description="One line, shown in lists and in Also Read.")
    category: Slug
    protocols: list[ProtocolId] = Field(default_factory=list)
    tags: list[Slug] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list, description="Also Read, in this order.")
    updated: Date | None = Field(default=None, description="Last reviewed, YYYY-MM-DD.")
    order: Annotated[int, Field(ge=0)] = 100
    draft: bool = False
    hidden: bool = Field(default=False, description="Built but left out of lists and nav.")
    featured: bool = Field(default=False, description="Listed under Popular articles on the home page.")
    legacy: Legacy = Field(default_factory=Legacy)


class Article(Common):
    body: list[Block] = Field(min_length=1)


class Step(Strict):
    title: Text
    text: Markdown | None = None
    image: Image | None = None
    settings: bool = Field(default=False, description="Show the server settings table here.")


class Trouble(Strict):
    problem: Slug = Field(description="An id from data/troubleshooting.yml.")
    message: Text = Field(description="The error text exactly as this app shows it.")
    fix: Markdown | None = Field(default=None, description="Client-specific fix, if any.")


class LegacyNotice(Strict):
    notice: Markdown
    replacement: Slug | None = None


class Client(Common):
    protocols: list[Literal["imap", "pop3"]] = Field(  # type: ignore[assignment]
        default_factory=list,
        description="Incoming protocols the app supports; SMTP for sending is implied.")
    app: Text = Field(description="The app's name, e.g. Mozilla Thunderbird.")
    family: Slug = Field(description="microsoft, apple, google, samsung, mozilla…")
    platform: Literal["windows", "macos", "linux", "ios", "android", "web", "desktop"]
    written_for: Text = Field(description="App version the steps were written against.")
    deprecated: LegacyNotice | None = None
    before_you_start: list[Markdown] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    troubleshooting: list[Trouble] = Field(default_factory=list)


class Problem(Strict):
    id: Slug
    title: Text
    cause: Markdown
    fix: Markdown


class Troubleshooting(Strict):
    problems: list[Problem] = Field(min_length=1)


KINDS: dict[str, type[Strict]] = {
    "provider": Provider,
    "protocol": Protocol,
    "categories": Categories,
    "article": Article,
    "client": Client,
    "troubleshooting": Troubleshooting,
}

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z0-9_.]+)\s*\}\}")
