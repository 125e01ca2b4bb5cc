"""Bearer-token authentication for every endpoint not declared public."""
from __future__ import annotations

import hmac

from flask import current_app, request

from api.errors import APIError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cv-match"'}


def require_token() -> None:
    """`before_request` hook: 401 unless the request carries `Authorization: Bearer <APP_TOKEN>`.

    CORS preflight requests and views marked public (health) pass without a token.
    """
    if request.method == "OPTIONS":
        return
    view = current_app.view_functions.get(request.endpoint or "")
    spec = getattr(view, "endpoint_spec", None)
    if spec is not None and spec.public:
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    expected: str = current_app.config["APP_TOKEN"]
    # compare_digest takes the same time whatever prefix matches, so timing reveals nothing.
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected.encode()):
        raise APIError(401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required", headers=_CHALLENGE)
