"""The TF-IDF keyword baseline the semantic score is compared against."""
from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity


class KeywordScorer:
    """TF-IDF cosine between a CV and a job, 0-100.

    The vectorizer is fitted per CV on the reference job corpus plus the job and
    the CV themselves, so a CV's keyword score does not depend on which other CVs
    happen to be scored with it. Plain word unigrams and bigrams, lowercased,
    accents stripped, sublinear term frequency, no stop-word list: a keyword
    baseline, deliberately without semantics.
    """

    def __init__(self, reference_corpus: Sequence[str] = ()) -> None:
        self._reference = list(reference_corpus)

    def score(self, job_text: str, cv_text: str) -> float:
        """Cosine of the TF-IDF vectors of the job and the CV, times 100, rounded to 2 decimals."""
        vectorizer = TfidfVectorizer(
            lowercase=True, strip_accents="unicode", sublinear_tf=True, ngram_range=(1, 2), min_df=1
        )
        try:
            matrix = vectorizer.fit_transform([*self._reference, job_text, cv_text])
        except ValueError:  # no token at all in any document
            return 0.0
        return round(float(cosine_similarity(matrix[-2], matrix[-1])[0, 0]) * 100, 2)
