"""Legacy URL redirects: the rules, the claims checks at file:line, and the build gate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbgen.adapters.preview import parse_redirects, redirect_for
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError
from kbgen.data.legacy import Redirect, redirect_rules, whmcs_slug
from kbgen.hosting.netlify import NetlifyFilesError, check_redirects
from kbgen.hosting.redirects import render_redirects

from ..conftest import ROOT, copy_project, mkdocs_build


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Where the example's first category (email) ends: tests add fields to it here.
_NEXT = "\n  - id: protocols\n"


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_whmcs_slug_keeps_case_and_joins_words() -> None:
    assert whmcs_slug("What is the difference between POP and IMAP?") == \
        "What-is-the-difference-between-POP-and-IMAP"
    # WHMCS spells out & / + = @ #, keeps '.', '_' and letters of any script, drops the rest
    # and does not merge hyphens (its getModRewriteFriendlyString).
    assert whmcs_slug("Outlook 2013: set-up & ports") == "Outlook-2013-set-up-and-ports"
    assert whmcs_slug("POP &amp; IMAP &quot;ports&quot;") == "POP-and-IMAP-ports"
    assert whmcs_slug("SSL/TLS + C# = mail@home v1.2") == "SSLorTLS-plus-Csharp-equals-mailathome-v1.2"
    assert whmcs_slug("Courrier électronique (POP3)") == "Courrier-électronique-POP3"
    assert whmcs_slug("???") == "-"
    assert whmcs_slug("") == ""


def test_redirect_line_uses_netlify_query_syntax() -> None:
    rule = Redirect("/knowledgebase.php", (("action", "displayarticle"), ("id", "12")), "/email/x/")
    assert rule.line() == "/knowledgebase.php action=displayarticle id=12 /email/x/ 301"
    assert rule.shown() == "/knowledgebase.php?action=displayarticle&id=12"


def test_example_rules_cover_every_whmcs_pattern() -> None:
    rules = redirect_rules(load_kb(ROOT))
    parsed = parse_redirects(render_redirects(rules))
    target = "/email/pop-vs-imap/"
    for url in ("/knowledgebase/12/What-is-the-difference-between-POP-and-IMAP.html",
                "/knowledgebase/12/any-old-slug.html",
                "/knowledgebase.php?action=displayarticle&id=12",
                "/knowledgebase.php?id=12&action=displayarticle&language=english",
                "/index.php?rp=/knowledgebase/12/What-is-the-difference-between-POP-and-IMAP.html",
                "/index.php?rp=/knowledgebase/12/pop-vs-imap.html"):
        rule = redirect_for(parsed, url)
        assert rule is not None, url
        assert (rule.target, rule.status) == (target, 301), url
    for url in ("/knowledgebase/99/x.html", "/index.php?rp=/knowledgebase/99/x.html"):
        assert redirect_for(parsed, url) is None, url
    # An unknown id on the old front page's script lands on the home page, not on article 12.
    for url in ("/knowledgebase.php?action=displayarticle&id=120",
                "/knowledgebase.php?action=displaycat&id=12"):
        rule = redirect_for(parsed, url)
        assert rule is not None and rule.target == "/", url


def test_example_guides_keep_their_old_whmcs_addresses() -> None:
    """The guides the original WHMCS POP/IMAP article linked to, and the old category and
    knowledge-base front page, answer in every WHMCS URL form."""
    parsed = parse_redirects(render_redirects(redirect_rules(load_kb(ROOT))))
    kb = load_kb(ROOT)
    guides = {"outlook-2013": "Outlook", "apple-mail-ios": "iPhone", "thunderbird": "Thunderbird",
              "windows-mail": "Windows Mail", "gmail-android": "Android"}
    for guide, word in guides.items():
        entry = kb.entries[guide]
        assert word in entry.title
        (old_id,) = entry.legacy.ids
        target = f"/email/{guide}/"
        for url in (f"/knowledgebase/{old_id}/Old-Title.html",
                    f"/knowledgebase.php?action=displayarticle&id={old_id}",
                    f"/index.php?rp=/knowledgebase/{old_id}/{whmcs_slug(entry.title)}.html"):
            rule = redirect_for(parsed, url)
            assert rule is not None and (rule.target, rule.status) == (target, 301), url
    for url in ("/knowledgebase.php?action=displaycat&catid=1", "/knowledgebase/1/Email",
                "/index.php?rp=/knowledgebase/1/Email"):
        rule = redirect_for(parsed, url)
        assert rule is not None and rule.target == "/email/", url
    for url in ("/knowledgebase.php", "/knowledgebase", "/knowledgebase/", "/index.php?rp=/knowledgebase",
                "/knowledgebase.php?action=displayarticle&id=999"):
        rule = redirect_for(parsed, url)
        assert rule is not None and rule.target == "/", url
    assert redirect_for(parsed, "/index.php?rp=/knowledgebase/999/x.html") is None


def test_category_ids_and_exact_rules_come_before_splats(tmp_path: Path) -> None:
    """Category 12 and article 12 are different things in WHMCS: each old URL finds its own page."""
    root = copy_project(tmp_path)
    _replace(root / "data/categories.yml", "  - id: protocols\n    parent: email\n",
             "  - id: protocols\n    parent: email\n    legacy_ids: [12]\n"
             "    legacy_urls: [/knowledgebase/12/Ports-and-Protocols]\n")
    rules = redirect_rules(load_kb(root))
    parsed = parse_redirects(render_redirects(rules))
    article, category = "/email/pop-vs-imap/", "/email/protocols/"
    expected = {
        "/knowledgebase/12/What-is-the-difference-between-POP-and-IMAP.html": article,
        "/knowledgebase/12/Ports-and-Protocols": category,  # the listed old name
        "/knowledgebase/12/Protocols-and-ports": category,  # WHMCS's slug of the current title
        "/knowledgebase/12/protocols": category,
        "/knowledgebase.php?action=displaycat&catid=12": category,
        "/knowledgebase.php?catid=12&action=displaycat&language=english": category,
        "/knowledgebase.php?action=displayarticle&id=12": article,
        "/index.php?rp=/knowledgebase/12/Ports-and-Protocols": category,
        "/index.php?rp=/knowledgebase/12/Protocols-and-ports": category,
        "/index.php?rp=/knowledgebase/12/pop-vs-imap.html": article,
        "/knowledgebase.php": "/",
    }
    for url, target in expected.items():
        rule = redirect_for(parsed, url)
        assert rule is not None and rule.target == target, (url, rule)
    order = [_precedence_class(r.source, bool(r.query)) for r in rules]
    assert order == sorted(order), "exact rules with a query, then exact paths, then splats"


def _precedence_class(source: str, has_query: bool) -> int:
    return 2 if "*" in source else 0 if has_query else 1


def test_two_categories_claiming_one_old_id_is_an_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / "data/categories.yml"
    _replace(path, "  - id: protocols\n    parent: email\n",
             "  - id: protocols\n    parent: email\n    legacy_ids: [1]  # again\n")
    with pytest.raises(DataError) as info:
        load_kb(root)
    (problem,) = [p for p in info.value.problems if "already claimed" in p.message]
    assert str(problem) == (
        f"data/categories.yml:{_line_of(path, '# again')}:18: categories[1].legacy_ids[0]: "
        "the old category id 1 is already claimed by category 'email' "
        f"(data/categories.yml:{_line_of(path, 'legacy_ids: [1]  # its')}:18 claims it; "
        "an old address can lead to one page only)")


def test_no_legacy_data_means_no_root_redirects(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    for path in (root / "data").rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^legacy:\n  ids: \[\d+\].*\n", "", text, flags=re.M)
        text = re.sub(r"^    legacy_ids: \[\d+\].*\n", "", text, flags=re.M)
        path.write_text(text, encoding="utf-8")
    assert redirect_rules(load_kb(root)) == []


def test_listed_urls_slugs_and_categories(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _replace(root / "data/articles/server-settings.yml", "related: [pop-vs-imap]\n",
             "related: [pop-vs-imap]\nlegacy:\n  urls:\n"
             "    - /knowledgebase/31/Mail-Server-Settings.html\n"
             "    - /help/settings.php?lang=en&page=mail\n")
    _replace(root / "data/categories.yml", _NEXT,
             "\n    legacy_urls: [/knowledgebase/2/Email, "
             "'/knowledgebase.php?action=displaycat&catid=2']\n  - id: protocols\n")
    rules = {r.shown(): r.target for r in redirect_rules(load_kb(root))}
    settings = "/email/server-settings/"
    assert rules["/knowledgebase/31/Mail-Server-Settings.html"] == settings
    assert rules["/knowledgebase/31/*"] == settings  # the listed URL also claims id 31
    assert rules["/knowledgebase.php?action=displayarticle&id=31"] == settings
    assert rules["/index.php?rp=/knowledgebase/31/Mail-Server-Settings.html"] == settings
    assert rules["/index.php?rp=/knowledgebase/31/Email-server-settings.html"] == settings
    assert rules["/help/settings.php?lang=en&page=mail"] == settings
    assert rules["/knowledgebase/2/Email"] == "/email/"
    assert rules["/knowledgebase.php?action=displaycat&catid=2"] == "/email/"


def test_two_articles_claiming_one_old_id_is_an_error_at_the_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / "data/articles/server-settings.yml"
    _replace(path, "related: [pop-vs-imap]\n", "related: [pop-vs-imap]\nlegacy:\n  ids: [7, 12]\n")
    with pytest.raises(DataError) as info:
        load_kb(root)
    problems = [p for p in info.value.problems if "already claimed" in p.message]
    assert [str(p) for p in problems] == [
        f"data/articles/server-settings.yml:{_line_of(path, 'ids: [7, 12]')}:12: legacy.ids[1]: "
        f"the old id 12 is already claimed by pop-vs-imap "
        f"(data/articles/pop-vs-imap.yml:{_line_of(root / 'data/articles/pop-vs-imap.yml', 'ids: [12]')}:9 "
        "claims it; an old address can lead to one page only)"]


def test_two_owners_claiming_one_old_url_is_an_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _replace(root / "data/articles/server-settings.yml", "related: [pop-vs-imap]\n",
             "related: [pop-vs-imap]\nlegacy:\n  urls: [/old/settings.html]\n")
    _replace(root / "data/categories.yml", _NEXT,
             "\n    legacy_urls: [/old/settings.html]\n  - id: protocols\n")
    with pytest.raises(DataError) as info:
        load_kb(root)
    (problem,) = [p for p in info.value.problems if "already claimed" in p.message]
    assert problem.file == "data/categories.yml"
    assert problem.path == "categories[0].legacy_urls[0]"
    assert problem.line == _line_of(root / "data/categories.yml", "/old/settings.html")
    assert "the old URL /old/settings.html is already claimed by server-settings" in problem.message


def test_an_old_url_that_is_a_current_page_is_an_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _replace(root / "data/articles/server-settings.yml", "related: [pop-vs-imap]\n",
             "related: [pop-vs-imap]\nlegacy:\n  urls: [/email/pop-vs-imap/]\n")
    with pytest.raises(DataError) as info:
        load_kb(root)
    assert any("/email/pop-vs-imap/ is the address of a current page" in p.message
               for p in info.value.problems)


def test_a_redirect_to_a_missing_page_fails(tmp_path: Path) -> None:
    (tmp_path / "email" / "there").mkdir(parents=True)
    (tmp_path / "email" / "there" / "index.html").write_text("<p>here</p>")
    (tmp_path / "old.html").write_text("<p>old</p>")
    problems = check_redirects(tmp_path, [
        Redirect("/a", (), "/email/there/"),
        Redirect("/b", (), "/email/gone/"),
        Redirect("/old.html", (), "/email/there/"),
    ])
    assert problems == [
        "_redirects: /b would redirect to /email/gone/, which is not a page of the built site",
        "_redirects: the old URL /old.html is a file of the built site; Netlify would serve the "
        "file, not the redirect",
    ]
    assert issubclass(NetlifyFilesError, Exception)


@pytest.mark.slow
def test_build_fails_when_a_redirect_target_is_missing(tmp_path: Path) -> None:
    """A page that vanishes between the data and the output (here: an override that
    renders no article pages) must stop the build, not publish a dangling redirect."""
    root = copy_project(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nexclude_docs: |\n  email/pop-vs-imap.md\n",
                      encoding="utf-8")
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert re.search(r"would redirect to /email/pop-vs-imap/, which is not a page", result.stderr), \
        result.stderr


# ------------------------------------------------------------- the built site


def test_every_generated_redirect_leads_to_a_built_page(example_site: Path) -> None:
    rules = parse_redirects((example_site / "_redirects").read_text(encoding="utf-8"))
    assert rules, "the example data has legacy ids: _redirects must not be empty"
    for rule in rules:
        assert rule.status == 301 and not rule.force, rule
        assert (example_site / rule.target.lstrip("/") / "index.html").is_file(), rule


@pytest.mark.parametrize("old", [
    "knowledgebase/12/What-is-the-difference-between-POP-and-IMAP.html",
    "knowledgebase.php?action=displayarticle&id=12",
    "index.php?rp=/knowledgebase/12/pop-vs-imap.html",
])
def test_old_addresses_answer_301_to_the_article(netlify_url: str, old: str) -> None:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(netlify_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    try:
        connection.request("GET", "/" + old)
        response = connection.getresponse()
        assert response.status == 301
        assert response.getheader("Location") == "/email/pop-vs-imap/"
        assert response.getheader("Strict-Transport-Security")  # headers apply to redirects too
    finally:
        connection.close()


def test_an_old_url_and_the_same_with_a_trailing_slash_are_one_claim(tmp_path: Path) -> None:
    # Netlify matches a rule's path with or without a trailing slash: only one rule could win.
    root = copy_project(tmp_path)
    _replace(root / "data/articles/server-settings.yml", "related: [pop-vs-imap]\n",
             "related: [pop-vs-imap]\nlegacy:\n  urls: [/help/mail/]\n")
    _replace(root / "data/categories.yml", "    order: 1\n  - id: protocols",
             "    order: 1\n    legacy_urls: [/help/mail]\n  - id: protocols")
    with pytest.raises(DataError) as info:
        load_kb(root)
    (problem,) = [p for p in info.value.problems if "already claimed" in p.message]
    assert "the old URL /help/mail is already claimed by server-settings" in problem.message


@pytest.mark.parametrize(("old", "target"), [
    ("knowledgebase.php?action=displaycat&catid=1", "/email/"),
    ("knowledgebase/1/Email", "/email/"),
    ("index.php?rp=/knowledgebase/1/Email", "/email/"),
    ("knowledgebase/13/Setting-up-Outlook-2013.html", "/email/outlook-2013/"),
    ("knowledgebase.php", "/"),
    ("knowledgebase/", "/"),
    ("index.php?rp=/knowledgebase", "/"),
])
def test_old_category_and_front_page_answer_301(netlify_url: str, old: str, target: str) -> None:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(netlify_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    try:
        connection.request("GET", "/" + old)
        response = connection.getresponse()
        assert (response.status, response.getheader("Location")) == (301, target)
    finally:
        connection.close()
