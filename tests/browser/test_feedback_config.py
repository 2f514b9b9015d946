"""The feedback form as configured in mkdocs.yml: another name, other words and
another endpoint instead of Netlify Forms. The changed site is served to Chromium
through ``page.route`` straight from its folder, so no server is needed.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from ..conftest import copy_project, mkdocs_build

pytestmark = pytest.mark.browser

ORIGIN = "http://kb.test"
ENDPOINT = "https://forms.example.net/kb-answers"
OPTIONS = {
    "form_name": "kb-answers",
    "endpoint": ENDPOINT,
    "title": "Did this page help you?",
    "yes_label": "Yes, thanks",
    "no_label": "Not really",
    "reasons": ["Wrong screenshots", "Other"],
    "comment_max": 200,
    "thanks": "Merci, noted.",
    "no_thanks": "Noted: not helpful.",
}


def with_feedback(root: Path, options: dict[str, Any]) -> None:
    config_file = root / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text())
    plugins = config["plugins"]
    for i, item in enumerate(plugins):
        if item == "kbgen" or (isinstance(item, dict) and "kbgen" in item):
            settings = item["kbgen"] if isinstance(item, dict) else None
            plugins[i] = {"kbgen": {**(settings or {}), "feedback": options}}
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))


@pytest.fixture(scope="module")
def custom_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("custom-feedback"))
    with_feedback(root, OPTIONS)
    result = mkdocs_build(root, root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


def serve_from(site: Path) -> Any:
    def handler(route: Any) -> None:
        path = urlsplit(route.request.url).path
        file = site / path.lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            route.fulfill(status=404, body="not found")
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=file.read_bytes(), headers={"content-type": kind})
    return handler


def test_another_endpoint_gets_the_answers(browser: Any, custom_site: Path) -> None:
    page = browser.new_page()
    page.route(f"{ORIGIN}/**", serve_from(custom_site))
    caught: list[Any] = []

    def endpoint(route: Any) -> None:
        caught.append(route.request)
        # a form service on another origin must allow the site's origin
        route.fulfill(status=200, body="", headers={"access-control-allow-origin": ORIGIN})

    page.route(ENDPOINT, endpoint)
    page.goto(f"{ORIGIN}/email/server-settings/")
    form = page.locator("form[data-kb-feedback]")
    assert form.get_attribute("name") == "kb-answers"
    assert form.get_attribute("action") == ENDPOINT
    assert form.get_attribute("data-netlify") is None  # not a Netlify form any more
    assert page.get_by_role("heading", name="Did this page help you?").is_visible()
    page.get_by_role("button", name="Not really").click()
    page.get_by_role("status").get_by_text("Noted: not helpful.").wait_for()
    assert len(caught) == 1  # the vote, at once
    assert form.get_by_role("radio").count() == 2
    page.get_by_role("radio", name="Wrong screenshots").check()
    assert page.locator("textarea[name=comment]").get_attribute("maxlength") == "200"
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_role("status").get_by_text("Merci, noted.").wait_for()
    assert len(caught) == 2
    vote, data = (parse_qs(r.post_data or "") for r in caught)
    assert caught[1].method == "POST"
    assert vote["part"] == ["vote"] and vote["rating"] == ["no"]
    assert data["form-name"] == ["kb-answers"]
    assert data["article-id"] == ["server-settings"]
    assert data["rating"] == ["no"]
    assert data["part"] == ["details"] and data["vote-id"] == vote["vote-id"]
    assert data["reason"] == ["Wrong screenshots"]
    page.close()


def test_the_thank_you_page_uses_the_configured_thanks(custom_site: Path) -> None:
    html = (custom_site / "thanks" / "index.html").read_text(encoding="utf-8")
    assert "Merci, noted." in html
    assert "data-netlify" not in html  # no Netlify twin form when Netlify is not used


def test_feedback_off_removes_the_form(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    with_feedback(root, {"enabled": False})
    result = mkdocs_build(root, root / "site")
    assert result.returncode == 0, result.stderr
    html = (root / "site/email/server-settings/index.html").read_text(encoding="utf-8")
    assert "data-kb-feedback" not in html
    assert "kb-also-read" in html


def test_materials_form_name_is_refused(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    with_feedback(root, {"form_name": "feedback"})
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert "Material's own widget" in result.stderr
