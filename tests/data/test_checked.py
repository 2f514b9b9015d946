"""A client guide says what it was checked with, and validation ages that check against the build date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbgen.adapters.cli import main
from kbgen.content.reader import date_text, month_text
from kbgen.content.render import render_pages
from kbgen.data.checked import build_date
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError, Severity

from ..conftest import copy_project

DEC_2026 = dt.date(2026, 12, 4)


def _set_checked(root: Path, client: str, block: str) -> Path:
    """Replace the guide's checked: block (three lines) with ``block``; returns the file."""
    path = root / "data" / "clients" / f"{client}.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith("checked:"))
    lines[i:i + 3] = block.split("\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _guide_html(root: Path, client: str, today: dt.date = DEC_2026) -> BeautifulSoup:
    kb = load_kb(root, today=today)
    pages = {p.entry_id: p.markdown for p in render_pages(kb)}
    return BeautifulSoup(pages[client], "html.parser")


def test_the_guide_says_what_it_was_checked_with(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    checked = _guide_html(root, "apple-mail-ios").select_one(".kb-checked")
    assert checked is not None
    assert checked.get_text() == "Checked with iOS 26 and iPadOS 26 in November 2026."
    _set_checked(root, "thunderbird", "checked:\n  month: 2026-03\n  versions: [Thunderbird 140.5 ESR]")
    checked = _guide_html(root, "thunderbird").select_one(".kb-checked")
    assert checked is not None and checked.get_text() == "Checked with Thunderbird 140.5 ESR in March 2026."


def test_a_guide_without_a_check_says_nothing(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _set_checked(root, "samsung-email", "")
    assert _guide_html(root, "samsung-email").select_one(".kb-checked") is None


def test_months_are_named_as_reader_dates_are() -> None:
    assert month_text("2026-03") == "March 2026"
    assert date_text(dt.date(2026, 3, 9)) == "9 March 2026"
    assert [month_text(f"2026-{m:02}").split()[0] for m in (1, 12)] == ["January", "December"]


def test_a_month_after_the_build_date_is_an_error_at_its_place(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = _set_checked(root, "thunderbird", "checked:\n  month: 2027-01\n  versions: [Thunderbird 140 ESR]")
    line = path.read_text().split("\n").index("  month: 2027-01") + 1
    with pytest.raises(DataError) as err:
        load_kb(root, today=DEC_2026)
    assert str(err.value) == (
        f"data/clients/thunderbird.yml:{line}:10: checked.month: the check month 2027-01 is after "
        "the build date (2026-12-04) (write the month the steps were actually followed, as YYYY-MM)")
    load_kb(root, today=dt.date(2027, 1, 1))  # the same month is no longer in the future


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "November 2026"])
def test_a_malformed_month_is_an_error_with_the_format(tmp_path: Path, month: str) -> None:
    root = copy_project(tmp_path)
    path = _set_checked(root, "thunderbird", f"checked:\n  month: {month}\n  versions: [Thunderbird]")
    line = path.read_text().split("\n").index(f"  month: {month}") + 1
    with pytest.raises(DataError) as err:
        load_kb(root, today=DEC_2026)
    assert str(err.value) == (f"data/clients/thunderbird.yml:{line}:10: checked.month: '{month}' is not "
                              "a valid month (the year and month as YYYY-MM, e.g. 2026-11)")


def test_a_check_without_versions_is_an_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _set_checked(root, "thunderbird", "checked:\n  month: 2026-11\n  versions: []")
    with pytest.raises(DataError, match=r"thunderbird.yml:\d+:\d+: checked.versions: needs at least 1"):
        load_kb(root, today=DEC_2026)


def test_an_old_check_warns_after_the_configured_age(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    assert load_kb(root, today=dt.date(2027, 5, 31)).warnings == []  # 6 months after November
    stale = load_kb(root, today=dt.date(2027, 6, 1)).warnings
    assert {p.file for p in stale} == {f"data/clients/{p.stem}.yml"
                                       for p in (root / "data" / "clients").glob("*.yml")}
    assert all(p.severity is Severity.WARNING and p.path == "checked.month" for p in stale)
    first = min(stale)
    assert first.message == ("this guide was last checked in 2026-11, 7 months before the build "
                             "date (2027-06-01); the limit is 6 (recheck_after_months in "
                             "data/provider.yml)")
    provider = root / "data" / "provider.yml"
    provider.write_text(provider.read_text() + "recheck_after_months: 12\n")
    assert load_kb(root, today=dt.date(2027, 6, 1)).warnings == []


def test_the_build_date_comes_from_source_date_epoch() -> None:
    assert build_date({"SOURCE_DATE_EPOCH": "1796342400"}) == DEC_2026
    assert build_date({}) == dt.datetime.now(tz=dt.UTC).date()


def test_validate_strict_fails_on_a_stale_guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path)
    assert main(["--root", str(root), "validate", "--strict"]) == 0  # conftest: 4 December 2026
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2027, 9, 1, tzinfo=dt.UTC).timestamp())))
    assert main(["--root", str(root), "validate", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "data/clients/thunderbird.yml:" in err and "last checked in 2026-11, 10 months" in err
    assert "--strict fails on warnings" in err
