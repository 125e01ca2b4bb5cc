"""Security headers on every response: the JSON answers and the docs page."""
from __future__ import annotations

from flask import Response

# JSON answers load nothing and may be framed by nothing.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # Results carry candidates' names and CV evidence: neither the browser nor a proxy may keep them.
    # Nothing else the API answers is worth caching, so no response is stored.
    "Cache-Control": "no-store",
}


# The docs page (Swagger UI) loads its scripts, stylesheets and icon from this origin and calls the API here;
# its icons are inline SVG data URLs. Nothing inline runs: no 'unsafe-inline', no 'unsafe-eval'.
DOCS_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def add_security_headers(response: Response) -> Response:
    """`after_request` hook: the headers above, and the strict policy unless the view set its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", API_POLICY)
    return response
