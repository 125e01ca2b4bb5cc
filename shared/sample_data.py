"""The project's sample CVs as batches of candidates, for tests, measurements and benchmarks."""
from __future__ import annotations

from shared.config import PROJECT_ROOT

SAMPLE_CVS = sorted((PROJECT_ROOT / "data" / "sample" / "cvs").glob("*.txt"))


def sample_candidates(count: int) -> list[dict[str, str]]:
    """`count` candidates cycling through the 30 sample CVs; repeats get a distinct closing line."""
    candidates = []
    for index in range(count):
        path = SAMPLE_CVS[index % len(SAMPLE_CVS)]
        text = path.read_text(encoding="utf-8")
        if index >= len(SAMPLE_CVS):
            text += f"\nReferensi tersedia atas permintaan ({index}).\n"
        candidates.append({"candidate_id": f"{path.stem}-{index:03d}", "candidate_name": f"Kandidat {index}", "cv_text": text})
    return candidates
