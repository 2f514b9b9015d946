"""Also Read (kbgen/relations.py) and the article-page values (kbgen/reader.py)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from kbgen.adapters.plugin_config import FeedbackConfig
from kbgen.content.reader import Reader, date_text, feedback_view, git_dates, last_updated
from kbgen.content.relations import LIMIT, also_read, also_read_all
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError
from kbgen.data.model import Article, Client

from ..conftest import copy_project

Entry = Article | Client


def article(eid: str, category: str = "protocols", **extra: Any) -> Article:
    data = {"id": eid, "title": extra.pop("title", eid.replace("-", " ").title()),
            "summary": f"About {eid}.", "category": category,
            "body": [{"type": "text", "markdown": "Text."}], **extra}
    return Article.model_validate(data)


def client(eid: str, family: str, category: str = "desktop-clients", **extra: Any) -> Client:
    data = {"id": eid, "title": eid.title(), "summary": f"Set up {eid}.", "category": category,
            "app": eid.title(), "family": family, "platform": "desktop", "written_for": "Version 1",
            "steps": [{"title": "Open it"}], **extra}
    return Client.model_validate(data)


def index(*entries: Entry) -> dict[str, Entry]:
    return {e.id: e for e in entries}


def test_explicit_related_come_first_in_author_order() -> None:
    entries = index(
        article("a", related=["z", "c"]),
        article("b"),  # same category: a filler, after the author's choices
        article("c", category="troubleshooting"),
        article("z", category="troubleshooting"),
    )
    assert also_read(entries, "a")[:3] == ["z", "c", "b"]


def test_filled_up_to_five_same_category_first() -> None:
    entries = index(
        article("main", tags=["ports"]),
        *(article(f"same-{i}") for i in range(3)),
        *(article(f"tagged-{i}", category="troubleshooting", tags=["ports"]) for i in range(4)),
    )
    result = also_read(entries, "main")
    assert len(result) == LIMIT
    assert result[:3] == ["same-0", "same-1", "same-2"]
    assert result[3:] == ["tagged-0", "tagged-1"]


def test_shared_traits_rank_the_rest() -> None:
    entries = index(
        client("thunderbird", "mozilla", protocols=["imap"], tags=["x", "y"]),
        client("k9", "mozilla", category="mobile-clients"),  # family: 3
        article("tagged", category="troubleshooting", tags=["x", "y"]),  # two tags: 4
        article("imap-only", category="troubleshooting", protocols=["imap"]),  # protocol: 1
        article("unrelated", category="troubleshooting"),  # nothing shared
    )
    assert also_read(entries, "thunderbird") == ["tagged", "k9", "imap-only"]


def test_never_self_duplicate_draft_or_hidden() -> None:
    entries = index(
        article("a", related=["a", "b", "b", "draft", "hidden", "missing"]),
        article("b"),
        article("draft", draft=True),
        article("hidden", hidden=True),
        article("c"),
    )
    result = also_read(entries, "a")
    assert result == ["b", "c"]
    for eid in entries:
        if entries[eid].draft:
            continue
        got = also_read(entries, eid)
        assert eid not in got
        assert len(got) == len(set(got))
        assert not {"draft", "hidden"} & set(got)


def test_deterministic_whatever_the_input_order() -> None:
    made = [article(f"p-{i}", order=i % 3, tags=["t"] if i % 2 else []) for i in range(12)]
    made += [client(f"c-{i}", "apple" if i % 2 else "google", tags=["t"]) for i in range(6)]
    expected = also_read_all(index(*made))
    for seed in range(5):
        shuffled = list(made)
        random.Random(seed).shuffle(shuffled)
        assert also_read_all(index(*shuffled)) == expected
    assert all(len(v) <= LIMIT for v in expected.values())


def test_title_then_id_break_ties() -> None:
    entries = index(article("main"), article("b-id", title="Same"), article("a-id", title="Same"),
                    article("first", title="Aardvark"))
    assert also_read(entries, "main") == ["first", "a-id", "b-id"]


def test_unknown_related_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    src = root / "data/articles/pop-vs-imap.yml"
    lines = src.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("related:"))
    lines[number - 1] = "related: [server-settings, no-such-article]\n"
    src.write_text("".join(lines))
    with pytest.raises(DataError) as caught:
        load_kb(root)
    problems = [p for p in caught.value.problems if "no-such-article" in p.message]
    assert len(problems) == 1
    assert problems[0].file == "data/articles/pop-vs-imap.yml"
    assert problems[0].line == number


# ---------------------------------------------------------------- reader


def test_last_updated_prefers_the_data_then_git_then_mtime(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")  # not a git repository
    src = root / "data/articles/server-settings.yml"
    text = src.read_text().replace("category: protocols\n", "category: protocols\nupdated: 2025-03-04\n", 1)
    src.write_text(text)
    kb = load_kb(root)
    dates = last_updated(kb)
    assert dates["server-settings"] == dt.date(2025, 3, 4)
    mtime = (root / kb.sources["pop-vs-imap"]).stat().st_mtime
    assert dates["pop-vs-imap"] == dt.datetime.fromtimestamp(mtime, tz=dt.UTC).date()
    assert git_dates(root, ["data/articles/pop-vs-imap.yml"]) == {}


def test_git_dates_reads_the_last_commit(tmp_path: Path) -> None:
    import subprocess

    repo = tmp_path / "r"
    (repo / "data").mkdir(parents=True)
    (repo / "data/a.yml").write_text("a: 1\n")
    (repo / "data/b.yml").write_text("b: 1\n")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"}

    def git(*args: str, when: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                       env={**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})

    git("init", "-q", when="2024-01-01T12:00:00Z")
    git("add", ".", when="2024-01-01T12:00:00Z")
    git("commit", "-qm", "one", when="2024-01-01T12:00:00Z")
    (repo / "data/b.yml").write_text("b: 2\n")
    git("commit", "-qam", "two", when="2024-06-30T12:00:00Z")
    assert git_dates(repo, ["data/a.yml", "data/b.yml", "data/new.yml"]) == {
        "data/a.yml": dt.date(2024, 1, 1), "data/b.yml": dt.date(2024, 6, 30)}


def test_page_context_for_articles_and_other_pages(tmp_path: Path) -> None:
    kb = load_kb(copy_project(tmp_path / "p"))
    urls = {"server-settings": "email/server-settings/", "pop-vs-imap": "email/pop-vs-imap/"}
    reader = Reader.build(kb, urls.get, feedback_view(_feedback({})))
    ctx = reader.page_context("pop-vs-imap", "https://help.example.com/email/pop-vs-imap/",
                              "email/pop-vs-imap/")
    assert ctx["article"]["id"] == "pop-vs-imap"
    assert ctx["article"]["url"] == "https://help.example.com/email/pop-vs-imap/"
    assert ctx["article"]["written_for"] is None
    # only entries with a built page are linked; the author's choice comes first
    assert [i["id"] for i in ctx["also_read"]] == ["server-settings"]
    assert ctx["also_read"][0]["url"] == "email/server-settings/"
    assert ctx["feedback"].form_name == "article-feedback"
    assert reader.page_context(None, None, "")["article"] is None
    assert date_text(dt.date(2026, 11, 2)) == "2 November 2026"


def _feedback(options: dict[str, Any]) -> FeedbackConfig:
    cfg = FeedbackConfig()
    cfg.load_dict(options)
    errors, _warnings = cfg.validate()
    if errors:
        raise ValueError(errors)
    return cfg


def test_feedback_defaults_to_netlify() -> None:
    view = feedback_view(_feedback({}))
    assert view is not None
    assert view.netlify and view.action == "/thanks/" and view.post_to == "/"
    assert len(view.reasons) == 4


def test_feedback_to_another_endpoint() -> None:
    view = feedback_view(_feedback({"endpoint": "https://forms.example.net/kb", "form_name": "kb"}))
    assert view is not None
    assert not view.netlify
    assert view.action == view.post_to == "https://forms.example.net/kb"


@pytest.mark.parametrize("options", [{"form_name": "feedback"}, {"form_name": "has space"},
                                     {"endpoint": "javascript:alert(1)"}])
def test_feedback_config_rejects(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _feedback(options)


def test_feedback_can_be_turned_off() -> None:
    assert feedback_view(_feedback({"enabled": False})) is None


def test_the_category_shortcut_gives_the_same_lists_as_a_full_scan() -> None:
    """also_read_all skips scoring other categories when one category fills the list."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from benchmark import _entry  # the synthetic entries of the benchmark

    from kbgen.content.relations import also_read, also_read_all

    entries = {e.id: e for e in (_entry(i, f"section-{i // 7}") for i in range(60))}
    fast = also_read_all(entries)
    assert fast == {eid: tuple(also_read(entries, eid)) for eid in entries}


