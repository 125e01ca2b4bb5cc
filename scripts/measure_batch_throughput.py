"""Compare a batch's end-to-end throughput with the engine's in-process rate (a measurement, not a test).

Usage:
  python scripts/measure_batch_throughput.py --base-url http://127.0.0.1:5000 --token "$APP_TOKEN" [--cvs 200] [--job-id J01]

Both sides score the same CVs (the project's samples, cycled) against the same seeded job with
the model of MODEL_NAME: first in this process (`Matcher.score_many` in chunks of BATCH_CHUNK_SIZE),
then through POST /api/batches -> completed on the running stack.
"""
from __future__ import annotations

import argparse
import json
import logging
import time
import urllib.request
from typing import Any

from shared.bootstrap import build_matcher, seed_jobs
from shared.config import get_settings
from shared.engine.jobs import JobPosting
from shared.sample_data import sample_candidates


def call(base: str, token: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        base + path, data=None if body is None else json.dumps(body).encode(), method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--cvs", type=int, default=200)
    parser.add_argument("--job-id", default="J01")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    candidates = sample_candidates(args.cvs)
    job = next(JobPosting.from_dict(j) for j in seed_jobs(settings) if j["job_id"] == args.job_id)

    matcher = build_matcher(settings)
    matcher.prepare_job(job)  # the service embeds the job once too
    started = time.perf_counter()
    for start in range(0, len(candidates), settings.batch_chunk_size):
        matcher.score_many(job, [c["cv_text"] for c in candidates[start : start + settings.batch_chunk_size]])
    in_process = len(candidates) / (time.perf_counter() - started)

    started = time.perf_counter()
    accepted = call(args.base_url, args.token, "POST", "/api/batches", {"job_id": args.job_id, "candidates": candidates})
    while (state := call(args.base_url, args.token, "GET", accepted["status_url"] + "?limit=1"))["status"] not in (
        "completed", "completed_with_errors"
    ):
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    end_to_end = len(candidates) / seconds
    print(f"model {matcher.encoder.name}, {len(candidates)} CVs against {args.job_id}, chunks of {settings.batch_chunk_size}")
    print(f"in-process engine:  {in_process:6.1f} CVs/s")
    print(f"end to end (202 -> completed): {seconds:6.2f} s, {end_to_end:6.1f} CVs/s ({state['done']} done, {state['failed']} failed)")
    print(f"ratio end-to-end / in-process: {end_to_end / in_process:.2f}")


if __name__ == "__main__":
    main()
