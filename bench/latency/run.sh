#!/usr/bin/env bash
# The latency benchmark: glass to glass (a frame's capture UTC -> the moment the headless
# player has it) through onair's chain (pipeline with 0.5 s chunks -> origin -> edge ->
# playback service -> `onair play`) and through the ffmpeg command line's low-latency DASH
# output (-f dash -ldash 1 -streaming 1) served by nginx and read by the same player. The same
# picture size, rate, codec settings and segment/chunk durations; one chain after the other on
# this machine, so neither shares the CPU with the other. docs/benchmarks.md.
#
#   bench/latency/run.sh [SECONDS_OF_PLAYBACK]     (default 60; needs `make build`)
#
# Both chains are measured the same way: capture time = AST + media time (`--latency-from
# ast`; onair's prft says exactly that, ffmpeg's says when it muxed, which would flatter it).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common/lib.sh
BUILD="${BUILD:-build}"
ONAIR="$BUILD/src/app/onair"
SECS="${1:-60}"
TARGET_MS="${TARGET_MS:-3000}"
[ -x "$ONAIR" ] || { echo "build first (make build)"; exit 1; }
bench_workdir latency

# One 720p30 rung, x264 veryfast at 3 Mb/s CBR, 2 s GOPs without B-frames, AAC 128k; D = 2 s,
# 0.5 s chunks: the same for both chains.
X264_ARGS=(-c:v libx264 -preset veryfast -b:v 3M -maxrate 3M -bufsize 3M -g 60 -keyint_min 60
           -sc_threshold 0 -bf 0 -pix_fmt yuv420p -c:a aac -b:a 128k -ar 48000)

play() {  # name manifest-args...
  local name=$1
  shift
  "$ONAIR" play "$@" --duration "$SECS" --latency-from ast --target-latency-ms "$TARGET_MS" \
    --quiet --summary-json "$WORK/$name.json" >"$WORK/$name-play.log" 2>&1 ||
    { echo "the player failed on $name:"; cat "$WORK/$name-play.log"; exit 1; }
}

echo "latency: onair chain ($SECS s of playback)"
AST_S=$(($(date +%s) / 60 * 60))
cat >"$WORK/event.json" <<JSON
{"event": "bench", "ast": "$(date -u -d "@$AST_S" +%Y-%m-%dT%H:%M:%SZ)", "frame_rate": "30",
 "chunk_duration": 0.5, "segment_duration": 2,
 "ladder": [{"name": "720p", "width": 1280, "height": 720, "bitrate": 3000000,
             "preset": "veryfast"}]}
JSON
"$ONAIR" origin --host 127.0.0.1 --port 0 --threads 1 --event "$WORK/event.json" \
  --pipeline-token pt >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
ORIGIN=$(url_of "$WORK/origin.log")
"$ONAIR" edge --host 127.0.0.1 --port 0 --threads 1 --upstream "$ORIGIN" >"$WORK/edge.log" 2>&1 &
PIDS+=($!)
EDGE=$(url_of "$WORK/edge.log")
"$ONAIR" playback --host 127.0.0.1 --port 0 --threads 1 --origin "$ORIGIN" \
  --edge "edge=$EDGE" --target-latency-ms "$TARGET_MS" >"$WORK/playback.log" 2>&1 &
PIDS+=($!)
PLAYBACK=$(url_of "$WORK/playback.log")
"$ONAIR" pipeline --ladder "$WORK/event.json" --source test:1280x720@30 --publish "$ORIGIN" \
  --token pt --duration $((SECS + 30)) >"$WORK/pipeline.log" 2>&1 &
PIPELINE=$!
PIDS+=($PIPELINE)
sleep 8
play onair "$PLAYBACK" bench
kill "$PIPELINE" 2>/dev/null || true

echo "latency: ffmpeg -f dash -ldash 1 -streaming 1 + nginx ($SECS s of playback)"
mkdir -p "$WORK/ff"
ffmpeg -hide_banner -loglevel error -re -f lavfi -i testsrc2=size=1280x720:rate=30 \
  -re -f lavfi -i sine=frequency=1000:sample_rate=48000 "${X264_ARGS[@]}" \
  -f dash -ldash 1 -streaming 1 -seg_duration 2 -frag_duration 0.5 -frag_type duration \
  -use_template 1 -use_timeline 0 -target_latency "$((TARGET_MS / 1000))" -window_size 30 \
  -t $((SECS + 30)) "$WORK/ff/live.mpd" &
FFMPEG=$!
PIDS+=($FFMPEG)
NGINX_PORT=$(free_port)
start_nginx_static "$WORK/ff" "$NGINX_PORT"
sleep 8
play ffmpeg --mpd "http://127.0.0.1:$NGINX_PORT/live.mpd"
kill "$FFMPEG" 2>/dev/null || true

python3 - "$WORK/onair.json" "$WORK/ffmpeg.json" <<'PY'
import json, sys
o, f = (json.load(open(p)) for p in sys.argv[1:3])
def row(name, s):
    a, l = s["arrival_latency_s"], s["latency_s"]
    return (f"| {name} | {a['p50']:.2f} | {a['p95']:.2f} | {l['p50']:.2f} | {l['p95']:.2f} | "
            f"{s['rebuffers']} | {s['undecodable']} |")
print()
print("| chain | arrival p50 (s) | arrival p95 (s) | shown p50 (s) | shown p95 (s) | rebuffers | undecodable |")
print("| --- | --- | --- | --- | --- | --- | --- |")
print(row("onair (pipeline → origin → edge → player)", o))
print(row("ffmpeg -ldash + nginx → player", f))
oa, fa = o["arrival_latency_s"], f["arrival_latency_s"]
print()
print(f"ratio ffmpeg/onair, arrival: p50 {fa['p50'] / oa['p50']:.2f}, p95 {fa['p95'] / oa['p95']:.2f}")
goal = oa["p50"] < 2.5 and oa["p95"] < 3.5
print(f"goal (onair p50 < 2.5 s, p95 < 3.5 s, better than ffmpeg+nginx): "
      f"{'met' if goal and oa['p50'] < fa['p50'] and oa['p95'] < fa['p95'] else 'NOT met'}")
PY
