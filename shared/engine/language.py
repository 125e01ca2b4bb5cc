"""Deterministic language detection for Indonesian, English and mixed CVs."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from shared.engine.text_cleaning import letter_count

Language = Literal["id", "en", "mixed", "unknown"]

# langdetect's cost grows with the number of language profiles, and only "Indonesian, English or
# something else" matters here: Indonesian and its look-alike Tagalog, English, and a spread of other
# languages so that foreign text is recognised as foreign rather than forced into id/en.
_PROFILES = (
    "id", "tl", "en", "nl", "de", "fr", "es", "pt", "it", "ro", "sv", "af", "so", "sw", "tr",
    "ar", "zh-cn", "ja", "ko", "ru", "hi", "th", "vi",
)  # fmt: skip
# langdetect samples randomly; a fixed seed makes the same text give the same answer every run.
_SEED = 0
# Tagalog shares enough short words with Indonesian that langdetect confuses short Indonesian
# passages with it (langdetect has no Malay profile), so it counts as Indonesian here.
_AS_INDONESIAN = {"id", "tl"}
_MIN_SEGMENT_LETTERS = 25
_MIN_TEXT_LETTERS = 40
# Each language needs at least this share of the detected letters for a text to be "mixed".
_MIXED_SHARE = 0.15
# English CVs from Indonesia are full of Indonesian proper names (employers, universities, streets),
# which langdetect reads as Indonesian segments. Function words tell prose from names: an English
# majority whose function words are this English is English, whatever the names say.
_PURE_FUNCTION_WORDS = 0.9
_SEGMENT_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z]+")
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the and of with for in to a an my i is are was were using on at by from as have has this that our we it be".split()
)
_INDONESIAN_FUNCTION_WORDS = frozenset(
    "dan yang di ke dari untuk dengan pada sebagai dalam serta ini itu oleh atau saya sudah telah akan bagi secara para".split()
)


@dataclass(frozen=True)
class LanguageGuess:
    """The detected language and the share of letters in Indonesian and English segments."""

    language: Language
    shares: dict[str, float]


def detect_language(text: str) -> LanguageGuess:
    """Detect `id`, `en`, `mixed` or `unknown` for cleaned text.

    The text is cut into line/sentence segments, each long enough segment is
    detected on its own, and segments are weighted by their letters, so a CV
    with Indonesian prose and an English skills list is seen as mixed.
    """
    if letter_count(text) < _MIN_TEXT_LETTERS:
        return LanguageGuess("unknown", {})
    letters: dict[str, int] = {}
    for segment in _merge_short_segments(_SEGMENT_SPLIT.split(text)):
        lang = _detect_segment(segment)
        if lang is not None:
            letters[lang] = letters.get(lang, 0) + letter_count(segment)
    total = sum(letters.values())
    if not total:
        return LanguageGuess("unknown", {})
    shares = {lang: round(count / total, 3) for lang, count in letters.items()}
    indonesian, english = shares.get("id", 0.0), shares.get("en", 0.0)
    if indonesian >= _MIXED_SHARE and english >= _MIXED_SHARE:
        english_names_only = english > indonesian and _english_function_word_share(text) >= _PURE_FUNCTION_WORDS
        if not english_names_only:
            return LanguageGuess("mixed", shares)
    if indonesian + english < 0.5:
        return LanguageGuess("unknown", shares)
    return LanguageGuess("id" if indonesian > english else "en", shares)


def _english_function_word_share(text: str) -> float:
    """Share of English among the English and Indonesian function words in the text."""
    words = _WORD.findall(text.lower())
    english = sum(word in _ENGLISH_FUNCTION_WORDS for word in words)
    indonesian = sum(word in _INDONESIAN_FUNCTION_WORDS for word in words)
    return english / (english + indonesian) if english + indonesian else 0.0


def _merge_short_segments(segments: list[str]) -> list[str]:
    """Glue short neighbouring segments so that each one carries enough letters to detect."""
    merged: list[str] = []
    pending = ""
    for segment in segments:
        pending = f"{pending} {segment}".strip()
        if letter_count(pending) >= _MIN_SEGMENT_LETTERS:
            merged.append(pending)
            pending = ""
    if pending and merged:
        merged[-1] = f"{merged[-1]} {pending}"
    elif pending:
        merged.append(pending)
    return merged


def _detect_segment(segment: str) -> str | None:
    """Return `id`, `en` or another ISO code for one segment, or None if undetectable."""
    detector = _detector_factory().create()
    detector.append(segment)
    try:
        best = detector.get_probabilities()[0].lang
    except (LangDetectException, IndexError):
        return None
    return "id" if best in _AS_INDONESIAN else best


@lru_cache(maxsize=1)
def _detector_factory() -> DetectorFactory:
    """Load the language profiles once per process."""
    factory = DetectorFactory()
    factory.seed = _SEED
    factory.load_json_profile([(Path(PROFILES_DIRECTORY) / name).read_text(encoding="utf-8") for name in _PROFILES])
    return factory
