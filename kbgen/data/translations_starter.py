"""The text of a starter translation file: every text of a source file, to be translated.

Each translatable text of the source is written as a comment in the source's
language, above an empty field for the translation. An empty field is "not
translated yet", so a starter is valid from the first save but cannot be published
by accident: until every field is filled in, ``kbgen validate`` names what is left
and the page stays out of the language's site. The keys that match list items
(``key``, ``id``, ``trait``, ``problem``) are written out; no fact is.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .kb import KB
from .schema import TRANSLATION, modeline
from .translations_models import WORDS
from .validation import _models_in

MATCH_KEYS = ("id", "key", "trait", "problem")  # written first, in this order

_INTRO = """\
# The {lang} words of {source}.
# Under each {src} text, write the {lang} text after its empty key ('title:' becomes
# 'title: …'; a Markdown text 'text: |' and its lines below, indented). An empty key is
# not translated yet: until every one is filled in, `kbgen validate` names what is left
# and the page is not published in {lang}. Only words go here: ports, hosts, order and
# every other fact come from {source}. Write the brand as {{{{ provider.name }}}} and keep
# every {{{{ placeholder }}}} of a text, so the facts reach this language too.
"""

_QUOTED = """\
# Every app label the steps show in **bold** in {lang}, and where it was checked:
#   - label: <the label exactly as the app shows it in {lang}>
#     source: thunderbird-l10n      # with file: {lang}/mail/…/<file>.ftl and id: <message id>
#   or
#     source: https://…             # the vendor's help page in {lang}, with read: YYYY-MM-DD
quoted: []
# Labels quoted that no source confirms; the guide tells readers so.
unchecked: []
"""

_PROVIDER_DEFAULTS = """\
# Optional: the site's name and footer in {lang}, where the defaults made from the brand
# do not suit, e.g. site_name: Hilfe-Center von {{{{ provider.name }}}}
# site_name:
# copyright:
"""


def _comment(out: list[str], pad: str, lang: str, text: Any) -> None:
    lines = str(text).rstrip("\n").split("\n")
    if len(lines) == 1:
        out.append(f"{pad}# {lang}: {lines[0]}")
    else:
        out.append(f"{pad}# {lang}:")
        out += [f"{pad}#   {line}".rstrip() for line in lines]


def _fields(words: type[BaseModel], data: dict[str, Any], lang: str, pad: str,
            top: bool) -> list[str]:
    """The lines for one mapping of the source, at indent ``pad``; empty when it holds no text."""
    out: list[str] = []
    keys = [k for k in MATCH_KEYS if k in data and not top] + [
        k for k in data if k in words.model_fields and k not in MATCH_KEYS]
    texts = False
    for key in keys:
        value = data[key]
        nested = _models_in(words.model_fields[key].annotation)
        if key in MATCH_KEYS:
            out.append(f"{pad}{key}: {value}")
        elif nested and isinstance(value, dict):
            inner = _fields(nested[0], value, lang, pad + "  ", False)
            if inner:
                out += [f"{pad}{key}:", *inner]
                texts = True
        elif nested and isinstance(value, list):
            items = _items(nested[0], key, value, lang, pad)
            if items:
                out += [f"{pad}{key}:", *items]
                texts = True
        elif isinstance(value, dict):  # texts by id: traits, labels.authentication
            out.append(f"{pad}{key}:")
            for name, text in value.items():
                _comment(out, pad + "  ", lang, text)
                out.append(f"{pad}  {name}:")
            texts = True
        elif isinstance(value, list):  # a list translated whole, item by item
            out.append(f"{pad}{key}:")
            for text in value:
                _comment(out, pad + "  ", lang, text)
                out.append(f"{pad}  -")
            texts = True
        elif value is not None:
            _comment(out, pad, lang, value)
            out.append(f"{pad}{key}:")
            texts = True
    return out if texts else []


def _items(words: type[BaseModel], key: str, items: list[Any], lang: str, pad: str) -> list[str]:
    out: list[str] = []
    match = next((k for k in MATCH_KEYS if k in words.model_fields), None)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        if match is not None and item.get(match) is None:
            inner = _fields(words, {**item, match: "…"}, lang, pad + "  ", False)
            if inner:
                out.append(f"{pad}# {key}[{i}] has no '{match}:' in the source file; give it "
                           "one there to translate it")
            continue
        inner = _fields(words, item, lang, pad + "  ", False)
        if inner:
            first = next(n for n, line in enumerate(inner) if not line.lstrip().startswith("#"))
            inner[first] = f"{pad}- {inner[first].lstrip()}"
            out += inner
    return out


def starter_text(kb: KB, lang: str, kind: str, rel: str, data_dir: str = "data") -> str:
    """The starter for translating ``data_dir/rel`` (a file of ``kind``) into ``lang``."""
    source = f"{data_dir}/{rel}"
    doc = kb.documents[source]
    target = f"{data_dir}/translations/{lang}/{rel}"
    head = [modeline(f"{TRANSLATION}{kind}", target),
            _INTRO.format(lang=lang, src=kb.language, source=source).rstrip("\n")]
    if kind == "provider":
        head.append(_PROVIDER_DEFAULTS.format(lang=lang).rstrip("\n"))
    body = _fields(WORDS[kind], doc.data, kb.language, "", True)
    if kind == "client":
        body.append(_QUOTED.format(lang=lang).rstrip("\n"))
    return "\n".join([*head, *body]) + "\n"
