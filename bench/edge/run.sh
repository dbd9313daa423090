#!/usr/bin/env bash
# The edge benchmark: `onair edge` and nginx (Debian's package, proxy_cache with
# proxy_cache_lock, the cache on tmpfs) in front of the same `onair origin`, fed by a live
# four-rendition event, read by thousands of connections at the segment cadence, by a burst
# at every segment boundary, then by wrk. The edge gets 2 event loops, nginx 2 workers. See
# bench/edge/edge_bench.cc for what is measured and docs/benchmarks.md.
#
#   bench/edge/run.sh [PERIODS]      (segment periods per cache, default 10; needs make build)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/common/lib.sh
BUILD="${BUILD:-build}"
ONAIR="$BUILD/src/app/onair"
BENCH="$BUILD/bench/onair_edge_bench"
PERIODS="${1:-10}"
[ -x "$ONAIR" ] && [ -x "$BENCH" ] || { echo "build first (make build)"; exit 1; }
ulimit -n "$(ulimit -Hn)"
bench_workdir edge

AST_S=$(($(date +%s) - 1000))
{
  printf '{"event": "bench", "ast": "%s", "frame_rate": "30", "window": 120, "ladder": [' \
    "$(date -u -d "@$AST_S" +%Y-%m-%dT%H:%M:%SZ)"
  printf '{"name": "v0", "width": 1280, "height": 720, "bitrate": 3000000},'
  printf '{"name": "v1", "width": 960, "height": 540, "bitrate": 1600000},'
  printf '{"name": "v2", "width": 640, "height": 360, "bitrate": 800000},'
  printf '{"name": "v3", "width": 480, "height": 270, "bitrate": 400000}'
  printf ']}\n'
} >"$WORK/event.json"

"$ONAIR" origin --host 127.0.0.1 --port 0 --threads 1 --event "$WORK/event.json" \
  --data-dir "$WORK/origin" --pipeline-token pt --admin-token at >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
ORIGIN=$(url_of "$WORK/origin.log")
ORIGIN_PORT=${ORIGIN##*:}

"$ONAIR" edge --host 127.0.0.1 --port 0 --threads 2 --upstream "$ORIGIN" --cache-mb 1024 \
  >"$WORK/edge.log" 2>&1 &
PIDS+=($!)
EDGE=$(url_of "$WORK/edge.log")

# nginx as the standard cache: proxy_cache in memory (tmpfs), the cache lock so that one
# request per object goes upstream, keep-alive to the origin, no access log.
PORT=$(free_port)
mkdir -p "$WORK/nginx/cache"
# Run as root (CI), nginx's workers would be `nobody`, locked out of this private tree.
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
$USER_LINE
worker_processes 2;
worker_rlimit_nofile 65536;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  proxy_cache_path $WORK/nginx/cache keys_zone=onair:64m max_size=1g inactive=10m use_temp_path=off;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$PORT reuseport;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache onair;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 5s;
      proxy_cache_revalidate on;
      proxy_read_timeout 10s;
    }
  }
}
CONF
nginx -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)
sleep 0.5

"$BENCH" --origin "$ORIGIN" --edge "$EDGE" --nginx "http://127.0.0.1:$PORT" \
  --ast-us "${AST_S}000000" --periods "$PERIODS" --dir "$WORK" ${BENCH_ARGS:-}
