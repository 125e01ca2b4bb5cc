"""Score a labelled CV/job set in-process with the engine and report ranking and grade quality.

The set is a folder in the dev-set layout (jobs.json, cvs.json with key/text/language,
labels.json with a 0/1/2 grade per CV x job). Ground-truth fields of the CVs are never
given to the engine. The metrics mirror ../shared/tools/eval_match.py, which measures
the same through the HTTP API; this script also reports, per true class, the share of pairs
whose requirement checks (`qualifications`) are met.

Usage:
  python scripts/evaluate_labelled_set.py --data ../shared/devset [--model use-multilingual-v3] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from sklearn.metrics import roc_auc_score

from shared.bootstrap import build_matcher
from shared.config import Settings
from shared.engine.jobs import JobPosting
from shared.engine.matcher import MatchResult

GRADE_OF_LABEL = {2: "High Match", 1: "Medium Match", 0: "Low Match"}


def auc(scores: dict[tuple[str, str], float], positives: set[tuple[str, str]], negatives: set[tuple[str, str]]) -> float:
    """ROC-AUC of `scores` for telling positives from negatives."""
    keys = sorted(positives | negatives)
    return float(roc_auc_score([k in positives for k in keys], [scores[k] for k in keys]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", help="override MODEL_NAME")
    parser.add_argument("--json", type=Path, help="also write every score and the summary here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    jobs = json.loads((args.data / "jobs.json").read_text())
    cvs = json.loads((args.data / "cvs.json").read_text())
    labels = json.loads((args.data / "labels.json").read_text())
    matcher = build_matcher(Settings(model_name=args.model) if args.model else Settings())

    started = time.perf_counter()
    results: dict[tuple[str, str], MatchResult] = {}
    for job in jobs:
        posting = JobPosting.from_dict({**job, "job_id": job["key"]})
        for cv, outcome in zip(cvs, matcher.score_many(posting, [cv["text"] for cv in cvs])):
            assert isinstance(outcome, MatchResult), f"{cv['key']}: {outcome}"
            results[(cv["key"], job["key"])] = outcome
    seconds = time.perf_counter() - started

    label = {(c["key"], j["key"]): labels[c["key"]][j["key"]] for c in cvs for j in jobs}
    job_language = {j["key"]: j["language"] for j in jobs}
    cv_language = {c["key"]: c["language"] for c in cvs}
    relevant = {k for k, v in label.items() if v >= 1}
    strong = {k for k, v in label.items() if v == 2}
    partial = {k for k, v in label.items() if v == 1}
    irrelevant = {k for k, v in label.items() if v == 0}
    cross = {k for k in relevant if cv_language[k[0]] != job_language[k[1]]}
    summary: dict[str, object] = {
        "model": matcher.encoder.name,
        "pairs": len(results),
        "cvs_per_second": round(len(results) / seconds, 1),
    }
    for name, attr in (("semantic", "semantic_score"), ("keyword", "keyword_score")):
        scores = {k: getattr(r, attr) for k, r in results.items()}
        summary[f"{name}.auc_relevant"] = round(auc(scores, relevant, irrelevant), 4)
        summary[f"{name}.auc_strong_vs_partial"] = round(auc(scores, strong, partial), 4)
        summary[f"{name}.auc_crosslingual"] = round(auc(scores, cross, irrelevant), 4)
    grades = {k: r.grade for k, r in results.items()}
    summary["strong_graded_high"] = f"{sum(grades[k] == 'High Match' for k in strong)}/{len(strong)}"
    summary["partial_graded_medium"] = f"{sum(grades[k] == 'Medium Match' for k in partial)}/{len(partial)}"
    summary["irrelevant_graded_low"] = f"{sum(grades[k] == 'Low Match' for k in irrelevant)}/{len(irrelevant)}"
    summary["grade_accuracy"] = round(sum(grades[k] == GRADE_OF_LABEL[v] for k, v in label.items()) / len(label), 4)
    # How often each class meets the job's stated requirements (qualifications), which the score does not use.
    for class_name, keys in (("strong", strong), ("partial", partial), ("irrelevant", irrelevant)):
        checks = [results[k].qualifications for k in keys]
        for check, met in (
            ("all_met", lambda q: q.all_met),
            ("experience_met", lambda q: q.experience_met),
            ("education_met", lambda q: q.education_met),
            ("required_skills_met", lambda q: q.skills_met),
        ):
            summary[f"qualifications.{check}.{class_name}"] = round(sum(met(q) is True for q in checks) / max(len(checks), 1), 3)
    for key, value in summary.items():
        print(f"{key:32s} {value}")
    if args.json:
        scores_out = {f"{c}|{j}": r.to_dict()["score_comparison"] | {"grade": r.grade} for (c, j), r in results.items()}
        args.json.write_text(json.dumps({"summary": summary, "scores": scores_out}, indent=1))


if __name__ == "__main__":
    main()
