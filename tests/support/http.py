"""Call a running API over real HTTP (urllib, so no client library is needed)."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any


@dataclass(frozen=True)
class HttpAnswer:
    """Status, headers and body (parsed when it is JSON) of one response."""

    status: int
    headers: Message
    body: Any


def fetch(url: str, *, token: str | None = None, body: Any = None, basic: str | None = None, timeout: float = 60) -> HttpAnswer:
    """GET `url`, or POST `body` as JSON; error statuses are answers too, not exceptions."""
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method="POST" if body is not None else "GET")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if basic:
        request.add_header("Authorization", "Basic " + base64.b64encode(basic.encode()).decode())
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return _answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return _answer(error.code, error.headers, error.read())


def _answer(status: int, headers: Message, raw: bytes) -> HttpAnswer:
    return HttpAnswer(status, headers, json.loads(raw) if headers.get_content_type() == "application/json" else raw)
