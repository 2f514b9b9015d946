"""``kbgen verify``: the data's servers checked against the live servers they describe.

``targets`` reads what to probe from the knowledge base (every endpoint, with the
position of each fact in its file), ``net`` opens bounded connections, ``sessions``
speaks IMAP, POP3 and SMTP through the standard library's clients, ``probe`` finds
what a server does, and ``report`` turns each difference into a problem at the fact
it contradicts. It reads ``kbgen.data``, never the adapters.
"""
