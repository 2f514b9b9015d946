"""Old URLs: only addresses one Netlify _redirects rule matches exactly become redirects."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from kbgen.data.model import OldUrl

_old_url = TypeAdapter(OldUrl)

ACCEPTED = [
    "/help/pop.php",
    "/knowledgebase/12/POP-or-IMAP.html",
    "/knowledgebase.php?action=displayarticle&id=12",
    "/index.php?rp=/knowledgebase/12/POP-or-IMAP.html",
    "/index.php?rp=%2Fknowledgebase%2F12%2Fx.html",
    "/kb.php?flag=",
    "/",
    "/?page=kb",
    "/hilfe/über-pop.html",
]
REFUSED = {
    "/*": "'*' in Netlify's _redirects matches any address",
    "/kb/*": "'*' in Netlify's _redirects matches any address",
    "/kb/:id": "placeholder",
    "//evil.example/x": "names another host",
    "/help.html#pop": "never reaches the server",
    "/.netlify/functions/x": "reserves",
    "/kb.php?id=a=b": "second '='",
    "/kb.php?id=a%3Db": "second '='",
    "/kb.php?q=pop+imap": "space or '+'",
    "/kb.php?q=pop%20imap": "space or '+'",
    "/kb.php?q=a%2Bb": "space or '+'",
    "/kb.php?id=1&id=2": "names 'id' twice",
    "/kb.php?flag": "has no '='",
    "/kb.php?=1": "no name before '='",
    "/help pop.html": "is not a valid",
    "help.html": "is not a valid",
}


@pytest.mark.parametrize("url", ACCEPTED)
def test_addresses_one_rule_can_match_are_accepted(url: str) -> None:
    assert _old_url.validate_python(url) == url


@pytest.mark.parametrize(("url", "why"), REFUSED.items(), ids=list(REFUSED))
def test_addresses_netlify_would_read_otherwise_are_refused(url: str, why: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _old_url.validate_python(url)
    shown = str(caught.value)
    assert why in shown or "String should match pattern" in shown and why == "is not a valid"
