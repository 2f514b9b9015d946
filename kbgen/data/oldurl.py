"""Which old addresses a Netlify ``_redirects`` rule can match exactly, and why the others cannot.

Every listed old URL becomes one line ``/path key=value… /new-page 301``. Netlify's
parser (``@netlify/redirect-parser``) splits that line at whitespace, reads ``*``
and ``:name`` in the path as patterns, takes a token starting with ``#`` as a
comment, and reads each query token up to its second ``=``; its engine compares
decoded query values, ``+`` decoded to a space. So an old URL is refused here
when its line would match more than that URL (``/*`` swallows the whole site),
or would be read differently from what the author wrote.
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit


class OldUrlError(ValueError):
    """Why an old URL cannot become a redirect rule, and how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


_QUERY_HINT = ("leave the query out, so that the path alone matches with any query, or leave "
               "this old URL out")


def _query_problem(query: str) -> str | None:
    seen: set[str] = set()
    for raw in query.split("&"):
        if not raw:
            continue
        if "=" not in raw:
            return (f"the query part '{raw}' has no '=': Netlify's _redirects matches "
                    "'name=value' pairs only")
        key, value = (unquote_plus(part) for part in raw.split("=", 1))
        if not key:
            return f"the query part '{raw}' has no name before '='"
        if "+" in raw or any(c.isspace() or c == "+" for c in key + value):
            return (f"the query part '{raw}' holds a space or '+', which Netlify's "
                    "_redirects cannot match")
        if "=" in key + value:
            return (f"the query part '{raw}' holds a second '=', which Netlify's _redirects "
                    "drops with everything after it")
        if key in seen:
            return (f"the query names '{key}' twice; Netlify's _redirects can match each "
                    "name once")
        seen.add(key)
    return None


def old_url_problem(url: str) -> tuple[str, str] | None:
    """Why ``url`` cannot be a redirect's exact old address and how to fix it, or None."""
    if url.startswith("//"):
        return ("an address starting with '//' names another host, not a path of this site",
                "write the path only, starting with a single '/'")
    if "#" in url:
        return ("the '#…' part of an address never reaches the server, so no redirect can "
                "match it", "remove the '#' and what follows it")
    parts = urlsplit(url)
    if "*" in parts.path:
        return ("'*' in Netlify's _redirects matches any address below this one "
                "('/*' would send the whole site to one page)",
                "list each old address in full; legacy.ids already covers "
                "/knowledgebase/<id>/<any title>.html")
    if any(segment.startswith(":") for segment in parts.path.split("/")):
        return ("a part starting with ':' is a placeholder in Netlify's _redirects, not text",
                "leave this old URL out")
    if parts.path == "/.netlify" or parts.path.startswith("/.netlify/"):
        return "Netlify reserves the addresses under /.netlify", "leave this old URL out"
    problem = _query_problem(parts.query) if parts.query else None
    return (problem, _QUERY_HINT) if problem else None


def check_old_url(url: str) -> str:
    """Pydantic validator of ``legacy.urls`` and ``legacy_urls``."""
    problem = old_url_problem(url)
    if problem:
        raise OldUrlError(*problem)
    return url
