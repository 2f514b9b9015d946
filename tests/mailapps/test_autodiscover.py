"""The Outlook Autodiscover Netlify Function, run under Node with real and hostile requests.

The function imports nothing (no node_modules is beside it here); every answer,
refusals included, must be well-formed XML, which expat checks.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import pytest

from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.kb import KB
from kbgen.data.model import Username
from kbgen.data.urls import AUTODISCOVER_FUNCTION_PATH, AUTODISCOVER_ROUTES
from kbgen.mailapps.autodiscover import write_function

from ..browser.test_personal import HOSTILE
from ..conftest import ROOT

HARNESS = Path(__file__).with_name("autodiscover_run.mjs")
SITE_CHECK = Path(__file__).with_name("kbgen_me_parse.mjs")
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
    return found


def deploy(kb: KB, where: Path) -> Path:
    """Write the function as the build does, in a folder with no node_modules anywhere above."""
    assert not any((d / "node_modules").exists() for d in [where, *where.parents])
    return write_function(kb, where)


def run(module: Path, requests: list[dict[str, Any]], harness: Path = HARNESS) -> dict[str, Any]:
    for r in requests:
        if "body" in r:
            body = r.pop("body")
            r["body_b64"] = base64.b64encode(body if isinstance(body, bytes) else body.encode()).decode()
    result = subprocess.run([node(), str(harness)], input=json.dumps(
        {"module": str(module), "requests": requests}), capture_output=True, text=True, check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"}, timeout=60)
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def post(body: str | bytes, path: str = AUTODISCOVER_ROUTES[0], **extra: Any) -> dict[str, Any]:
    return {"method": "POST", "path": path, "headers": {"Content-Type": "text/xml"}, "body": body, **extra}


def well_formed(body: str | bytes) -> bool:
    """Does expat read it as XML 1.0? (It refuses NUL, C0 controls, U+FFFE and their references.)"""
    try:
        ET.fromstring(body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body)
    except (ET.ParseError, LookupError):  # LookupError: an encoding expat does not know
        return False
    return True


def refusal(response: dict[str, Any], status: int = 400, code: str | None = "600") -> str:
    """Check a refusal is POX's error response, well-formed XML; its DebugData."""
    assert response["status"] == status, response
    assert response["headers"]["content-type"] == "application/xml; charset=utf-8", response
    assert response["headers"]["cache-control"] == "no-store"
    root = ET.fromstring(response["body"].encode())
    assert root.tag == f"{{{ROOT_NS}}}Autodiscover"
    error = root.find(f"{{{ROOT_NS}}}Response/{{{ROOT_NS}}}Error")
    assert error is not None, response["body"]
    assert error.findtext(f"{{{ROOT_NS}}}ErrorCode") in ({"600", "601"} if code is None else {code})
    assert error.findtext(f"{{{ROOT_NS}}}Message")
    return error.findtext(f"{{{ROOT_NS}}}DebugData") or ""


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


DOCUMENTED = (  # Microsoft's request example, verbatim: https:// namespaces and no XML declaration
    '<Autodiscover xmlns="https://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">\n'
    "   <Request>\n     <EMailAddress>user@contoso.com</EMailAddress>\n"
    "     <AcceptableResponseSchema>https://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a</AcceptableResponseSchema>\n   </Request>\n </Autodiscover>\n")


def test_microsofts_documented_request_with_https_namespaces(example: tuple[KB, Path]) -> None:
    kb, module = example
    variants = [DOCUMENTED, DOCUMENTED.replace("\n", "\r\n"),
                pox("user@contoso.com").replace(REQUEST_NS, REQUEST_NS.replace("http:", "https:")),
                pox("user@contoso.com", OUTLOOK.replace("http:", "https:"))]
    for body, response in zip(variants, run(module, [post(b) for b in variants])["responses"], strict=True):
        assert response["status"] == 200, (body, response)
        # The answer is in the namespaces Outlook itself uses, whichever the request wrote.
        assert protocols(response["body"]) == expected(kb, "user@contoso.com")


