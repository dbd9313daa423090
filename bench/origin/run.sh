#!/usr/bin/env bash
# The origin benchmark: `onair origin` taking live chunked writes from 8 renditions while wrk
# reads (live edge, then mixed live/DVR) from it, and from nginx serving the very same segments
# as static files from tmpfs, side by side on this machine. Both servers get 2 event loops /
# workers. See bench/origin/origin_bench.cc for what is measured and docs/benchmarks.md.
#
#   bench/origin/run.sh [SECONDS_PER_WRK_RUN]     (default 15; needs `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common/lib.sh
BUILD="${BUILD:-build}"
ONAIR="$BUILD/src/app/onair"
BENCH="$BUILD/bench/onair_origin_bench"
SECS="${1:-15}"
[ -x "$ONAIR" ] && [ -x "$BENCH" ] || { echo "build first (make build)"; exit 1; }
bench_workdir origin

# The bench event: AST on a whole second 1000 s ago, 8 renditions, a 10-minute window.
AST_S=$(($(date +%s) - 1000))
{
  printf '{"event": "bench", "ast": "%s", "frame_rate": "30", "window": 600, "ladder": [' \
    "$(date -u -d "@$AST_S" +%Y-%m-%dT%H:%M:%SZ)"
  for k in 0 1 2 3 4 5 6 7; do
    [ $k -gt 0 ] && printf ','
    printf '{"name": "v%d", "width": 640, "height": 360, "bitrate": 4000000}' $k
  done
  printf ']}\n'
} >"$WORK/event.json"

"$ONAIR" origin --host 127.0.0.1 --port 0 --threads 2 --event "$WORK/event.json" \
  --pipeline-token pt --admin-token at >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
ORIGIN=$(url_of "$WORK/origin.log")

# nginx as a static file server of the same tree, tuned as one would for segments.
PORT=$(free_port)
mkdir -p "$WORK/files"
start_nginx_static "$WORK/files" "$PORT"

chmod 755 "$WORK"
"$BENCH" --origin "$ORIGIN" --nginx "http://127.0.0.1:$PORT" --files "$WORK/files" \
  --ast-us "${AST_S}000000" --seconds "$SECS" ${BENCH_ARGS:-}
