"""Files for the web host: Netlify's ``_headers`` (with the Content-Security-Policy) and ``_redirects``.
"""
