#!/usr/bin/env bash
# The ladder benchmark: the same live ladder through `onair pipeline` and through the ffmpeg
# command line (one decode, a split, one libx264 per rung, AAC, DASH output), side by side on
# this machine, both paced in real time from the same mezzanine file.
#
# Printed per ladder and tool: CPU seconds per second of content, the share of the machine's
# cores that is, whether it kept up with real time, and the top rung's PSNR against the source.
# The ratio column is onair / ffmpeg (CPU: lower is better for onair below 1.0).
#
#   bench/ladder/run.sh [SECONDS]        (default 20 s of content per run; needs `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
ONAIR="${ONAIR:-build/src/app/onair}"
SECS="${1:-20}"
WORK="$(mktemp -d /tmp/onair-bench-ladder.XXXXXX)"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
CORES="$(nproc)"
[ -x "$ONAIR" ] || { echo "build onair first (make build)"; exit 1; }

# name width height bitrate: the rungs of each ladder (top rung first).
LADDER_720=("720p 1280 720 3000000" "540p 960 540 1800000" "360p 640 360 800000" "270p 480 270 400000")
LADDER_1080=("1080p 1920 1080 6000000" "${LADDER_720[@]}")

# A mezzanine of SECS + 10 s: moving test pattern and a tone, H.264 at high quality.
mezzanine() {  # width height out
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=$1x$2:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t $((SECS + 10)) \
    -c:v libx264 -preset veryfast -crf 12 -g 30 -pix_fmt yuv420p -c:a aac -b:a 192k "$3"
}

# CPU seconds (user + system) and wall seconds of a command, from GNU time.
timed() {  # out_file cmd...
  local out="$1"
  shift
  /usr/bin/time -f "%U %S %e" -o "$out.time" "$@" >"$out.log" 2>&1 || {
    echo "failed: $* (see below)"
    tail -20 "$out.log"
    exit 1
  }
  awk '{printf "%.1f %.1f\n", $1 + $2, $3}' "$out.time"
}

onair_ladder_json() {  # rungs...
  local sep=""
  printf '{"event": "bench", "ast": "2026-01-01T00:00:00Z", "frame_rate": "30", "ladder": ['
  for rung in "$@"; do
    read -r name w h b <<<"$rung"
    printf '%s\n {"name": "%s", "width": %s, "height": %s, "bitrate": %s, "preset": "veryfast", "rate_control": "cbr"}' \
      "$sep" "$name" "$w" "$h" "$b"
    sep=","
  done
  printf ']}\n'
}

# ffmpeg with the settings onair gives libx264: CBR with a one-second VBV, no B-frames, a
# GOP of two segments with an IDR forced every D, no scene cuts, high profile, bicubic.
ffmpeg_ladder_args() {  # rungs...
  local n=$# k=0 split="[0:v]split=$#" graph="" maps=()
  for ((k = 0; k < n; k++)); do split+="[s$k]"; done
  graph="$split"
  k=0
  for rung in "$@"; do
    read -r name w h b <<<"$rung"
    graph+=";[s$k]scale=$w:$h:flags=bicubic[o$k]"
    maps+=(-map "[o$k]" -b:v:$k "$b" -maxrate:v:$k "$b" -bufsize:v:$k "$b")
    k=$((k + 1))
  done
  printf '%s\n' -filter_complex "$graph" "${maps[@]}" -map 0:a \
    -c:v libx264 -preset veryfast -profile:v high -bf 0 -g 120 -keyint_min 120 -sc_threshold 0 \
    -force_key_frames 'expr:gte(t,n_forced*2)' -x264-params nal-hrd=cbr:open-gop=0 \
    -c:a aac -b:a 128k -ac 2 -ar 48000
}

# PSNR (average, Y+U+V as ffmpeg reports it) of a rendition against the mezzanine, after
# finding which source frame the rendition's first frame is (onair starts at a wall-clock
# segment boundary, anywhere in the first seconds of the file).
psnr_against_source() {  # rendition.mp4 mezzanine
  local best
  best=$(ffmpeg -v error -i "$2" -i "$1" -filter_complex \
    "[1:v]trim=end_frame=1,loop=loop=240:size=1,setpts=N/30/TB[d];[0:v]trim=end_frame=240,setpts=N/30/TB[r];[d][r]psnr=stats_file=-" \
    -f null - 2>/dev/null | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^psnr_avg:/) {split($i, a, ":"); v = a[2] == "inf" ? 999 : a[2]; if (v > best) {best = v; at = NR - 1}}} END {print at + 0, best + 0}')
  read -r best match <<<"$best"
  if awk -v m="$match" 'BEGIN {exit !(m < 30)}'; then
    echo "psnr: the first frame of $1 matches no source frame (best $match dB)" >&2
  fi
  ffmpeg -v info -i "$1" -i "$2" -filter_complex \
    "[1:v]trim=start_frame=$best,setpts=PTS-STARTPTS[r];[0:v]setpts=PTS-STARTPTS[d];[d][r]psnr=shortest=1" \
    -f null - 2>&1 | sed -n 's/.*PSNR.* average:\([0-9.inf]*\).*/\1/p' | tail -1
}

