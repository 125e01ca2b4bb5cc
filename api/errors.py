"""One error shape for every failure: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from shared.db import is_read_only_error, is_transient_error

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}
# An unavailable database is an operator's fix (a missing or read-only file, a server down): retry later than for Redis.
_DATABASE_RETRY_AFTER = "30"


class APIError(Exception):
    """An expected failure, answered with its status and the error shape."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Response:
    """A JSON error response in the one documented shape."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Answer APIError, every HTTP error and every unexpected exception with the error shape."""

    @app.errorhandler(APIError)
    def _api_error(error: APIError) -> Response:
        response = error_response(error.status, error.code, error.message, error.details)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = error_response(status, _HTTP_CODES.get(status, "http_error"), error.description or error.name)
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(OperationalError)
    def _database_error(error: OperationalError) -> Response:
        # Only the driver's message is logged: SQLAlchemy's own text carries the statement's parameters.
        if not is_transient_error(error):
            # A missing table or column, a broken statement: the same request would fail again; a bug to fix.
            logger.error("database error on %s %s: %s", request.method, request.path, error.orig)
            return error_response(500, "database_error", "the database refused this request's statements; it has been logged")
        # The file cannot be opened or is read-only, a lock outlasted the busy timeout, the server is down.
        logger.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        reason = "read_only" if is_read_only_error(error) else "unreachable"
        response = error_response(
            503, "database_unavailable", f"the database is unavailable ({reason.replace('_', '-')}); try again later", {"reason": reason}
        )
        response.headers["Retry-After"] = _DATABASE_RETRY_AFTER
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "the server failed to handle this request; it has been logged")
