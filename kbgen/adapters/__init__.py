"""The outside world's entry points: the MkDocs plugin, the command line (with
scaffolding and the atomic build) and the local server that serves a built site
as Netlify does. The only modules that talk to MkDocs, the terminal or the network.
"""
