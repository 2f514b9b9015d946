"""Also Read made again after an edit (kbgen/content/relations.py): only the lists an
edit can reach are made again, and the result is always that of a fresh computation."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbgen.content import relations
from kbgen.content.relations import also_read, also_read_all
from kbgen.data.model import Article, Client

Entry = Article | Client

CATEGORIES = ["protocols", "desktop-clients", "troubleshooting"]
TAGS = ["ports", "windows", "phones"]
TITLES = ["Alpha", "alpha", "Beta", "Gamma", "Zulu"]  # few, so that titles tie and break ties
FAMILIES = ["mozilla", "apple", "google"]
LEGACY = {"notice": "No longer supported."}


@pytest.fixture(autouse=True)
def no_memo() -> Iterator[None]:
    """Every test starts without the memo of the one before."""
    relations._last = None
    yield
    relations._last = None


def fresh(entries: Mapping[str, Entry], limit: int = relations.LIMIT) -> dict[str, tuple[str, ...]]:
    """Every list made from nothing, one full scan each: no memo, no shortcut."""
    return {eid: tuple(also_read(entries, eid, limit)) for eid, e in entries.items() if not e.draft}


def make(eid: str, kind: str, fields: dict[str, Any]) -> Entry:
    data = {"id": eid, "summary": f"About {eid}.", **fields}
    if kind == "article":
        return Article.model_validate({**data, "body": [{"type": "text", "markdown": "Text."}]})
    return Client.model_validate({
        **data, "protocols": [p for p in fields.get("protocols", []) if p != "smtp"],
        "app": "App", "platform": "desktop", "written_for": "Version 1",
        "steps": [{"title": "Open it"}]})


def rarely() -> st.SearchStrategy[bool]:
    """True one time in five: most entries are readable, so most can fill a list."""
    return st.integers(0, 4).map(lambda n: n == 0)


def fields_of(ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """What an entry is compared on (and nothing else), drawn from small sets."""
    return st.fixed_dictionaries({
        "title": st.sampled_from(TITLES),
        "category": st.sampled_from(CATEGORIES),
        "order": st.integers(0, 3),
        "tags": st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
        "protocols": st.lists(st.sampled_from(["imap", "pop3", "smtp"]), max_size=2, unique=True),
        # unknown, self and duplicate ids too: the lists skip them
        "related": st.lists(st.sampled_from([*ids, "missing"]), max_size=3),
        "draft": rarely(),
        "hidden": rarely(),
    })


@st.composite
def entry(draw: st.DrawFn, eid: str, ids: list[str]) -> Entry:
    fields = draw(fields_of(ids))
    if draw(st.booleans()):
        return make(eid, "article", fields)
    fields["family"] = draw(st.sampled_from(FAMILIES))
    if draw(rarely()):
        fields["deprecated"] = LEGACY
    return make(eid, "client", fields)


@st.composite
def edit(draw: st.DrawFn, entries: dict[str, Entry]) -> dict[str, Entry]:
    """The same ids, one to three of them edited: one field, or the whole entry."""
    ids = list(entries)
    edited = dict(entries)
    for eid in draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)):
        old = edited[eid]
        data = old.model_dump()
        name = draw(st.sampled_from(["title", "order", "tags", "protocols", "draft", "hidden",
                                     "related", "category", "family", "deprecated", "whole"]))
        if name == "whole":  # an article may become a client and the other way round
            edited[eid] = draw(entry(eid, ids))
            continue
        if name in ("draft", "hidden"):
            data[name] = not data[name]
        elif name == "deprecated" and isinstance(old, Client):
            data[name] = None if old.deprecated else LEGACY
        elif name == "family" and isinstance(old, Client):
            data[name] = draw(st.sampled_from(FAMILIES))
        elif name in ("deprecated", "family"):  # an article has neither
            data["title"] = draw(st.sampled_from(TITLES))
        else:
            data[name] = draw(fields_of(ids))[name]
            if name == "protocols" and isinstance(old, Client):
                data[name] = [p for p in data[name] if p != "smtp"]
        edited[eid] = type(old).model_validate(data)
    return edited


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, list[dict[str, Entry]]]:
    """A limit, a set of entries, then a few edits of it one after the other."""
    ids = [f"e{i}" for i in range(draw(st.integers(1, 14)))]
    first = {eid: draw(entry(eid, ids)) for eid in ids}
    steps = [first]
    for _ in range(draw(st.integers(1, 4))):
        steps.append(draw(edit(steps[-1])))
    return draw(st.sampled_from([1, 2, 3, 5])), steps


@settings(max_examples=200, deadline=None)
@given(histories())
def test_after_every_edit_the_lists_are_those_of_a_fresh_computation(
        history: tuple[int, list[dict[str, Entry]]]) -> None:
    limit, steps = history
    relations._last = None
    for entries in steps:
        got = also_read_all(entries, limit)
        assert got == fresh(entries, limit)
        assert list(got) == [eid for eid, e in entries.items() if not e.draft]


def _siblings() -> dict[str, Entry]:
    """One category of seven entries: every list is full, of siblings only, by title."""
    titles = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]
    return {t.lower(): make(t.lower(), "article", {"title": t, "category": "protocols"})
            for t in titles}


def test_a_title_edit_moves_an_entry_into_other_lists() -> None:
    """Not in a list, not related: the edited entry gets in on its new title alone."""
    entries = _siblings()
    before = also_read_all(entries)
    assert before["bravo"] == ("alpha", "charlie", "delta", "echo", "foxtrot")
    edited = {**entries, "golf": entries["golf"].model_copy(update={"title": "Aardvark"})}
    after = also_read_all(edited)
    assert after["bravo"] == ("golf", "alpha", "charlie", "delta", "echo")
    assert after == fresh(edited)


def test_an_edit_that_takes_an_entry_out_of_a_list_lets_the_next_one_in() -> None:
    entries = _siblings()
    also_read_all(entries)
    edited = {**entries, "bravo": entries["bravo"].model_copy(update={"hidden": True})}
    after = also_read_all(edited)
    assert after["alpha"] == ("charlie", "delta", "echo", "foxtrot", "golf")
    assert after == fresh(edited)


def test_another_limit_or_other_ids_make_every_list_again() -> None:
    entries = _siblings()
    assert also_read_all(entries, 2)["alpha"] == ("bravo", "charlie")
    assert also_read_all(entries, 3)["alpha"] == ("bravo", "charlie", "delta")
    fewer = {eid: e for eid, e in entries.items() if eid != "charlie"}
    assert also_read_all(fewer, 3)["alpha"] == ("bravo", "delta", "echo")
    assert also_read_all(fewer, 3) == fresh(fewer, 3)


def test_deprecating_a_guide_takes_it_out_of_current_guides_lists() -> None:
    """``deprecated`` is not compared with anything, but it changes lists too."""
    def guide(eid: str, **extra: Any) -> Client:
        return Client.model_validate({
            "id": eid, "title": eid.title(), "summary": "S.", "category": "desktop-clients",
            "app": "App", "family": "mozilla", "platform": "desktop", "written_for": "1",
            "steps": [{"title": "Open it"}], **extra})

    entries = {eid: guide(eid) for eid in ["a", "b", "c"]}
    assert also_read_all(entries)["a"] == ("b", "c")
    edited = {**entries, "b": guide("b", deprecated={"notice": "Gone."})}
    assert also_read_all(edited)["a"] == ("c",)
    assert also_read_all(edited)["b"] == ("a", "c")  # a legacy guide still points at current ones


def test_a_title_edit_at_2000_entries_makes_few_lists_again(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from benchmark import PER_SECTION, _entry  # the synthetic entries of the benchmark

    entries = {e.id: e for e in (_entry(i, f"section-{i // PER_SECTION}") for i in range(2000))}
    also_read_all(entries)
    made: list[str] = []
    choose = relations._choose

    def counted(entries: Mapping[str, Entry], entry_id: str, *args: Any) -> relations._List:
        made.append(entry_id)
        return choose(entries, entry_id, *args)

    monkeypatch.setattr(relations, "_choose", counted)
    edited = dict(entries)
    edited["bench-1001"] = entries["bench-1001"].model_copy(update={"title": "Edited"})
    after = also_read_all(edited)
    # the edited entry and the lists it is in: not the 2,000 lists
    listing = {eid for eid, ids in after.items() if "bench-1001" in ids}
    assert listing
    assert set(made) == {"bench-1001"} | listing
    assert len(made) < 20
    monkeypatch.setattr(relations, "_choose", choose)
    relations._last = None
    assert after == also_read_all(edited)
