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

# A free loopback TCP port (for nginx, which cannot print the one the OS chose).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
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
