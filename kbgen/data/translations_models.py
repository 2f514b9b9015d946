"""The shape of a translation file: the source kind's shape, cut down to its words.

A file under ``data/translations/<lang>/`` mirrors the data file of the same path
and holds only what a translator writes: titles, summaries, headings, step texts,
Markdown blocks, messages and fixes. Every text is optional here (a text left out
is untranslated, and the page it belongs to is not published in the language);
the keys that match list items (``key``, ``id``, ``trait``, ``problem``) are
required. Ports, hosts, ids, order, relations and every other fact are not fields
at all, so no translation can carry a second copy of one (``translations_checks``
says which source file a structural field comes from).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .model import Date, Markdown, SignIn, Slug, Strict, Text

# What a text left out means, shown by editors on every optional text.
_LEFT_OUT = "Left out: not translated yet, and the page is not published in this language."


class SupportWords(Strict):
    hours: Text | None = Field(default=None, description="support.hours, in this language.")


class UsernameWords(Strict):
    note: Text | None = Field(default=None, description="username.note, in this language.")


class DkimWords(Strict):
    key_source: Markdown | None = Field(default=None, description="dns.dkim.key_source, "
                                        "in this language.")


class DnsWords(Strict):
    dkim: DkimWords | None = None


class ProviderWords(Strict):
    """data/translations/<lang>/provider.yml: the provider's prose. Write the brand as
    {{ provider.name }}, never by hand."""

    site_name: Text | None = Field(default=None, description="The site's name in this "
                                   "language, e.g. 'Hilfe-Center von {{ provider.name }}'.")
    copyright: Text | None = Field(default=None, description="The footer line in this language.")
    support: SupportWords | None = None
    username: UsernameWords | None = None
    dns: DnsWords | None = None


class CategoryWords(Strict):
    id: Slug = Field(description="The id of a category in data/categories.yml.")
    title: Text | None = Field(default=None, description=_LEFT_OUT)
    description: Text | None = Field(default=None, description=_LEFT_OUT)


class CategoriesWords(Strict):
    categories: list[CategoryWords] = Field(default_factory=list)


class ProblemWords(Strict):
    id: Slug = Field(description="The id of a problem in data/troubleshooting.yml.")
    title: Text | None = Field(default=None, description=_LEFT_OUT)
    cause: Markdown | None = Field(default=None, description=_LEFT_OUT)
    fix: Markdown | None = Field(default=None, description=_LEFT_OUT)


class TroubleshootingWords(Strict):
    problems: list[ProblemWords] = Field(default_factory=list)


class ProtocolWords(Strict):
    """data/translations/<lang>/protocols/<id>.yml. Lists are translated whole: as many
    items as the source has, in its order."""

    id: Slug | None = Field(default=None, description="The file's id; may be left out.")
    full_name: Text | None = Field(default=None, description=_LEFT_OUT)
    summary: Text | None = Field(default=None, description=_LEFT_OUT)
    how_it_works: Markdown | None = Field(default=None, description=_LEFT_OUT)
    strengths: list[Text | None] | None = Field(default=None, description="Every strength, in order.")
    limits: list[Text | None] | None = Field(default=None, description="Every limit, in order.")
    recommended_for: list[Text | None] | None = Field(default=None, description="Every item, in order.")
    traits: dict[Slug, Text | None] = Field(default_factory=dict,
                                            description="Trait id: its text (empty: not yet).")


class RowWords(Strict):
    trait: Slug = Field(description="The row's trait, as in the source's comparison block.")
    label: Text | None = Field(default=None, description=_LEFT_OUT)


class BlockWords(Strict):
    key: Slug = Field(description="The key of a body block of the source article.")
    heading: Text | None = Field(default=None, description=_LEFT_OUT)
    markdown: Markdown | None = Field(default=None, description="A text block's text. "
                                      + _LEFT_OUT)
    rows: list[RowWords] = Field(default_factory=list, description="A comparison's row labels.")


class ArticleWords(Strict):
    """data/translations/<lang>/articles/<id>.yml: an article's words, blocks by key."""

    id: Slug | None = Field(default=None, description="The file's id; may be left out.")
    title: Text | None = Field(default=None, description=_LEFT_OUT)
    summary: Text | None = Field(default=None, description=_LEFT_OUT)
    body: list[BlockWords] = Field(default_factory=list)