run_ladder() {  # label width height rungs...
  local label="$1" w="$2" h="$3"
  shift 3
  local rungs=("$@") top
  read -r top _ <<<"${rungs[0]}"
  local src="$WORK/src-$label.mp4"
  mezzanine "$w" "$h" "$src"

  # onair: paced by its own clock, whole segments for SECS seconds.
  onair_ladder_json "${rungs[@]}" >"$WORK/$label.json"
  read -r o_cpu o_wall < <(timed "$WORK/onair-$label" "$ONAIR" pipeline --source "$src" \
    --ladder "$WORK/$label.json" --out "$WORK/onair-$label" --duration "$SECS")
  local summary
  summary=$(grep "stopped:" "$WORK/onair-$label.log" | tail -1)
  local slate dropped repeated skipped delay
  slate=$(sed -n 's/.* \([0-9]*\) slate frames.*/\1/p' <<<"$summary")
  dropped=$(sed -n 's/.* \([0-9]*\) input frames dropped.*/\1/p' <<<"$summary")
  repeated=$(sed -n 's/.* \([0-9]*\) frames repeated.*/\1/p' <<<"$summary")
  skipped=$(sed -n 's/.* \([0-9]*\) skipped for timing.*/\1/p' <<<"$summary")
  delay=$(sed -n 's/.*at most \(-*[0-9]*\) ms.*/\1/p' <<<"$summary")
  local o_kept="yes"
  [ "${slate:-1}" = 0 ] && [ "${dropped:-1}" = 0 ] && [ "${delay:-9999}" -lt 2000 ] || o_kept="no"
  o_kept+=" (late ${delay} ms, ${repeated}/${skipped} rep/skip)"
  local dir="$WORK/onair-$label/$top"
  cat "$dir/init.mp4" $(ls "$dir"/*.m4s | sort -V) >"$WORK/onair-$label-top.mp4"
  local o_psnr
  o_psnr=$(psnr_against_source "$WORK/onair-$label-top.mp4" "$src")

  # ffmpeg: -re paces the input in real time; the same content length.
  mkdir -p "$WORK/ffmpeg-$label"
  mapfile -t fargs < <(ffmpeg_ladder_args "${rungs[@]}")
  read -r f_cpu f_wall < <(timed "$WORK/ffmpeg-$label" ffmpeg -y -re -i "$src" -t "$SECS" \
    "${fargs[@]}" -f dash -seg_duration 2 -use_template 1 -use_timeline 0 -streaming 1 \
    "$WORK/ffmpeg-$label/manifest.mpd")
  local speed f_kept="yes"
  speed=$(grep -o 'speed=[ 0-9.]*x' "$WORK/ffmpeg-$label.log" | tail -1 | tr -d ' speed=x')
  awk -v s="${speed:-0}" 'BEGIN {exit !(s >= 0.98)}' || f_kept="no"
  cat "$WORK/ffmpeg-$label/init-stream0.m4s" $(ls "$WORK/ffmpeg-$label"/chunk-stream0-*.m4s | sort -V) \
    >"$WORK/ffmpeg-$label-top.mp4"
  local f_psnr
  f_psnr=$(psnr_against_source "$WORK/ffmpeg-$label-top.mp4" "$src")

  awk -v l="$label" -v n="${#rungs[@]}" -v s="$SECS" -v c="$CORES" \
    -v oc="$o_cpu" -v ok="$o_kept" -v op="$o_psnr" \
    -v fc="$f_cpu" -v fk="$f_kept" -v fp="$f_psnr" -v fs="$speed" 'BEGIN {
      printf "%-22s %-7s %8.2f %7.0f%% %-34s %7.2f\n", l " (" n " rungs)", "onair", oc / s, 100 * oc / s / c, ok, op
      printf "%-22s %-7s %8.2f %7.0f%% %-34s %7.2f\n", "", "ffmpeg", fc / s, 100 * fc / s / c, fk " (speed " fs "x)", fp
      printf "%-22s %-7s %8.2f %8s %-34s %7.2f\n", "", "ratio", (oc / s) / (fc / s), "", "", op - fp
    }'
}

echo "ladder benchmark: ${SECS} s of content per run, veryfast CBR, ${CORES} cores, $(date -u +%F)"
printf "%-22s %-7s %8s %8s %-34s %7s\n" "ladder" "tool" "CPU-s/s" "cores" "kept up with real time" "PSNR dB"
run_ladder "720p30" 1280 720 "${LADDER_720[@]}"
run_ladder "1080p30" 1920 1080 "${LADDER_1080[@]}"
echo "(ratio: CPU onair/ffmpeg; PSNR onair minus ffmpeg, top rung against the source)"
