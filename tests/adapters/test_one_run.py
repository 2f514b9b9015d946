"""One `kbgen validate` run reports shape errors and cross-file reference errors together, so
an author who fixes everything listed does not get a new list on the next run."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.adapters.cli import main

from ..conftest import copy_project, edit


def test_shape_and_reference_errors_in_one_run(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    articles = root / "data" / "articles"
    # A shape error in one file...
    edit(articles / "pop-vs-imap.yml", "order: 1\n", "order: 1\ncolour: blue\n")
    # ...and reference errors in another, which validates on its own.
    edit(articles / "server-settings.yml", "related: [pop-vs-imap]\n",
          "related: [pop-vs-imap, no-such-article]\n")
    settings = (articles / "server-settings.yml").read_text(encoding="utf-8")
    category = next(line for line in settings.splitlines() if line.startswith("category:"))
    edit(articles / "server-settings.yml", category, "category: no-such-category")
    assert main(["--root", str(root), "validate"]) == 1
    err = capsys.readouterr().err
    assert "data/articles/pop-vs-imap.yml:" in err and "unknown field 'colour'" in err
    assert "no article or client guide has the id 'no-such-article'" in err
    assert "unknown category 'no-such-category'" in err
    # The broken article exists: a reference to it is not an error of its own.
    assert "has the id 'pop-vs-imap'" not in err
    assert "Traceback" not in err
    assert "kbgen: 3 error(s) in the data" in err


def test_references_are_not_checked_against_a_broken_provider_or_protocol(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Everything refers to these; with one broken the other checks would only mislead.
    root = copy_project(tmp_path / "project")
    edit(root / "data" / "protocols" / "imap.yml", "rfc: ", "rfc: x")
    assert main(["--root", str(root), "validate"]) == 1
    err = capsys.readouterr().err
    assert "data/protocols/imap.yml:" in err
    assert "protocol file is missing" not in err
    assert "Traceback" not in err
