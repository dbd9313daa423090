#!/usr/bin/env bash
# The metrics benchmark: QoE events ingested per second into `onair metrics`' per-second
# aggregates (wrk POSTing batches of EVENTS events over keep-alive HTTP), against
# VictoriaMetrics importing the same events as JSON lines (/api/v1/import), side by side on
# this machine, 2 cores each with wrk beside them; and the insight delay: from a batch's send
# to its viewers in GET /v1/overview/{event}. docs/benchmarks.md.
#
#   bench/metrics/run.sh [SECONDS_PER_WRK_RUN] [EVENTS_PER_BATCH]   (default 10, 500)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common/lib.sh
BUILD="${BUILD:-build}"
ONAIR="$BUILD/src/app/onair"
SECS="${1:-10}"
PER="${2:-500}"
BATCHES="${BATCHES:-64}"
CONNS="${CONNS:-16}"
[ -x "$ONAIR" ] || { echo "build first (make build)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (make deps)"; exit 1; }
command -v victoria-metrics >/dev/null || { echo "victoria-metrics is missing (make deps)"; exit 1; }
bench_workdir metrics

"$ONAIR" --log-level warn metrics --host 127.0.0.1 --port 0 --threads 2 --late 120 \
  >"$WORK/metrics.log" 2>&1 &
PIDS+=($!)
METRICS=$(url_of "$WORK/metrics.log")
VM_PORT=$(free_port)
victoria-metrics -storageDataPath="$WORK/vm" -httpListenAddr="127.0.0.1:$VM_PORT" \
  -loggerLevel=ERROR >"$WORK/vm.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$VM_PORT/health" >/dev/null && break
  sleep 0.1
done

mkdir -p "$WORK/bodies"
python3 bench/metrics/make_bodies.py "$WORK/bodies" "$BATCHES" "$PER"

# wrk posts the batches in turn, read once from files.
lua() {  # prefix suffix path content-type
  cat <<LUA
local bodies = {}
for k = 0, $BATCHES - 1 do
  local f = io.open("$WORK/bodies/$1-" .. k .. ".$2", "rb")
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
local headers = {["Content-Type"] = "$4"}
local k = 0
request = function()
  k = k % #bodies + 1
  return wrk.format("POST", "$3", headers, bodies[k])
end
LUA
}
lua qoe json /v1/events application/json >"$WORK/qoe.lua"
lua vm jsonl /api/v1/import application/json >"$WORK/vm.lua"

measure() {  # url lua pid: "req/s non2xx cpu-seconds-of-pid"
  local out c0 c1
  c0=$(cpu_seconds "$3")
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" -s "$2" "$1")
  c1=$(cpu_seconds "$3")
  echo "$out" >>"$WORK/wrk.log"
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '/Non-2xx/ {n = $5} END {print n + 0}')" \
    "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
}

echo "batches of $PER events, $BATCHES sessions; wrk -t2 -c$CONNS, ${SECS} s per run"
read -r on_rps on_bad on_cpu < <(measure "$METRICS" "$WORK/qoe.lua" "${PIDS[0]}")
read -r vm_rps vm_bad vm_cpu < <(measure "http://127.0.0.1:$VM_PORT" "$WORK/vm.lua" "${PIDS[1]}")
accepted=$(curl -s "$METRICS/metrics" |
  awk '/^onair_metrics_events_total\{result="accepted"\}/ {print $2}')

# Insight delay: a new viewer's batch, then GET /v1/overview until the viewer count moves.
delays=()
for k in $(seq 20); do
  before=$(curl -s "$METRICS/v1/overview/delay" | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["span"]["total"]["concurrent_viewers"])')
  t0=$(date +%s%N)
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "$METRICS/v1/events" -d \
    "{\"session\": \"d$k\", \"event\": \"delay\", \"events\": [{\"type\": \"heartbeat\", \"t\": \"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\", \"played_ms\": 1000}]}"
  while :; do
    now=$(curl -s "$METRICS/v1/overview/delay" | python3 -c \
      'import json,sys; print(json.load(sys.stdin)["span"]["total"]["concurrent_viewers"])')
    [ "$now" -gt "$before" ] && break
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 5000 ] && break
  done
  delays+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
