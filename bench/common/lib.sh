# Shell helpers the benchmarks' run.sh share (sourced, not run).

# A scratch folder on tmpfs in $WORK and the processes in $PIDS, both gone when the script
# exits (KEEP=1 keeps the folder).
bench_workdir() {  # name
  WORK="$(mktemp -d "/dev/shm/onair-bench-$1.XXXXXX")"
  PIDS=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}

# A free loopback TCP port (for nginx, which cannot print the one the OS chose), below the
# kernel's ephemeral range: a port in that range may be held by an outgoing connection of the
# benchmark's own clients, which a connect test does not see and nginx's bind() then fails on.
free_port() {
  local p low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port" >&2
  exit 1
}

# The URL an onair service prints in its log once it listens.
url_of() {  # log
  local u=""
  for _ in $(seq 100); do
    u=$(grep -o 'http://127.0.0.1:[0-9]*' "$1" | head -1 || true)
    [ -n "$u" ] && break
    sleep 0.1
  done
  [ -n "$u" ] || { cat "$1" >&2; exit 1; }
  echo "$u"
}

# nginx as a static file server of ROOT on 127.0.0.1:PORT with 2 workers, tuned as one would
# for small hot files (sendfile, keep-alive, open_file_cache, no access log); EXTRA: more
# lines for its http block. Started in the background (in $PIDS), logs in $WORK/nginx.
start_nginx_static() {  # root port [extra]
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
user root;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  open_file_cache max=10000 inactive=60s;
  ${3:-}
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$2 reuseport;
    root $1;
  }
}
CONF
  nginx -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
  PIDS+=($!)
  sleep 0.5
}

# CPU seconds a process has used so far (user + system, its threads included).
cpu_seconds() {  # pid
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}
