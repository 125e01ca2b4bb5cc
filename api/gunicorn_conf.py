"""gunicorn configuration for bin/api (`--config python:api.gunicorn_conf`).

gunicorn answers a few requests itself, before the app sees them: a request line or headers over its
limits (414, 431), a malformed request (400). It answers with an HTML page; with this module loaded
it answers in the API's one JSON error shape, with the same security headers as every other answer.
"""
from __future__ import annotations

import json
import re
import socket

from gunicorn import util

from api.security_headers import API_POLICY, SECURITY_HEADERS


def error_code(status: int, reason: str) -> str:
    """The snake_case code for a gunicorn answer: "URI Too Long" -> "uri_too_long"."""
    if status == 500:
        return "internal_error"  # as the app names its own 500
    return re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_") or "http_error"


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for `gunicorn.util.write_error`: the same answer, as JSON in the error shape."""
    message = mesg or ("the server failed to handle this request" if status_int == 500 else reason)
    body = json.dumps({"error": {"code": error_code(status_int, reason), "message": message, "details": {}}}).encode()
    headers = {
        "Connection": "close",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **SECURITY_HEADERS,
        "Content-Security-Policy": API_POLICY,
    }
    head = f"HTTP/1.1 {status_int} {reason}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    util.write_nonblock(sock, head.encode("latin-1") + b"\r\n" + body)


# gunicorn's workers look util.write_error up when they answer; replaced here, in the master before it
# forks, it is replaced in every worker.
util.write_error = write_json_error
