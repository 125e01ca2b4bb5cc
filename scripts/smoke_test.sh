#!/usr/bin/env bash
# Smoke test of a running stack (`make run`, Docker Compose, a server): health, jobs, one match and
# one small batch from submit to delete, one line per call. Exits 0 when every answer is the expected
# one, 1 at the first that is not (its body is printed to stderr), 2 when it cannot start (no token).
#
#   scripts/smoke_test.sh [BASE_URL]      BASE_URL without /api, default http://127.0.0.1:5000
#
#   APP_TOKEN      the API token; if unset or empty, the APP_TOKEN= line of ENV_FILE
#   ENV_FILE       settings file to read the token from (default .env); a relative path is taken from
#                  the project root, as `make run` does, so both agree on which file they mean
#   SMOKE_TIMEOUT  seconds the batch may take to complete (default 120)
#
# A batch counts as passed only when its status is `completed`: its three CVs are sample CVs that
# always score, so `completed_with_errors` means something is broken and fails the test at once.
# Needs only bash, curl and python3 (standard library: it builds the JSON bodies and reads the answers).
set -euo pipefail
cd "$(dirname "$0")/.."  # the project root: the sample CVs and a relative ENV_FILE are found from anywhere

if [ $# -gt 1 ]; then
  echo "usage: $0 [BASE_URL]" >&2
  exit 2
fi
base_url=${1:-http://127.0.0.1:5000}
base_url=${base_url%/}
env_file=${ENV_FILE:-.env}
timeout=${SMOKE_TIMEOUT:-120}
case "$timeout" in
  '' | *[!0-9]* | 0) echo "SMOKE_TIMEOUT must be a whole number of seconds above 0, not '$timeout'" >&2; exit 2 ;;
esac

token=${APP_TOKEN:-}
if [ -z "$token" ] && [ -f "$env_file" ]; then
  # The last APP_TOKEN= line wins, as when the file is sourced; the file is read, never run.
  token=$(sed -n 's/^APP_TOKEN=//p' "$env_file" | tail -n 1 | tr -d '\r')
fi
if [ -z "$token" ]; then
  echo "no API token: set APP_TOKEN, or put an APP_TOKEN= line in $env_file (make run writes one)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# What each answer must hold, and the short detail printed for it. `python3 -c "$checks" CHECK FILE`
# prints the detail, or prints the reason and exits 1 when the answer is not the expected one.
checks=$(cat <<'PY'
import csv, json, sys


class Unexpected(Exception):
    """The answer is not the one expected; the message says why."""


def expect(condition, reason):
    if not condition:
        raise Unexpected(reason)


def health(d):
    expect(d["status"] == "ok", f"status is {d['status']!r}, not 'ok'")
    model = d["model"]["name"] + (" (fallback)" if d["model"]["fallback"] else "")
    return f"status ok, model {model}, {d['workers']['ready']} worker process(es) ready"


def jobs(d):
    expect(d["items"], "no jobs listed")
    return f"{d['total']} jobs"


def match(d):
    expect(d["grade"] in {"High Match", "Medium Match", "Low Match"}, f"no grade: {d['grade']!r}")
    scores = d["score_comparison"]
    return f"{d['grade']}, semantic {scores['semantic_score']}, keyword {scores['keyword_score']}"


def batch_accepted(d):
    expect(d["total"] == 3 and d["rejected"] == 0, f"total {d['total']}, rejected {d['rejected']}")
    return d["batch_id"]


def batch_status(d):
    # Words for the polling loop to read.
    return f"{d['status']} {d['done']} {d['failed']} {d['total']}"


def batch_results(d):
    ranked = sorted((r["rank"], r["candidate_id"]) for r in d["results"])
    expect(len(ranked) == 3 and not d["failures"], f"{len(ranked)} results, {len(d['failures'])} failures")
    return "ranked " + ", ".join(f"{candidate}" for _, candidate in ranked)


def results_csv(text):
    # Parsed as CSV, not counted as lines: a quoted cell may hold a line break.
    rows = list(csv.reader(text.splitlines(keepends=True)))
    expect(rows and rows[0][:2] == ["rank", "candidate_id"], f"no header line: {rows[:1]}")
    expect(len(rows) == 4, f"{len(rows) - 1} rows, not 3")
    expect(all(row[3] == "done" for row in rows[1:]), "a row is not done")
    return f"header + {len(rows) - 1} rows"


def not_found(d):
    return d["error"]["code"]


JSON_CHECKS = {check.__name__: check for check in (health, jobs, match, batch_accepted, batch_status, batch_results, not_found)}
name, path = sys.argv[1], sys.argv[2]
raw = open(path, encoding="utf-8").read()
try:
    print(results_csv(raw) if name == "results_csv" else JSON_CHECKS[name](json.loads(raw)))
except Unexpected as error:
    sys.exit(str(error))
except ValueError:
    sys.exit("the answer is not JSON")
except (KeyError, TypeError, IndexError) as error:
    sys.exit(f"the answer lacks {error}")
PY
)

# The request bodies, built from the sample CVs (the candidate names are placeholders).
python3 - data/sample/cvs "$work" <<'PY'
import json, pathlib, sys

cvs, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def candidate(cv_id):
    return {"candidate_id": cv_id, "candidate_name": f"Smoke test {cv_id}", "cv_text": (cvs / f"{cv_id}.txt").read_text(encoding="utf-8")}
(work / "match.json").write_text(json.dumps({"job_id": "J06", **candidate("C16")}))
(work / "batch.json").write_text(json.dumps({"job_id": "J06", "candidates": [candidate(c) for c in ("C16", "C17", "C06")]}))
PY

body="$work/body"
status=""
# call METHOD PATH [JSON_FILE]: the answer's status in $status, its body in $body.
call() {
  local method=$1 path=$2 data=${3:-}
  local args=(-sS -X "$method" -o "$body" -w '%{http_code}' --connect-timeout 5 --max-time 90)
  if [ -n "$data" ]; then
    args+=(-H 'Content-Type: application/json' --data-binary "@$data")
  fi
  # The header comes in on stdin so that the token never shows in `ps`.
  status=$(printf 'Authorization: Bearer %s\n' "$token" \
    | curl "${args[@]}" -H @- "$base_url$path" 2>"$work/curl.err") || true
  if [ "$status" = "000" ] || [ -z "$status" ]; then
    status="---"
    cp "$work/curl.err" "$body"  # no answer: what curl says takes the body's place in the report
  fi
}

# fail METHOD PATH DETAIL: the call's line marked FAIL, its body (truncated) on stderr, exit 1.
fail() {
  printf 'FAIL %-6s %s %s  %s\n' "$1" "$2" "$status" "$3"
  if [ "$status" = "---" ]; then
    echo "--- curl says ---" >&2
  else
    echo "--- response body (first 1000 bytes) ---" >&2
  fi
  head -c 1000 "$body" >&2 || true
  echo >&2
  exit 1
}

# expect METHOD PATH STATUS CHECK [JSON_FILE]: one call that must answer STATUS and pass CHECK;
# prints its line and leaves the check's output in $detail.
detail=""
expect() {
  local method=$1 path=$2 wanted=$3 check=$4
  call "$method" "$path" "${5:-}"
  if [ "$status" = "---" ]; then
    fail "$method" "$path" "no answer (expected $wanted)"
  fi
  [ "$status" = "$wanted" ] || fail "$method" "$path" "expected $wanted"
  if [ "$check" = "-" ]; then
    detail=""
  else
    detail=$(python3 -c "$checks" "$check" "$body" 2>&1) || fail "$method" "$path" "$detail"
  fi
}
ok() { printf 'ok   %-6s %s %s  %s\n' "$1" "$2" "$status" "$3"; }

expect GET /api/health 200 health
ok GET /api/health "$detail"
expect GET /api/jobs 200 jobs
ok GET /api/jobs "$detail"
expect POST /api/match 200 match "$work/match.json"
ok POST /api/match "J06 x C16: $detail"
expect POST /api/batches 202 batch_accepted "$work/batch.json"
batch_id=$detail
ok POST /api/batches "$batch_id, 3 CVs for J06"

# Poll once a second until the batch is finished or SMOKE_TIMEOUT has passed; one line at the end.
batch_path="/api/batches/$batch_id"
polls=0
deadline=$((SECONDS + timeout))
while :; do
  expect GET "$batch_path" 200 batch_status
  polls=$((polls + 1))
  read -r state scored failed total <<<"$detail"
  case "$state" in
    completed) break ;;
    completed_with_errors) fail GET "$batch_path" "completed_with_errors: $scored scored, $failed failed of $total" ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail GET "$batch_path" "still $state after ${timeout} s ($scored scored, $failed failed of $total; SMOKE_TIMEOUT)"
  fi
  sleep 1
done
# The last poll's answer holds the ranked results.
detail=$(python3 -c "$checks" batch_results "$body" 2>&1) || fail GET "$batch_path" "$detail"
ok GET "$batch_path" "completed, $scored/$total scored after $polls poll(s), $detail"
expect GET "$batch_path/results.csv" 200 results_csv
ok GET "$batch_path/results.csv" "$detail"
expect DELETE "$batch_path" 204 -
ok DELETE "$batch_path" "deleted"
expect GET "$batch_path" 404 not_found
ok GET "$batch_path" "$detail, as expected after the delete"
echo "smoke test passed: $base_url"