def test_a_legacy_guide_never_fills_a_current_guides_list() -> None:
    entries = index(
        client("old-mail", "microsoft", tags=["windows"], order=1,
               deprecated={"notice": "No longer supported."}),
        client("new-mail", "microsoft", tags=["windows"], order=2),
        client("other", "mozilla", order=3),
    )
    assert also_read(entries, "new-mail") == ["other"]
    # a legacy guide may still point at the current ones
    assert also_read(entries, "old-mail")[:1] == ["new-mail"]


def test_support_view_makes_a_dialable_phone_link() -> None:
    from kbgen.content.reader import support_view

    from ..conftest import ROOT

    provider = load_kb(ROOT).provider
    data = provider.model_dump()

    def view(**support: str) -> dict[str, str | None]:
        data["support"].update(support)
        return support_view(type(provider).model_validate(data))

    shown = view(phone="+44 (0)20 7946 0000", ticket_url="https://example.net/tickets")
    assert shown["phone"] == "+44 (0)20 7946 0000"
    assert shown["tel"] == "+442079460000"
    assert shown["ticket_url"] == "https://example.net/tickets"
    assert view(phone="(555) 010-0199")["tel"] == "5550100199"
    assert view(phone="0800 FLOWERS")["tel"] is None  # shown, not linked
