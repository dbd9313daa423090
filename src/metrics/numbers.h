// The figures of one second of a slice as people read them (docs/metrics.md defines each):
// rates, ratios and percentiles worked out from the mergeable Figures, and written as the
// JSON of `GET /v1/metrics/{event}`.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>

#include "metrics/figures.h"

namespace onair::metrics {

struct Numbers {
  uint64_t concurrent_viewers = 0;
  uint64_t attempts = 0, starts = 0, start_failures = 0, exits_before_start = 0;
  uint64_t playback_failures = 0, ended = 0, stalls = 0, errors = 0, heartbeats = 0;
  double start_failure_pct = 0, exits_before_start_pct = 0, playback_failure_pct = 0;
  double vst_p50 = 0, vst_p95 = 0, vst_p99 = 0;  // ms; 0 without starts
  double rebuffer_ratio = 0;                     // stalled / (playing + stalled)
  double stalls_per_hour = 0;
  double avg_bitrate = 0;                   // bits/s, time-weighted
  double top_share = 0;                     // of playing time
  double latency_p50 = 0, latency_p95 = 0;  // ms
  double played_s = 0, stalled_s = 0;       // watch time: playing, stalled after the start
};

// `viewers`: distinct sessions with a heartbeat in the window ending at this second.
Numbers NumbersOf(const Figures& f, uint64_t viewers);

void to_json(nlohmann::json& j, const Numbers& n);

}  // namespace onair::metrics