BAD = {
    "not XML": "hello",
    "empty": "",
    "unclosed": pox("jane@example.com").replace("</Autodiscover>", ""),
    "JSON": '{"EMailAddress": "jane@example.com"}',
    "wrong namespace": pox("jane@example.com").replace(REQUEST_NS, "urn:other"),
    "no namespace": pox("jane@example.com").replace(f' xmlns="{REQUEST_NS}"', ""),
    "prefixed root": pox("jane@example.com").replace("<Autodiscover xmlns=", "<a:Autodiscover xmlns:a=")
                     .replace("</Autodiscover>", "</a:Autodiscover>"),
    "no address": pox(""),
    "no EMailAddress element": pox("x").replace("<EMailAddress>x</EMailAddress>", ""),
    "a LegacyDN instead": pox("x").replace("EMailAddress>x</EMailAddress", "LegacyDN>/o=Example</LegacyDN"),
    "not an address": pox("jane"),
    "markup in the address": pox("&lt;script&gt;@example.com"),
    "CDATA markup": pox("<![CDATA[<b>x</b>@example.com]]>"),
    "CDATA address": pox("<![CDATA[jane@example.com]]>"),
    "comment": pox("jane@example.com").replace("<Request>", "<!-- x --><Request>"),
    "processing instruction": pox("jane@example.com").replace("<Request>", "<?x y?><Request>"),
    "quote in the address": pox("ja\"ne@example.com"),
    "bare ampersand": pox("a&b@example.com"),
    "unknown entity": pox("a&nbsp;b@example.com"),
    "reference to NUL": pox("jane&#0;@example.com"),
    "reference to U+FFFE": pox("jane@example.com&#xFFFE;"),
    "reference past Unicode": pox("jane&#x110000;@example.com"),
    "reference to a surrogate": pox("jane&#xD800;@example.com"),
    "reference to a C0 control": pox("jane&#x1b;@example.com"),
    "raw NUL": pox("jane\x00@example.com"),
    "raw U+FFFE": pox("jane@example.com\ufffe"),
    "raw control in the namespace": pox("jane@example.com").replace(REQUEST_NS, REQUEST_NS + "\x01"),
    "two addresses": pox("a@example.com</EMailAddress><EMailAddress>b@example.com"),
    "nested address": pox("<x>a@example.com</x>"),
    "attribute on Request": pox("jane@example.com").replace("<Request>", '<Request a="1">'),
    "unknown element": pox("jane@example.com").replace("<Request>", "<Request><Other/>"),
    "end tag mismatch": pox("jane@example.com").replace("</EMailAddress>", "</EmailAddress>"),
    "second root": pox("jane@example.com") + "<Autodiscover/>",
    "text after the root": pox("jane@example.com") + "x",
    "text between elements": pox("jane@example.com").replace("<Request>", "<Request>x"),
    "declaration not first": " " + pox("jane@example.com"),
    "XML 1.1": pox("jane@example.com").replace('version="1.0"', 'version="1.1"'),
    "UTF-16 declared": pox("jane@example.com").replace("utf-8", "utf-16"),
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                      '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                      + pox("&lol2;@example.com").split("?>", 1)[1],
    "external entity": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                       + pox("&xxe;@example.com").split("?>", 1)[1],
    "deep nesting": "<a>" * 2000 + "</a>" * 2000,
}


def test_bad_requests_get_a_well_formed_pox_error(example: tuple[KB, Path]) -> None:
    _, module = example
    names = list(BAD)
    out = run(module, [post(BAD[n]) for n in names] + [post(b"\xff\xfe<Autodiscover/>")]
              + [post(pox("jane@example.com", "http://schemas.microsoft.com/exchange/"
                          "autodiscover/mobilesync/responseschema/2006"))])
    for name, response in zip([*names, "not UTF-8"], out["responses"][:-1], strict=True):
        detail = refusal(response)
        assert detail.startswith("bad request: "), (name, detail)
        assert " at " not in detail and "Error" not in detail, name
        assert "passwd" not in detail and "example.com" not in detail, (name, detail)
    assert "only the Outlook response schema" in refusal(out["responses"][-1], code="601")


