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

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .chars import check_plain
from .oldurl import check_old_url

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_LABEL = r"(\{domain\}|[a-z0-9]([a-z0-9-]*[a-z0-9])?)"
HOST_RE = rf"^{_LABEL}(\.{_LABEL})*$"
_PLAIN_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
DOMAIN_RE = rf"^{_PLAIN_LABEL}(\.{_PLAIN_LABEL})+$"


def _number_as_text(value: Any) -> Any:
    # "version: 2021" is text to an author; booleans stay errors ("NO" is already text).
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


class PlainText(str):
    """The value of a plain-text field. Its type goes with it into the templates, whose
    Jinja environment shows every such value as text, never as Markdown or HTML,
    wherever a template puts it (``kbgen.content.text.as_text``)."""

    __slots__ = ()


Text = Annotated[str, BeforeValidator(_number_as_text), Field(min_length=1),
                 AfterValidator(check_plain), AfterValidator(PlainText)]
"""Plain text: shown as written, on one line, wherever it is shown; no invisible look-alike characters."""

class _MarkdownField:
    """Tells code that walks the models (``facts.fill_placeholders``) that a field is Markdown."""


MARKDOWN_FIELD = _MarkdownField()

Markdown = Annotated[str, BeforeValidator(_number_as_text), Field(min_length=1), MARKDOWN_FIELD]
"""Markdown: rendered, then sanitised; may use {{ placeholders }} for settings."""

Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=64)]
Port = Annotated[int, Field(ge=1, le=65535)]
Security = Literal["tls", "starttls", "none"]
ProtocolId = Literal["imap", "pop3", "smtp"]
SignIn = Literal["password", "encrypted-password", "oauth2"]
# No backslash before '"': a JSON Schema pattern is an ECMA-262 regex in unicode mode, where
# that escape is an error (check-jsonschema and ajv then refuse the whole schema).
Url = Annotated[str, Field(pattern=r"""^https?://[^\s<>"']+$""")]
Date = Annotated[dt.date, Field(strict=False)]
Hostname = Annotated[str, Field(pattern=HOST_RE, max_length=253)]
OldUrl = Annotated[str, Field(pattern=r"^/\S*$"), AfterValidator(check_old_url)]
"""An old address of the site, matched exactly by one Netlify _redirects rule."""

# A git branch name that `git check-ref-format --branch` accepts, narrowed to characters
# a URL path carries as they are: parts of letters, digits, '_', '+' and '-' (not leading),
# joined by single '.' or '/'. So no '..', '//', '@{', control character, space or quote.
_REF_PART = r"[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*"
BRANCH_RE = rf"^[A-Za-z0-9_+]([A-Za-z0-9_+-]*(\.[A-Za-z0-9_+-]+)*)?(/{_REF_PART})*$"


def _git_branch(value: str) -> str:
    # The one rule of check-ref-format a pattern without look-around cannot say.
    if any(part.endswith(".lock") for part in value.split("/")):
        raise ValueError(f"{value!r} is not a git branch name: no part of it may end in '.lock'")
    return value


Branch = Annotated[str, Field(pattern=BRANCH_RE, max_length=200), AfterValidator(_git_branch)]

Domain = Annotated[str, Field(pattern=DOMAIN_RE, max_length=253)]
"""A real domain name: no {domain} placeholder, at least two labels."""


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
    """The protocols offered: SMTP to send, and IMAP or POP3 (or both) to read mail."""

    # Editors learn the same rule from the schema that the validator applies.
    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["imap"]}, {"required": ["pop3"]}]})

    imap: Server | None = Field(default=None, description="Leave it out if you offer no IMAP.")
    pop3: Server | None = Field(default=None, description="Leave it out if you offer no POP3.")
    smtp: Server

    @model_validator(mode="after")
    def _one_way_in(self) -> Servers:
        if self.imap is None and self.pop3 is None:
            raise PydanticCustomError(
                "no_incoming", "no server to read mail from: servers needs imap, pop3 or both")
        return self


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


DNS_NAME_RE = r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9])?)*$"


class MxHost(Strict):
    host: Hostname = Field(description="A server that receives mail for customers' domains, "
                           "e.g. mx1.example.com (never an IP address).")
    priority: Annotated[int, Field(ge=0, le=65535)] = Field(
        default=10, description="Lower is tried first; equal values share the load.")


class Dkim(Strict):
    selector: Annotated[str, Field(pattern=DNS_NAME_RE, max_length=63)] = Field(
        description="The DKIM selector: the record is <selector>._domainkey.<domain>.")
    key_source: Markdown = Field(
        description="Where a customer finds the public key for their domain, e.g. the "
        "control panel page that shows it.")
    cname: Hostname | None = Field(
        default=None, description="When you publish the key yourselves: the host the "
        "customer's <selector>._domainkey name should point to with a CNAME.")


