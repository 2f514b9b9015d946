"""The content layer: the knowledge base to the pages a reader sees.

``render`` (generated page Markdown, through the Jinja templates in
``templates/``), ``text`` (escaping and sanitised Markdown), ``relations`` (Also
Read) and ``reader`` (dates, feedback, what surrounds an article).
"""
