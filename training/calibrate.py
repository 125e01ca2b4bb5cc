"""Fit a model's calibration (section curves and the keyword curve) on annotated pairs and save it.

Usage:
  python -m training.calibrate                                   # MODEL_NAME, on the training split of the sample
  python -m training.calibrate --model use-multilingual-v3
  python -m training.calibrate --model models/finetuned --pairs out/pairs/train_pairs.csv
  python -m training.calibrate --annotations my.csv --all-pairs  # every pair of these files (nothing left to evaluate on)

By default it fits on the training split of the annotated files, the same split (and seed) that
`training.prepare_data` writes, so the validation pairs that `training.evaluate` and
`training.compare` score were never fitted on. Writes the calibration where the engine looks for
it: inside a local model folder (cv_match_calibration.json) or in seed/calibration/ for hub ids and
the offline model.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from shared.bootstrap import seed_jobs
from shared.config import PROJECT_ROOT, get_settings
from shared.engine.calibration import calibration_path
from training.annotations import read_annotations, read_pairs, train_val_split
from training.prepare_data import DEFAULT_SEED
from training.scoring import fit_pair_calibration, load_matcher

logger = logging.getLogger("training.calibrate")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="model to calibrate (default: MODEL_NAME)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--annotations",
        type=Path,
        nargs="+",
        default=[PROJECT_ROOT / "data/sample/annotations.csv", PROJECT_ROOT / "data/sample/annotations_related.csv"],
        help="annotated CSV files (default: the project's 150 same-field and 88 related-job pairs)",
    )
    source.add_argument("--pairs", type=Path, help="a pair file from prepare_data (e.g. train_pairs.csv) instead")
    parser.add_argument("--all-pairs", action="store_true", help="fit on every annotated pair, not on the training split")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the split's seed (prepare_data's default)")
    parser.add_argument("--cv-dir", type=Path, default=PROJECT_ROOT / "data/sample/cvs")
    parser.add_argument("--output", type=Path, help="where to write it (default: where the engine looks)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    settings = get_settings()
    matcher = load_matcher(settings, args.model or settings.model_name)
    if args.pairs is not None:
        pairs = read_pairs(args.pairs)
        fitted_on = f"{args.pairs.name}: {len(pairs)} annotated pairs"
    else:
        jobs = {job["job_id"]: job for job in seed_jobs(settings)}
        annotated = []
        for path in args.annotations:
            read, report = read_annotations(path, jobs_by_id=jobs, cv_dir=args.cv_dir)
            for problem in report.problems:
                logger.warning("%s line %s left out: %s", path.name, problem["line"], problem["reason"])
            annotated.extend(read)
        files = " + ".join(path.name for path in args.annotations)
        if args.all_pairs:
            pairs = annotated
            fitted_on = f"{files}: all {len(pairs)} annotated pairs"
        else:
            pairs = train_val_split(annotated, seed=args.seed)[0]
            fitted_on = f"{files}: the training split (seed {args.seed}), {len(pairs)} of {len(annotated)} annotated pairs"
    calibration, errors = fit_pair_calibration(matcher, pairs, fitted_on=fitted_on)
    output = args.output or calibration_path(matcher.encoder.name, settings.calibration_dir)
    calibration.save(output, extra={"rmse_points": errors})
    print(json.dumps({"model": matcher.encoder.name, "output": str(output), "pairs": len(pairs), "rmse_points": errors}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