class Dns(Strict):
    """The DNS records a customer adds so their own domain's mail works with you."""

    ttl: Annotated[int, Field(ge=60, le=604800)] = Field(
        default=3600, description="Time to live of every record, in seconds.")
    mx: list[MxHost] = Field(min_length=1, description="Where mail for the domain is delivered.")
    spf: Text | None = Field(default=None, description="The SPF TXT record, "
                             "e.g. 'v=spf1 include:_spf.example.com ~all'.")
    dkim: Dkim | None = None
    dmarc: Text | None = Field(default=None, description="A starting DMARC policy, "
                               "e.g. 'v=DMARC1; p=none; rua=mailto:dmarc@example.com'.")
    autoconfig: Hostname | None = Field(
        default=None, description="The host autoconfig.<domain> points to (CNAME): a server "
        "that answers Thunderbird's autoconfig request for every customer domain.")
    autodiscover: Hostname | None = Field(
        default=None, description="The host autodiscover.<domain> points to (CNAME), also the "
        "target of the _autodiscover._tcp SRV record Outlook looks up.")


class Provider(Strict):
    """Who the help center belongs to: the one place for the brand, the site and its servers."""

    name: Text = Field(description="Brand shown on every page, e.g. Example Hosting.")
    domain: Domain = Field(description="The provider's own domain, e.g. example.com; also "
                           "the mail domain when 'domains' is left out.")
    domains: list[Domain] = Field(
        default_factory=list,
        description="Every domain whose addresses this provider hosts, e.g. [example.com, "
        "example.net]; mail apps' automatic setup lists each. Left out: just 'domain'.")
    site_url: Url = Field(description="Where the help center is published (mkdocs.yml's "
                          "site_url is taken from here).")
    site_name: Text | None = Field(
        default=None, description="The site's name in page titles and the header. "
        "Default: '<name> Help Center'.")
    copyright: Text | None = Field(
        default=None, description="The footer line. Default: '© <name>'.")
    support: Support
    webmail: Url
    username: Username
    authentication: SignIn = Field(
        description="How mail clients sign in: password = normal password sent over TLS."
    )
    servers: Servers
    smtp_auth_required: bool = Field(
        default=True, description="Outgoing mail needs the same username and password."
    )
    repo_url: Url | None = Field(default=None, description="Source repository, for 'Edit'.")
    edit_branch: Branch = Field(default="main", description="The branch 'Edit this page' opens, "
                                "e.g. main or docs/help-center.")
    dns: Dns | None = Field(default=None, description="Records for customers' own domains; "
                            "shown by an article with a dns-records block.")
    recheck_after_months: Annotated[int, Field(ge=1, le=120)] = Field(
        default=6, description="A client guide whose 'checked:' month is more than this many "
        "months before the build date gets a warning (so `mkdocs build --strict` fails): "
        "time to follow its steps on the current app again.")


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
    legacy_urls: list[OldUrl] = Field(default_factory=list)
    legacy_ids: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list,
        description="Category ids in the old WHMCS knowledge base: their old addresses "
        "(knowledgebase.php?action=displaycat&catid=N, /knowledgebase/N/<name>) redirect here.")


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
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    heading: Text | None = None
    markdown: Markdown


class OverviewBlock(Strict):
    """What each protocol is, how it works, strengths, limits, who it suits."""

    type: Literal["protocol-overview"]
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    heading: Text | None = None
    protocols: list[ProtocolId] = Field(min_length=1)


class ComparisonRow(Strict):
    trait: Slug
    label: Text


class ComparisonBlock(Strict):
    type: Literal["comparison"]
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    heading: Text | None = None
    protocols: list[ProtocolId] = Field(min_length=2)
    rows: list[ComparisonRow] = Field(min_length=1)


class PortsBlock(Strict):
    """Standard ports and the provider's servers, read from protocol and provider data."""

    type: Literal["ports"]
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    heading: Text | None = None
    protocols: list[ProtocolId] = Field(min_length=1)


class SettingsBlock(Strict):
    """The provider's full incoming/outgoing settings table."""

    type: Literal["settings"]
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    heading: Text | None = None
    incoming: list[Literal["imap", "pop3"]] = Field(
        default_factory=list,
        description="Incoming protocols to show. Left out: every one the provider offers.")


class TroublesBlock(Strict):
    """Problems from data/troubleshooting.yml with their causes and fixes."""

    type: Literal["troubleshooting"]
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    heading: Text | None = None
    problems: list[Slug] = Field(default_factory=list, description="Ids; empty means all.")


