"""Benchmark the whole path against the engine's own limit, in one run (a benchmark, not a test).

Usage:
  python scripts/benchmark.py [--label after] [--worker-concurrency 1] [--torch-threads 1] [--chunk 16]
  python scripts/benchmark.py --sweep          # only part 2, for several concurrency x threads x chunk settings
  make bench

Measures, with the offline model on the project's sample CVs against seeded job J01:
  1. engine limit: CVs/s of Matcher.score_many in chunks, and the encoder's raw rate on the same texts;
  2. end to end: POST /api/batches -> completed for 200 and 1,000 CVs, CVs/s;
  3. POST /api/match latency p50/p95/p99 with 1 and 8 concurrent clients, and the same match in-process;
  4. memory: worker child RSS after model load and after 1,000 tasks; API RSS; API start-up time;
  5. where one CV's time goes: clean, language, sections, skills, embeddings, TF-IDF, profile, DB write, queue;
  6. recommendations: one CV against the 32 seeded jobs and against 1,000 postings generated from them
     (in-process, jobs embedded beforehand as the workers keep them; `--only-recommendations` runs just this).
The stack is the one `make run` starts (scripts/run_local.sh), on free ports with an embedded Redis and a
temporary SQLite file. Writes bench/results/<time>-<label>.json and .md.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from shared.bootstrap import build_matcher, seed_jobs
from shared.config import PROJECT_ROOT, Settings
from shared.db import create_db_engine, init_db, write_transaction
from shared.engine.jobs import JobPosting
from shared.engine.language import detect_language
from shared.engine.profile import detect_education, estimate_experience
from shared.engine.scoring import SECTIONS
from shared.engine.text_checks import cv_fingerprint
from shared.engine.text_cleaning import clean_text
from shared.repository import record_match_outcome, record_match_queued
from shared.sample_data import sample_candidates

MODEL = "use-multilingual-v3"
JOB_ID = "J01"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# -- 1 and 5: in-process ----------------------------------------------------------------------------


def in_process(settings: Settings, cvs: list[dict[str, str]], chunk: int) -> dict[str, Any]:
    matcher = build_matcher(settings)
    job = next(JobPosting.from_dict(j) for j in seed_jobs(settings) if j["job_id"] == JOB_ID)
    matcher.prepare_job(job)
    texts = [c["cv_text"] for c in cvs]
    matcher.score_many(job, texts[:chunk])  # warm-up

    started = time.perf_counter()
    for start in range(0, len(texts), chunk):
        matcher.score_many(job, texts[start : start + chunk])
    engine_rate = len(texts) / (time.perf_counter() - started)

    reads = [matcher.reader.read_cv(t) for t in texts]
    to_encode = [[t for name in SECTIONS for t in (r.blocks[name], *r.units[name])] for r in reads]
    started = time.perf_counter()
    for start in range(0, len(to_encode), chunk):
        matcher.encoder.encoder.encode([t for group in to_encode[start : start + chunk] for t in dict.fromkeys(group)])
    encode_rate = len(texts) / (time.perf_counter() - started)

    single = []
    for text in texts[:50]:
        began = time.perf_counter()
        matcher.score(job, text)
        single.append((time.perf_counter() - began) * 1000)

    stages = stage_timings(matcher, job, texts[:100])
    return {
        "engine_cvs_per_second": round(engine_rate, 1),
        "encoder_cvs_per_second": round(encode_rate, 1),
        "match_ms_p50": round(statistics.median(single), 1),
        "stages_ms_per_cv": stages,
    }


# Variants of the seeded postings for part 6: 4 levels x 8 cities = 32 per seed job, 1,024 in all.
_LEVELS = ("Junior", "Senior", "Lead", "Trainee")
_CITIES = ("Jakarta", "Surabaya", "Bandung", "Medan", "Makassar", "Semarang", "Denpasar", "Balikpapan")


def generated_postings(seeds: list[dict[str, Any]], count: int) -> list[JobPosting]:
    """`count` distinct postings made from the seed jobs: another level and city in the title, requirements rotated."""
    postings = []
    for index in range(count):
        seed = seeds[index % len(seeds)]
        variant = index // len(seeds)
        level, city = _LEVELS[variant % len(_LEVELS)], _CITIES[variant // len(_LEVELS) % len(_CITIES)]
        requirements = list(seed["requirements"])
        shift = variant % max(len(requirements), 1)
        postings.append(
            JobPosting.from_dict(
                {**seed, "job_id": f"G{index:04d}", "title": f"{level} {seed['title']} ({city})",
                 "requirements": requirements[shift:] + requirements[:shift]}
            )
        )
    return postings


def recommendation_latency(settings: Settings, cvs: list[dict[str, str]], *, limit: int = 10) -> dict[str, Any]:
    """Median and p95 ms of Matcher.recommend for one CV against 32 and against 1,000 prepared jobs."""
    matcher = build_matcher(settings)
    seeds = seed_jobs(settings)
    answer: dict[str, Any] = {"limit": limit, "cvs": len(cvs)}
    for name, postings in (("seed_32", [JobPosting.from_dict(j) for j in seeds]), ("generated_1000", generated_postings(seeds, 1_000))):
        began = time.perf_counter()
        prepared = [matcher.prepare_job(job) for job in postings]
        preparing = time.perf_counter() - began
        matcher.recommend(prepared, cvs[0]["cv_text"], limit=limit)  # warm-up
        times = []
        for cv in cvs:
            began = time.perf_counter()
            matcher.recommend(prepared, cv["cv_text"], limit=limit)
            times.append((time.perf_counter() - began) * 1000)
        answer[name] = {"jobs": len(prepared), "prepare_seconds": round(preparing, 1),
                        "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}
    answer["ratio_1000_vs_32"] = round(answer["generated_1000"]["p50_ms"] / answer["seed_32"]["p50_ms"], 2)
    return answer


def stage_timings(matcher: Any, job: JobPosting, texts: list[str]) -> dict[str, float]:
    """Mean milliseconds per CV of each stage, timed one by one on the same CVs."""
    totals = dict.fromkeys(("clean", "language", "sections", "skills", "profile", "embeddings", "tfidf", "db_write"), 0.0)
    prepared = matcher.prepare_job(job)
    with tempfile.TemporaryDirectory() as folder:
        db = create_db_engine(f"sqlite:///{folder}/bench.db")
        init_db(db, matcher_settings_seed())
        for index, raw in enumerate(texts):
            began = time.perf_counter(); text = clean_text(raw); totals["clean"] += time.perf_counter() - began
            began = time.perf_counter(); detect_language(text); totals["language"] += time.perf_counter() - began
            began = time.perf_counter(); sections = matcher.resources.splitter.split(text); totals["sections"] += time.perf_counter() - began
            began = time.perf_counter(); matcher.resources.extractor.extract(text); totals["skills"] += time.perf_counter() - began
            began = time.perf_counter()
            estimate_experience(sections.get("experience") or text)
            detect_education(sections.get("education") or text)
            totals["profile"] += time.perf_counter() - began
            read = matcher.reader.read_cv(raw)
            began = time.perf_counter()
            matcher.encoder.encoder.encode(list(dict.fromkeys(t for name in SECTIONS for t in (read.blocks[name], *read.units[name]))))
            totals["embeddings"] += time.perf_counter() - began
            began = time.perf_counter(); matcher._keywords.score(prepared.read.text, read.text); totals["tfidf"] += time.perf_counter() - began
            outcome = matcher.score(prepared, raw).to_dict()
            with write_transaction(db) as connection:  # the API's part, before enqueueing
                record_match_queued(connection, task_id=f"t{index}", job_id=JOB_ID, job_title=job.title, candidate_id="c",
                                    candidate_name="c", cv_sha256=cv_fingerprint(raw))
            began = time.perf_counter()
            with write_transaction(db) as connection:
                record_match_outcome(connection, task_id=f"t{index}", outcome=outcome)
            totals["db_write"] += time.perf_counter() - began
    return {stage: round(1000 * seconds / len(texts), 2) for stage, seconds in totals.items()}


def matcher_settings_seed() -> Path:
    return PROJECT_ROOT / "seed"


# -- 2, 3, 4: the running stack ------------------------------------------------------------------------


class Stack:
    """The stack `make run` starts, on free ports, in a temporary folder."""

    def __init__(self, folder: Path, *, concurrency: int, threads: int, chunk: int) -> None:
        self.folder = folder
        self.api_port = free_port()
        self.env = {
            **os.environ, "ENV_FILE": str(folder / "env"), "RUN_DIR": str(folder / "run"),
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "DATABASE_URL": f"sqlite:///{folder / 'cv_match.db'}",
            "API_BIND": f"127.0.0.1:{self.api_port}", "FLOWER_PORT": str(free_port()), "MODEL_NAME": MODEL,
            "HF_HUB_OFFLINE": "1", "WORKER_CONCURRENCY": str(concurrency), "TORCH_THREADS": str(threads),
            "BATCH_CHUNK_SIZE": str(chunk), "MATCH_TIMEOUT_SECONDS": "120", "BATCH_MAX_CANDIDATES": "1000",
        }
        self.process = subprocess.Popen(["bash", str(PROJECT_ROOT / "scripts/run_local.sh")], env=self.env,
                                        stdout=(folder / "make-run.log").open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while "token:" not in (folder / "make-run.log").read_text():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the stack did not start; see " + str(folder / "make-run.log"))
            time.sleep(0.5)
        self.token = next(l.split("=", 1)[1] for l in (folder / "env").read_text().splitlines() if l.startswith("APP_TOKEN="))
        self.base = f"http://127.0.0.1:{self.api_port}/api"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(self.base + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                         headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())

    def worker_pids(self) -> list[int]:
        return [int(p.rsplit(":", 1)[1]) for p in self.call("GET", "/health")["workers"]["processes"]]

    def api_pids(self) -> list[int]:
        found = subprocess.run(["pgrep", "-g", str(self.process.pid), "-f", "gunicorn"], capture_output=True, text=True).stdout
        return [int(pid) for pid in found.split()]

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=60)


def sync_latency(stack: Stack, cvs: list[dict[str, str]], *, clients: int, requests: int) -> dict[str, float]:
    def one(index: int) -> float:
        candidate = cvs[index % len(cvs)]
        began = time.perf_counter()
        stack.call("POST", "/match", {"job_id": JOB_ID, **candidate})
        return (time.perf_counter() - began) * 1000

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(one, range(requests)))
    return {"clients": clients, "requests": requests, "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1), "p99_ms": round(percentile(latencies, 0.99), 1),
            "requests_per_second": round(requests / (time.perf_counter() - started), 1)}


def batch_throughput(stack: Stack, count: int) -> dict[str, float]:
    candidates = sample_candidates(count)
    started = time.perf_counter()
    accepted = stack.call("POST", "/batches", {"job_id": JOB_ID, "candidates": candidates})
    while stack.call("GET", accepted["status_url"].removeprefix("/api") + "?limit=1")["status"] not in ("completed", "completed_with_errors"):
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    return {"cvs": count, "seconds": round(seconds, 2), "cvs_per_second": round(count / seconds, 1)}


def api_startup_seconds(stack: Stack) -> float:
    port = free_port()
    env = {**stack.env, "API_BIND": f"127.0.0.1:{port}", "API_PROCESSES": "1"}
    for line in (Path(stack.env["ENV_FILE"])).read_text().splitlines():
        if line.startswith(("APP_TOKEN=", "FLOWER_BASIC_AUTH=")):
            env[line.split("=", 1)[0]] = line.split("=", 1)[1]
    began = time.perf_counter()
    process = subprocess.Popen([str(PROJECT_ROOT / "bin/api")], env={**env, "PATH": f"{PROJECT_ROOT / '.venv/bin'}:{env['PATH']}"},
                               cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1).read()
                return round(time.perf_counter() - began, 2)
            except OSError:
                if time.perf_counter() - began > 30:
                    raise
                time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="run")
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=16)
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "bench" / "results")
    parser.add_argument("--sweep", action="store_true", help="compare worker concurrency x threads x chunk size on a 200-CV batch")
    parser.add_argument("--only-recommendations", action="store_true", help="run part 6 alone (about a minute)")
    args = parser.parse_args()
    if args.sweep:
        sweep(args.output)
        return
    settings = Settings(_env_file=None, model_name=MODEL, torch_threads=args.torch_threads)
    cvs = sample_candidates(200)
    if args.only_recommendations:
        print(json.dumps(recommendation_latency(settings, cvs[:30]), indent=2))
        return
    report: dict[str, Any] = {"label": args.label, "model": MODEL, "cores": os.cpu_count(),
                              "config": {"worker_concurrency": args.worker_concurrency, "torch_threads": args.torch_threads, "chunk": args.chunk}}
    report["in_process"] = in_process(settings, cvs, args.chunk)
    report["recommendations"] = recommendation_latency(settings, cvs[:30])
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(Path(folder), concurrency=args.worker_concurrency, threads=args.torch_threads, chunk=args.chunk)
        try:
            workers = stack.worker_pids()
            report["memory"] = {"worker_rss_mb_after_load": [rss_mb(pid) for pid in workers]}
            report["sync"] = [sync_latency(stack, cvs, clients=1, requests=50), sync_latency(stack, cvs, clients=8, requests=200)]
            report["batches"] = [batch_throughput(stack, 200), batch_throughput(stack, 1000)]
            sync_latency(stack, cvs, clients=8, requests=750)  # 1,000 match tasks in all since load, plus 76 batch tasks
            report["memory"]["worker_rss_mb_after_1000_tasks"] = [rss_mb(pid) for pid in workers]
            report["memory"]["api_rss_mb"] = {str(pid): rss_mb(pid) for pid in stack.api_pids()}
            report["memory"]["api_startup_seconds"] = api_startup_seconds(stack)
        finally:
            stack.stop()
    engine = report["in_process"]["engine_cvs_per_second"]
    report["ratios"] = {
        "batch_200_vs_engine": round(report["batches"][0]["cvs_per_second"] / engine, 2),
        "batch_1000_vs_engine": round(report["batches"][1]["cvs_per_second"] / engine, 2),
        "sync_p50_minus_in_process_ms": round(report["sync"][0]["p50_ms"] - report["in_process"]["match_ms_p50"], 1),
        "worker_rss_growth_percent": round(100 * (report["memory"]["worker_rss_mb_after_1000_tasks"][0]
                                                  / report["memory"]["worker_rss_mb_after_load"][0] - 1), 1),
    }
    args.output.mkdir(parents=True, exist_ok=True)
    stem = args.output / time.strftime(f"%Y%m%d-%H%M%S-{args.label}")
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    print(f"written to {stem}.json and .md")


SWEEP = ((1, 1, 8), (1, 1, 16), (1, 1, 32), (1, 2, 16), (2, 1, 16), (2, 1, 32))


def sweep(output: Path) -> None:
    """A 200-CV batch's end-to-end rate for each (worker processes, threads, chunk) of `SWEEP`."""
    rows = []
    for concurrency, threads, chunk in SWEEP:
        with tempfile.TemporaryDirectory() as folder:
            stack = Stack(Path(folder), concurrency=concurrency, threads=threads, chunk=chunk)
            try:
                batch_throughput(stack, 40)  # warm every worker process up
                result = batch_throughput(stack, 200)
            finally:
                stack.stop()
        rows.append({"worker_concurrency": concurrency, "threads": threads, "chunk": chunk, **result})
        print(rows[-1], flush=True)
    table = ["| worker processes | threads each | chunk | 200 CVs, s | CVs/s |", "|---:|---:|---:|---:|---:|"]
    table += [f"| {r['worker_concurrency']} | {r['threads']} | {r['chunk']} | {r['seconds']} | {r['cvs_per_second']} |" for r in rows]
    output.mkdir(parents=True, exist_ok=True)
    stem = output / time.strftime("%Y%m%d-%H%M%S-sweep")
    stem.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n")
    stem.with_suffix(".md").write_text("\n".join(table) + "\n")
    print("\n".join(table))