class ImageWords(Strict):
    alt: Text | None = Field(default=None, description="What the picture shows, in this language.")


class StepWords(Strict):
    key: Slug = Field(description="The key of a step of the source guide.")
    title: Text | None = Field(default=None, description=_LEFT_OUT)
    text: Markdown | None = Field(default=None, description=_LEFT_OUT)
    image: ImageWords | None = None


class TroubleWords(Strict):
    problem: Slug = Field(description="The problem id of one of the source guide's "
                          "troubleshooting entries; entries with the same id match in order.")
    message: Text | None = Field(default=None, description="The error text exactly as the app "
                                 "shows it in this language. " + _LEFT_OUT)
    fix: Markdown | None = Field(default=None, description=_LEFT_OUT)


class NoticeWords(Strict):
    notice: Markdown | None = Field(default=None, description=_LEFT_OUT)


class LabelWords(Strict):
    authentication: dict[SignIn, Text | None] = Field(
        default_factory=dict, description="The app's name for each sign-in method, as the app "
        "shows it in this language.")


THUNDERBIRD_L10N = "thunderbird-l10n"


class QuotedLabel(Strict):
    """One interface label the translated guide shows in **bold**, and where it was checked."""

    label: Text = Field(description="The label exactly as the app shows it in this language.")
    # No backslash before '"': see kbgen.data.model.Url (ECMA-262 in editors' schemas).
    source: Annotated[str, Field(pattern=r"""^(thunderbird-l10n|https://[^\s<>"']+)$""")] = Field(
        description="thunderbird-l10n (with file and id), or the https:// address of the "
        "vendor's help page in this language (with read).")
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")] | None = Field(
        default=None, description="thunderbird-l10n: the file, e.g. "
        "de/mail/messenger/accountcreation/accountSetup.ftl.")
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")] | None = Field(
        default=None, description="thunderbird-l10n: the message id, e.g. "
        "account-setup-button-manual-config.")
    read: Date | None = Field(default=None, description="A help page: the day it was read, "
                              "YYYY-MM-DD.")


class ClientWords(Strict):
    """data/translations/<lang>/clients/<id>.yml: a guide's words, steps by key, and the
    app labels it quotes with where each was checked."""

    id: Slug | None = Field(default=None, description="The file's id; may be left out.")
    title: Text | None = Field(default=None, description=_LEFT_OUT)
    summary: Text | None = Field(default=None, description=_LEFT_OUT)
    written_for: Text | None = Field(default=None, description=_LEFT_OUT)
    before_you_start: list[Markdown | None] | None = Field(
        default=None, description="Every paragraph of the source's before_you_start, in order.")
    deprecated: NoticeWords | None = None
    labels: LabelWords | None = None
    steps: list[StepWords] = Field(default_factory=list)
    troubleshooting: list[TroubleWords] = Field(default_factory=list)
    quoted: list[QuotedLabel] = Field(
        default_factory=list, description="Every app label the steps show in **bold**, with "
        "where it was checked.")
    unchecked: list[Text] = Field(
        default_factory=list, description="Labels quoted but found in no source; the guide "
        "tells readers so.")


# The translation kind of each source kind (kbgen.data.model.KINDS).
WORDS: dict[str, type[Strict]] = {
    "provider": ProviderWords,
    "protocol": ProtocolWords,
    "categories": CategoriesWords,
    "article": ArticleWords,
    "client": ClientWords,
    "troubleshooting": TroubleshootingWords,
}