class DnsRecordsBlock(Strict):
    """The DNS records for email on a customer's own domain, from dns: in data/provider.yml."""

    type: Literal["dns-records"]
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    heading: Text | None = None


Block = Annotated[
    TextBlock | OverviewBlock | ComparisonBlock | PortsBlock | SettingsBlock | TroublesBlock
    | DnsRecordsBlock,
    Field(discriminator="type"),
]


class Legacy(Strict):
    """Where this article lived in the old knowledge base (for 301 redirects)."""

    ids: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    urls: list[OldUrl] = Field(default_factory=list)


class History(Strict):
    """Reader counts carried over from the old knowledge base (WHMCS), so that the first
    helpfulness figures after a move continue from them instead of starting at zero."""

    views: Annotated[int, Field(ge=0)] = Field(default=0, description="Times the article was read.")
    useful: Annotated[int, Field(ge=0)] = Field(default=0, description="Readers who found it useful.")
    votes: Annotated[int, Field(ge=0)] = Field(default=0, description="Readers who answered at all.")


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
    history: History | None = Field(default=None, description="Counts from the old knowledge base.")


class Article(Common):
    body: list[Block] = Field(min_length=1)


class Step(Strict):
    key: Slug | None = Field(
        default=None, description="A stable name for this part, e.g. choose-manual: a "
        "translation in data/translations/<lang>/ finds its text by it, so reordering or "
        "inserting parts never attaches a translation to the wrong one.")
    title: Text
    text: Markdown | None = None
    image: Image | None = None
    settings: bool = Field(default=False, description="Show the server settings table here.")


class Trouble(Strict):
    problem: Slug = Field(description="An id from data/troubleshooting.yml.")
    message: Text = Field(description="The error text exactly as this app shows it.")
    fix: Markdown | None = Field(default=None, description="Client-specific fix, if any.")


MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class Checked(Strict):
    """When a guide's steps were last followed on a real device, and on which versions."""

    month: Annotated[str, Field(pattern=MONTH_RE)] = Field(
        description="The month of the check, YYYY-MM in quotes or not, e.g. 2026-11. "
        "Not in the future.")
    versions: list[Text] = Field(
        min_length=1, description="The app and system versions it was checked on, as readers "
        "name them, e.g. [iOS 26.1, iPadOS 26.1] or [Thunderbird 140.5 ESR].")


class AppLabels(Strict):
    """The words this app shows for a setting, so that a guide names what the reader sees."""

    authentication: dict[SignIn, Text] = Field(
        default_factory=dict,
        description="The app's name for each sign-in method of data/provider.yml's "
        "'authentication', e.g. {password: Normal password}. A method left out (or no "
        "'labels:' at all, for an app without such a field) leaves the line out of the guide.")


class LegacyNotice(Strict):
    notice: Markdown
    replacement: Slug | None = None


class Client(Common):
    protocols: list[Literal["imap", "pop3"]] = Field(  # type: ignore[assignment]
        default_factory=list,
        description="Incoming protocols the app supports; SMTP for sending is implied.")
    app: Text = Field(description="The app's name, e.g. Mozilla Thunderbird.")
    also_known_as: list[Text] = Field(
        default_factory=list,
        description="Other names readers give the app (\"Windows Email\"): an imported article "
        "whose title says one is about this app.")
    family: Slug = Field(description="microsoft, apple, google, samsung, mozilla…")
    platform: Literal["windows", "macos", "linux", "ios", "android", "web", "desktop"]
    written_for: Text = Field(description="App version the steps were written against.")
    checked: Checked | None = Field(
        default=None, description="Last check of the steps against the app: shown to readers; "
        "`kbgen validate` warns once it is older than provider.yml's recheck_after_months.")
    labels: AppLabels | None = Field(
        default=None, description="What the app calls its settings, quoted from a source "
        "listed in data/SOURCES.md.")
    deprecated: LegacyNotice | None = None
    before_you_start: list[Markdown] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    troubleshooting: list[Trouble] = Field(default_factory=list)


class KnownProblem(Strict):
    """A problem readers meet, its cause and its fix: one entry of data/troubleshooting.yml."""

    id: Slug
    title: Text
    cause: Markdown
    fix: Markdown


class Troubleshooting(Strict):
    problems: list[KnownProblem] = Field(min_length=1)


KINDS: dict[str, type[Strict]] = {
    "provider": Provider,
    "protocol": Protocol,
    "categories": Categories,
    "article": Article,
    "client": Client,
    "troubleshooting": Troubleshooting,
}

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z0-9_.]+)\s*\}\}")
