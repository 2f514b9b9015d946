"""Translations as overlays: German words over the example's facts, the source left alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError
from kbgen.data.kb import KB
from kbgen.data.model import Article, Client
from kbgen.data.translations import Gap, load_translations, missing, translated

from ..conftest import copy_project

PROVIDER_DE = """\
support:
  hours: täglich, 08:00–20:00 UTC
username:
  note: Geben Sie die ganze Adresse ein, auch den Teil nach dem @, in Kleinbuchstaben.
dns:
  dkim:
    key_source: |
      Ihr Kundenbereich zeigt den Schlüssel jeder Ihrer Domains unter **E-Mail** an.
"""

SERVER_SETTINGS_DE = """\
title: E-Mail-Servereinstellungen
summary: Alle Servernamen, Ports und Sicherheitseinstellungen für ein- und ausgehende E-Mails.
body:
  - key: intro
    markdown: |
      Verwenden Sie diese Einstellungen in jeder E-Mail-App. Der Benutzername ist
      immer Ihre vollständige E-Mail-Adresse.
  - key: incoming-outgoing-servers
    heading: Posteingangs- und Postausgangsserver
  - key: standard-ports
    heading: Standardports
  - key: webmail
    heading: Webmail
    markdown: |
      Sie können Ihre E-Mails auch im Browser lesen: [{{ webmail }}]({{ webmail }}).
"""

THUNDERBIRD_DE = """\
title: E-Mail in Mozilla Thunderbird einrichten
steps:
  - key: open-account-setup
    title: Kontoeinrichtung öffnen
    text: Öffnen Sie das Anwendungsmenü (**≡**).
"""


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / "data" / "translations" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("german"))
    _write(root, "de/provider.yml", PROVIDER_DE)
    _write(root, "de/articles/server-settings.yml", SERVER_SETTINGS_DE)
    _write(root, "de/clients/thunderbird.yml", THUNDERBIRD_DE)
    return root


def _dumps(kb: KB) -> list[object]:
    return [kb.provider.model_dump(), {k: v.model_dump() for k, v in kb.entries.items()},
            {k: v.model_dump() for k, v in kb.categories.items()},
            {k: v.model_dump() for k, v in kb.troubles.items()},
            {k: v.model_dump() for k, v in kb.protocols.items()},
            kb.language, kb.translated_pages]


def test_a_complete_page_reads_german_and_keeps_every_fact(german: Path) -> None:
    kb = load_kb(german)
    before = _dumps(kb)
    translations = load_translations(german, kb)
    de = translated(kb, translations, "de")

    assert _dumps(kb) == before  # the source KB is not changed
    assert translations.languages == ["de"]
    assert de.language == "de" and kb.language == "en"
    assert "server-settings" in de.translated_pages
    assert "thunderbird" not in de.translated_pages  # partly translated
    article = de.entries["server-settings"]
    assert isinstance(article, Article)
    assert article.title == "E-Mail-Servereinstellungen"
    assert [b.heading for b in article.body] == [
        None, "Posteingangs- und Postausgangsserver", "Standardports", "Webmail"]
    # The placeholder is filled with the source's value, as the source's is.
    webmail = article.body[3]
    assert "{{" not in webmail.markdown and kb.provider.webmail in webmail.markdown  # type: ignore[union-attr]
    # Facts are the source's: ports, hosts, security, order, relations.
    assert facts.placeholders(de) == facts.placeholders(kb)
    assert de.provider.servers == kb.provider.servers
    assert [(b.type, getattr(b, "protocols", None)) for b in article.body] == [
        (b.type, getattr(b, "protocols", None)) for b in kb.entries["server-settings"].body]  # type: ignore[union-attr]
    assert article.related == kb.entries["server-settings"].related
    assert de.provider.support.hours == "täglich, 08:00–20:00 UTC"
    # An incomplete page keeps its English text (it is not published in German).
    guide = de.entries["thunderbird"]
    assert isinstance(guide, Client)
    assert guide is kb.entries["thunderbird"]
    assert translated(kb, translations, "en") is kb


def test_missing_names_what_each_page_lacks(german: Path) -> None:
    kb = load_kb(german)
    translations = load_translations(german, kb)
    gaps = missing(kb, translations, "de")
    assert "server-settings" not in gaps
    # Its own file, and the protocols' overview and traits its blocks show.
    assert gaps["pop-vs-imap"] == [Gap("data/translations/de/articles/pop-vs-imap.yml"),
                                   Gap("data/translations/de/protocols/pop3.yml"),
                                   Gap("data/translations/de/protocols/imap.yml")]
    assert Gap("data/translations/de/clients/thunderbird.yml", "steps.test-finish.title") \
        in gaps["thunderbird"]
    assert gaps["email"] == [Gap("data/translations/de/categories.yml")]
    assert missing(kb, translations, "en") == {}


def test_a_partly_translated_page_is_a_warning_naming_the_missing_keys(german: Path) -> None:
    kb = load_kb(german)
    warnings = [str(w) for w in load_translations(german, kb).warnings]
    assert warnings[0] == (
        "data/translations/de/clients/thunderbird.yml:1:1: warning: partly translated: no de "
        "text yet for summary, written_for, before_you_start, labels.authentication (password, "
        "encrypted-password, oauth2), steps.type-name-address (title, text), "
        "steps.choose-manual-configuration (title, text), steps.type-server-settings (title, "
        "text), steps.test-finish (title, text), steps.check-outgoing-server (title, text), "
        "troubleshooting.wrong-password (message, fix), troubleshooting.certificate-mismatch "
        "(message, fix), troubleshooting.port-blocked#1 (message) and 2 more; the page is not "
        "published in de until it has them (translate them from data/clients/thunderbird.yml)")
    assert len(warnings) == 1


def test_a_structural_field_is_an_error_naming_its_source(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _write(root, "de/clients/thunderbird.yml", THUNDERBIRD_DE + textwrap.dedent("""\
        category: email
        protocols: [imap]
        """))
    kb = load_kb(root)
    with pytest.raises(DataError) as err:
        load_translations(root, kb)
    shown = [str(p) for p in err.value.problems if p.severity.value == "error"]
    assert shown == [
        "data/translations/de/clients/thunderbird.yml:6:1: category: 'category' is not "
        "translatable: it comes from data/clients/thunderbird.yml (remove it here)",
        "data/translations/de/clients/thunderbird.yml:7:1: protocols: 'protocols' is not "
        "translatable: it comes from data/clients/thunderbird.yml (remove it here)",
    ]
