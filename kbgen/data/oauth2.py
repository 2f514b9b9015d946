"""Which mail servers Thunderbird will sign in to with OAuth2.

Thunderbird's autoconfig reader (comm-central,
``mail/components/accountcreation/modules/readFromXML.sys.mjs``,
``readAuthentication``) takes the first ``<authentication>`` value it can use;
``OAuth2`` counts only when ``OAuth2Providers.getHostnameDetails(hostname)``
knows the host, otherwise it fails with "Lacking OAuth2 config for <host>"
and, with no other value to fall back on, drops the server — and with every
server gone, the whole file. The list below is the mail part of ``kHostnames``
in ``mailnews/base/src/OAuth2Providers.sys.mjs`` (read November 2026); the
lookup also tries each parent domain, as ``_getHostnameDetails`` does.

A hosting provider's own servers are never on that list, so
``authentication: oauth2`` is refused at validation for them (see checks).
"""

from __future__ import annotations

THUNDERBIRD_OAUTH2_HOSTS = frozenset({
    "imap.googlemail.com", "smtp.googlemail.com", "pop.googlemail.com",
    "imap.gmail.com", "smtp.gmail.com", "pop.gmail.com",
    "imap.mail.ru", "smtp.mail.ru",
    "imap.yandex.com", "smtp.yandex.com",
    "imap.mail.yahoo.com", "pop.mail.yahoo.com", "smtp.mail.yahoo.com",
    "imap.aol.com", "pop.aol.com", "smtp.aol.com",
    "office365.com", "outlook.com", "hotmail.com",
    "imap.fastmail.com", "pop.fastmail.com", "smtp.fastmail.com",
    "imap.comcast.net", "pop.comcast.net", "smtp.comcast.net",
})


def thunderbird_knows(host: str) -> bool:
    """Whether Thunderbird has OAuth2 settings for ``host`` (or one of its parent domains)."""
    host = host.lower().rstrip(".")
    while "." in host:
        if host in THUNDERBIRD_OAUTH2_HOSTS:
            return True
        host = host.split(".", 1)[1]
    return False
