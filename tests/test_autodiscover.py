"""The Outlook Autodiscover Netlify Function, run under Node with real and hostile requests."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from kbgen.data import facts
from kbgen.data.kb import KB
from kbgen.data.load import load_kb
from kbgen.data.model import Username
from kbgen.data.urls import AUTODISCOVER_FUNCTION_PATH, AUTODISCOVER_ROUTES
from kbgen.mailapps.autodiscover import write_function

from .conftest import ROOT

HARNESS = Path(__file__).with_name("autodiscover_run.mjs")
REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
OUTLOOK = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
ROOT_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
ENCRYPTION = {"tls": ("SSL", "on"), "starttls": ("TLS", "on"), "none": ("None", "off")}


def pox(address: str, schema: str = OUTLOOK) -> str:
    """A request as Microsoft documents it (and Outlook sends it)."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="{REQUEST_NS}">\n'
            f"  <Request>\n    <EMailAddress>{address}</EMailAddress>\n"
            f"    <AcceptableResponseSchema>{schema}</AcceptableResponseSchema>\n"
            "  </Request>\n</Autodiscover>\n")


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is missing: scripts/setup needs Node.js for the Netlify Function tests")
    if not (ROOT / "node_modules/fast-xml-parser").is_dir():
        pytest.fail("node_modules/fast-xml-parser is missing: run scripts/setup (npm ci)")
    return found


def deploy(kb: KB, where: Path) -> Path:
    """Write the function as the build does, beside the project's node_modules (as on Netlify)."""
    path = write_function(kb, where)
    link = where / "node_modules"
    if not link.exists():
        link.symlink_to(ROOT / "node_modules", target_is_directory=True)
    return path


