"""Which page templates can be rendered once and reused: pure helpers for ``render``.

Most of a page is the same from one page to the next: the ports table of every
article with a ports block, the settings table of every client guide, the
"your own settings" form. ``Renderer.include`` renders such a partial once per
build for each distinct set of inputs. That is only correct when the inputs
passed are all it reads, so a block template is shared between pages only if
it never reads what differs from page to page (``PAGE_NAMES``), found by
walking the template and everything it includes or imports.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from jinja2 import Environment, nodes
from pydantic import BaseModel

# What a page's context holds besides the build-wide kb, provider, facts and r.
PAGE_NAMES = frozenset({"uri", "entry", "crumbs", "loop"})


def freeze(value: Any) -> Hashable:
    """A hashable stand-in for a template input: equal inputs give equal keys."""
    if isinstance(value, BaseModel):
        return (type(value).__name__, value.model_dump_json())
    if isinstance(value, Mapping):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [freeze(v) for v in value]
        return tuple(sorted(items, key=repr)) if isinstance(value, (set, frozenset)) else tuple(items)
    if not isinstance(value, Hashable):
        raise TypeError(f"a partial's input must be hashable, not {type(value).__name__}")
    return value


def reads_page(env: Environment, name: str) -> bool:
    """Whether template ``name``, or anything it includes or imports, reads a page's own values.

    Asked once per template and build (the renderer keeps the answer): a preview
    server's templates may change between builds.
    """
    return _reads_page(env, name, frozenset())


def _names(env: Environment, name: str) -> tuple[frozenset[str], tuple[str | None, ...]]:
    """The variable names a template loads, and the templates it pulls in (None: computed)."""
    source = env.loader.get_source(env, name)[0] if env.loader is not None else ""
    tree = env.parse(source)
    loaded = frozenset(n.name for n in tree.find_all(nodes.Name) if n.ctx == "load")
    pulled: list[str | None] = []
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        target = getattr(node, "template", None)
        pulled.append(target.value if isinstance(target, nodes.Const) and isinstance(target.value, str)
                      else None)
    return loaded, tuple(pulled)


def _reads_page(env: Environment, name: str, seen: frozenset[str]) -> bool:
    if name in seen:
        return False
    loaded, pulled = _names(env, name)
    if loaded & PAGE_NAMES:
        return True
    # A template chosen at render time could be anything: assume it reads the page.
    return any(target is None or _reads_page(env, target, seen | {name}) for target in pulled)
