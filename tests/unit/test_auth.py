"""The token comparison: exact, and through the constant-time primitive."""
from __future__ import annotations

import hmac

import pytest

from api.auth import token_matches

TOKEN = "s3cret-token-0123456789abcdef"


def test_only_the_exact_token_matches() -> None:
    assert token_matches(TOKEN, TOKEN)
    for wrong in ("", TOKEN[:-1], TOKEN[:1], TOKEN + "x", TOKEN.upper(), "x" * len(TOKEN), f" {TOKEN}"):
        assert not token_matches(wrong, TOKEN), wrong


def test_non_ascii_tokens_are_refused_without_an_error() -> None:
    # hmac.compare_digest raises TypeError on non-ASCII str; headers may carry any Latin-1 text.
    assert not token_matches("tökén-ÿ-0123456789abcdef", TOKEN)
    assert token_matches("tökén-ÿ-0123456789abcdef", "tökén-ÿ-0123456789abcdef")


def test_the_comparison_goes_through_hmac_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain == stops at the first differing character, so its timing tells how much of a guess is right."""
    calls: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def recording_compare_digest(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording_compare_digest)
    assert not token_matches(TOKEN[:10], TOKEN)
    assert token_matches(TOKEN, TOKEN)
    assert calls == [(TOKEN[:10].encode(), TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]