def run(module: Path, requests: list[dict[str, Any]]) -> dict[str, Any]:
    for r in requests:
        if "body" in r:
            body = r.pop("body")
            r["body_b64"] = base64.b64encode(body if isinstance(body, bytes) else body.encode()).decode()
    result = subprocess.run([node(), str(HARNESS)], input=json.dumps(
        {"module": str(module), "requests": requests}), capture_output=True, text=True, check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"}, timeout=60)
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def post(body: str | bytes, path: str = AUTODISCOVER_ROUTES[0], **extra: Any) -> dict[str, Any]:
    return {"method": "POST", "path": path, "headers": {"Content-Type": "text/xml"}, "body": body, **extra}


def protocols(xml: str) -> list[dict[str, str]]:
    root = ET.fromstring(xml)
    assert root.tag == f"{{{ROOT_NS}}}Autodiscover"
    account = root.find(f"{{{OUTLOOK}}}Response/{{{OUTLOOK}}}Account")
    assert account is not None
    assert account.findtext(f"{{{OUTLOOK}}}AccountType") == "email"
    assert account.findtext(f"{{{OUTLOOK}}}Action") == "settings"
    return [{child.tag.split("}")[1]: child.text or "" for child in proto}
            for proto in account.findall(f"{{{OUTLOOK}}}Protocol")]


def expected(kb: KB, address: str) -> list[dict[str, str]]:
    """The recommended endpoint of each protocol, read from the data like every page."""
    local, domain = address.split("@")
    login = address if kb.provider.username.format == "email" else local
    out = []
    for pid in ("imap", "pop3", "smtp"):
        ep = facts.settings_row(kb, pid).endpoints[0]
        encryption, ssl = ENCRYPTION[ep.security]
        entry = {"Type": pid.upper(), "Server": facts.server(kb.provider, pid).host.replace(
                     "{domain}", domain), "Port": str(ep.port), "DomainRequired": "off",
                 "LoginName": login, "SPA": "off", "SSL": ssl, "Encryption": encryption,
                 "AuthRequired": "on"}
        if pid == "smtp":
            entry.update({"UsePOPAuth": "on", "SMTPLast": "off"})
        out.append(entry)
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[KB, Path]:
    kb = load_kb(ROOT)
    return kb, deploy(kb, tmp_path_factory.mktemp("functions"))


def test_outlooks_request_gets_the_settings_of_every_page(example: tuple[KB, Path]) -> None:
    kb, module = example
    addresses = ["jane@example.com", "Bob.Smith@customer.example"]
    out = run(module, [post(pox(a), path) for a, path in zip(addresses, AUTODISCOVER_ROUTES, strict=False)])
    assert out["config"] == {"path": list(AUTODISCOVER_ROUTES)}
    for response, address in zip(out["responses"], addresses, strict=True):
        assert response["status"] == 200, response
        assert response["headers"]["content-type"] == "application/xml; charset=utf-8"
        assert response["headers"]["cache-control"] == "no-store"
        assert protocols(response["body"]) == expected(kb, address)


def test_own_domain_hosts_and_local_part_usernames(tmp_path: Path) -> None:
    kb = load_kb(ROOT)
    servers = kb.provider.servers
    kb.provider = kb.provider.model_copy(update={
        "username": Username(format="localpart"),
        "servers": servers.model_copy(update={
            pid: getattr(servers, pid).model_copy(update={"host": "mail.{domain}"})
            for pid in ("imap", "pop3", "smtp")})})
    module = deploy(kb, tmp_path)
    (response,) = run(module, [post(pox("jane@Customer.Example"))])["responses"]
    found = protocols(response["body"])
    assert {p["Server"] for p in found} == {"mail.customer.example"}
    assert {p["LoginName"] for p in found} == {"jane"}


BAD = {
    "not XML": "hello",
    "empty": "",
    "unclosed": pox("jane@example.com").replace("</Autodiscover>", ""),
    "JSON": '{"EMailAddress": "jane@example.com"}',
    "wrong namespace": pox("jane@example.com").replace(REQUEST_NS, "urn:other"),
    "mobile sync schema": pox("jane@example.com", "http://schemas.microsoft.com/exchange/"
                              "autodiscover/mobilesync/responseschema/2006"),
    "no address": pox(""),
    "not an address": pox("jane"),
    "markup in the address": pox("&lt;script&gt;@example.com"),
    "CDATA markup": pox("<![CDATA[<b>x</b>@example.com]]>"),
    "quote in the address": pox("ja\"ne@example.com"),
    "two addresses": pox("a@example.com</EMailAddress><EMailAddress>b@example.com"),
    "nested address": pox("<x>a@example.com</x>"),
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                      '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                      + pox("&lol2;@example.com").split("?>", 1)[1],
    "external entity": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                       + pox("&xxe;@example.com").split("?>", 1)[1],
    "deep nesting": "<a>" * 2000 + "</a>" * 2000,
}


def test_bad_requests_get_400_without_a_stack_trace(example: tuple[KB, Path]) -> None:
    _, module = example
    names = list(BAD)
    out = run(module, [post(BAD[n]) for n in names] + [post(b"\xff\xfe<Autodiscover/>")])
    for name, response in zip([*names, "not UTF-8"], out["responses"], strict=True):
        assert response["status"] == 400, (name, response)
        assert response["headers"]["content-type"] == "text/plain; charset=utf-8", name
        assert response["body"].startswith("bad request"), (name, response["body"])
        assert " at " not in response["body"] and "Error" not in response["body"], name
        assert "passwd" not in response["body"] and "root:" not in response["body"], name


def test_oversized_bodies_are_refused_unread(example: tuple[KB, Path]) -> None:
    _, module = example
    big = pox("jane@example.com") + " " * (64 * 1024)
    out = run(module, [post(big), post(big, stream=True),
                       post(pox("jane@example.com"), headers={"Content-Length": str(10**9)})])
    statuses = [r["status"] for r in out["responses"]]
    # Node's Request replaces a wrong Content-Length with the real one, so the third is read and answered.
    assert statuses[:2] == [413, 413] and statuses[2] in {200, 413}
    assert "larger than 16384 bytes" in out["responses"][0]["body"]


def test_only_post_is_answered(example: tuple[KB, Path]) -> None:
    _, module = example
    out = run(module, [{"method": m, "path": AUTODISCOVER_ROUTES[0]} for m in ("GET", "HEAD", "OPTIONS")])
    assert [r["status"] for r in out["responses"]] == [405, 405, 405]
    assert all(r["headers"]["allow"] == "POST" for r in out["responses"])


def test_the_build_writes_the_function_from_the_data(example_site: Path) -> None:
    module = example_site.parent / AUTODISCOVER_FUNCTION_PATH
    assert module.is_file()
    kb = load_kb(example_site.parent)
    link = example_site.parent / "node_modules"
    if not link.exists():
        link.symlink_to(ROOT / "node_modules", target_is_directory=True)
    out = run(module, [post(pox("jane@example.com"))])
    assert protocols(out["responses"][0]["body"]) == expected(kb, "jane@example.com")
