"""Accessibility with axe-core in Chromium: no serious or critical violation on the
home page, a category page, the POP vs IMAP article, a client guide and the 404
page, in both colour schemes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import AXE_JS, client_guide_url, tool

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = {
    "home": "",
    "category": "email/protocols/",
    "article": "email/pop-vs-imap/",
    "dns records": "email/dns-records/",  # record tables (cards on a phone)
    "client guide": None,  # the first guide in data/clients/
    "not found": "no/such/page/",  # 404.html, ours
}


def _summary(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_accessibility_violation(browser: Any, netlify_url: str, example_site: Path,
                                            kind: str, scheme: str) -> None:
    path = PAGES[kind]
    if path is None:
        path = client_guide_url(example_site)
    # axe is injected as a script the page did not ship; the site's CSP (rightly)
    # refuses it, so this context alone ignores the policy (test_csp_browser.py proves it).
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(netlify_url + path)
        # expect() polls from Playwright's own world; a string wait_for_function would
        # eval() in the page, which the site's CSP refuses once it has to poll.
        expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))
        page.add_script_tag(path=str(tool(AXE_JS)))
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => ({target: n.target}))}));
        }""")
    finally:
        context.close()
    serious = [v for v in result if v["impact"] in {"serious", "critical"}]
    assert serious == [], f"{kind} ({path}, {scheme}):\n" + _summary(serious)
