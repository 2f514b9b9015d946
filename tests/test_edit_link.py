"""The "Edit this page" branch: only names git accepts, quoted into the link Material prints raw."""

from __future__ import annotations

import subprocess

import pytest
from pydantic import TypeAdapter, ValidationError

from kbgen.data.model import Branch

ACCEPTED = ["main", "drafts", "docs/help-center", "release/2026.1+kb", "v1.2.3", "a_b-c",
            "feature/x-", "1", "+plus"]
REFUSED = ['main"><meta http-equiv="refresh" content="0;url=https://evil.example/"><b x="',
           "-leading-dash", ".hidden", "a..b", "a//b", "trailing/", "trailing.", "a/.b",
           "a.lock", "x/y.lock/z", "has space", "tab\there", "nul\x00", "a~1", "a^2", "a:b",
           "a?", "a*", "a[b", "back\\slash", "at@{u}", "@", "ctl\x7f", "quote'", "é"]
_branch = TypeAdapter(Branch)


def _git_accepts(name: str) -> bool:
    if "\x00" in name:
        return False  # an argument cannot carry NUL; git could never have such a branch
    result = subprocess.run(["git", "check-ref-format", "--branch", name],
                            capture_output=True, check=False)
    return result.returncode == 0


@pytest.mark.parametrize("name", ACCEPTED)
def test_every_accepted_branch_is_one_git_accepts(name: str) -> None:
    assert _branch.validate_python(name) == name
    assert _git_accepts(name)


@pytest.mark.parametrize("name", REFUSED)
def test_names_git_refuses_or_a_url_cannot_carry_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        _branch.validate_python(name)
