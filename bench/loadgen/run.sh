#!/usr/bin/env bash
# The load generator's benchmark (docs/benchmarks.md), side by side on this machine:
#  1. play starts per second against `onair playback`: wrk POSTing one fixed device body, then
#     `onair loadgen devices` doing each start's whole flow (a device drawn from a mix, the
#     play start, the manifest read, init and first media segment of video and audio from the
#     edge), offered at the rate wrk reached; the ratio of the starts whose whole flow was done.
#  2. concurrent viewers at the segment cadence on the smallest rung against `onair edge`:
#     VIEWERS (default 15 000) from two loadgen processes joined over nats-server (a process may
#     hold 20 000 open files here), two edges; the CPU the load generators use per 1 000 viewers.
# A pipeline publishes a two-rung ladder throughout (it takes its share of the 2 cores).
#
#   bench/loadgen/run.sh [SECONDS]     (default 10: the starts' runs; needs `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common/lib.sh
BUILD="${BUILD:-build}"
ONAIR="$BUILD/src/app/onair"
SECS="${1:-10}"
VIEWERS="${VIEWERS:-15000}"
HOLD="${HOLD:-40}"
[ -x "$ONAIR" ] || { echo "build first (make build)"; exit 1; }
for c in wrk nats-server; do command -v $c >/dev/null || { echo "$c is missing (make deps)"; exit 1; }; done
bench_workdir loadgen

AST_S=$(($(date +%s) / 60 * 60 - 60))
cat >"$WORK/event.json" <<JSON
{"event": "bench", "ast": "$(date -u -d "@$AST_S" +%Y-%m-%dT%H:%M:%SZ)", "frame_rate": "30",
 "ladder": [
  {"name": "270p", "width": 480, "height": 270, "bitrate": 400000, "preset": "ultrafast"},
  {"name": "136p", "width": 240, "height": 136, "bitrate": 150000, "preset": "ultrafast"}]}
JSON

"$ONAIR" --log-level warn origin --host 127.0.0.1 --port 0 --threads 1 --event "$WORK/event.json" \
  --pipeline-token pt --admin-token at >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
ORIGIN=$(url_of "$WORK/origin.log")
for e in a b; do
  "$ONAIR" --log-level warn edge --host 127.0.0.1 --port 0 --threads 1 --upstream "$ORIGIN" \
    >"$WORK/edge-$e.log" 2>&1 &
  PIDS+=($!)
  eval "EDGE_PID_$e=$!"
done
EDGE_A=$(url_of "$WORK/edge-a.log")
EDGE_B=$(url_of "$WORK/edge-b.log")
"$ONAIR" --log-level warn playback --host 127.0.0.1 --port 0 --threads 2 --origin "$ORIGIN" \
  --edge "edge-a=$EDGE_A" --edge "edge-b=$EDGE_B" --admin-token at >"$WORK/playback.log" 2>&1 &
PIDS+=($!)
PLAYBACK=$(url_of "$WORK/playback.log")
"$ONAIR" --log-level warn pipeline --ladder "$WORK/event.json" --source test:480x270@30 \
  --publish "$ORIGIN" --token pt --duration 100000 >"$WORK/pipeline.log" 2>&1 &
PIDS+=($!)
echo "publishing the event..."
BODY='{"device_id": "tv-0042", "device_type": "tv", "codecs": ["avc"], "max_width": 1920, "max_height": 1080, "region": "eu"}'
for _ in $(seq 150); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d "$BODY" "$PLAYBACK/v1/playback/bench")
  [ "$code" = 200 ] && break
  sleep 0.2
done
[ "$code" = 200 ] || { echo "no answer from the playback service: $code"; exit 1; }
sleep 6  # a few segments at the edges' upstream

# ----- 1. play starts per second -----
cat >"$WORK/start.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Onair-Priority"] = "live"
LUA
out=$(wrk -t2 -c64 -d"${SECS}s" --latency -s "$WORK/start.lua" "$PLAYBACK/v1/playback/bench")
echo "$out" >"$WORK/wrk.log"
WRK_RPS=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
echo "wrk, one fixed body: $WRK_RPS starts/s"

# The load generator's whole flows, offered at rising shares of wrk's rate for SECS seconds
# each (an open model: a rate it cannot keep up with piles up, it does not slow down): the
# highest rate at which every flow was done, with a flow p99 (from when it was due) under 2 s.
offer() {  # rate -> "flows offered p50 p99 errors"
  local peak=$(($1 * SECS))
  cat >"$WORK/starts.scenario" <<SCN
peak $peak
max-sessions $peak
max-rate $(($1 * 2))
ramp to=100% over=${SECS}s
hold for=1s
SCN
  "$ONAIR" --log-level warn loadgen devices --scenario "$WORK/starts.scenario" --target "$PLAYBACK" \
    --event bench --segments 1 --lowest-rung --no-qoe --no-steering --quiet --threads 2 \
    --connections 32 --json "$WORK/starts-$1.json" >"$WORK/starts-$1.log" 2>&1 \
    || { cat "$WORK/starts-$1.log" >&2; exit 1; }
  python3 - "$WORK/starts-$1.json" "$peak" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
flow = j["latency_ms"].get("flow", {})
print(j["counts"].get("flows", 0), sys.argv[2], round(flow.get("p50", 0)), round(flow.get("p99", 0)),
      sum(j["errors"].values()))
PY
}
LG_RATE=0
for pct in 2 4 6 8 10 15 20 30 50 70; do
  rate=$((WRK_RPS * pct / 100))
  read -r flows offered p50 p99 errs < <(offer "$rate")
  echo "  offered $rate starts/s ($pct % of wrk): $flows of $offered flows done, flow p50 $p50 ms, p99 $p99 ms, errors $errs"
  if [ "$flows" -lt "$offered" ] || [ "$p99" -gt 2000 ]; then break; fi
  LG_RATE=$rate; FLOW_P50=$p50; FLOW_P99=$p99
