"""Annotated CV–job pairs: read and validate them, aggregate the annotators, split train/val.

Annotated CSV, one row per pair:
- the CV: `cv_text`, or `cv_id` with the text in `<cv-dir>/<cv_id>.txt`;
- the job: `job_id` (a seeded job) or `job_text` (free text);
- `annotator_1`, `annotator_2`, `annotator_3`: integers on the 1–5 scale
  (1 not relevant, 2 little relevance, 3 partial fit, 4 good fit, 5 excellent fit).

The label of a pair is the annotators' mean mapped to [0, 1]: (mean − 1) / 4.
"""
from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

SCALE = (1, 5)
ANNOTATORS = ("annotator_1", "annotator_2", "annotator_3")
# Label bands, used to stratify the split and to report: mean grade < 2.5, 2.5–4, >= 4.
BANDS = (("low", 0.0), ("partial", 0.375), ("strong", 0.75))
PAIR_COLUMNS = ("pair_id", "cv_id", "job_id", "label", "band", *ANNOTATORS, "cv_text", "job_json")


@dataclass(frozen=True)
class Pair:
    """One annotated CV–job pair, ready for training or evaluation."""

    pair_id: str
    cv_id: str
    job_id: str
    cv_text: str
    job: dict[str, Any]
    scores: tuple[int, ...]

    @property
    def label(self) -> float:
        """The annotators' mean on [0, 1]."""
        return (float(np.mean(self.scores)) - SCALE[0]) / (SCALE[1] - SCALE[0])

    @property
    def mean_grade(self) -> float:
        """The annotators' mean on the 1–5 scale."""
        return float(np.mean(self.scores))

    @property
    def relevance(self) -> float:
        """The graded relevance of NDCG, on a labelled folder's 0–2 scale: mean grade 1 -> 0, 3 -> 1, 5 -> 2."""
        return 2.0 * self.label

    @property
    def band(self) -> str:
        return band_of(self.label)


@dataclass
class ValidationReport:
    """What was wrong with the input, row by row (1-based CSV line numbers)."""

    rows_read: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.problems.append({"line": line, "reason": reason})

    @property
    def rows_kept(self) -> int:
        return self.rows_read - len(self.problems)


def band_of(label: float) -> str:
    """`low`, `partial` or `strong` for a label in [0, 1]."""
    return [name for name, lower in BANDS if label >= lower][-1]


def job_from_text(job_text: str) -> dict[str, Any]:
    """A job given as free text: its first line is the title, the rest the description."""
    lines = [line for line in job_text.strip().splitlines() if line.strip()]
    return {"title": lines[0] if lines else "", "description": "\n".join(lines[1:]) or job_text, "requirements": []}


def read_annotations(
    path: Path, *, jobs_by_id: dict[str, dict[str, Any]], cv_dir: Path | None
) -> tuple[list[Pair], ValidationReport]:
    """Read an annotated CSV; bad rows are reported and left out instead of stopping the run."""
    report = ValidationReport()
    pairs: list[Pair] = []
    seen: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ANNOTATORS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} has no column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            report.rows_read += 1
            pair = _pair_from_row(row, line, report, jobs_by_id=jobs_by_id, cv_dir=cv_dir)
            if pair is None:
                continue
            key = (_digest(pair.cv_text), _digest(json.dumps(pair.job, sort_keys=True)))
            if key in seen:
                report.reject(line, f"duplicate pair (same CV and job as line {seen[key]})")
                continue
            seen[key] = line
            pairs.append(pair)
    return pairs, report


def _pair_from_row(
    row: dict[str, str], line: int, report: ValidationReport, *, jobs_by_id: dict[str, dict[str, Any]], cv_dir: Path | None
) -> Pair | None:
    cv_id = (row.get("cv_id") or "").strip()
    cv_text = row.get("cv_text") or ""
    if not cv_text.strip() and cv_id and cv_dir is not None and (cv_dir / f"{cv_id}.txt").is_file():
        cv_text = (cv_dir / f"{cv_id}.txt").read_text(encoding="utf-8")
    if not cv_text.strip():
        report.reject(line, "empty CV text" + (f" (no {cv_id}.txt in the CV folder)" if cv_id else ""))
        return None
    job_id = (row.get("job_id") or "").strip()
    if job_id:
        job = jobs_by_id.get(job_id)
        if job is None:
            report.reject(line, f"unknown job_id {job_id!r}")
            return None
    elif (row.get("job_text") or "").strip():
        job = job_from_text(row["job_text"])
    else:
        report.reject(line, "no job_id and no job_text")
        return None
    scores = []
    for column in ANNOTATORS:
        raw = (row.get(column) or "").strip()
        if not raw:
            report.reject(line, f"missing score {column}")
            return None
        try:
            value = float(raw)
        except ValueError:
            report.reject(line, f"{column} is not a number: {raw!r}")
            return None
        if not value.is_integer() or not SCALE[0] <= value <= SCALE[1]:
            report.reject(line, f"{column}={raw} is outside the {SCALE[0]}–{SCALE[1]} scale")
            return None
        scores.append(int(value))
    pair_id = f"{cv_id or _digest(cv_text)[:8]}|{job_id or _digest(job['title'] + job['description'])[:8]}"
    return Pair(pair_id, cv_id or _digest(cv_text)[:12], job_id or "inline", cv_text, job, tuple(scores))


