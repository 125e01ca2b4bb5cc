"""Validate an annotated CSV, aggregate the three annotators, report agreement, split 80/20.

Usage:
  python -m training.prepare_data --annotations data/private/annotations.csv --cv-dir data/private/cvs --output out/pairs
  python -m training.prepare_data --output out/pairs          # the shipped sample (both of its files)

Writes <output>/train_pairs.csv, <output>/val_pairs.csv and <output>/prepare_report.json.
The input format is described in training/annotations.py; bad rows are reported, not fatal.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from shared.bootstrap import seed_jobs
from shared.config import PROJECT_ROOT, get_settings
from training.annotations import agreement, read_annotations, train_val_split, write_pairs

logger = logging.getLogger("training.prepare_data")
DEFAULT_SEED = 13


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--annotations", type=Path, nargs="+",
        default=[PROJECT_ROOT / "data/sample/annotations.csv", PROJECT_ROOT / "data/sample/annotations_related.csv"],
        help="one or more annotated CSV files (read as one set)",
    )
    parser.add_argument("--cv-dir", type=Path, default=PROJECT_ROOT / "data/sample/cvs", help="texts for rows with cv_id only")
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "out/pairs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    # 1. Read and validate.
    jobs = {job["job_id"]: job for job in seed_jobs(get_settings())}
    pairs, problems, rows_read = [], [], 0
    for path in args.annotations:
        file_pairs, report = read_annotations(path, jobs_by_id=jobs, cv_dir=args.cv_dir)
        pairs += file_pairs
        rows_read += report.rows_read
        problems += [{"file": path.name, **problem} for problem in report.problems]
    for problem in problems:
        logger.warning("%(file)s line %(line)s left out: %(reason)s", problem)
    if len(pairs) < 10:
        logger.error("only %d valid pairs: too few to split", len(pairs))
        return 2

    # 2. Agreement, then a leak-free stratified split.
    agreement_stats = agreement(pairs)
    train, val, split = train_val_split(pairs, seed=args.seed)

    # 3. Write.
    write_pairs(args.output / "train_pairs.csv", train)
    write_pairs(args.output / "val_pairs.csv", val)
    summary = {
        "annotations": [str(path) for path in args.annotations],
        "rows_read": rows_read,
        "rows_kept": len(pairs),
        "problems": problems,
        "agreement": agreement_stats,
        "split": {**split, "seed": args.seed},
    }
    (args.output / "prepare_report.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "problems"} | {"problems": len(problems)}, indent=2))
    if split["grouping"] == "cv_only":
        logger.warning("every CV was annotated against shared jobs: no CV crosses the split, %d job(s) appear on both sides",
                       split["jobs_in_both"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
