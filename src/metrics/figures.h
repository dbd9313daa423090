// What one second of one slice of an event adds up to (the event as a whole, or one edge,
// region, device type, rendition or codec): counts, sums and sketches that merge exactly, so
// the figures of several collectors add into those one collector would have made. Every field
// comes from the QoE events alone, without state per session (docs/metrics.md defines each).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "contract/qoe.h"
#include "core/status.h"
#include "metrics/quantiles.h"
#include "metrics/unique.h"

namespace onair::metrics {

struct Figures {
  // Session outcomes, from `start` and `end` events.
  uint64_t starts = 0;
  uint64_t start_failures = 0;      // ended before the first frame on a failure
  uint64_t exits_before_start = 0;  // ended before the first frame, no failure
  uint64_t playback_failures = 0;   // ended after the start on a failure
  uint64_t ended = 0;               // ended after the start, no failure
  // From heartbeats: time playing and stalled, bitrate × time, time at the top rung.
  uint64_t heartbeats = 0;
  uint64_t played_ms = 0, stalled_ms = 0, top_ms = 0;
  double bitrate_ms = 0;  // Σ bitrate (bits/s) × played_ms
  uint64_t stalls = 0;    // `rebuffer` events
  uint64_t errors = 0;    // `error` events, fatal or not
  Quantiles vst_ms;       // video startup time of each start
  Quantiles latency_ms;   // glass to glass at the playhead, one per heartbeat
  UniqueCount viewers;    // sessions with a heartbeat in this second

  // Adds one event of `session`.
  void Add(const contract::QoeEvent& e, uint64_t session_hash);
  // Adds another's figures; without `viewers` its unique-viewer sketch is left out (a span of
  // seconds counts its viewers from the window instead).
  void Merge(const Figures& o, bool viewers = true);

  uint64_t attempts() const { return starts + start_failures + exits_before_start; }
  bool empty() const;  // nothing added

  // The wire form (collectors → aggregator); Decode refuses what Encode would not write.
  std::string Encode() const;
  static StatusOr<Figures> Decode(std::string_view bytes);
};

}  // namespace onair::metrics
