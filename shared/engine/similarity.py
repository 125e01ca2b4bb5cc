"""How similar one CV section is to job sections: its whole block and its best sentences."""
from __future__ import annotations

import numpy as np

# A long real CV is about many things; its pooled embedding is diluted by all of them. The mean of
# its few best sentences says whether the CV does what the job asks at all, the block how much of it.
TOP_SENTENCES = 3


def section_similarity(block_vector: np.ndarray, sentence_vectors: np.ndarray, job_vectors: np.ndarray) -> np.ndarray:
    """Per job vector, the mean of the block's cosine and of its `TOP_SENTENCES` best sentences' cosines.

    Args:
        block_vector: the CV section's embedding (unit length).
        sentence_vectors: its sentences' embeddings, one row each (unit length).
        job_vectors: one job section embedding per row.

    Returns:
        One similarity per job vector, in [-1, 1].
    """
    block = job_vectors @ block_vector
    sentences = sentence_vectors @ job_vectors.T
    best = np.sort(sentences, axis=0)[-min(TOP_SENTENCES, sentences.shape[0]):].mean(axis=0)
    return (block + best) / 2
