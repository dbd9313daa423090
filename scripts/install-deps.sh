#!/usr/bin/env bash
# Installs the Debian 12 packages onair builds and tests with. Idempotent: installs only
# what is missing, so a second run costs a second.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  # media: FFmpeg's libraries (codecs, containers, filters) and its CLI as a reference client
  libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libswresample-dev libavutil-dev
  ffmpeg
  # networking, logging, JSON, CLI, tests
  libboost1.81-dev libssl-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev
  # the metrics service: XXH3, the hash behind its unique-viewer counts; simdjson, the parser
  # of its ingest path; NATS (server and C client) between its collectors and aggregator; a
  # real Alertmanager to send its alerts to in tests
  libxxhash-dev libsimdjson-dev nats-server libnats-dev prometheus-alertmanager
  # formatting check; clang and its libFuzzer runtime for the fuzz targets
  clang-format clang libclang-rt-14-dev
  # MPD schema validation (xmllint)
  libxml2-utils docbook5-xml
  # the player: MPD parsing (pugixml)
  libpugixml-dev
  # origin tests and benchmarks: nginx as a standard cache and as the static-file peer, wrk
  nginx wrk
  # bench/metrics: VictoriaMetrics as the ingestion peer
  victoria-metrics
  # edge tests: curl as a real HTTPS client verifying the demo CA
  curl
  # bench/: GNU time for CPU seconds
  time
  # the web player's browser test: Debian's Chromium (driven by playwright-core from npm)
  chromium
)
# Node.js and npm build the web pages (web/) from the npm registry: Debian's, unless the
# machine already has its own (a nodejs package from elsewhere bundles npm and conflicts).
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web pages' npm packages (dash.js, embedded in the binary; playwright-core for the
# browser test), exactly as package-lock.json pins them, whenever the lock file changed.
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci in web/"
  npm ci --no-audit --no-fund --loglevel=error
fi
