"""Use the matching engine without the service.

Usage:
  python -m shared.cli match --job-id J01 data/sample/cvs/C01.txt
  python -m shared.cli match --job-file job.json cv.txt
  python -m shared.cli match --job-id J04 --batch data/sample/cvs          # every .txt, ranked, progress bar

The model comes from MODEL_NAME (or --model); results are printed as JSON.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from shared.bootstrap import build_matcher, seed_jobs
from shared.config import Settings
from shared.engine.jobs import JobPosting
from shared.engine.text_checks import InvalidTextError

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

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(model_name=args.model) if args.model else Settings()
    if (args.cv is None) == (args.batch is None):
        parser.error("match takes one CV file or --batch FOLDER")
    return _match(settings, args)


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


if __name__ == "__main__":
    sys.exit(main())
