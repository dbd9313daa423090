#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for SECONDS (default 10)
# from its seeds in fuzz/corpus/{name}. New inputs go to a scratch corpus, not the repository;
# a crash leaves its input in build-fuzz/crashes/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-10}"
BUILD=build-fuzz
TARGETS=(event_config url utc init_codec segment_check origin_request playback_json player_media
  contract edge_freshness service_target metrics_sketch metrics_scrape metrics_parts loadgen)
if [ ! -f "$BUILD/build.ninja" ]; then
  CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONAIR_FUZZ=ON
fi
cmake --build "$BUILD" --target "${TARGETS[@]/%/_fuzz}"
mkdir -p "$BUILD/crashes"
for t in "${TARGETS[@]}"; do
  scratch="$BUILD/corpus/$t"
  mkdir -p "$scratch"
  echo "fuzz: $t for ${SECONDS_EACH}s"
  "$BUILD/fuzz/${t}_fuzz" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
    -artifact_prefix="$BUILD/crashes/${t}-" "$scratch" "fuzz/corpus/$t" 2>&1 |
    grep -E "^(stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)|check failed" || true
  if ls "$BUILD/crashes/${t}-"* >/dev/null 2>&1; then
    echo "fuzz: $t found a crash: $(ls "$BUILD/crashes/${t}-"*)"
    exit 1
  fi
done
echo "fuzz: all ${#TARGETS[@]} targets clean"
