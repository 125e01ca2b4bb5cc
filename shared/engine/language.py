"""Deterministic language detection for Indonesian, English and mixed CVs."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.utils.ngram import NGram

from shared.engine.text_cleaning import letter_count

Language = Literal["id", "en", "mixed", "unknown"]

# Only "Indonesian, English or something else" matters here: Indonesian and its look-alike Tagalog,
# English, and a spread of other languages so that foreign text is recognised as foreign rather than
# forced into id/en. Fewer profiles also mean a smaller n-gram table.
_PROFILES = (
    "id", "tl", "en", "nl", "de", "fr", "es", "pt", "it", "ro", "sv", "af", "so", "sw", "tr",
    "ar", "zh-cn", "ja", "ko", "ru", "hi", "th", "vi",
)  # fmt: skip
# langdetect's own smoothing (alpha / BASE_FREQ added to every n-gram probability), so an n-gram a
# language never saw lowers that language's score instead of ruling it out.
_SMOOTHING = Detector.ALPHA_DEFAULT / Detector.BASE_FREQ
# Tagalog shares enough short words with Indonesian that short Indonesian passages score as Tagalog
# (langdetect ships no Malay profile), so it counts as Indonesian here.
_AS_INDONESIAN = {"id", "tl"}
_MIN_SEGMENT_LETTERS = 25
_MIN_TEXT_LETTERS = 40
# Each language needs at least this share of the detected letters for a text to be "mixed".
_MIXED_SHARE = 0.15
# English CVs from Indonesia are full of Indonesian proper names (employers, universities, streets),
# which read as Indonesian segments. Function words tell prose from names: an English majority whose
# function words are this English is English, whatever the names say.
_PURE_FUNCTION_WORDS = 0.9
_SEGMENT_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# Letters outside the Latin blocks: what langdetect counts as "non-Latin".
_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00c0-\u02ff\u1e00-\u1eff]")
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


@dataclass(frozen=True)
class _NgramModel:
    """langdetect's 1-3-gram profiles as one table: a row of log probabilities per n-gram."""

    languages: tuple[str, ...]
    rows: dict[str, int]
    log_probs: np.ndarray


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
    """Return `id`, `en` or another ISO code for one segment, or None if no n-gram is known.

    Naive Bayes over every n-gram of the segment with langdetect's profiles: the
    evidence langdetect samples at random, summed in full, so it needs no seed
    and costs one table lookup per n-gram.
    """
    rows = _segment_rows(segment)
    if not rows:
        return None
    model = _model()
    lang = model.languages[model.log_probs[rows].sum(axis=0).argmax()]
    return "id" if lang in _AS_INDONESIAN else lang


def _segment_rows(segment: str) -> list[int]:
    """Table rows of every known n-gram in the segment, normalised as langdetect reads text."""
    segment = Detector.MAIL_RE.sub(" ", Detector.URL_RE.sub(" ", segment))
    # As langdetect does: Latin letters inside mostly non-Latin text (a Chinese CV naming its tools)
    # say nothing about the text's language.
    if 2 * len(_ASCII_LETTER.findall(segment)) < len(_NON_LATIN.findall(segment)):
        segment = _ASCII_LETTER.sub("", segment)
    # Capital words are skipped below as acronyms; a segment in capitals throughout (an OCR'd CV typed
    # in caps, a long heading) is read in lowercase instead of not at all.
    if segment.isupper():
        segment = segment.lower()
    words = NGram.normalize_vi(segment).translate(_NORMALISED_CHARS).split()
    return [row for word in words for row in _word_rows(word)]


@lru_cache(maxsize=100_000)
def _word_rows(word: str) -> tuple[int, ...]:
    """Table rows of the 1-3-grams of one space-padded word, as langdetect cuts them.

    All-capital words (SQL, AWS, headings) are skipped, as langdetect skips them: they are
    acronyms or names more often than words.
    """
    if len(word) > 1 and word.isupper():
        return ()
    padded = f" {word} "
    rows = _model().rows
    grams = (padded[start : start + n] for n in (1, 2, 3) for start in range(len(padded) - n + 1))
    return tuple(rows[gram] for gram in grams if gram != " " and gram in rows)


class _NormalisedChars(dict[int, str]):
    """A `str.translate` table mapping each character as langdetect's NGram.normalize does.

    Filled on first sight of a character, so translating a text is one C-level pass.
    """

    def __missing__(self, code: int) -> str:
        self[code] = NGram.normalize(chr(code))
        return self[code]


_NORMALISED_CHARS = _NormalisedChars()


@lru_cache(maxsize=1)
def _model() -> _NgramModel:
    """Load the language profiles into one log-probability table, once per process."""
    factory = DetectorFactory()
    factory.load_json_profile([(Path(PROFILES_DIRECTORY) / name).read_text(encoding="utf-8") for name in _PROFILES])
    grams = list(factory.word_lang_prob_map)
    probabilities = np.array([factory.word_lang_prob_map[gram] for gram in grams], dtype=np.float32)
    return _NgramModel(
        languages=tuple(factory.langlist),
        rows={gram: row for row, gram in enumerate(grams)},
        log_probs=np.log(probabilities + _SMOOTHING),
    )
