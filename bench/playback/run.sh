#!/usr/bin/env bash
# The playback benchmark: play starts per second on `onair playback` (wrk POSTing realistic
# device descriptions, four profiles in turn) with personalisation on and off, against nginx
# serving one of those answers as a static file (the same bytes, the ceiling), side by side
# on this machine; and how many such nodes the published 100 000 starts/s would take.
# Both servers get 2 event loops / workers; wrk runs on the same 2 cores. docs/benchmarks.md.
#
#   bench/playback/run.sh [SECONDS_PER_WRK_RUN]     (default 10; needs `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common/lib.sh
BUILD="${BUILD:-build}"
ONAIR="$BUILD/src/app/onair"
SECS="${1:-10}"
CONNS="${CONNS:-64}"
[ -x "$ONAIR" ] || { echo "build first (make build)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (make deps)"; exit 1; }
bench_workdir playback

# A four-rung ladder (two codecs' worth of answers would be larger still).
AST_S=$(($(date +%s) / 60 * 60 - 60))
cat >"$WORK/event.json" <<JSON
{"event": "bench", "ast": "$(date -u -d "@$AST_S" +%Y-%m-%dT%H:%M:%SZ)", "frame_rate": "30",
 "ladder": [
  {"name": "1080p", "width": 1920, "height": 1080, "bitrate": 6000000, "preset": "ultrafast"},
  {"name": "720p", "width": 1280, "height": 720, "bitrate": 3000000, "preset": "ultrafast"},
  {"name": "540p", "width": 960, "height": 540, "bitrate": 1800000, "preset": "ultrafast"},
  {"name": "360p", "width": 640, "height": 360, "bitrate": 800000, "preset": "ultrafast"}]}
JSON

"$ONAIR" origin --host 127.0.0.1 --port 0 --threads 1 --event "$WORK/event.json" \
  --pipeline-token pt --admin-token at >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
ORIGIN=$(url_of "$WORK/origin.log")
for region in eu us; do
  "$ONAIR" edge --host 127.0.0.1 --port 0 --threads 1 --upstream "$ORIGIN" \
    >"$WORK/edge-$region.log" 2>&1 &
  PIDS+=($!)
done
EDGE_EU=$(url_of "$WORK/edge-eu.log")
EDGE_US=$(url_of "$WORK/edge-us.log")
"$ONAIR" --log-level warn playback --host 127.0.0.1 --port 0 --threads 2 --origin "$ORIGIN" \
  --edge "edge-eu=$EDGE_EU,region=eu" --edge "edge-us=$EDGE_US,region=us" \
  --admin-token at >"$WORK/playback.log" 2>&1 &
PIDS+=($!)
PLAYBACK=$(url_of "$WORK/playback.log")

# Init segments at the origin (the service reads each rendition's codecs from them); the
# pipeline stops before the measurement.
echo "publishing a few seconds of the event..."
"$ONAIR" --log-level warn pipeline --ladder "$WORK/event.json" --source test:640x360@30 \
  --publish "$ORIGIN" --token pt --duration 3 >"$WORK/pipeline.log" 2>&1

TV='{"device_id": "tv-0042", "device_type": "tv", "codecs": ["avc", "hevc"], "max_width": 3840, "max_height": 2160, "hdr": true, "drm": ["widevine"], "region": "eu"}'
for _ in $(seq 100); do
  code=$(curl -s -o "$WORK/answer.mpd" -w '%{http_code}' -X POST -d "$TV" "$PLAYBACK/v1/playback/bench")
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "no answer from the playback service: $code"; cat "$WORK/playback.log"; exit 1; }

# The play starts: four device profiles in turn, as in a real crowd.
cat >"$WORK/starts.lua" <<'LUA'
local bodies = {
  '{"device_id": "tv-0042", "device_type": "tv", "codecs": ["avc", "hevc"], "max_width": 3840, "max_height": 2160, "hdr": true, "drm": ["widevine"], "region": "eu"}',
  '{"device_id": "ph-7781", "device_type": "phone", "codecs": ["avc"], "max_width": 1170, "max_height": 2532, "max_bitrate": 4000000, "drm": ["fairplay"], "region": "us", "format": "hls"}',
  '{"device_id": "web-0193", "device_type": "browser", "codecs": ["avc1"], "max_height": 1080, "drm": ["widevine", "clearkey"], "region": "eu"}',
  '{"device_id": "stb-5520", "device_type": "stb", "codecs": ["h264"], "max_width": 1280, "max_height": 720, "max_bitrate": 3500000, "region": "apac"}',
}
local headers = {["Content-Type"] = "application/json", ["X-Onair-Priority"] = "live"}
local k = 0
request = function()
  k = k % #bodies + 1
  return wrk.format("POST", "/v1/playback/bench", headers, bodies[k])
end
LUA

# nginx serving the TV's answer as a static file: the same bytes, nothing computed.
PORT=$(free_port)
mkdir -p "$WORK/files"
cp "$WORK/answer.mpd" "$WORK/files/answer.mpd"
chmod -R a+rX "$WORK"
start_nginx_static "$WORK/files" "$PORT" 'types { application/dash+xml mpd; }'
curl -sf "http://127.0.0.1:$PORT/answer.mpd" | cmp -s - "$WORK/answer.mpd" \
  || { echo "nginx does not serve the answer"; cat "$WORK/nginx/error.log"; exit 1; }

# One wrk run: "req/s p50_ms p99_ms non2xx".
measure() {  # url [lua]
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency ${2:+-s "$2"} "$1")
  echo "$out" >>"$WORK/wrk.log"
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${bad:-0}"
}
to_ms() {  # wrk's "812.00us", "1.20ms", "2.01s"
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.2f", n }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

bytes=$(stat -c %s "$WORK/answer.mpd")
echo "answer: $bytes bytes (TV profile); wrk -t2 -c$CONNS, ${SECS} s per run"
read -r on_rps on_p50 on_p99 on_bad < <(measure "$PLAYBACK" "$WORK/starts.lua")
curl -sf -X PATCH -H 'Authorization: Bearer at' -d '{"personalisation": false}' \
  "$PLAYBACK/admin/levers" >/dev/null
read -r off_rps off_p50 off_p99 off_bad < <(measure "$PLAYBACK" "$WORK/starts.lua")
read -r ng_rps ng_p50 ng_p99 ng_bad < <(measure "http://127.0.0.1:$PORT/answer.mpd")
shed=$(curl -s "$PLAYBACK/metrics" | awk '/^onair_playback_shed_total/ {s += $2} END {print s + 0}')

printf '\n%-34s %12s %10s %10s %8s %7s\n' "" "starts/s" "p50 ms" "p99 ms" "non-2xx" "ratio"
printf '%-34s %12.0f %10s %10s %8s %7.2f\n' "onair playback, personalised" "$on_rps" "$on_p50" \
  "$on_p99" "$on_bad" "$(ratio "$on_rps" "$ng_rps")"
printf '%-34s %12.0f %10s %10s %8s %7.2f\n' "onair playback, generic (lever)" "$off_rps" \
  "$off_p50" "$off_p99" "$off_bad" "$(ratio "$off_rps" "$ng_rps")"
printf '%-34s %12.0f %10s %10s %8s\n' "nginx, the same answer as a file" "$ng_rps" "$ng_p50" \
  "$ng_p99" "$ng_bad"
echo "shed by admission during the runs: $shed"
nodes=$(awk -v r="$on_rps" 'BEGIN { n = 100000 / r; printf "%d", (n == int(n)) ? n : int(n) + 1 }')
echo "100 000 personalised starts/s: $nodes nodes like this one (2 cores each, wrk beside it)"