def krippendorff_alpha_interval(ratings: Sequence[Sequence[float]]) -> float:
    """Krippendorff's alpha, interval metric, for complete ratings (one row per unit, one column per coder)."""
    values = np.asarray(ratings, dtype=float)
    units, coders = values.shape
    if units < 2 or coders < 2:
        return float("nan")
    within = sum(((row[:, None] - row[None, :]) ** 2).sum() / (coders - 1) for row in values)
    pooled = values.ravel()
    total = pooled.size
    observed = within / total
    expected = ((pooled[:, None] - pooled[None, :]) ** 2).sum() / (total * (total - 1))
    return float(1.0 - observed / expected) if expected else float("nan")


def agreement(pairs: Sequence[Pair]) -> dict[str, float]:
    """Inter-annotator agreement: Krippendorff's alpha (interval) and plain shares."""
    ratings = np.array([p.scores for p in pairs], dtype=float)
    spread = ratings.max(axis=1) - ratings.min(axis=1)
    return {
        "krippendorff_alpha_interval": round(krippendorff_alpha_interval(ratings), 4),
        "all_three_agree": round(float(np.mean(spread == 0)), 4),
        "within_one_point": round(float(np.mean(spread <= 1)), 4),
        "mean_abs_deviation_from_mean": round(float(np.mean(np.abs(ratings - ratings.mean(axis=1, keepdims=True)))), 4),
    }


def split_groups(pairs: Sequence[Pair]) -> tuple[list[int], str]:
    """Group ids for a leak-free split, and which grouping was used.

    Pairs sharing a CV or a job text are connected; each connected group goes wholly to train
    or to val, so no text is seen on both sides. When the annotation design connects almost
    everything (every CV against every job), fewer than five groups remain; then pairs are
    grouped by CV only (no CV crosses the split) and job texts may appear on both sides.
    """
    parent = list(range(len(pairs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for index, pair in enumerate(pairs):
        for key in (f"cv:{_digest(pair.cv_text)}", f"job:{_digest(json.dumps(pair.job, sort_keys=True))}"):
            if key in first_with:
                parent[root(index)] = root(first_with[key])
            else:
                first_with[key] = index
    components = [root(i) for i in range(len(pairs))]
    if len(set(components)) >= 5:
        return components, "cv_and_job"
    by_cv = {c: n for n, c in enumerate(dict.fromkeys(_digest(p.cv_text) for p in pairs))}
    return [by_cv[_digest(p.cv_text)] for p in pairs], "cv_only"


def train_val_split(pairs: Sequence[Pair], *, seed: int) -> tuple[list[Pair], list[Pair], dict[str, Any]]:
    """About 80/20, stratified on the label band, grouped so that texts do not leak (see `split_groups`)."""
    groups, grouping = split_groups(pairs)
    bands = [p.band for p in pairs]
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
    train_index, val_index = next(folds.split(np.zeros(len(pairs)), bands, groups))
    train, val = [pairs[i] for i in train_index], [pairs[i] for i in val_index]
    shared_jobs = {p.job_id for p in train} & {p.job_id for p in val}
    info = {
        "grouping": grouping,
        "train_pairs": len(train),
        "val_pairs": len(val),
        "train_bands": _count(p.band for p in train),
        "val_bands": _count(p.band for p in val),
        "cvs_in_both": len({_digest(p.cv_text) for p in train} & {_digest(p.cv_text) for p in val}),
        "jobs_in_both": len(shared_jobs),
    }
    return train, val, info


def write_pairs(path: Path, pairs: Iterable[Pair]) -> None:
    """Write pairs as CSV (`PAIR_COLUMNS`); the job is kept whole as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PAIR_COLUMNS)
        writer.writeheader()
        for p in pairs:
            writer.writerow(
                {
                    "pair_id": p.pair_id, "cv_id": p.cv_id, "job_id": p.job_id, "label": round(p.label, 4), "band": p.band,
                    **dict(zip(ANNOTATORS, p.scores)), "cv_text": p.cv_text, "job_json": json.dumps(p.job, ensure_ascii=False),
                }
            )


def read_pairs(path: Path) -> list[Pair]:
    """Read a pair file written by `write_pairs`."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Pair(row["pair_id"], row["cv_id"], row["job_id"], row["cv_text"], json.loads(row["job_json"]),
                 tuple(int(row[c]) for c in ANNOTATORS))
            for row in csv.DictReader(handle)
        ]


def file_digest(*paths: Path) -> str:
    """SHA-256 over the bytes of the given files (the data a model was trained on)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _count(items: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return dict(sorted(counts.items()))
