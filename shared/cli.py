"""Use the matching engine without the service.

Usage:
  python -m shared.cli match --job-id J01 data/sample/cvs/C01.txt
  python -m shared.cli match --job-file job.json cv.txt
  python -m shared.cli match --job-id J04 --batch data/sample/cvs          # every .txt, ranked, progress bar
  python -m shared.cli calibrate                                          # fit the model's calibration

The model comes from MODEL_NAME (or --model); results are printed as JSON.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from pathlib import Path
from statistics import mean
from typing import Any

from tqdm import tqdm

from shared.bootstrap import build_matcher, seed_jobs
from shared.config import PROJECT_ROOT, Settings
from shared.engine.calibration import Calibration, calibration_path, fit_calibration, target_score
from shared.engine.jobs import JobPosting
from shared.engine.matcher import Matcher
from shared.engine.text_checks import InvalidTextError
from shared.engine.scoring import SECTIONS

logger = logging.getLogger("shared.cli")
_BATCH_CHUNK = 32


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run one subcommand; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m shared.cli", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="override MODEL_NAME (hub id, local folder or use-multilingual-v3)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    match = commands.add_parser("match", help="score CV text files against one job")
    job_source = match.add_mutually_exclusive_group(required=True)
    job_source.add_argument("--job-id", help="a seeded job (seed/jobs_seed.sql)")
    job_source.add_argument("--job-file", type=Path, help="a JSON file with title, description, requirements")
    match.add_argument("cv", nargs="?", type=Path, help="one CV text file")
    match.add_argument("--batch", type=Path, help="a folder of CV .txt files instead of one CV")

    calibrate = commands.add_parser("calibrate", help="fit the calibration of the model on annotated pairs")
    calibrate.add_argument("--annotations", type=Path, default=PROJECT_ROOT / "data/sample/annotations.csv")
    calibrate.add_argument("--cv-dir", type=Path, default=PROJECT_ROOT / "data/sample/cvs")
    calibrate.add_argument("--output", type=Path, help="where to write it (default: the model's calibration path)")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(model_name=args.model) if args.model else Settings()
    if args.command == "match":
        if (args.cv is None) == (args.batch is None):
            parser.error("match takes one CV file or --batch FOLDER")
        return _match(settings, args)
    return _calibrate(settings, args)


def _load_job(settings: Settings, job_id: str | None, job_file: Path | None) -> JobPosting:
    """A job from the seed file by id, or from a JSON file."""
    if job_file is not None:
        return JobPosting.from_dict(json.loads(job_file.read_text(encoding="utf-8")))
    for job in seed_jobs(settings):
        if job["job_id"] == job_id:
            return JobPosting.from_dict(job)
    raise SystemExit(f"no job {job_id!r} in {settings.seed_dir / 'jobs_seed.sql'}")


def _match(settings: Settings, args: argparse.Namespace) -> int:
    job = _load_job(settings, args.job_id, args.job_file)
    matcher = build_matcher(settings)
    files = sorted(args.batch.glob("*.txt")) if args.batch else [args.cv]
    outputs: list[dict[str, Any]] = []
    with tqdm(total=len(files), unit="cv", disable=len(files) == 1, file=sys.stderr) as progress:
        for start in range(0, len(files), _BATCH_CHUNK):
            chunk = files[start : start + _BATCH_CHUNK]
            texts = [path.read_text(encoding="utf-8", errors="replace") for path in chunk]
            for path, outcome in zip(chunk, matcher.score_many(job, texts)):
                outputs.append(_as_output(path, outcome))
            progress.update(len(chunk))
    if args.batch is None:
        print(json.dumps(outputs[0], indent=2, ensure_ascii=False))
        return 0 if "error" not in outputs[0] else 2
    scored = [o for o in outputs if "error" not in o]
    ranked = sorted(scored, key=lambda o: -o["score_comparison"]["semantic_score"])
    for rank, output in enumerate(ranked, start=1):
        output["rank"] = rank
    print(json.dumps(ranked + [o for o in outputs if "error" in o], indent=2, ensure_ascii=False))
    return 0


def _as_output(path: Path, outcome: object) -> dict[str, Any]:
    """A result with the file as candidate, or the error in the contract's error shape."""
    if isinstance(outcome, InvalidTextError):
        return {"candidate_id": path.stem, "error": {"code": outcome.code, "message": outcome.message, "details": {}}}
    return {"candidate_id": path.stem, "candidate_name": path.stem, **outcome.to_dict()}  # type: ignore[attr-defined]


def _calibrate(settings: Settings, args: argparse.Namespace) -> int:
    matcher = build_matcher(settings)
    # Fit on raw cosines: score with the identity mapping, then fit the curves on raw_similarity.
    uncalibrated = Matcher(matcher.encoder, matcher.resources, Calibration.identity(matcher.encoder.name), policy=matcher.policy)
    jobs = {job["job_id"]: JobPosting.from_dict(job) for job in seed_jobs(settings)}
    with args.annotations.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cosines: dict[str, list[float]] = {name: [] for name in SECTIONS}
    targets: list[float] = []
    for row in tqdm(rows, unit="pair", file=sys.stderr):
        cv_text = (args.cv_dir / f"{row['cv_id']}.txt").read_text(encoding="utf-8")
        result = uncalibrated.score(jobs[row["job_id"]], cv_text)
        for name in SECTIONS:
            cosines[name].append(result.sections[name].raw_similarity)
        targets.append(target_score(mean(float(row[f"annotator_{i}"]) for i in (1, 2, 3))))
    description = f"{args.annotations.name}: {len(rows)} annotated pairs"
    calibration, errors = fit_calibration(matcher.encoder.name, cosines, targets, fitted_on=description)
    output = args.output or calibration_path(matcher.encoder.name, settings.calibration_dir)
    calibration.save(output, extra={"rmse_points": errors})
    print(json.dumps({"model": matcher.encoder.name, "output": str(output), "rmse_points": errors}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
