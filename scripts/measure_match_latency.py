"""Measure POST /api/match latency against a running stack (a measurement, not a test).

Usage:
  python scripts/measure_match_latency.py --base-url http://127.0.0.1:5000 --token "$APP_TOKEN" [--requests 50]

Sends the sample CVs in turn against seeded jobs, one request at a time, and prints p50/p95/max.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from pathlib import Path

SAMPLE_CVS = Path(__file__).resolve().parent.parent / "data" / "sample" / "cvs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    cvs = sorted(SAMPLE_CVS.glob("*.txt"))
    seconds = []
    for index in range(args.requests):
        cv = cvs[index % len(cvs)]
        body = {"job_id": f"J{(index % 10) + 1:02d}", "candidate_id": cv.stem, "candidate_name": cv.stem, "cv_text": cv.read_text()}
        request = urllib.request.Request(
            f"{args.base_url}/api/match", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
        seconds.append(time.perf_counter() - started)
    ms = sorted(s * 1000 for s in seconds)
    print(f"requests {len(ms)}  p50 {statistics.median(ms):.0f} ms  p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms  max {ms[-1]:.0f} ms")


if __name__ == "__main__":
    main()
