#!/usr/bin/env bash
# Rate-limit use (issues 4 and 13): N worker processes sharing one key, drawing from one budget
# in PostgreSQL (--rate-scope cluster), against the simulator enforcing a limit with 429s.
# Prints successful requests (or tokens) per minute as a share of the limit, and the share of
# requests answered 429. Stops by itself after WARMUP + DURATION seconds.
#
#   Ops/bench/rate-limit.sh rpm            # 600 requests/min, latency 800 ± 400 ms
#   Ops/bench/rate-limit.sh tpm            # 200,000 tokens/min, no max_tokens (charged as used)
#   Ops/bench/rate-limit.sh over-limit     # workers told 900 requests/min, the endpoint enforces
#                                          # and states 600; measured after the first minute
#   Ops/bench/rate-limit.sh tpm-admission  # 100,000 tokens/min, max_tokens 1024 charged at
#                                          # admission (OpenAI's rule, the simulator's default)
#   DURATION=60 WORKERS=4 Ops/bench/rate-limit.sh rpm
#   WORKER_BIN=/old/treeinstruct Ops/bench/rate-limit.sh over-limit   # another build's workers
set -euo pipefail
MODE=${1:-rpm}
DURATION=${DURATION:-300}
WORKERS=${WORKERS:-4}
RPM=${RPM:-600}
TPM=${TPM:-200000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/.build/release/treeinstruct}  # the debug build works too: the run is I/O-bound
CORPUS=${CORPUS:-${TREEINSTRUCT_CORPORA:-$ROOT/Examples/corpora}/alpaca-gpt4-4k.sharegpt.jsonl}
# The simulator always comes from BIN; the workers (and the submit that sets up their schema)
# from WORKER_BIN, so two builds' workers can be compared against the same endpoint.
WORKER_BIN=${WORKER_BIN:-$BIN}
[ -x "$BIN" ] && [ -x "$WORKER_BIN" ] || { echo "build first: swift build -c release (or set BIN)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$BIN" postgres stop --data-dir "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

eval "$("$BIN" postgres start --data-dir "$work/pg" --print-url)"
export TREEINSTRUCT_LOG_LEVEL=warning
case "$MODE" in
  tpm-admission) submit_flags=(--max-tokens "${MAX_TOKENS:-1024}") ;;
  *) submit_flags=() ;;
esac
"$WORKER_BIN" submit --corpus "$CORPUS" --run bench --no-respond --max-words 250 --model treeinstruct-simulator "${submit_flags[@]}" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
case "$MODE" in
  rpm) limit_flags=(--rpm "$RPM"); worker_flags=("${limit_flags[@]}"); unit="requests/min"; limit=$RPM ;;
  tpm) limit_flags=(--tpm "$TPM"); worker_flags=("${limit_flags[@]}"); unit="tokens/min"; limit=$TPM ;;
  over-limit)
    limit_flags=(--rpm "$RPM"); worker_flags=(--rpm "${TOLD_RPM:-900}"); unit="requests/min"; limit=$RPM
    WARMUP=${WARMUP:-60} ;;
  tpm-admission)
    TPM=${TPM_ADMISSION:-100000}
    limit_flags=(--tpm "$TPM"); worker_flags=("${limit_flags[@]}"); unit="tokens/min (charged)"; limit=$TPM ;;
  *) echo "mode is rpm, tpm, over-limit or tpm-admission" >&2; exit 2 ;;
esac
"$BIN" sim --port "$port" --latency-ms 800 --jitter-ms 400 "${limit_flags[@]}" >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

for i in $(seq "$WORKERS"); do
  OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=unused \
    "$WORKER_BIN" work --concurrency 32 --rate-scope cluster "${worker_flags[@]}" --rate-key bench >"$work/worker-$i.log" 2>&1 &
  pids+=($!)
done
# Measure a window of DURATION seconds that starts after WARMUP seconds, once every worker has
# started and the shared bucket has filled; the whole run, warm-up included, is printed too.
WARMUP=${WARMUP:-15}
sleep "$WARMUP"
warm=$(curl -sf "http://127.0.0.1:$port/sim/stats")
sleep "$DURATION"
stats=$(curl -sf "http://127.0.0.1:$port/sim/stats")
python3 - "$MODE" "$DURATION" "$limit" "$unit" "$WORKERS" <<PY
import json, sys
mode, duration, limit, unit, workers = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
end = json.loads('''$stats''')["totals"]
start = json.loads('''$warm''')["totals"]
total = {key: end[key] - start[key] for key in end if isinstance(end[key], (int, float))}
requests = total["requests"]; ok = total["succeeded"]; throttled = total["rate_limited_429"]
if mode in ("rpm", "over-limit"):
    used = ok / (duration / 60)
elif mode == "tpm-admission":
    used = total["charged_tokens"] / (duration / 60)
else:
    used = (total["prompt_tokens"] + total["completion_tokens"]) / (duration / 60)
print(f"workers={workers} window={duration:.0f}s after warm-up limit={limit:.0f} {unit}")
print(f"successful: {used:.1f} {unit} = {100 * used / limit:.1f}% of the limit")
print(f"requests: {requests}, answered 429: {throttled} = {100 * throttled / max(requests, 1):.2f}%")
print(f"whole run incl. warm-up: {end['requests']} requests, {end['succeeded']} succeeded, {end['rate_limited_429']} answered 429")
PY
