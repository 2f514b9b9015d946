"""Importers: read another help desk's knowledge base and write it as kbgen data.

An importer reads a source (a SQL dump, a live database), converts it into data
files in the project's own format, and hands them to ``kbgen.data`` to validate
before anything reaches ``data/``. It sits above the data layer and below the
adapters (the ``kbgen import`` command).
"""
