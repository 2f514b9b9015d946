"""The data layer: YAML text to a validated knowledge base.

``yaml_reader`` (strict YAML with line:column marks) → ``model`` (typed, strict) and
``validation`` (errors rewritten at file:line:col) → ``checks`` (what a schema
cannot say) → ``data_folder.load_kb``. ``facts`` and ``urls`` derive hosts, ports and
addresses once; ``legacy`` turns old addresses into redirects; ``schema`` exports
JSON Schemas for editors. Imports nothing from the layers above.
"""