def markdown(report: dict[str, Any]) -> str:
    p, m, r = report["in_process"], report["memory"], report["ratios"]
    lines = [
        f"## Benchmark `{report['label']}` — {report['model']}, {report['cores']} cores, config {report['config']}",
        "", "| part | measurement | value |", "|---|---|---:|",
        f"| 1 engine limit | in-process engine, CVs/s (chunks of {report['config']['chunk']}) | {p['engine_cvs_per_second']} |",
        f"| 1 engine limit | encoder alone on the same texts, CVs/s | {p['encoder_cvs_per_second']} |",
    ]
    for b in report["batches"]:
        lines.append(f"| 2 end to end | batch of {b['cvs']}: 202 → completed, CVs/s ({b['seconds']} s) | {b['cvs_per_second']} |")
    lines.append(f"| 2 end to end | ratio batch 200 / engine; batch 1000 / engine | {r['batch_200_vs_engine']}; {r['batch_1000_vs_engine']} |")
    for s in report["sync"]:
        lines.append(f"| 3 sync match | {s['clients']} client(s), {s['requests']} requests: p50 / p95 / p99 ms | "
                     f"{s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']} |")
    lines.append(f"| 3 sync match | in-process p50 ms; sync p50 − in-process p50 | {p['match_ms_p50']}; {r['sync_p50_minus_in_process_ms']} |")
    lines += [
        f"| 4 memory | worker child RSS after load → after 1,000 tasks, MB | {m['worker_rss_mb_after_load']} → {m['worker_rss_mb_after_1000_tasks']} ({r['worker_rss_growth_percent']} %) |",
        f"| 4 memory | API RSS per gunicorn process, MB | {', '.join(str(v) for v in m['api_rss_mb'].values())} |",
        f"| 4 memory | API start-up, s (launch → first /api/health) | {m['api_startup_seconds']} |",
        "| 5 one CV | ms per stage: " + ", ".join(p["stages_ms_per_cv"]) + " | "
        + " / ".join(str(v) for v in p["stages_ms_per_cv"].values()) + " |",
        f"| 5 one CV | queue and HTTP (sync p50 − in-process p50), ms | {r['sync_p50_minus_in_process_ms']} |",
    ]
    rec = report["recommendations"]
    for name in ("seed_32", "generated_1000"):
        lines.append(f"| 6 recommendations | one CV against {rec[name]['jobs']} jobs, top {rec['limit']}: p50 / p95 ms | "
                     f"{rec[name]['p50_ms']} / {rec[name]['p95_ms']} |")
    lines.append(f"| 6 recommendations | p50 with 1,000 jobs / with 32 | {rec['ratio_1000_vs_32']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
