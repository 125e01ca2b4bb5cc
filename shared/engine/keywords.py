"""The TF-IDF keyword baseline the semantic score is compared against."""
from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer

# The baseline's definition: word unigrams and bigrams, lowercased, accents stripped, sublinear tf,
# smoothed idf, l2-normalised rows, no stop-word list. A keyword baseline, deliberately without semantics.
VECTORIZER_OPTIONS = {"lowercase": True, "strip_accents": "unicode", "sublinear_tf": True, "ngram_range": (1, 2), "min_df": 1}
_JOB_CACHE_SIZE = 256


class KeywordScorer:
    """TF-IDF cosine between a CV and a job, 0-100, as if `TfidfVectorizer(**VECTORIZER_OPTIONS)` were
    fitted on the reference job corpus plus the job and the CV themselves.

    Fitting per CV keeps a CV's score independent of which other CVs are scored with it. Instead of
    refitting scikit-learn's vectorizer for every CV, the corpus's document frequencies are counted
    once and each job's terms are kept, which gives the same numbers: the two rows' weights depend
    only on their own term counts and the document frequencies over all documents.
    """

    def __init__(self, reference_corpus: Sequence[str] = ()) -> None:
        self._analyze = TfidfVectorizer(**VECTORIZER_OPTIONS).build_analyzer()
        self._corpus_size = len(reference_corpus)
        self._corpus_frequencies: Counter[str] = Counter()
        for document in reference_corpus:
            self._corpus_frequencies.update(set(self._analyze(document)))
        self._jobs: OrderedDict[str, Counter[str]] = OrderedDict()

    def score(self, job_text: str, cv_text: str) -> float:
        """Cosine of the TF-IDF vectors of the job and the CV, times 100, rounded to 2 decimals."""
        job_terms, cv_terms = self._job_terms(job_text), Counter(self._analyze(cv_text))
        if not job_terms or not cv_terms:
            return 0.0
        documents = self._corpus_size + 2
        idf = {
            term: math.log((1 + documents) / (1 + self._corpus_frequencies[term] + (term in job_terms) + (term in cv_terms))) + 1
            for term in job_terms.keys() | cv_terms.keys()
        }
        job_vector = {t: (1 + math.log(n)) * idf[t] for t, n in job_terms.items()}
        cv_vector = {t: (1 + math.log(n)) * idf[t] for t, n in cv_terms.items()}
        dot = sum(weight * cv_vector[t] for t, weight in job_vector.items() if t in cv_vector)
        norms = math.sqrt(sum(w * w for w in job_vector.values())) * math.sqrt(sum(w * w for w in cv_vector.values()))
        return round(100 * dot / norms, 2)

    def _job_terms(self, job_text: str) -> Counter[str]:
        """The job's term counts, analysed once per job text."""
        cached = self._jobs.get(job_text)
        if cached is None:
            cached = self._jobs[job_text] = Counter(self._analyze(job_text))
            if len(self._jobs) > _JOB_CACHE_SIZE:
                self._jobs.popitem(last=False)
        else:
            self._jobs.move_to_end(job_text)
        return cached
