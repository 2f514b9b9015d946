"""Translations as overlays: German words over the example's facts, the source left alone."""

from __future__ import annotations

import json
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError
from kbgen.data.kb import KB
from kbgen.data.model import Article, Client
from kbgen.data.translations import Gap, load_translations, missing, translated

from ..conftest import ROOT, copy_project

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


# ---------------------------------------------------------------- any subset of a guide


def _guide_words(kb: KB, guide: Client, present: Callable[[str], bool]) -> dict[str, object]:
    """A German translation of ``guide`` holding the texts ``present`` says, by slot name."""
    def text(name: str) -> str | None:
        return f"Deutsch {name}" if present(name) else None

    words: dict[str, object] = {"title": text("title"), "summary": text("summary"),
                                "written_for": text("written_for")}
    if guide.before_you_start:
        words["before_you_start"] = ([f"Absatz {i}" for i in range(len(guide.before_you_start))]
                                     if present("before_you_start") else None)
    if guide.deprecated:
        words["deprecated"] = {"notice": text("deprecated.notice")}
    if guide.labels:
        words["labels"] = {"authentication": {m: text(f"labels.authentication.{m}")
                                              for m in guide.labels.authentication}}
    words["steps"] = [{"key": s.key, "title": text(f"steps.{s.key}.title"),
                       **({"text": text(f"steps.{s.key}.text")} if s.text else {})}
                      for s in guide.steps]
    counts = {t.problem: sum(u.problem == t.problem for u in guide.troubleshooting)
              for t in guide.troubleshooting}
    seen: dict[str, int] = {}
    entries = []
    for t in guide.troubleshooting:
        seen[t.problem] = seen.get(t.problem, 0) + 1
        name = f"troubleshooting.{t.problem}" + (f"#{seen[t.problem]}" if counts[t.problem] > 1
                                                 else "")
        entries.append({"problem": t.problem, "message": text(f"{name}.message"),
                        **({"fix": text(f"{name}.fix")} if t.fix else {})})
    words["troubleshooting"] = entries
    return words


def _slot_names(kb: KB, guide: Client) -> list[str]:
    """Every text of the guide, by slot name, in the order the loader names them."""
    names: list[str] = []

    def noted(name: str) -> bool:
        names.append(name)
        return True

    _guide_words(kb, guide, noted)
    return names


def _shared_words(kb: KB) -> dict[str, str]:
    """Complete German provider and troubleshooting files, so only the guide's own texts count."""
    problems = [{"id": p, "title": "Titel", "cause": "Ursache", "fix": "Lösung"}
                for p in kb.troubles]
    return {"de/provider.yml": PROVIDER_DE,
            "de/troubleshooting.yml": json.dumps({"problems": problems}, ensure_ascii=False)}


@pytest.fixture(scope="module")
def example_kb() -> KB:
    return load_kb(ROOT)


@given(data=st.data())
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_guide_is_complete_exactly_when_every_text_is_there(example_kb: KB,
                                                              data: st.DataObject) -> None:
    kb = example_kb
    guide_id = data.draw(st.sampled_from(sorted(e for e, v in kb.entries.items()
                                                if isinstance(v, Client))))
    guide = kb.entries[guide_id]
    assert isinstance(guide, Client)
    names = _slot_names(kb, guide)
    present = data.draw(st.sets(st.sampled_from(names)) | st.just(set(names)))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in {**_shared_words(kb), f"de/clients/{guide_id}.yml": json.dumps(
                _guide_words(kb, guide, present.__contains__), ensure_ascii=False)}.items():
            _write(root, rel, text)
        translations = load_translations(root, kb)
        de = translated(kb, translations, "de")
    gaps = missing(kb, translations, "de").get(guide_id, [])
    absent = [n for n in names if n not in present]
    assert [g.key for g in gaps] == absent
    assert (guide_id in de.translated_pages) == (not absent)
    warned = [str(w) for w in translations.warnings if f"clients/{guide_id}.yml" in w.file
              and w.message.startswith("partly translated")]
    assert len(warned) == (1 if absent else 0)
    shown = de.entries[guide_id]
    assert isinstance(shown, Client)
    if absent:
        assert shown is guide  # English, and not published in German
    else:
        assert shown.title == "Deutsch title"
        assert [s.title for s in shown.steps] == [f"Deutsch steps.{s.key}.title" for s in guide.steps]
        # Every fact is the source's.
        assert [(s.key, s.settings, s.image) for s in shown.steps] == [
            (s.key, s.settings, s.image) for s in guide.steps]
        assert shown.model_dump(include={"id", "category", "protocols", "related", "order",
                                         "legacy", "app", "platform", "checked"}) == \
            guide.model_dump(include={"id", "category", "protocols", "related", "order",
                                      "legacy", "app", "platform", "checked"})
