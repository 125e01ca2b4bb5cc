"""Checks that decide whether a CV text can be scored at all.

The standard library and ftfy only (through the cleaning), so the API can reject bad input
before enqueueing without importing the rest of the engine (numpy, spaCy, torch).
"""
from __future__ import annotations

import hashlib

from shared.engine.text_cleaning import clean_text, letter_count

MIN_CV_LETTERS = 20


class InvalidTextError(ValueError):
    """A CV (or job) text that cannot be scored; `code` is stable, `message` is for humans."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def checked_cv_text(raw: object, *, max_chars: int) -> str:
    """Clean a CV text, or raise `InvalidTextError` when it cannot be scored.

    Codes: `cv_text_empty` (nothing but whitespace), `cv_text_too_long` (over
    `max_chars` characters), `cv_text_unreadable` (fewer than `MIN_CV_LETTERS`
    letters, e.g. a scanned PDF whose text was never extracted).
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidTextError("cv_text_empty", "the CV text is empty")
    if len(raw) > max_chars:
        raise InvalidTextError("cv_text_too_long", f"the CV text has {len(raw)} characters; the limit is {max_chars}")
    text = clean_text(raw)
    if letter_count(text) < MIN_CV_LETTERS:
        raise InvalidTextError(
            "cv_text_unreadable", "the CV text has almost no letters (was the scan's text extracted?)"
        )
    return text


def cv_fingerprint(cv_text: str) -> str:
    """SHA-256 of the CV text: what is kept instead of the text itself."""
    return hashlib.sha256(cv_text.encode("utf-8")).hexdigest()
