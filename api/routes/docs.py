"""GET /api/openapi.json and GET /api/docs: the API described from its own schemas, and Swagger UI over it.

Swagger UI's files come from the pinned flask-swagger-ui package, served by this blueprint, so the page
loads nothing from another origin. Both answer without a token while DOCS_PUBLIC is true (the default).
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, make_response, render_template, send_from_directory

from api.endpoints import endpoint
from api.openapi import build_openapi
from api.schemas import ErrorBody
from api.security_headers import DOCS_PAGE_POLICY

bp = Blueprint("docs", __name__)
_API_VERSION = "1.0.0"
_SWAGGER_UI_DIST = Path(str(files("flask_swagger_ui") / "dist"))
_OWN_ASSETS = Path(__file__).resolve().parent.parent / "docs_assets"
# The only files /api/docs/<name> serves, and where each lies.
_ASSETS = {
    "swagger-ui-bundle.js": _SWAGGER_UI_DIST,
    "swagger-ui.css": _SWAGGER_UI_DIST,
    "favicon-32x32.png": _SWAGGER_UI_DIST,
    "docs.js": _OWN_ASSETS,
    "docs.css": _OWN_ASSETS,
}
# The assets change only with a release; an hour of caching spares reloading 2 MB of script.
_ASSET_MAX_AGE_SECONDS = 3_600
_NO_TOKEN = ("No or wrong token (only when DOCS_PUBLIC=false)", ErrorBody)


@bp.get("/openapi.json")
@endpoint("This document", tag="docs", public_if="DOCS_PUBLIC", responses={200: ("OpenAPI 3.1 document", None), 401: _NO_TOKEN},
          content_types={200: "application/json"})
def openapi_document() -> dict[str, Any]:
    return build_openapi(current_app, version=_API_VERSION)


@bp.get("/docs")
@endpoint("Interactive API documentation (Swagger UI: Authorize with the token, then try any call)", tag="docs",
          public_if="DOCS_PUBLIC", responses={200: ("HTML page", None), 401: _NO_TOKEN}, content_types={200: "text/html"})
def docs_page() -> Response:
    response = make_response(render_template("docs.html", title="CV Match API", version=_API_VERSION))
    response.headers["Content-Security-Policy"] = DOCS_PAGE_POLICY
    return response


@bp.get("/docs/<name>")
@endpoint("A script, stylesheet or icon of the docs page", tag="docs", public_if="DOCS_PUBLIC", path_values={"name": tuple(_ASSETS)},
          responses={200: ("The file", None), 401: _NO_TOKEN, 404: ("No such file", ErrorBody)},
          content_types={200: ("text/javascript", "text/css", "image/png")})
def docs_asset(name: str) -> Response:
    folder = _ASSETS.get(name)
    if folder is None:
        abort(404)
    response = send_from_directory(folder, name, max_age=_ASSET_MAX_AGE_SECONDS)
    response.headers["Cache-Control"] = f"public, max-age={_ASSET_MAX_AGE_SECONDS}"
    return response