# Addresses for the site's own check and Autodiscover alike: the browser tests' hostile
# corpus (tests/browser/test_personal.py), odd but valid ones, and every character
# XML 1.0 forbids or a reader might not see.
ADDRESSES = [
    *HOSTILE,
    "O'Brien+news@Customer.TEST", "  jane@bücher.test ", "jane@ＣＵＳＴＯＭＥＲ．test",
    "a&b{domain}@customer.test", "O'Brien@example.com", "a&b@example.com",
    "o'brien&co+news@Customer.Example", "!#$%&'*+/=?^_`{|}~-@example.com", "jane@EXAMPLE.COM",
    "\u00a0jane@example.com", "\ufeffjane@example.com", "jane@example.com\u2028",
    "a" * 64 + "@example.com", "a" * 65 + "@example.com", "jane@localhost", "jane@xn--bcher-kva.test",
    "]]>@example.com", "a<b@example.com", "a>b@example.com", 'a"b@example.com', "a..b@example.com",
    "jane@exa_mple.com", "jane@example.com&#0;", "&amp;@example.com", "&#39;@example.com",
    *(f"{chr(c)}jane@example.com" for c in [*range(0x20), 0x7F, 0x85]),
    *(f"ja{chr(c)}ne@example.com" for c in range(0x20)),
    "jane\ufffe@example.com", "jane@example.com\uffff", "jane@exa\ufffemple.com", "jane\ud800@example.com",
]