done
echo "loadgen, whole flows kept up with: $LG_RATE starts/s"

# ----- 2. concurrent viewers -----
if [ -n "${SKIP_VIEWERS:-}" ]; then echo "ratio: $(awk -v a="$LG_RATE" -v b="$WRK_RPS" 'BEGIN { printf "%.2f", a / b }')"; exit 0; fi
NATS_PORT=$(free_port)
nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$WORK/nats.log" 2>&1 &
PIDS+=($!)
sleep 0.5
RAMP=$((VIEWERS / 250 + 1))  # 250 starts/s
cat >"$WORK/viewers.scenario" <<SCN
peak $VIEWERS
ramp to=100% over=${RAMP}s
hold for=${HOLD}s
SCN
LG_PIDS=()
for k in 0 1; do
  "$ONAIR" --log-level warn loadgen devices --scenario "$WORK/viewers.scenario" --target "$PLAYBACK" \
    --event bench --lowest-rung --no-steering --quiet --threads 1 --events-interval-ms 10000 \
    --nats "nats://127.0.0.1:$NATS_PORT" --fleet 2 --json "$WORK/viewers-$k.json" \
    >"$WORK/viewers-$k.log" 2>&1 &
  LG_PIDS+=($!)
  PIDS+=($!)
done
# The CPU of the load generators (and the edges) over the hold, once every viewer is in.
sleep $((RAMP + 3 + 5))
cpu0=0; for p in "${LG_PIDS[@]}"; do cpu0=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$p")" 'BEGIN {print a + b}'); done
edge0=$(awk -v a="$(cpu_seconds "$EDGE_PID_a")" -v b="$(cpu_seconds "$EDGE_PID_b")" 'BEGIN {print a + b}')
t0=$(date +%s.%N)
sleep $((HOLD - 10))
cpu1=0; for p in "${LG_PIDS[@]}"; do cpu1=$(awk -v a="$cpu1" -v b="$(cpu_seconds "$p")" 'BEGIN {print a + b}'); done
edge1=$(awk -v a="$(cpu_seconds "$EDGE_PID_a")" -v b="$(cpu_seconds "$EDGE_PID_b")" 'BEGIN {print a + b}')
t1=$(date +%s.%N)
fds=0; for p in "${LG_PIDS[@]}"; do fds=$((fds + $(ls /proc/$p/fd | wc -l))); done
for p in "${LG_PIDS[@]}"; do wait "$p" || { cat "$WORK"/viewers-*.log; exit 1; }; done
read -r RUNNING STARTED REBUF ERRS SEG_P99 < <(python3 - "$WORK/viewers-0.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
cols = j["seconds_columns"]; rows = j["seconds"]
running = max(r[cols.index("running")] for r in rows)
print(running, j["counts"].get("started", 0), j["counts"].get("rebuffers", 0),
      sum(j["errors"].values()), round(j["latency_ms"]["segment"]["p99"]))
PY
)
LG_CORES=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.2f", (b - a) / (e - s) }')
EDGE_CORES=$(awk -v a="$edge0" -v b="$edge1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.2f", (b - a) / (e - s) }')
PER_K=$(awk -v c="$LG_CORES" -v v="$RUNNING" 'BEGIN { printf "%.3f", c / v * 1000 }')

printf '\n%-58s %12s\n' "" "figure"
printf '%-58s %12s\n' "wrk, one fixed play-start body (starts/s)" "$WRK_RPS"
printf '%-58s %12s\n' "onair loadgen, whole flows (starts/s)" "$LG_RATE"
printf '%-58s %12s\n' "  ratio (goal >= 0.7)" "$(awk -v a="$LG_RATE" -v b="$WRK_RPS" 'BEGIN { printf "%.2f", a / b }')"
printf '%-58s %12s\n' "concurrent viewers at the cadence (goal >= 15 000)" "$RUNNING"
printf '%-58s %12s\n' "  started / rebuffers / errors" "$STARTED / $REBUF / $ERRS"
printf '%-58s %12s\n' "  segment p99 from due (ms)" "$SEG_P99"
printf '%-58s %12s\n' "  loadgen CPU, cores (2 processes)" "$LG_CORES"
printf '%-58s %12s\n' "  loadgen CPU per 1 000 viewers (cores)" "$PER_K"
printf '%-58s %12s\n' "  edges' CPU, cores (2 processes)" "$EDGE_CORES"
printf '%-58s %12s\n' "  open files, both loadgen processes" "$fds"
echo "100 000 starts/s: $(awk -v r="$LG_RATE" 'BEGIN { printf "%d", int(100000 / r) + 1 }') machines like this one; 1M viewers: $(awk -v k="$PER_K" 'BEGIN { n = 1000 * k / 2; printf "%d", (n == int(n)) ? n : int(n) + 1 }') machines of 2 cores by CPU"
