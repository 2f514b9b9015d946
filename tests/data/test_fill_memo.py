"""The preview's loads reuse what filling placeholders gave for unchanged files, and only those."""

from __future__ import annotations

from pathlib import Path

from kbgen.data.data_folder import FileCache, load_kb

from ..conftest import copy_project, edit


def test_an_unchanged_entry_is_the_same_filled_object(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    cache = FileCache()
    first = load_kb(root, cache=cache)
    edit(root / "data/articles/pop-vs-imap.yml", r"^title: .*$", "title: POP or IMAP?", pattern=True)
    second = load_kb(root, cache=cache)
    assert second.entries["pop-vs-imap"].title == "POP or IMAP?"
    same = [eid for eid in first.entries if first.entries[eid] is second.entries[eid]]
    assert sorted(same) == sorted(set(first.entries) - {"pop-vs-imap"})
    # And what was reused is what a load without the cache fills.
    assert second.entries == load_kb(root).entries


def test_a_changed_value_fills_every_entry_again(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    cache = FileCache()
    first = load_kb(root, cache=cache)
    filled = [e for e in first.entries.values() if "mail.example.com" in e.model_dump_json()]
    assert filled, "the example data names its mail server in some entry"
    edit(root / "data/provider.yml", r"host: mail\.example\.com", "host: imap.example.com", pattern=True)
    second = load_kb(root, cache=cache)
    assert second.entries == load_kb(root).entries
    assert any(second.entries[e.id] != e for e in filled)  # the new host, not the memo's


def _typed(kb_warnings: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(str(p) for p in kb_warnings if "is typed into the text" in str(p))


def test_the_checks_of_unchanged_files_still_report_and_changed_files_are_checked(
        tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    cache = FileCache()
    edit(root / "data/articles/pop-vs-imap.yml", r"^      When you add your",
          "      Port 993 when you add your", pattern=True)
    first = load_kb(root, cache=cache)
    assert len(_typed(first.warnings)) == 1  # the memo is filled
    edit(root / "data/clients/thunderbird.yml", r"^      On the first start,",
          "      Port 993 here. On the first start,", pattern=True)
    second = load_kb(root, cache=cache)  # one file walked again, the other from the memo
    assert _typed(second.warnings) == _typed(load_kb(root).warnings)
    assert len(_typed(second.warnings)) == 2
    # The standard ports change: every file is checked again, none is reused.
    edit(root / "data/protocols/imap.yml", r"\b993\b", "1993", pattern=True)
    assert _typed(load_kb(root, cache=cache).warnings) == _typed(load_kb(root).warnings)