read -r d50 d99 < <(printf '%s\n' "${delays[@]}" | sort -n | awk '{a[NR] = $1}
  END { i = int(NR * 0.5) + 1; if (i > NR) i = NR; print a[i], a[NR] }')
rss=$(awk '/VmRSS/ {print $2}' "/proc/${PIDS[0]}/status")

# Memory at SESSIONS distinct sessions (default 1M): a fresh service, one batch per session
# (a heartbeat and, for every tenth, a start) within a few seconds of each other; wrk stops
# each of its threads once its share is sent.
SESSIONS="${SESSIONS:-1000000}"
"$ONAIR" --log-level warn metrics --host 127.0.0.1 --port 0 --threads 2 >"$WORK/memory.log" 2>&1 &
PIDS+=($!)
MEMORY_PID=$!
MEMORY=$(url_of "$WORK/memory.log")
cat >"$WORK/sessions.lua" <<LUA
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local n = 0
local quota = math.floor($SESSIONS / 2)
local edges = {"edge-0", "edge-1", "edge-2", "edge-3", "edge-4", "edge-5", "edge-6", "edge-7"}
local regions = {"eu", "us", "apac"}
local devices = {"tv", "phone", "browser", "stb"}
local headers = {["Content-Type"] = "application/json"}
request = function()
  n = n + 1
  local t = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local edge = edges[n % 8 + 1]
  local events = '{"type":"heartbeat","t":"' .. t .. '","edge":"' .. edge ..
    '","bitrate":3000000,"latency_ms":' .. (2000 + n % 1500) ..
    ',"rendition":"720p","codec":"avc","played_ms":10000,"stalled_ms":0,"top":false}'
  if n % 10 == 0 then
    events = events .. ',{"type":"start","t":"' .. t .. '","ttff_ms":' .. (300 + n % 2000) ..
      ',"edge":"' .. edge .. '"}'
  end
  local body = '{"v":1,"session":"m' .. id .. '-' .. n .. '","event":"memory","device":{"type":"' ..
    devices[n % 4 + 1] .. '","region":"' .. regions[n % 3 + 1] .. '"},"events":[' .. events .. ']}'
  return wrk.format("POST", "/v1/events", headers, body)
end
response = function()
  if n >= quota then wrk.thread:stop() end
end
LUA
mem_start=$(date +%s%N)
wrk -t2 -c32 -d300s -s "$WORK/sessions.lua" "$MEMORY" >"$WORK/memory-wrk.log" 2>&1 &
WRK_PID=$!
batches() {
  curl -s "$MEMORY/metrics" | awk '/^onair_metrics_batches_total\{result="accepted"\}/ {print $2}'
}
while [ "$(batches)" -lt "$SESSIONS" ] && kill -0 "$WRK_PID" 2>/dev/null; do sleep 0.2; done
mem_secs=$(( ($(date +%s%N) - mem_start) / 1000000 ))
kill "$WRK_PID" 2>/dev/null || true
wait "$WRK_PID" 2>/dev/null || true
mem_accepted=$(batches)
mem_viewers=$(curl -s "$MEMORY/v1/overview/memory" | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["span"]["total"]["concurrent_viewers"])')
mem_rss=$(awk '/VmRSS/ {print $2}' "/proc/$MEMORY_PID/status")
mem_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$MEMORY_PID/status")

eps() { awk -v r="$1" -v p="$PER" 'BEGIN { printf "%.0f", r * p }'; }
on_eps=$(eps "$on_rps")
vm_eps=$(eps "$vm_rps")
# Per core: the events over the CPU seconds the server itself used (wrk shares the 2 cores).
per_core() { awk -v r="$1" -v p="$PER" -v s="$SECS" -v c="$2" 'BEGIN { printf "%.0f", r * p * s / c }'; }
on_core=$(per_core "$on_rps" "$on_cpu")
vm_core=$(per_core "$vm_rps" "$vm_cpu")
printf '\n%-40s %12s %16s %10s %8s\n' "" "events/s" "events/CPU-s" "batches/s" "non-2xx"
printf '%-40s %12s %16s %10.0f %8s\n' "onair metrics (per-second aggregates)" "$on_eps" "$on_core" \
  "$on_rps" "${on_bad:-0}"
printf '%-40s %12s %16s %10.0f %8s\n' "victoria-metrics (/api/v1/import)" "$vm_eps" "$vm_core" \
  "$vm_rps" "${vm_bad:-0}"
printf 'ratio onair / victoria-metrics: %.2f (events/s), %.2f (events per CPU second)\n' \
  "$(awk -v a="$on_eps" -v b="$vm_eps" 'BEGIN { print a / b }')" \
  "$(awk -v a="$on_core" -v b="$vm_core" 'BEGIN { print a / b }')"
echo "events the metrics service counted as accepted: ${accepted:-0}"
echo "insight delay (send to GET /v1/overview), 20 viewers: p50 ${d50} ms, max ${d99} ms"
echo "onair metrics resident memory after the runs: $((rss / 1024)) MiB"
echo "memory at ${mem_accepted:-0} distinct sessions (sent in ${mem_secs} ms; concurrent viewers" \
  "counted: ${mem_viewers}): resident $((mem_rss / 1024)) MiB, peak $((mem_hwm / 1024)) MiB"