@cache
def site_check(addresses: tuple[str, ...]) -> list[dict[str, str]]:
    """What the site's own check, parse() in docs/assets/kbgen-me.js, makes of each address."""
    result = subprocess.run([node(), str(SITE_CHECK), str(ROOT / "docs/assets/kbgen-me.js")],
                            input=json.dumps(list(addresses)), capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    parsed: list[dict[str, str]] = json.loads(result.stdout)
    return parsed


def meant(body: str) -> str | None:
    """The address expat reads in a request, or None when the request is not well-formed
    XML or its EMailAddress holds more than text."""
    if not well_formed(body):
        return None
    found = ET.fromstring(body.encode()).find(f"{{{REQUEST_NS}}}Request/{{{REQUEST_NS}}}EMailAddress")
    return None if found is None or len(found) else found.text or ""


RULE = ["MAX_ADDRESS", "MAX_LOCAL", "MAX_DOMAIN", "LOCAL", "LABEL", "NOT_IN_DOMAIN", "INVISIBLE"]


def rule(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    found = {m[1]: m[2] for m in re.finditer(r"^ *(?:var|const) ([A-Z_]+) = (.*);(?: *//.*)?$", text, re.M)}
    return {name: found.get(name, "missing") for name in RULE}


def test_the_address_rule_is_the_sites_own_to_the_character() -> None:
    """Beyond the table below: the limits and patterns are the same text in both files."""
    assert rule(ROOT / "kbgen/mailapps/autodiscover.mjs") == rule(ROOT / "docs/assets/kbgen-me.js")


def test_autodiscover_accepts_exactly_the_addresses_the_site_accepts(example: tuple[KB, Path]) -> None:
    kb, module = example
    # Each address XML-escaped, as a client writes it, and raw, as a careless one would.
    bodies = list(dict.fromkeys(body for address in ADDRESSES for body in (
        pox(escape(address, {'"': "&quot;", "'": "&apos;"})), pox(address))))
    read = [meant(body) for body in bodies]
    texts = sorted({text for text in read if text is not None})
    site = dict(zip(texts, site_check(tuple(texts)), strict=True))
    requests = [post(body.encode("utf-8", "surrogatepass")) for body in bodies]
    accepted = set()
    for body, text, response in zip(bodies, read, run(module, requests)["responses"], strict=True):
        if text is not None and "error" not in site[text]:
            assert response["status"] == 200, (text, response)
            # The settings the site shows for it: its domain in ASCII, lower case.
            assert protocols(response["body"]) == expected(kb, site[text]["address"]), text
            accepted.add(text)
        else:  # refused by the site, or not well-formed XML: a POX error, itself well-formed
            assert refusal(response).startswith("bad request: "), (body, response)
    assert {"O'Brien@example.com", "a&b@example.com", "jane@ＣＵＳＴＯＭＥＲ．test"} <= accepted
    assert len(accepted) >= 15 and not accepted & set(HOSTILE)


PIECES = ["<", ">", "&", ";", "#", '"', "'", "/", "=", "!", "?", " ", "\n", "\r", "\t", "\x00", "\x0b",
          "\ufffe", "\ud800", "é", "@", ":", "a", "x:", "]]>", "<!--", "-->", "<![CDATA[", "&amp;", "&#x40;",
          "&#0;", "&lt;", "<?x?>", "<a>", "</a>", "<a/>", "xmlns", "Request", "EMailAddress", "https"]


def mutants(count: int) -> list[str]:
    """Requests with one to three random edits of XML-significant pieces (the same every run)."""
    rng = random.Random(26)
    base = pox("o&apos;brien&amp;co@example.com")
    out = []
    for _ in range(count):
        body = base
        for _ in range(rng.choice([1, 1, 2, 3])):
            at = rng.randrange(len(body) + 1)
            cut = rng.choice([0, 0, 1, rng.randint(1, 12)])
            body = body[:at] + rng.choice(["", *PIECES]) + body[at + cut:]
        out.append(body)
    return out


def reading(body: str) -> tuple[str, str, str] | None:
    """(root element, response schema, address) as expat reads the request, or None."""
    if (address := meant(body)) is None:
        return None
    root = ET.fromstring(body.encode())
    return root.tag, root.findtext(".//{*}AcceptableResponseSchema") or "", address


def test_the_reader_accepts_nothing_expat_reads_otherwise(example: tuple[KB, Path]) -> None:
    kb, module = example
    bodies = mutants(4000)
    read = [reading(body) for body in bodies]
    texts = sorted({r[2] for r in read if r is not None})
    site = dict(zip(texts, site_check(tuple(texts)), strict=True))
    accepted = 0
    requests = [post(body.encode("utf-8", "surrogatepass")) for body in bodies]
    for body, seen, response in zip(bodies, read, run(module, requests)["responses"], strict=True):
        if response["status"] != 200:
            refusal(response, code=None)  # 600, or 601 for an edited response schema
            continue
        # Whatever the strict reader accepts, expat reads as the same request and address.
        assert seen is not None, repr(body)
        tag, schema, text = seen
        assert tag in {f"{{{ns}}}Autodiscover" for ns in (REQUEST_NS, REQUEST_NS.replace("http:", "https:"))}
        assert schema.strip() in {OUTLOOK, OUTLOOK.replace("http:", "https:")}, repr(body)
        assert "error" not in site[text], repr(body)
        assert protocols(response["body"]) == expected(kb, site[text]["address"]), repr(body)
        accepted += 1
    print(f"{accepted} of {len(bodies)} edited requests accepted")
    assert 50 < accepted < len(bodies)


def test_oversized_bodies_are_refused_unread(example: tuple[KB, Path]) -> None:
    _, module = example
    big = pox("jane@example.com") + " " * (64 * 1024)
    out = run(module, [post(big), post(big, stream=True),
                       post(pox("jane@example.com"), headers={"Content-Length": str(10**9)})])
    statuses = [r["status"] for r in out["responses"]]
    # Node's Request replaces a wrong Content-Length with the real one, so the third is read and answered.
    assert statuses[:2] == [413, 413] and statuses[2] in {200, 413}
    assert "larger than 16384 bytes" in refusal(out["responses"][0], 413)


def test_only_post_is_answered(example: tuple[KB, Path]) -> None:
    _, module = example
    out = run(module, [{"method": m, "path": AUTODISCOVER_ROUTES[0]} for m in ("GET", "HEAD", "OPTIONS")])
    assert all(refusal(r, 405) for r in out["responses"])
    assert all(r["headers"]["allow"] == "POST" for r in out["responses"])


def test_the_build_writes_the_function_from_the_data(example_site: Path) -> None:
    module = example_site.parent / AUTODISCOVER_FUNCTION_PATH
    assert module.is_file()
    kb = load_kb(example_site.parent)
    out = run(module, [post(pox("jane@example.com"))])
    assert protocols(out["responses"][0]["body"]) == expected(kb, "jane@example.com")
