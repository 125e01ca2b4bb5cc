"""Bearer-token authentication for every endpoint not declared public."""
from __future__ import annotations

import hmac

from flask import current_app, request

from api.errors import APIError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cv-match"'}


def require_token() -> None:
    """`before_request` hook: 401 unless the request carries `Authorization: Bearer <APP_TOKEN>`.

    CORS preflight requests and views public under the app's config (health; the docs while
    DOCS_PUBLIC) pass without a token.
    """
    if request.method == "OPTIONS":
        return
    view = current_app.view_functions.get(request.endpoint or "")
    spec = getattr(view, "endpoint_spec", None)
    if spec is not None and spec.is_public(current_app.config):
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_matches(presented.strip(), current_app.config["APP_TOKEN"]):
        # The message never repeats what was presented: a mistyped token is still close to the real one.
        raise APIError(401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required", headers=_CHALLENGE)


def token_matches(presented: str, expected: str) -> bool:
    """True when `presented` is exactly `expected`, in a time that does not depend on where they differ."""
    # compare_digest takes the same time whatever prefix matches, so timing reveals nothing of the token.
    return hmac.compare_digest(presented.encode(), expected.encode())
